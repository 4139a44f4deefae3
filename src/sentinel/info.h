/*
 * info.h - digest an INFO reply from a monitored master or replica into the
 * few facts the sentinel acts on (see redis-sentinel.md 4.5).
 *
 * Pure code: no sockets, no globals, no clock. Every input is treated as
 * hostile: the reply is scanned once, strings are copied into fixed-size
 * fields, and the only allocation is the replica list, capped at
 * INFO_MAX_REPLICAS entries.
 *
 * Splitting follows Redis: the text stops at the first NUL byte and lines
 * end with "\r\n" only (a bare "\n" does not end a line, so an INFO
 * without "\r" is one long line and yields nothing). When a field repeats,
 * the last occurrence wins.
 */
#ifndef SENTINEL_INFO_H
#define SENTINEL_INFO_H

#include <stdbool.h>
#include <stddef.h>

#define INFO_RUNID_LEN		40
#define INFO_HOST_MAX		255	/* longest ip/hostname kept (NET_HOST_STR_LEN - 1) */
#define INFO_STATE_MAX		31	/* longest replica state kept, truncated beyond */
#define INFO_MAX_REPLICAS	1024	/* slaveN lines beyond this are counted, not kept */

enum info_role {
	INFO_ROLE_UNKNOWN = 0,
	INFO_ROLE_MASTER,
	INFO_ROLE_SLAVE,
};

/* One slaveN line of a master's INFO. */
struct info_replica {
	char		 ip[INFO_HOST_MAX + 1];
	int		 port;			/* 0..65535 */
	char		 state[INFO_STATE_MAX + 1];	/* "" in the old form without one */
	long long	 offset;		/* 0 when absent or not a number */
	long long	 lag;			/* -1 when absent or not a number */
};

struct info_report {
	char		 run_id[INFO_RUNID_LEN + 1];	/* "" when absent or unusable */
	enum info_role	 role;			/* last role:master|slave line */
	/*
	 * master_replid and master_replid2 (the history this one branched
	 * from at its promotion), "" when absent or unusable: they tell an
	 * old master that was never demoted from a replica promoted since.
	 */
	char		 replid[INFO_RUNID_LEN + 1];
	char		 replid2[INFO_RUNID_LEN + 1];

	/*
	 * Read in any role (Redis does too); absent or not a number means
	 * 0, -1 means the replica never connected.
	 * Clamped so that multiplying by 1000 cannot overflow.
	 */
	long long	 master_link_down_since_seconds;

	/* Only read after a role:slave line, as Redis does. */
	char		 master_host[INFO_HOST_MAX + 1];	/* "" if absent or unusable */
	int		 master_port;		/* 0 if absent or not 0..65535 */
	bool		 master_link_up;	/* master_link_status:up (any case) */
	int		 slave_priority;	/* 100 if absent, 0 if not a number */
	long long	 slave_repl_offset;	/* 0 if absent or not a number */
	bool		 replica_announced;	/* true if absent, false if not a number */

	/*
	 * slaveN lines, whatever the reported role: Redis uses them whenever
	 * the instance is configured as a master, so the caller decides.
	 * Lines with a bad ip or port are skipped (nskipped counts them);
	 * repeats are kept: the caller's lookup merges them, as Redis's does.
	 */
	struct info_replica *replicas;
	size_t		 nreplicas;
	size_t		 nskipped;		/* malformed slaveN lines */
	size_t		 ndropped;		/* well-formed lines beyond INFO_MAX_REPLICAS */
};

/* Fills out (after resetting it); returns 0, or -1 if text is NULL. */
int	info_parse(const char *text, size_t len, struct info_report *out);
/* Frees the replica list; out can be parsed into again afterwards. */
void	info_report_free(struct info_report *r);
/*
 * The value of "field:" (last occurrence), NUL-terminated in out. False if
 * the field is absent or its value does not fit in outlen - 1 bytes (out
 * is then "").
 */
bool	info_field(const char *text, size_t len, const char *field, char *out,
	    size_t outlen);

#endif
