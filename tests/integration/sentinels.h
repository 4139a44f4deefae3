/*
 * sentinels.h - what the tests that run sentinels against live servers
 * (it_sentinel, it_failover, it_mixed) share: connections their children
 * do not inherit, SENTINEL replies as trees and fields, servers started in
 * a scenario's directory, replicas waited for until they follow and have
 * caught up, and the scenario of three of our sentinels watching a master
 * and two replicas that it_sentinel and it_failover both build.
 */
#ifndef SENTINEL_IT_SENTINELS_H
#define SENTINEL_IT_SENTINELS_H

#include <sys/types.h>

#include <stdbool.h>

#include "buf.h"
#include "harness.h"

#define IT_NSENT	3	/* our sentinels in a scenario */
#define IT_NREPS	3	/* replicas at most */
#define IT_DOWN_AFTER	500	/* ms, sentinel down-after-milliseconds */
#define IT_POLL_US	20000	/* it_poll_us unless a test sets it */

/* Between looks at a changing state in the waits below. */
extern int		 it_poll_us;
/* Our sentinel, as it_find_sentinel found it; the scenarios start it. */
extern const char	*it_sentinel_bin;

/* --- replies ------------------------------------------------------------- */
/*
 * A connection that the processes started later do not inherit: the script
 * case of it_sentinel checks what the sentinel hands its scripts.
 */
struct h_conn	*it_conn(int port);
/* got is want, else the two as diagnostics under what. */
bool		 it_expect(const char *got, const char *want, const char *what);
/* One command whose reply is wanted as a tree; NULL on failure. */
struct h_node	*it_node(struct h_conn *c, ...) __attribute__((sentinel));
/* The value of a field in a flat field/value array (SENTINEL MASTER). */
const char	*it_fget(const struct h_node *n, const char *field);
/* A field of SENTINEL MASTER mymaster, allocated, NULL if not there. */
char		*it_mfield(struct h_conn *c, const char *field);
/* The entry of a list (SENTINEL REPLICAS/SENTINELS) with that port. */
const struct h_node *it_entry_by_port(const struct h_node *list, int port);
/* A reply as diagnostics, "(no reply)" for NULL. */
void		 it_diag_node(const char *prefix, const struct h_node *n);
/* flag is one of the comma-separated flags. */
bool		 it_has_flag(const char *flags, const char *flag);
/* The port of GET-MASTER-ADDR-BY-NAME mymaster, -1 if none. */
int		 it_addr_port(struct h_conn *c);

/* --- servers -------------------------------------------------------------- */
/*
 * Starts a server of kind t in root/tag on port (0: any) with "[conf]
 * pre... extra..." (either list NULL-terminated or NULL).
 */
bool		 it_srv_start(const struct h_target *t, const char *root, const char *tag,
		    struct h_server *s, int port, const char *conf, const char *const *pre,
		    const char *const *extra);
/* The server on port is a replica of mport with the link up (else a diagnostic if last). */
bool		 it_follows(int port, int mport, bool last);
bool		 it_wait_follows(int port, int mport, int deadline_ms);
/* A number of INFO replication on a fresh connection, -1 if none. */
long long	 it_info_ll(int port, const char *field);
/* The replica on port has the stream of the master on mport. */
bool		 it_wait_caught_up(int port, int mport);

/* --- events ----------------------------------------------------------------- */
/* A PSUBSCRIBE * connection to port in *sub (set even when the reply is wrong). */
bool		 it_psubscribe(struct h_conn **sub, int port);
/*
 * Appends "type text\n" to ev for each message sub has ready; the H_RD_*
 * of the read that stopped: H_RD_TIMEOUT when all was read, any other
 * when the subscription is lost.
 */
int		 it_ev_drain(struct h_conn *sub, struct buf *ev);

/* --- a scenario: a master, replicas, three of our sentinels -------------------- */
/* One of our sentinels and what its PSUBSCRIBE * connection saw. */
struct it_sent {
	char		*dir;
	char		*conf;
	char		*log;
	int		 port;
	pid_t		 pid;
	struct h_conn	*c;
	struct h_conn	*sub;
	struct buf	 ev;	/* "type text\n" per event */
};

/* Everything a case starts, so that one cleanup stops it all. */
struct it_scn {
	const struct h_target	*t;
	char			*dir;
	const char *const	*srv_args;	/* every server gets these first */
	struct h_server		 m;
	bool			 mup;
	bool			 mstopped;	/* SIGSTOPped: needs SIGCONT */
	int			 mport;		/* the first monitored port */
	struct h_server		 r[IT_NREPS];
	int			 nr;
	struct h_server		 x;		/* an extra lone master */
	bool			 xup;
	struct it_sent		 s[IT_NSENT];
	struct h_conn		*sub;		/* PSUBSCRIBE * on s[0] */
	struct buf		 seen;		/* events read from sub */
};

void		 it_scn_init(struct it_scn *sc, const struct h_target *t, const char *tag,
		    const char *const *srv_args);
/* Stops and frees all, the master thawed first. */
void		 it_scn_free(struct it_scn *sc);
/* A server of the kind under test in sc->dir/tag, sc->srv_args first. */
bool		 it_scn_srv_start(struct it_scn *sc, struct h_server *s, const char *tag,
		    int port, const char *conf, const char *const *extra);
bool		 it_master_start(struct it_scn *sc, const char *conf, const char *const *args);
/* A replica of the master; extra arguments after --replicaof. */
bool		 it_replica_start(struct it_scn *sc, const char *const *extra);
void		 it_master_freeze(struct it_scn *sc);
void		 it_master_thaw(struct it_scn *sc);
/* Short periods, so that each case takes seconds; and not in TILT. */
bool		 it_sent_tune(struct it_sent *s);
/* Starts s from its config file (written before the first start). */
bool		 it_sent_spawn(struct it_sent *s);
/* Writes the config of sentinel i, quorum q, extra lines, and starts it. */
bool		 it_sent_start(struct it_scn *sc, int i, int quorum, const char *extra);
/* SIGTERM and wait; the connections go too, the events stay. */
void		 it_sent_stop(struct it_sent *s);
/* All IT_NSENT sentinels, quorum q each, the same extra config lines. */
bool		 it_sents_start(struct it_scn *sc, int quorum, const char *extra);

/* $SENTINEL_BIN, else the one built next to the tests; NULL if none. */
const char	*it_find_sentinel(void);

#endif
