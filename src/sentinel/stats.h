/*
 * stats.h - what the sentinel counts about itself, for INFO sentinel and
 * the /metrics endpoint: histograms with fixed buckets, and the process-wide
 * counters (TILT, config flushes, events by type, event-loop lag). Per
 * master counters live with the failover history (history.h).
 */
#ifndef SENTINEL_STATS_H
#define SENTINEL_STATS_H

#include <stddef.h>
#include <stdint.h>

#define HIST_MAX_BUCKETS	16

/*
 * A histogram as Prometheus has it: b[i] counts the samples <= le[i] and >
 * le[i - 1] (made cumulative when printed); samples above the last bound
 * only count in count and sum.
 */
struct hist {
	const double		*le;	/* upper bounds, seconds, increasing */
	unsigned		 n;
	unsigned long long	 b[HIST_MAX_BUCKETS];
	unsigned long long	 count;
	double			 sum;
};

/* The bucket sets (seconds). */
extern const double	stats_le_rtt[];		/* PING round trips: 100 us .. 5 s */
extern const double	stats_le_failover[];	/* failovers: 10 ms .. 5 min */
extern const double	stats_le_flush[];	/* config flushes, loop lag: 100 us .. 1 s */
#define STATS_N_RTT	13
#define STATS_N_FAILOVER 14
#define STATS_N_FLUSH	11

void	hist_init(struct hist *h, const double *le, unsigned n);
void	hist_add(struct hist *h, double seconds);

struct stats_event {
	char			*type;
	unsigned long long	 n;
};

/* Process-wide counters. */
struct stats {
	unsigned long long	 tilt_entered;
	int64_t			 tilt_ms;	/* TILT periods that ended */
	int64_t			 tilt_since;	/* start of the current one (monotonic ms), 0 none */
	unsigned long long	 config_flushes;
	unsigned long long	 config_flush_us;
	struct hist		 config_flush;
	struct hist		 loop_lag;
	int64_t			 loop_lag_max_us;
	struct stats_event	*events;	/* sorted by type */
	size_t			 nevents;
	unsigned long long	 events_total;
};

extern struct stats stats;

void	stats_init(void);
/* An event was published. */
void	stats_event(const char *type);
/* TILT entered (not re-triggered) / left, monotonic ms. */
void	stats_tilt_enter(int64_t now);
void	stats_tilt_leave(int64_t now);
/* Milliseconds spent in TILT so far. */
int64_t	stats_tilt_ms(int64_t now);
/* A config rewrite took us microseconds. */
void	stats_config_flush(int64_t us);
/* A timer fired lag_us after it was due. */
void	stats_loop_lag(int64_t lag_us);

#endif
