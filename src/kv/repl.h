/*
 * repl.h - replication, both sides.
 *
 * Master side: every write is turned into the command a replica must run
 * (relative TTLs made absolute, expiries as DEL), framed with SELECT and
 * MULTI/EXEC, appended to the backlog and to each replica's output. PSYNC
 * answers +CONTINUE from the backlog or +FULLRESYNC with an RDB image of
 * exactly that offset.
 *
 * Replica side: a non-blocking handshake (AUTH, REPLCONF, PSYNC), the RDB
 * payload checked whole before it replaces the dataset, then the stream run
 * through a client flagged CLIENT_MASTER, and REPLCONF ACK every second.
 * The stream it applies goes to its own backlog and replicas unchanged, so
 * that after a promotion (PSYNC2) its old siblings continue partially.
 */
#ifndef SENTINEL_KV_REPL_H
#define SENTINEL_KV_REPL_H

#include <stdbool.h>

#include "buf.h"

struct client;
struct kv_command;

void	repl_init(void);
/* Every 100 ms: pings, ACKs, timeouts, reconnects, WAIT deadlines. */
void	repl_cron(void);
/* Start replicating from the configured master (srv.masterhost) at start-up. */
void	repl_start(void);

/* A command ran: send what it changed to the replicas. */
void	repl_after_call(struct client *c, const struct kv_command *cmd, long long dirty_before);
/* A key expired or was evicted on a master. */
void	repl_propagate_del(int db, const char *key, size_t klen);
/* EXEC brackets: the writes in between go out as one MULTI/EXEC block. */
void	repl_exec_begin(void);
void	repl_exec_end(void);
/* The master link client ran one command of the stream. */
void	repl_master_applied(struct client *c);
/* A client is going away. */
void	repl_client_gone(struct client *c);

/* Is the link to our master up? */
bool	repl_link_up(void);
/* Replicas that acknowledged within max_lag seconds. */
int	repl_good_replicas(long long max_lag);

/* INFO replication and ROLE. */
void	repl_info(struct buf *out);
void	repl_role(struct client *c);
long long repl_offset(void);
const char *repl_id(void);

#endif
