/*
 * stats.c - the sentinel's own counters and histograms.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

const double stats_le_rtt[STATS_N_RTT] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
};
const double stats_le_failover[STATS_N_FAILOVER] = {
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 300,
};
const double stats_le_flush[STATS_N_FLUSH] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1,
};

struct stats stats;

void
hist_init(struct hist *h, const double *le, unsigned n)
{
	memset(h, 0, sizeof *h);
	h->le = le;
	h->n = n < HIST_MAX_BUCKETS ? n : HIST_MAX_BUCKETS;
}

void
hist_add(struct hist *h, double v)
{
	if (v < 0)
		v = 0;
	h->count++;
	h->sum += v;
	for (unsigned i = 0; i < h->n; i++) {
		if (v <= h->le[i]) {
			h->b[i]++;
			return;
		}
	}
}

void
stats_init(void)
{
	for (size_t i = 0; i < stats.nevents; i++)
		free(stats.events[i].type);
	free(stats.events);
	memset(&stats, 0, sizeof stats);
	hist_init(&stats.config_flush, stats_le_flush, STATS_N_FLUSH);
	hist_init(&stats.loop_lag, stats_le_flush, STATS_N_FLUSH);
}

void
stats_event(const char *type)
{
	size_t lo = 0, hi = stats.nevents;

	stats.events_total++;
	/* A few dozen types: a sorted array, found by bisection. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(stats.events[mid].type, type);

		if (c == 0) {
			stats.events[mid].n++;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	stats.events = xreallocarray(stats.events, stats.nevents + 1, sizeof *stats.events);
	memmove(&stats.events[lo + 1], &stats.events[lo],
	    (stats.nevents - lo) * sizeof *stats.events);
	stats.events[lo].type = xstrdup(type);
	stats.events[lo].n = 1;
	stats.nevents++;
}

void
stats_tilt_enter(int64_t now)
{
	stats.tilt_entered++;
	stats.tilt_since = now > 0 ? now : 1;
}

void
stats_tilt_leave(int64_t now)
{
	if (stats.tilt_since != 0 && now > stats.tilt_since)
		stats.tilt_ms += now - stats.tilt_since;
	stats.tilt_since = 0;
}

int64_t
stats_tilt_ms(int64_t now)
{
	int64_t ms = stats.tilt_ms;

	if (stats.tilt_since != 0 && now > stats.tilt_since)
		ms += now - stats.tilt_since;
	return ms;
}

void
stats_config_flush(int64_t us)
{
	stats.config_flushes++;
	stats.config_flush_us += (unsigned long long)(us > 0 ? us : 0);
	hist_add(&stats.config_flush, (double)us / 1e6);
}

void
stats_loop_lag(int64_t lag_us)
{
	if (lag_us < 0)
		lag_us = 0;
	if (lag_us > stats.loop_lag_max_us)
		stats.loop_lag_max_us = lag_us;
	hist_add(&stats.loop_lag, (double)lag_us / 1e6);
}
