/*
 * commands.h - what a client of the sentinel port can ask: Redis Sentinel
 * 7.0's command table (COMMAND COUNT is 15), the checks a request goes
 * through before its command runs, and the replies, byte for byte.
 *
 * commands.c has the table, the dispatch and the generic commands (PING,
 * INFO, ROLE, HELLO, AUTH, ACL, CLIENT, COMMAND, pub/sub, SHUTDOWN);
 * cmd_sentinel.c has the SENTINEL subcommands.
 */
#ifndef SENTINEL_COMMANDS_H
#define SENTINEL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

struct client;
struct client_ops;
struct instance;

/* The version of Redis whose replies we give. */
#define COMMANDS_REDIS_VERSION	"7.0.15"

/* Build the lookup table and the process run id; call once, before clients come. */
void	commands_init(void);
/* The dispatch function for client_module_init (c->argc > 0). */
void	commands_dispatch(struct client *c);
/* Release what commands_dispatch attached to c (client_ops.on_free). */
void	commands_client_free(struct client *c);
/* Both of the above, ready for client_module_init. */
const struct client_ops *commands_client_ops(void);

/* Facts INFO prints that only the daemon knows. */
void	commands_set_executable(const char *path);
/* Called by SHUTDOWN once it decided to exit (default: loop_stop()). */
void	commands_set_shutdown(void (*fn)(void));
/* The process run id (INFO run_id), not the sentinel id (SENTINEL MYID). */
const char *commands_runid(void);

/* Internal to commands.c and cmd_sentinel.c. */
void	cmd_sentinel(struct client *c);
void	cmd_sentinel_help(struct client *c);
/* One instance as SENTINEL MASTER(S)/REPLICAS/SENTINELS show it. */
void	cmd_sentinel_instance_reply(struct client *c, const struct instance *ri, int64_t now);
/* The address shown for an instance: its host when announce-hostnames is on. */
const char *cmd_sentinel_shown_ip(const struct instance *ri);

#endif
