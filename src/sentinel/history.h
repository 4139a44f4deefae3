/*
 * history.h - what each failover did and when: the last HISTORY_MAX
 * failovers of every master (led here, tried here, or followed from a
 * peer's hello), for SENTINEL HISTORY, and the per-master failover counters
 * of INFO and /metrics. Built from the events as emit_event() sends them,
 * so that the history and the event stream never disagree.
 *
 * Kept across restarts in a file beside the config ("<config>.history"),
 * replaced atomically like the config; it is not in sentinel.conf, so that
 * redis-sentinel can still read a config we rewrote.
 */
#ifndef SENTINEL_HISTORY_H
#define SENTINEL_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "instance.h"
#include "stats.h"

#define HISTORY_MAX	16

/* How a failover ended; the index of the per-master counters. */
enum fo_outcome {
	OUT_IN_PROGRESS = 0,
	OUT_OK,
	OUT_TIMEOUT,		/* +failover-end-for-timeout: some replicas not reconfigured */
	OUT_NOT_ELECTED,
	OUT_NO_GOOD_SLAVE,
	OUT_SLAVE_TIMEOUT,
	OUT_MASTER_BACK,
	OUT_RESET,		/* SENTINEL RESET during the failover */
	OUT_SUPERSEDED,		/* a peer's newer configuration arrived first */
	OUT_INTERRUPTED,	/* the sentinel stopped during the failover */
	OUT_N
};

/* The steps, in their order; their times in SENTINEL HISTORY. */
enum fo_step {
	STEP_SDOWN = 0,
	STEP_ODOWN,
	STEP_TRY,
	STEP_ELECTED,
	STEP_SELECTED,
	STEP_PROMOTED,
	STEP_SWITCH,
	STEP_END,
	STEP_N
};

enum fo_role { ROLE_CANDIDATE = 0, ROLE_LEADER, ROLE_OBSERVER };

struct fo_record {
	uint64_t	 epoch;
	enum fo_role	 role;
	char		 leader[RUNID_LEN + 1];	/* "" unknown */
	bool		 manual;		/* SENTINEL FAILOVER */
	enum fo_outcome	 outcome;
	char		*old_ip;
	int		 old_port;
	char		*new_ip;		/* NULL until known */
	int		 new_port;
	unsigned	 reconfigured;
	int64_t		 t[STEP_N];		/* wall-clock ms, 0 not reached */
	int64_t		 try_mono;		/* monotonic ms of +try-failover (durations) */
	bool		 timed_out;		/* +failover-end-for-timeout came */
};

struct history {
	struct fo_record rec[HISTORY_MAX];	/* oldest first */
	unsigned	 n;
	/* The master's current +sdown / +odown (wall ms), for the next record. */
	int64_t		 sdown_at;
	int64_t		 odown_at;
	/* Failovers attempted here, by outcome; switches led or followed. */
	unsigned long long results[OUT_N];
	unsigned long long switches;
	struct hist	 duration;	/* +try-failover to +failover-end, led here */
};

/* Names: "ok", "aborted-not-elected"... (history); "ok", "aborted_not_elected"... (metrics). */
const char *history_outcome_name(enum fo_outcome o);
const char *history_outcome_label(enum fo_outcome o);
const char *history_step_name(enum fo_step s);
const char *history_role_name(enum fo_role r);

/* Attempts of ours that ended without a promotion. */
unsigned long long history_aborted(const struct history *h);

/* The history of master m (created on first use). */
struct history *history_of(struct instance *m);
void	history_free(struct history *h);

/* An event left through emit_event(); wall and mono are the current times (ms). */
void	history_event(const char *type, struct instance *ri, int64_t wall, int64_t mono);
/*
 * +switch-master of m from old to new (before m moves): closes our record
 * of the failover, or records one led elsewhere. master_down: the old
 * master had stopped answering us (a failover led elsewhere is then taken
 * for an ODOWN one even if we had not seen SDOWN yet; else for a planned
 * one).
 */
void	history_switch(struct instance *m, const char *old_ip, int old_port,
	    const char *new_ip, int new_port, int64_t wall, bool master_down);
/* Our attempt was overtaken by a peer's newer configuration (no switch needed). */
void	history_superseded(struct instance *m, int64_t wall);

/*
 * Persistence. history_set_path names the file (NULL: none); history_load
 * reads it into the masters that exist (records of failovers that were
 * under way become OUT_INTERRUPTED); a bad line is skipped with a warning.
 * history_dirty marks it for history_flush (done by the caller's timer and
 * at shutdown). Returns -1 on a write error (logged).
 */
void	history_set_path(const char *config_path);
/* Called when the history first becomes dirty (the daemon arms its flush timer). */
void	history_set_dirty_hook(void (*fn)(void));
void	history_load(void);
bool	history_is_dirty(void);
int	history_flush(void);

/* The file's text (for tests). */
struct buf;
void	history_render(struct buf *out);
int	history_parse_line(int argc, char **argv);

#endif
