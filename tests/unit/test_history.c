/*
 * test_history.c - the failover history built from events (history.c), its
 * file, the Prometheus text of metrics.c over the same state, and the
 * counters and histograms under both (stats.c).
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "history.h"
#include "instance.h"
#include "metrics.h"
#include "stats.h"
#include "util.h"

#define MYID	"0123456789abcdef0123456789abcdef01234567"
#define PEER	"89abcdef0123456789abcdef0123456789abcdef"

static char	dir[PATH_MAX];
static char	confpath[PATH_MAX + 16];

static struct instance *
setup_master(const char *name)
{
	struct instance *m = instance_master_new(name, "127.0.0.1", "127.0.0.1", 6379, 2);

	assert_non_null(m);
	instance_replica_add(m, "127.0.0.1", 6380);
	instance_replica_add(m, "127.0.0.1", 6381);
	return m;
}

static int
setup(void **state)
{
	(void)state;
	sentinel_state_init();
	stats_init();
	snprintf(sentinel.myid, sizeof sentinel.myid, "%s", MYID);
	snprintf(dir, sizeof dir, "/tmp/test_history.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(confpath, sizeof confpath, "%s/s.conf", dir);
	history_set_path(confpath);
	return 0;
}

static int
teardown(void **state)
{
	char hist[PATH_MAX + 32];

	(void)state;
	sentinel_state_init();	/* frees the masters */
	snprintf(hist, sizeof hist, "%s.history", confpath);
	unlink(hist);
	rmdir(dir);
	return 0;
}

/* The events of a failover led here, at 10 ms steps from wall t0 / mono 1000. */
static void
lead_failover(struct instance *m, uint64_t epoch, int64_t t0)
{
	struct instance *r1 = m->replicas[0], *r2 = m->replicas[1];

	history_event("+sdown", m, t0, 1000);
	history_event("+odown", m, t0 + 10, 1010);
	m->failover_epoch = epoch;
	history_event("+try-failover", m, t0 + 20, 1020);
	history_event("+elected-leader", m, t0 + 30, 1030);
	history_event("+selected-slave", r1, t0 + 40, 1040);
	history_event("+promoted-slave", r1, t0 + 50, 1050);
	history_event("+slave-reconf-done", r2, t0 + 60, 1060);
	history_event("+failover-end", m, t0 + 70, 1070);
	history_switch(m, "127.0.0.1", 6379, r1->ip, r1->port, t0 + 71, true);
}

static void
test_leader(void **state)
{
	struct instance *m = setup_master("m");
	const struct fo_record *r;

	(void)state;
	lead_failover(m, 7, 100000);
	assert_int_equal(m->history->n, 1);
	r = &m->history->rec[0];
	assert_int_equal(r->epoch, 7);
	assert_int_equal(r->role, ROLE_LEADER);
	assert_string_equal(r->leader, MYID);
	assert_false(r->manual);
	assert_int_equal(r->outcome, OUT_OK);
	assert_string_equal(r->old_ip, "127.0.0.1");
	assert_int_equal(r->old_port, 6379);
	assert_int_equal(r->new_port, 6380);
	assert_int_equal(r->reconfigured, 1);
	assert_int_equal(r->t[STEP_SDOWN], 100000);
	assert_int_equal(r->t[STEP_ODOWN], 100010);
	assert_int_equal(r->t[STEP_TRY], 100020);
	assert_int_equal(r->t[STEP_ELECTED], 100030);
	assert_int_equal(r->t[STEP_SELECTED], 100040);
	assert_int_equal(r->t[STEP_PROMOTED], 100050);
	assert_int_equal(r->t[STEP_END], 100070);
	assert_int_equal(r->t[STEP_SWITCH], 100071);
	assert_int_equal(m->history->results[OUT_OK], 1);
	assert_int_equal(m->history->switches, 1);
	/* +try-failover to +failover-end on the monotonic clock: 50 ms. */
	assert_int_equal(m->history->duration.count, 1);
	assert_true(m->history->duration.sum > 0.0499 && m->history->duration.sum < 0.0501);
	assert_true(history_is_dirty());
}

static void
test_lost_election_becomes_observer(void **state)
{
	struct instance *m = setup_master("m");
	const struct fo_record *r;

	(void)state;
	history_event("+sdown", m, 5000, 1);
	history_event("+odown", m, 5005, 6);
	m->failover_epoch = 3;
	history_event("+try-failover", m, 5010, 11);
	/* We voted for the peer in epoch 3, and lost. */
	m->leader = xstrdup(PEER);
	m->leader_epoch = 3;
	history_event("-failover-abort-not-elected", m, 5020, 21);
	assert_int_equal(m->history->results[OUT_NOT_ELECTED], 1);
	assert_int_equal(m->history->rec[0].outcome, OUT_NOT_ELECTED);
	/* The winner's configuration arrives. */
	m->config_epoch = 3;
	history_switch(m, "127.0.0.1", 6379, "127.0.0.1", 6381, 5100, true);
	assert_int_equal(m->history->n, 1);
	r = &m->history->rec[0];
	assert_int_equal(r->role, ROLE_OBSERVER);
	assert_int_equal(r->outcome, OUT_OK);
	assert_int_equal(r->epoch, 3);
	assert_string_equal(r->leader, PEER);
	assert_int_equal(r->t[STEP_SDOWN], 5000);
	assert_int_equal(r->t[STEP_TRY], 5010);
	assert_int_equal(r->t[STEP_SWITCH], 5100);
	assert_int_equal(r->new_port, 6381);
	assert_int_equal(m->history->switches, 1);
	/* Nothing of ours was a success. */
	assert_int_equal(m->history->results[OUT_OK], 0);
}

static void
test_observed(void **state)
{
	struct instance *m = setup_master("m");
	const struct fo_record *r;

	(void)state;
	/* A planned failover elsewhere: the master never looked down from here. */
	m->config_epoch = 4;
	history_switch(m, "127.0.0.1", 6379, "127.0.0.1", 6380, 9000, false);
	/* A kill elsewhere: we saw it down, someone else was faster. */
	history_event("+sdown", m, 9500, 1);
	m->config_epoch = 5;
	history_switch(m, "127.0.0.1", 6380, "127.0.0.1", 6379, 9600, false);
	/* Faster still: not SDOWN here yet, but it had stopped answering. */
	m->config_epoch = 6;
	history_switch(m, "127.0.0.1", 6379, "127.0.0.1", 6380, 9900, true);
	assert_int_equal(m->history->n, 3);
	assert_false(m->history->rec[2].manual);
	assert_int_equal(m->history->rec[2].t[STEP_SDOWN], 0);
	r = &m->history->rec[0];
	assert_true(r->manual);
	assert_int_equal(r->role, ROLE_OBSERVER);
	assert_int_equal(r->t[STEP_SDOWN], 0);
	assert_int_equal(r->epoch, 4);
	assert_string_equal(r->leader, "");
	r = &m->history->rec[1];
	assert_false(r->manual);
	assert_int_equal(r->t[STEP_SDOWN], 9500);
	assert_int_equal(r->epoch, 5);
	assert_int_equal(m->history->switches, 3);
}

static void
test_aborts(void **state)
{
	static const struct {
		const char	*event;
		enum fo_outcome	 outcome;
	} cases[] = {
		{ "-failover-abort-not-elected", OUT_NOT_ELECTED },
		{ "-failover-abort-no-good-slave", OUT_NO_GOOD_SLAVE },
		{ "-failover-abort-slave-timeout", OUT_SLAVE_TIMEOUT },
		{ "-failover-abort-master-back", OUT_MASTER_BACK },
		{ "+reset-master", OUT_RESET },
	};
	struct instance *m = setup_master("m");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		m->failover_epoch = i + 1;
		history_event("+try-failover", m, 1000 + (int64_t)i * 100, 1);
		assert_int_equal(m->history->rec[i].outcome, OUT_IN_PROGRESS);
		history_event(cases[i].event, m, 1050 + (int64_t)i * 100, 2);
		assert_int_equal(m->history->rec[i].outcome, cases[i].outcome);
		assert_int_equal(m->history->rec[i].t[STEP_END], 1050 + (int64_t)i * 100);
		assert_int_equal(m->history->results[cases[i].outcome], 1);
		/* Once over, a late event of the same kind changes nothing. */
		history_event("+failover-end", m, 5000, 3);
		assert_int_equal(m->history->rec[i].outcome, cases[i].outcome);
	}
	assert_int_equal(history_aborted(m->history), ARRAY_SIZE(cases));
	/* A timeout end is a promotion, not an abort. */
	m->failover_epoch = 99;
	history_event("+try-failover", m, 9000, 10);
	history_event("+failover-end-for-timeout", m, 9100, 20);
	history_event("+failover-end", m, 9101, 21);
	assert_int_equal(m->history->rec[ARRAY_SIZE(cases)].outcome, OUT_TIMEOUT);
	assert_int_equal(m->history->results[OUT_TIMEOUT], 1);
	assert_int_equal(m->history->results[OUT_OK], 0);
}

static void
test_keeps_last_16(void **state)
{
	struct instance *m = setup_master("m");

	(void)state;
	for (uint64_t e = 1; e <= HISTORY_MAX + 5; e++) {
		m->failover_epoch = e;
		history_event("+try-failover", m, (int64_t)e * 1000, (int64_t)e);
		history_event("-failover-abort-no-good-slave", m, (int64_t)e * 1000 + 1, (int64_t)e);
	}
	assert_int_equal(m->history->n, HISTORY_MAX);
	assert_int_equal(m->history->rec[0].epoch, 6);
	assert_int_equal(m->history->rec[HISTORY_MAX - 1].epoch, HISTORY_MAX + 5);
	/* Counters count them all. */
	assert_int_equal(m->history->results[OUT_NO_GOOD_SLAVE], HISTORY_MAX + 5);
}

static void
test_file_round_trip(void **state)
{
	struct instance *m = setup_master("my master"), *m2;
	struct buf before = BUF_INIT, after = BUF_INIT;
	char hist[PATH_MAX + 32];
	FILE *f;

	(void)state;
	lead_failover(m, 2, 200000);
	m->failover_epoch = 3;
	history_event("+try-failover", m, 300000, 5000);	/* under way when we stop */
	assert_int_equal(history_flush(), 0);
	assert_false(history_is_dirty());
	history_render(&before);

	/* A restart: the masters come back from the config, the history from its file. */
	instance_master_remove(m);
	m2 = setup_master("my master");
	snprintf(hist, sizeof hist, "%s.history", confpath);
	/* Lines that are not records of a monitored master are skipped. */
	f = fopen(hist, "a");
	assert_non_null(f);
	fputs("failover other 1 leader \"\" odown ok 127.0.0.1 1 127.0.0.1 2 0 1 2 3 4 5 6 7 8\n"
	    "failover \"my master\" 1 boss \"\" odown ok 127.0.0.1 1 127.0.0.1 2 0 1 2 3 4 5 6 7 8\n"
	    "failover \"my master\" 1 leader \"\" odown ok 127.0.0.1 1 127.0.0.1 2 0 x 2 3 4 5 6 7 8\n"
	    "failover \"my master\" 1 leader\n"
	    "something else\n", f);
	fclose(f);
	history_load();
	assert_non_null(m2->history);
	assert_int_equal(m2->history->n, 2);
	assert_int_equal(m2->history->rec[0].epoch, 2);
	assert_int_equal(m2->history->rec[0].outcome, OUT_OK);
	assert_int_equal(m2->history->rec[0].t[STEP_SWITCH], 200071);
	assert_string_equal(m2->history->rec[0].new_ip, "127.0.0.1");
	/* The failover under way did not survive the stop. */
	assert_int_equal(m2->history->rec[1].outcome, OUT_INTERRUPTED);
	history_render(&after);
	/* The same text but for that outcome. */
	assert_non_null(strstr(before.data, " in-progress "));
	assert_non_null(strstr(after.data, " interrupted "));
	assert_int_equal(before.len + strlen("interrupted") - strlen("in-progress"), after.len);
	assert_non_null(strstr(after.data, "failover \"my master\" 2 leader " MYID " odown ok "
	    "127.0.0.1 6379 127.0.0.1 6380 1 200000 200010 200020 200030 200040 200050 "
	    "200071 200070\n"));
	buf_free(&before);
	buf_free(&after);
}

/* The value of the sample whose line starts with prefix (name and labels), or -1. */
static double
value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static void
test_metrics_text(void **state)
{
	struct instance *m = setup_master("m"), *odd = setup_master("a\"b\\c\nd");
	struct buf b = BUF_INIT;

	(void)state;
	lead_failover(m, 7, 100000);
	sentinel.current_epoch = 7;
	odd->flags |= INST_S_DOWN;
	stats_event("+sdown");
	stats_event("+sdown");
	stats_event("+odown");
	stats_config_flush(1500);
	stats_loop_lag(300);
	stats_loop_lag(40000);
	m->ping_rtt = xmalloc(sizeof *m->ping_rtt);
	hist_init(m->ping_rtt, stats_le_rtt, STATS_N_RTT);
	hist_add(m->ping_rtt, 0.0002);
	hist_add(m->ping_rtt, 0.0007);
	hist_add(m->ping_rtt, 9.0);	/* above every bound: only in +Inf */
	metrics_render(&b, 1);

	assert_int_equal(value_of(b.data, "sentinel_masters"), 2);
	assert_int_equal(value_of(b.data, "sentinel_current_epoch"), 7);
	assert_int_equal(value_of(b.data, "sentinel_master_state{master=\"m\",state=\"ok\"}"), 1);
	assert_int_equal(value_of(b.data, "sentinel_master_state{master=\"m\",state=\"sdown\"}"), 0);
	/* Label values escaped as the format wants. */
	assert_int_equal(value_of(b.data,
	    "sentinel_master_state{master=\"a\\\"b\\\\c\\nd\",state=\"sdown\"}"), 1);
	assert_int_equal(value_of(b.data, "sentinel_master_replicas{master=\"m\"}"), 2);
	assert_int_equal(value_of(b.data, "sentinel_master_replicas_reachable{master=\"m\"}"), 0);
	assert_int_equal(value_of(b.data,
	    "sentinel_master_failovers_total{master=\"m\",result=\"ok\"}"), 1);
	assert_int_equal(value_of(b.data,
	    "sentinel_master_failovers_total{master=\"m\",result=\"aborted_not_elected\"}"), 0);
	assert_int_equal(value_of(b.data, "sentinel_master_switches_total{master=\"m\"}"), 1);
	assert_int_equal(value_of(b.data,
	    "sentinel_master_failover_duration_seconds_bucket{master=\"m\",le=\"0.05\"}"), 1);
	assert_int_equal(value_of(b.data,
	    "sentinel_master_failover_duration_seconds_bucket{master=\"m\",le=\"0.025\"}"), 0);
	assert_int_equal(value_of(b.data, "sentinel_events_total{type=\"+sdown\"}"), 2);
	assert_int_equal(value_of(b.data, "sentinel_config_flushes_total"), 1);
	assert_int_equal(value_of(b.data, "sentinel_event_loop_lag_seconds_bucket{le=\"0.0005\"}"), 1);
	assert_int_equal(value_of(b.data, "sentinel_event_loop_lag_seconds_bucket{le=\"0.05\"}"), 2);
	/* Cumulative buckets, +Inf is the count. */
	assert_int_equal(value_of(b.data, "sentinel_ping_rtt_seconds_bucket{master=\"m\","
	    "role=\"master\",addr=\"127.0.0.1:6379\",le=\"0.00025\"}"), 1);
	assert_int_equal(value_of(b.data, "sentinel_ping_rtt_seconds_bucket{master=\"m\","
	    "role=\"master\",addr=\"127.0.0.1:6379\",le=\"0.001\"}"), 2);
	assert_int_equal(value_of(b.data, "sentinel_ping_rtt_seconds_bucket{master=\"m\","
	    "role=\"master\",addr=\"127.0.0.1:6379\",le=\"5\"}"), 2);
	assert_int_equal(value_of(b.data, "sentinel_ping_rtt_seconds_bucket{master=\"m\","
	    "role=\"master\",addr=\"127.0.0.1:6379\",le=\"+Inf\"}"), 3);
	assert_int_equal(value_of(b.data, "sentinel_ping_rtt_seconds_count{master=\"m\","
	    "role=\"master\",addr=\"127.0.0.1:6379\"}"), 3);
	/* Every family is announced once, before its samples. */
	assert_non_null(strstr(b.data, "# TYPE sentinel_ping_rtt_seconds histogram\n"));
	assert_null(strstr(strstr(b.data, "# TYPE sentinel_master_state gauge\n") + 1,
	    "# TYPE sentinel_master_state gauge\n"));
	buf_free(&b);
}

static void
test_stats(void **state)
{
	struct hist h;
	static const double le[] = { 0.001, 0.01 };

	(void)state;
	/* A sample on a bound counts in that bucket; negative ones as 0; above all: +Inf only. */
	hist_init(&h, le, 2);
	hist_add(&h, 0.001);
	hist_add(&h, -1);
	hist_add(&h, 0.0011);
	hist_add(&h, 2);
	assert_int_equal(h.b[0], 2);
	assert_int_equal(h.b[1], 1);
	assert_int_equal(h.count, 4);
	assert_true(h.sum > 2.0020 && h.sum < 2.0022);
	/* Events by type, kept sorted, counted. */
	stats_event("+sdown");
	stats_event("+odown");
	stats_event("+sdown");
	stats_event("-sdown");
	assert_int_equal(stats.nevents, 3);
	assert_string_equal(stats.events[0].type, "+odown");
	assert_string_equal(stats.events[1].type, "+sdown");
	assert_int_equal(stats.events[1].n, 2);
	assert_string_equal(stats.events[2].type, "-sdown");
	assert_int_equal(stats.events_total, 4);
	/* TILT time: closed periods plus the current one. */
	stats_tilt_enter(1000);
	assert_int_equal(stats_tilt_ms(1500), 500);
	stats_tilt_leave(3000);
	assert_int_equal(stats_tilt_ms(9000), 2000);
	stats_tilt_enter(10000);
	assert_int_equal(stats_tilt_ms(10250), 2250);
	assert_int_equal(stats.tilt_entered, 2);
	stats_loop_lag(-5);
	stats_loop_lag(7000);
	assert_int_equal(stats.loop_lag_max_us, 7000);
	assert_int_equal(stats.loop_lag.count, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_leader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_election_becomes_observer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_observed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_last_16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
