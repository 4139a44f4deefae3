/*
 * test_decide.c - the pure decision core: SDOWN, ODOWN, TILT, command
 * cadence and the failover (votes, leader, start, replica choice,
 * reconfiguration), with instances built by hand and time stepped in ms.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decide.h"
#include "instance.h"

/* A sentinel state with the Redis 7.0 defaults. */
static void
state_init(struct sentinel_state *st)
{
	memset(st, 0, sizeof(*st));
	st->info_period = DEFAULT_INFO_PERIOD;
	st->ping_period = DEFAULT_PING_PERIOD;
	st->ask_period = DEFAULT_ASK_PERIOD;
	st->publish_period = DEFAULT_PUBLISH_PERIOD;
	st->default_down_after = DEFAULT_DOWN_AFTER;
	st->tilt_trigger = DEFAULT_TILT_TRIGGER;
	st->tilt_period = DEFAULT_TILT_PERIOD;
}

/* A bare instance of the given type. */
static struct instance *
inst_new(enum inst_type type, long long down_after)
{
	struct instance *ri = calloc(1, sizeof(*ri));

	assert_non_null(ri);
	ri->type = type;
	ri->down_after_ms = down_after;
	return ri;
}

/* A master with n peer sentinels. */
static struct instance *
master_new(unsigned quorum, size_t n)
{
	struct instance *m = inst_new(INST_MASTER, 5000);
	size_t		 i;

	m->quorum = quorum;
	m->nsentinels = n;
	m->sentinels = calloc(n, sizeof(*m->sentinels));
	assert_non_null(m->sentinels);
	for (i = 0; i < n; i++) {
		m->sentinels[i] = inst_new(INST_SENTINEL, 0);
		m->sentinels[i]->master = m;
	}
	return m;
}

/* Frees what master_new() or inst_new() made. */
static void
inst_free(struct instance *ri)
{
	size_t	i;

	for (i = 0; i < ri->nsentinels; i++)
		inst_free(ri->sentinels[i]);
	free(ri->sentinels);
	for (i = 0; i < ri->nreplicas; i++)
		inst_free(ri->replicas[i]);
	free(ri->replicas);
	free(ri->leader);
	free(ri);
}

/* A peer answered is-master-down-by-addr at now. */
static void
peer_answer(struct instance *peer, int down, int64_t now)
{
	peer->last_master_down_reply_time = now;
	if (down)
		peer->flags |= INST_MASTER_DOWN;
	else
		peer->flags &= ~INST_MASTER_DOWN;
}

static void
test_sdown_pending_ping(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_REPLICA, 5000);
	int64_t			 t;

	(void)state;
	state_init(&st);
	ri->last_avail_time = ri->last_pong_time = 500;
	decide_ping_sent(ri, 1000);
	decide_ping_sent(ri, 1600);	/* a later PING does not move the oldest */
	assert_true(ri->act_ping_time == 1000);
	assert_true(ri->last_ping_time == 1600);

	assert_true(decide_sdown_deadline(&st, ri, 1000, true) == 6001);
	for (t = 1000; t < 6001; t += 250)
		assert_int_equal(decide_sdown(&st, ri, t, true), DECIDE_NONE);
	assert_int_equal(decide_sdown(&st, ri, 6000, true), DECIDE_NONE);
	assert_false(ri->flags & INST_S_DOWN);
	assert_int_equal(decide_sdown(&st, ri, 6001, true), DECIDE_SDOWN_ENTER);
	assert_true(ri->flags & INST_S_DOWN);
	assert_true(ri->s_down_since == 6001);
	assert_int_equal(decide_sdown(&st, ri, 7000, true), DECIDE_NONE);
	assert_true(ri->s_down_since == 6001);
	assert_true(decide_sdown_deadline(&st, ri, 7000, true) == 0);

	/* An invalid reply keeps it down, a valid one brings it back. */
	assert_int_equal(decide_ping_reply(ri, "-ERR unknown", 7100), 0);
	assert_true(ri->last_pong_time == 7100);
	assert_int_equal(decide_sdown(&st, ri, 7100, true), DECIDE_NONE);
	assert_int_equal(decide_ping_reply(ri, "+PONG", 7200), DECIDE_REPLY_VALID);
	assert_true(ri->act_ping_time == 0 && ri->last_avail_time == 7200);
	assert_int_equal(decide_sdown(&st, ri, 7200, true), DECIDE_SDOWN_LEAVE);
	assert_false(ri->flags & INST_S_DOWN);
	assert_int_equal(decide_sdown(&st, ri, 7300, true), DECIDE_NONE);
	assert_true(decide_sdown_deadline(&st, ri, 7300, true) == 0);
	inst_free(ri);
}

static void
test_sdown_inherits_down_after(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = inst_new(INST_MASTER, 2000);
	struct instance		*r = inst_new(INST_REPLICA, 0);

	(void)state;
	state_init(&st);
	r->master = m;
	assert_true(decide_down_after(&st, r) == 2000);
	m->down_after_ms = 0;
	assert_true(decide_down_after(&st, r) == DEFAULT_DOWN_AFTER);
	r->down_after_ms = 700;
	assert_true(decide_down_after(&st, r) == 700);
	inst_free(m);
	inst_free(r);
}

static void
test_sdown_disconnected(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_MASTER, 5000);

	(void)state;
	state_init(&st);
	ri->last_avail_time = 1000;

	/* Connected and no PING pending: nothing can fire. */
	assert_true(decide_sdown_deadline(&st, ri, 2000, true) == 0);
	assert_int_equal(decide_sdown(&st, ri, 100000, true), DECIDE_NONE);

	/* Disconnected: measured from the last valid reply. */
	assert_true(decide_sdown_deadline(&st, ri, 2000, false) == 6001);
	assert_int_equal(decide_sdown(&st, ri, 6000, false), DECIDE_NONE);
	assert_int_equal(decide_sdown(&st, ri, 6001, false), DECIDE_SDOWN_ENTER);

	/* Link back but nothing answered yet: up again only if no PING is old. */
	assert_int_equal(decide_sdown(&st, ri, 6100, true), DECIDE_SDOWN_LEAVE);
	assert_int_equal(decide_sdown(&st, ri, 6200, false), DECIDE_SDOWN_ENTER);

	/* A pending PING younger than the last reply's age does not delay it. */
	ri->flags = 0;
	ri->act_ping_time = 4000;
	assert_true(decide_sdown_deadline(&st, ri, 4500, false) == 6001);
	assert_true(decide_sdown_deadline(&st, ri, 4500, true) == 9001);

	/* Never any valid reply: from when the link went down. */
	ri->act_ping_time = 0;
	ri->last_avail_time = 0;
	ri->link_down_since = 3000;
	assert_true(decide_sdown_deadline(&st, ri, 3000, false) == 8001);
	assert_int_equal(decide_sdown(&st, ri, 8000, false), DECIDE_NONE);
	assert_int_equal(decide_sdown(&st, ri, 8001, false), DECIDE_SDOWN_ENTER);
	inst_free(ri);
}

static void
test_sdown_role_slave(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = inst_new(INST_MASTER, 5000);
	struct instance		*r = inst_new(INST_REPLICA, 5000);
	int64_t			 dl = 1000 + 5000 + 2 * 10000 + 1;

	(void)state;
	state_init(&st);
	m->role_reported = ROLE_SLAVE;
	m->role_reported_time = 1000;
	assert_true(decide_sdown_deadline(&st, m, 1000, true) == dl);
	assert_int_equal(decide_sdown(&st, m, dl - 1, true), DECIDE_NONE);
	assert_int_equal(decide_sdown(&st, m, dl, true), DECIDE_SDOWN_ENTER);
	m->role_reported = ROLE_MASTER;
	m->role_reported_time = dl + 100;
	assert_int_equal(decide_sdown(&st, m, dl + 100, true), DECIDE_SDOWN_LEAVE);

	/* Shorter INFO period, shorter wait. */
	st.info_period = 1000;
	m->role_reported = ROLE_SLAVE;
	m->role_reported_time = 50000;
	assert_true(decide_sdown_deadline(&st, m, 50000, true) == 50000 + 7001);

	/* A replica reporting slave is just fine. */
	r->role_reported = ROLE_SLAVE;
	r->role_reported_time = 1000;
	assert_true(decide_sdown_deadline(&st, r, 1000, true) == 0);
	assert_int_equal(decide_sdown(&st, r, 1000000, true), DECIDE_NONE);
	inst_free(m);
	inst_free(r);
}

static void
test_sdown_reboot(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = inst_new(INST_MASTER, 5000);
	int64_t			 t;

	(void)state;
	state_init(&st);

	/* With a period: -LOADING keeps the link alive but not the master. */
	m->master_reboot_down_after_period = 3000;
	m->flags |= INST_MASTER_REBOOT;
	m->master_reboot_since = 1000;
	assert_true(decide_sdown_deadline(&st, m, 1000, true) == 4001);
	for (t = 1000; t <= 4000; t += 100) {
		decide_ping_sent(m, t);
		assert_int_equal(decide_ping_reply(m, "-LOADING Redis is loading",
		    t + 1), DECIDE_REPLY_VALID);
		assert_int_equal(decide_sdown(&st, m, t + 1 > 4000 ? 4000 : t + 1,
		    true), DECIDE_NONE);
	}
	assert_int_equal(decide_sdown(&st, m, 4001, true), DECIDE_SDOWN_ENTER);

	/* +PONG ends the reboot, and with it the SDOWN. */
	decide_ping_sent(m, 4100);
	assert_int_equal(decide_ping_reply(m, "+PONG", 4101),
	    DECIDE_REPLY_VALID | DECIDE_REPLY_REBOOT_CLEARED);
	assert_false(m->flags & INST_MASTER_REBOOT);
	assert_int_equal(decide_sdown(&st, m, 4101, true), DECIDE_SDOWN_LEAVE);

	/* Without a period (the default): a rebooting master is up. */
	m->master_reboot_down_after_period = 0;
	m->flags |= INST_MASTER_REBOOT;
	m->master_reboot_since = 5000;
	assert_true(decide_sdown_deadline(&st, m, 5000, true) == 0);
	for (t = 5000; t <= 100000; t += 1000) {
		decide_ping_sent(m, t);
		decide_ping_reply(m, "-LOADING", t + 1);
		assert_int_equal(decide_sdown(&st, m, t + 1, true), DECIDE_NONE);
	}
	inst_free(m);
}

static void
test_sdown_script_kill(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_MASTER, 1000);

	(void)state;
	state_init(&st);
	decide_ping_sent(ri, 100);
	/* Not SDOWN yet: -BUSY asks for nothing. */
	assert_int_equal(decide_ping_reply(ri, "-BUSY Redis is busy", 200), 0);
	assert_int_equal(decide_sdown(&st, ri, 1101, true), DECIDE_SDOWN_ENTER);
	assert_int_equal(decide_ping_reply(ri, "-BUSY Redis is busy", 1200),
	    DECIDE_REPLY_SCRIPT_KILL);
	assert_true(ri->flags & INST_SCRIPT_KILL_SENT);
	/* Only once. */
	assert_int_equal(decide_ping_reply(ri, "-BUSY Redis is busy", 1300), 0);
	/* Leaving SDOWN re-arms it. */
	assert_int_equal(decide_ping_reply(ri, "+PONG", 1400), DECIDE_REPLY_VALID);
	assert_int_equal(decide_sdown(&st, ri, 1400, true), DECIDE_SDOWN_LEAVE);
	assert_false(ri->flags & INST_SCRIPT_KILL_SENT);
	inst_free(ri);
}

/* A server answering until it hangs: SDOWN soon after down-after. */
static void
test_sdown_hung_server(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_MASTER, 2000);
	int64_t			 t, hang = 10000, entered = 0, dl;

	(void)state;
	state_init(&st);
	for (t = 1; t < 20000 && entered == 0; t++) {
		if (decide_ping_due(&st, ri, t)) {
			decide_ping_sent(ri, t);
			if (t < hang)
				decide_ping_reply(ri, "+PONG", t);
		}
		dl = decide_sdown_deadline(&st, ri, t, true);
		if (dl != 0 && t >= dl) {
			assert_int_equal(decide_sdown(&st, ri, t, true),
			    DECIDE_SDOWN_ENTER);
			assert_true(t == dl);
			entered = t;
		} else
			assert_int_equal(decide_sdown(&st, ri, t, true),
			    DECIDE_NONE);
	}
	/* The first unanswered PING left within a ping period of the hang. */
	assert_true(entered > hang + 2000);
	assert_true(entered <= hang + 2000 + decide_ping_period(&st, ri) + 1);
	inst_free(ri);
}

static void
test_odown_quorum2(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 3);
	unsigned		 votes = 99;

	(void)state;
	state_init(&st);

	/* Not SDOWN: peers' opinion does not matter. */
	peer_answer(m->sentinels[0], 1, 1000);
	peer_answer(m->sentinels[1], 1, 1000);
	assert_int_equal(decide_odown(&st, m, 1000, &votes), DECIDE_NONE);
	assert_int_equal(votes, 0);

	m->flags |= INST_S_DOWN;
	peer_answer(m->sentinels[0], 0, 1000);
	peer_answer(m->sentinels[1], 0, 1000);
	assert_int_equal(decide_odown(&st, m, 1000, &votes), DECIDE_NONE);
	assert_int_equal(votes, 1);

	peer_answer(m->sentinels[1], 1, 1500);
	assert_int_equal(decide_odown(&st, m, 1500, &votes), DECIDE_ODOWN_ENTER);
	assert_int_equal(votes, 2);
	assert_true(m->flags & INST_O_DOWN);
	assert_true(m->o_down_since == 1500);

	peer_answer(m->sentinels[2], 1, 1600);
	assert_int_equal(decide_odown(&st, m, 1600, &votes), DECIDE_NONE);
	assert_int_equal(votes, 3);
	assert_true(m->o_down_since == 1500);

	/* A peer changing its mind. */
	peer_answer(m->sentinels[1], 0, 2000);
	peer_answer(m->sentinels[2], 0, 2000);
	assert_int_equal(decide_odown(&st, m, 2000, &votes), DECIDE_ODOWN_LEAVE);
	assert_int_equal(votes, 1);
	assert_false(m->flags & INST_O_DOWN);

	/* NULL votes is fine; SDOWN lost means ODOWN lost. */
	peer_answer(m->sentinels[1], 1, 2100);
	assert_int_equal(decide_odown(&st, m, 2100, NULL), DECIDE_ODOWN_ENTER);
	m->flags &= ~INST_S_DOWN;
	assert_int_equal(decide_odown(&st, m, 2200, &votes), DECIDE_ODOWN_LEAVE);
	assert_int_equal(votes, 0);
	inst_free(m);
}

static void
test_odown_stale_votes(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(3, 3);
	unsigned		 votes;

	(void)state;
	state_init(&st);
	m->flags |= INST_S_DOWN;
	peer_answer(m->sentinels[0], 1, 1000);
	assert_int_equal(decide_odown(&st, m, 1000, &votes), DECIDE_NONE);
	assert_int_equal(votes, 2);
	peer_answer(m->sentinels[1], 1, 2000);
	m->sentinels[1]->leader = strdup("b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0");
	assert_int_equal(decide_odown(&st, m, 2000, &votes), DECIDE_ODOWN_ENTER);
	assert_int_equal(votes, 3);

	/* Sentinel 0's answer is good for exactly 5 ask periods. */
	assert_true(decide_master_down_fresh(&st, m->sentinels[0], 6000));
	assert_int_equal(decide_odown(&st, m, 6000, &votes), DECIDE_NONE);
	assert_int_equal(decide_expire_master_down(&st, m, 6000), 0);
	assert_false(decide_master_down_fresh(&st, m->sentinels[0], 6001));
	/* Counted out even before the expiry helper runs. */
	assert_int_equal(decide_odown(&st, m, 6001, &votes), DECIDE_ODOWN_LEAVE);
	assert_int_equal(votes, 2);
	assert_true(m->sentinels[0]->flags & INST_MASTER_DOWN);
	assert_int_equal(decide_expire_master_down(&st, m, 6001), 1);
	assert_false(m->sentinels[0]->flags & INST_MASTER_DOWN);
	assert_true(m->sentinels[1]->flags & INST_MASTER_DOWN);
	assert_non_null(m->sentinels[1]->leader);

	/* A fresh answer brings it back; then everything expires. */
	peer_answer(m->sentinels[0], 1, 6500);
	assert_int_equal(decide_odown(&st, m, 6500, &votes), DECIDE_ODOWN_ENTER);
	assert_int_equal(votes, 3);
	assert_int_equal(decide_expire_master_down(&st, m, 12000), 2);
	assert_null(m->sentinels[1]->leader);
	assert_false(m->sentinels[1]->flags & INST_MASTER_DOWN);
	assert_int_equal(decide_odown(&st, m, 12000, &votes), DECIDE_ODOWN_LEAVE);
	assert_int_equal(votes, 1);
	assert_int_equal(decide_expire_master_down(&st, m, 12000), 0);

	/* A shorter ask period shortens the validity. */
	st.ask_period = 100;
	peer_answer(m->sentinels[2], 1, 20000);
	assert_true(decide_master_down_fresh(&st, m->sentinels[2], 20500));
	assert_false(decide_master_down_fresh(&st, m->sentinels[2], 20501));
	inst_free(m);
}

static void
test_tilt(void **state)
{
	struct sentinel_state	st;
	int64_t			t;
	int			r;

	(void)state;
	state_init(&st);

	/* First tick only records the time. */
	assert_int_equal(decide_tilt(&st, 1000), DECIDE_NONE);
	assert_true(st.previous_time == 1000);
	for (t = 1100; t <= 5000; t += 100)
		assert_int_equal(decide_tilt(&st, t), DECIDE_NONE);
	/* Exactly the trigger is fine, one more ms is not. */
	assert_int_equal(decide_tilt(&st, 7000), DECIDE_NONE);
	assert_false(st.tilt);
	assert_int_equal(decide_tilt(&st, 9001), DECIDE_TILT_ENTER);
	assert_true(st.tilt);
	assert_true(st.tilt_start_time == 9001);
	assert_true(st.previous_time == 9001);
	assert_true(decide_tilt_until(&st) == 39001);

	/* Left after the period, not a ms earlier. */
	for (t = 9101; t < 39001; t += 100)
		assert_int_equal(decide_tilt(&st, t), DECIDE_NONE);
	assert_int_equal(decide_tilt(&st, 39000), DECIDE_NONE);
	assert_true(st.tilt);
	assert_int_equal(decide_tilt(&st, 39001), DECIDE_TILT_LEAVE);
	assert_false(st.tilt);
	assert_true(decide_tilt_until(&st) == 0);
	assert_int_equal(decide_tilt(&st, 39100), DECIDE_NONE);

	/* Time going backwards. */
	assert_int_equal(decide_tilt(&st, 39099), DECIDE_TILT_ENTER);
	assert_true(st.tilt_start_time == 39099);

	/* A new trigger while in TILT extends it. */
	for (t = 39199; t <= 59099; t += 100)
		assert_int_equal(decide_tilt(&st, t), DECIDE_NONE);
	r = decide_tilt(&st, 62000);
	assert_int_equal(r, DECIDE_TILT_ENTER | DECIDE_TILT_RETRIGGER);
	assert_true(st.tilt_start_time == 62000);
	for (t = 62100; t < 92000; t += 100) {
		assert_int_equal(decide_tilt(&st, t), DECIDE_NONE);
		assert_true(st.tilt);
	}
	assert_int_equal(decide_tilt(&st, 92000), DECIDE_TILT_LEAVE);

	/* Tunable knobs. */
	st.tilt_trigger = 500;
	st.tilt_period = 1000;
	assert_int_equal(decide_tilt(&st, 92501), DECIDE_TILT_ENTER);
	assert_int_equal(decide_tilt(&st, 93000), DECIDE_NONE);
	assert_int_equal(decide_tilt(&st, 93400), DECIDE_NONE);
	assert_int_equal(decide_tilt(&st, 93501), DECIDE_TILT_LEAVE);
}

static void
test_ping_cadence(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_SENTINEL, 30000);
	int64_t			 t;
	int			 sent = 0;

	(void)state;
	state_init(&st);
	assert_int_equal(decide_ping_period(&st, ri), 1000);
	ri->down_after_ms = 5000;
	assert_int_equal(decide_ping_period(&st, ri), 500);
	ri->down_after_ms = 5;
	assert_int_equal(decide_ping_period(&st, ri), 1);
	ri->down_after_ms = 30000;
	st.ping_period = 300;
	assert_int_equal(decide_ping_period(&st, ri), 300);
	st.ping_period = DEFAULT_PING_PERIOD;

	/* Never pinged: due at once. */
	assert_true(decide_ping_due(&st, ri, 1));
	/* Answered at once: one PING per period (strictly more than). */
	decide_ping_sent(ri, 1000);
	decide_ping_reply(ri, "+PONG", 1000);
	assert_false(decide_ping_due(&st, ri, 2000));
	assert_true(decide_ping_due(&st, ri, 2001));
	/* Unanswered: repeated every half period. */
	decide_ping_sent(ri, 2001);
	assert_false(decide_ping_due(&st, ri, 2501));
	assert_true(decide_ping_due(&st, ri, 2502));
	/* Any reply, even an error, counts as heard from. */
	decide_ping_reply(ri, "-ERR x", 2600);
	assert_false(decide_ping_due(&st, ri, 3600));
	assert_true(decide_ping_due(&st, ri, 3601));
	assert_true(ri->act_ping_time == 2001);

	/* A healthy instance over 10 s with 100 ms ticks: 10 PINGs. */
	ri->last_pong_time = ri->last_ping_time = 10000;
	ri->act_ping_time = 0;
	for (t = 10100; t <= 20000; t += 100) {
		if (decide_ping_due(&st, ri, t)) {
			decide_ping_sent(ri, t);
			decide_ping_reply(ri, "+PONG", t);
			sent++;
		}
	}
	assert_int_equal(sent, 9);
	inst_free(ri);
}

static void
test_info_cadence(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 1);
	struct instance		*r = inst_new(INST_REPLICA, 0);

	(void)state;
	state_init(&st);
	r->master = m;

	assert_int_equal(decide_info_period(&st, m), 10000);
	assert_int_equal(decide_info_period(&st, r), 10000);
	assert_int_equal(decide_info_period(&st, m->sentinels[0]), 0);
	assert_false(decide_info_due(&st, m->sentinels[0], 100000, 0));

	/* Never asked: due at once; then throttled by reply and request. */
	assert_true(decide_info_due(&st, m, 1000, 0));
	assert_false(decide_info_due(&st, m, 1010, 1000));
	assert_false(decide_info_due(&st, m, 11000, 1000));
	assert_true(decide_info_due(&st, m, 11001, 1000));
	m->info_refresh = 1050;
	assert_false(decide_info_due(&st, m, 11001, 1000));
	assert_false(decide_info_due(&st, m, 11050, 1000));
	assert_true(decide_info_due(&st, m, 11051, 1000));
	/* Reply recent but request old: not due. */
	assert_false(decide_info_due(&st, m, 11051, 11000));

	/* Replicas of a master in trouble: every second. */
	r->info_refresh = 5000;
	assert_false(decide_info_due(&st, r, 6001, 5000));
	m->flags |= INST_O_DOWN;
	assert_int_equal(decide_info_period(&st, r), 1000);
	assert_false(decide_info_due(&st, r, 6000, 5000));
	assert_true(decide_info_due(&st, r, 6001, 5000));
	m->flags = INST_FAILOVER_IN_PROGRESS;
	assert_int_equal(decide_info_period(&st, r), 1000);
	m->flags = 0;
	assert_int_equal(decide_info_period(&st, r), 10000);
	r->master_link_down_since_ms = 3000;
	assert_int_equal(decide_info_period(&st, r), 1000);
	r->master_link_down_since_ms = 0;
	/* A replica reporting itself master, or a link not up yet: every second too. */
	r->role_reported = ROLE_MASTER;
	assert_int_equal(decide_info_period(&st, r), 1000);
	r->role_reported = ROLE_SLAVE;
	assert_int_equal(decide_info_period(&st, r), 1000);
	r->slave_master_link_ok = true;
	assert_int_equal(decide_info_period(&st, r), 10000);
	r->master_link_down_since_ms = 3000;
	/* The master itself stays at the normal period. */
	m->flags = INST_O_DOWN;
	assert_int_equal(decide_info_period(&st, m), 10000);
	/* A faster configured period is not slowed down. */
	st.info_period = 300;
	assert_int_equal(decide_info_period(&st, r), 300);
	inst_free(m);
	inst_free(r);
}

static void
test_hello_cadence(void **state)
{
	struct sentinel_state	 st;
	struct instance		*ri = inst_new(INST_MASTER, 0);

	(void)state;
	state_init(&st);
	assert_true(decide_hello_due(&st, ri, 5, 0));
	assert_false(decide_hello_due(&st, ri, 3000, 1000));
	assert_true(decide_hello_due(&st, ri, 3001, 1000));
	st.publish_period = 100;
	assert_false(decide_hello_due(&st, ri, 1100, 1000));
	assert_true(decide_hello_due(&st, ri, 1101, 1000));
	inst_free(ri);
}

static void
test_ask_cadence(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 1);
	struct instance		*peer = m->sentinels[0];

	(void)state;
	state_init(&st);

	/* Only while SDOWN. */
	assert_false(decide_ask_due(&st, m, peer, 10000, 0));
	m->flags |= INST_S_DOWN;
	assert_true(decide_ask_due(&st, m, peer, 10000, 0));
	/* Asked, not answered: again one ask period later. */
	assert_false(decide_ask_due(&st, m, peer, 10999, 10000));
	assert_true(decide_ask_due(&st, m, peer, 11000, 10000));
	/* Answered: one ask period after the answer. */
	peer_answer(peer, 1, 11050);
	assert_false(decide_ask_due(&st, m, peer, 12049, 11000));
	assert_true(decide_ask_due(&st, m, peer, 12050, 11000));
	/* Only sentinels are asked. */
	assert_false(decide_ask_due(&st, m, m, 50000, 0));
	/*
	 * The peer asked us (it sees the master down): that counts as its
	 * "down" for ODOWN, but does not hold back our question to it, which
	 * it may need for its own ODOWN.
	 */
	peer->flags |= INST_MASTER_DOWN;
	peer->master_down_asked_time = 20000;
	assert_true(decide_master_down_fresh(&st, peer, 20500));
	assert_true(decide_ask_due(&st, m, peer, 20001, 12050));
	{
		unsigned votes = 0;

		assert_int_equal(decide_odown(&st, m, 20500, &votes), DECIDE_ODOWN_ENTER);
		assert_int_equal(votes, 2);
	}
	assert_false(decide_master_down_fresh(&st, peer,
	    20000 + DECIDE_MASTER_DOWN_VALIDITY * DEFAULT_ASK_PERIOD + 1));
	m->flags &= ~(INST_S_DOWN | INST_O_DOWN);
	assert_false(decide_ask_due(&st, m, peer, 50000, 0));
	inst_free(m);
}

static void
test_valid_ping_reply(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "+PONG", true }, { "-LOADING Redis is loading the dataset", true },
		{ "-LOADING", true },
		{ "-MASTERDOWN Link with MASTER is down", true },
		{ "-ERR unknown command", false }, { "-BUSY Redis is busy", false },
		{ "-NOAUTH Authentication required.", false },
		{ "+OK", false }, { "PONG", false }, { "", false },
		{ "+pong", false }, { ":1", false }, { "$4", false },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(decide_valid_ping_reply(cases[i].s), cases[i].ok);
	assert_false(decide_valid_ping_reply(NULL));
}

static void
test_is_master_down_reply(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 1);

	(void)state;
	state_init(&st);
	assert_int_equal(decide_is_master_down_reply(&st, m, 1000), 0);
	assert_int_equal(decide_is_master_down_reply(&st, NULL, 1000), 0);
	m->flags |= INST_S_DOWN;
	assert_int_equal(decide_is_master_down_reply(&st, m, 1000), 1);
	st.tilt = true;
	assert_int_equal(decide_is_master_down_reply(&st, m, 1000), 0);
	st.tilt = false;
	/* Only masters. */
	m->sentinels[0]->flags |= INST_S_DOWN;
	assert_int_equal(decide_is_master_down_reply(&st, m->sentinels[0], 1000), 0);
	inst_free(m);
}

/* --- failover ------------------------------------------------------------ */

#define MYID	"1111111111111111111111111111111111111111"
#define PEER_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define PEER_C	"cccccccccccccccccccccccccccccccccccccccc"

/* A sentinel state for failover tests: defaults, our id, an epoch. */
static void
fo_state_init(struct sentinel_state *st, uint64_t epoch)
{
	state_init(st);
	strcpy(st->myid, MYID);
	st->current_epoch = epoch;
	st->slave_reconf_timeout = DEFAULT_SLAVE_RECONF_TIMEOUT;
	st->election_timeout = DEFAULT_ELECTION_TIMEOUT;
}

/* A peer's recorded vote. */
static void
peer_vote(struct instance *peer, const char *runid, uint64_t epoch)
{
	free(peer->leader);
	peer->leader = runid != NULL ? strdup(runid) : NULL;
	peer->leader_epoch = epoch;
}

/* Forget every vote, ours and the peers'. */
static void
votes_clear(struct instance *m)
{
	size_t	i;

	for (i = 0; i < m->nsentinels; i++)
		peer_vote(m->sentinels[i], NULL, 0);
	free(m->leader);
	m->leader = NULL;
	m->leader_epoch = 0;
}

/* The link predicate of the tests: a connected link has a start time. */
static bool
test_connected(const struct instance *ri)
{
	return ri->link_connected_since != 0;
}

/* A replica of m that passes every filter of the replica choice at now. */
static struct instance *
replica_add(struct instance *m, const char *runid, long long prio,
    long long offset, int64_t now)
{
	struct instance	*r = inst_new(INST_REPLICA, 0);

	r->master = m;
	if (runid != NULL)
		strcpy(r->runid, runid);
	r->slave_priority = prio;
	r->slave_repl_offset = offset;
	r->link_connected_since = 1;
	r->last_avail_time = now;
	r->info_refresh = now;
	r->master_link_down_since_ms = 0;
	m->replicas = realloc(m->replicas, (m->nreplicas + 1) *
	    sizeof(*m->replicas));
	assert_non_null(m->replicas);
	m->replicas[m->nreplicas++] = r;
	return r;
}

/*
 * Corrections after a failover: a replica that reports master is converted
 * only after the wait, which is longer while a newer epoch than the master's
 * configuration is known (a failover led elsewhere may be announcing it);
 * a replica of the wrong master is fixed after failover-timeout.
 */
static void
test_corrections(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 0);
	struct instance		*r;
	char			 ip[] = "127.0.0.1", other[] = "127.0.0.2";

	(void)state;
	state_init(&st);
	st.publish_period = 200;
	m->ip = ip;
	m->port = 6379;
	m->failover_timeout = 3000;
	m->role_reported = ROLE_MASTER;
	m->info_refresh = 100000;
	r = replica_add(m, NULL, 100, 0, 100000);
	r->role_reported = ROLE_MASTER;
	r->role_reported_time = 100000;

	/* Our epoch is the master's: 4 of our (short) publish periods. */
	st.current_epoch = m->config_epoch = 3;
	assert_true(decide_convert_wait(&st, m) == 800);
	assert_int_equal(decide_correction(&st, r, 100800), CORRECT_NONE);
	assert_int_equal(decide_correction(&st, r, 100801), CORRECT_CONVERT);
	/* A newer epoch is known: wait as long as Redis's default periods need. */
	st.current_epoch = 4;
	assert_true(decide_convert_wait(&st, m) == 8000);
	assert_int_equal(decide_correction(&st, r, 100801), CORRECT_NONE);
	assert_int_equal(decide_correction(&st, r, 108001), CORRECT_CONVERT);
	/*
	 * With the history our master was promoted from (its master_replid2):
	 * an old master never demoted, at once even then. A replica promoted
	 * since (a new id) or ids unknown: the wait as before.
	 */
	memset(r->replid, 'a', RUNID_LEN);
	memset(m->replid2, 'a', RUNID_LEN);
	assert_int_equal(decide_correction(&st, r, 100001), CORRECT_CONVERT);
	r->replid[0] = 'b';
	assert_int_equal(decide_correction(&st, r, 100001), CORRECT_NONE);
	r->replid[0] = '\0';
	m->replid2[0] = '\0';
	assert_int_equal(decide_correction(&st, r, 100001), CORRECT_NONE);
	/* Never while the master is in doubt, or the replica is being promoted. */
	m->flags |= INST_S_DOWN;
	assert_int_equal(decide_correction(&st, r, 108001), CORRECT_NONE);
	m->flags &= ~INST_S_DOWN;
	m->failover_state = FO_WAIT_PROMOTION;
	assert_int_equal(decide_correction(&st, r, 108001), CORRECT_NONE);
	m->failover_state = FO_NONE;
	r->flags |= INST_PROMOTED;
	assert_int_equal(decide_correction(&st, r, 108001), CORRECT_NONE);
	r->flags &= ~INST_PROMOTED;
	/* Nor with a stale master INFO, nor right after our last SLAVEOF. */
	assert_int_equal(decide_correction(&st, r, 100000 + 2 * DEFAULT_INFO_PERIOD),
	    CORRECT_NONE);
	r->slave_reconf_sent_time = 107500;
	assert_int_equal(decide_correction(&st, r, 108001), CORRECT_NONE);
	r->slave_reconf_sent_time = 0;

	/* A replica of another master: fixed once failover-timeout has passed. */
	r->role_reported = ROLE_SLAVE;
	r->slave_master_host = other;
	r->slave_master_port = 6379;
	r->slave_conf_change_time = 100000;
	assert_int_equal(decide_correction(&st, r, 103000), CORRECT_NONE);
	assert_int_equal(decide_correction(&st, r, 103001), CORRECT_FIX);
	/* Of the right one: nothing. */
	r->slave_master_host = ip;
	assert_int_equal(decide_correction(&st, r, 103001), CORRECT_NONE);
	r->slave_master_host = NULL;
	m->ip = NULL;
	inst_free(m);
}

/*
 * decide_next_due() is a promise: before it, none of the periodic rules
 * (PING, INFO, hello due, SDOWN) holds; at it, one does unless the idle cap
 * set it. Checked over many instance states, ms by ms.
 */
static void
test_next_due(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 0);
	unsigned		 seed = 12345;

	(void)state;
	state_init(&st);
	st.ping_period = 1000;
	m->down_after_ms = 700;		/* PING every 70 ms */
	/* Links down or SDOWN: every pass. */
	assert_true(decide_next_due(&st, m, 5000, 4000, 4000, false) == 5000);
	for (int round = 0; round < 2000; round++) {
		int64_t now = 100000, due, lis, lpt;
		bool any = false;

		seed = seed * 1103515245 + 12345;
		m->last_ping_time = now - (int64_t)(seed >> 8) % 120;
		m->last_pong_time = (seed & 1) ? now - (int64_t)(seed >> 12) % 150 : 0;
		m->act_ping_time = (seed & 2) ? now - (int64_t)(seed >> 9) % 800 : 0;
		m->info_refresh = now - (int64_t)(seed >> 10) % 12000;
		lis = now - (int64_t)(seed >> 11) % 12000;
		lpt = now - (int64_t)(seed >> 13) % 2100;
		m->flags = 0;
		if (decide_sdown(&st, m, now, true) != DECIDE_NONE)
			continue;
		due = decide_next_due(&st, m, now, lis, lpt, true);
		assert_true(due >= now && due <= now + DECIDE_IDLE_SCAN_MS);
		for (int64_t t = now + 1; t < due; t++) {
			assert_false(decide_ping_due(&st, m, t));
			assert_false(decide_info_due(&st, m, t, lis));
			assert_false(decide_hello_due(&st, m, t, lpt));
			assert_int_equal(decide_sdown(&st, m, t, true), DECIDE_NONE);
		}
		if (due < now + DECIDE_IDLE_SCAN_MS) {
			any = decide_ping_due(&st, m, due) || decide_info_due(&st, m, due, lis) ||
			    decide_hello_due(&st, m, due, lpt) ||
			    decide_sdown(&st, m, due, true) != DECIDE_NONE;
			assert_true(any || due == now);
		}
		m->flags = 0;
	}
	inst_free(m);
}

/*
 * Election ranks: for every master the three sentinels' own views give
 * ranks 0, 1 and 2 (one each, the same order everywhere); across many
 * masters each sentinel is first for about a third; an SDOWN peer does not
 * count; the slot grows with the masters in trouble.
 */
static void
test_election_rank(void **state)
{
	static const char *ids[3] = { MYID, PEER_B, PEER_C };
	struct sentinel_state	 st[3];
	struct instance		*m[3];
	int			 first[3] = { 0, 0, 0 };
	char			 name[16];

	(void)state;
	for (int i = 0; i < 3; i++) {
		state_init(&st[i]);
		memcpy(st[i].myid, ids[i], RUNID_LEN);
		m[i] = master_new(2, 2);
		for (int k = 0, j = 0; j < 3; j++)
			if (j != i)
				memcpy(m[i]->sentinels[k++]->runid, ids[j], RUNID_LEN);
	}
	for (int n = 0; n < 300; n++) {
		int seen = 0;

		snprintf(name, sizeof name, "m%d", n);
		for (int i = 0; i < 3; i++) {
			int r;

			m[i]->name = name;
			r = decide_election_rank(&st[i], m[i]);
			assert_true(r >= 0 && r < 3);
			seen |= 1 << r;
			if (r == 0)
				first[i]++;
		}
		assert_int_equal(seen, 7);
	}
	for (int i = 0; i < 3; i++)
		assert_true(first[i] > 60 && first[i] < 140);
	/* A peer that is SDOWN is not waited for. */
	m[0]->name = name;
	if (decide_election_rank(&st[0], m[0]) > 0) {
		int before = decide_election_rank(&st[0], m[0]);

		m[0]->sentinels[0]->flags |= INST_S_DOWN;
		m[0]->sentinels[1]->flags |= INST_S_DOWN;
		assert_int_equal(decide_election_rank(&st[0], m[0]), 0);
		assert_true(before > 0);
	}
	assert_true(decide_election_slot(&st[0]) == DECIDE_RANK_SLOT_MS);
	st[0].masters_in_trouble = 100;
	assert_true(decide_election_slot(&st[0]) ==
	    DECIDE_RANK_SLOT_MS + 100 * DECIDE_RANK_SLOT_PER_MASTER_MS);
	for (int i = 0; i < 3; i++) {
		m[i]->name = NULL;
		inst_free(m[i]);
	}
}

/*
 * Our slot waits for the sentinels ahead of us to have had theirs, counted
 * from when they reported the master down (they may see it later than we).
 */
static void
test_election_start(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2), *a, *b;
	char			 name[16];
	long long		 slot, ping;
	int			 n;

	(void)state;
	state_init(&st);
	memcpy(st.myid, MYID, RUNID_LEN);
	memcpy(m->sentinels[0]->runid, PEER_B, RUNID_LEN);
	memcpy(m->sentinels[1]->runid, PEER_C, RUNID_LEN);
	/* A master name for which both peers come before us. */
	for (n = 0; n < 1000; n++) {
		snprintf(name, sizeof name, "m%d", n);
		m->name = name;
		if (decide_election_rank(&st, m) == 2)
			break;
	}
	assert_true(n < 1000);
	slot = decide_election_slot(&st);
	ping = decide_ping_period(&st, m);
	/* Which peer is first: the one that is ahead when the other is SDOWN. */
	m->sentinels[1]->flags |= INST_S_DOWN;
	a = decide_election_rank(&st, m) == 1 ? m->sentinels[0] : m->sentinels[1];
	b = a == m->sentinels[0] ? m->sentinels[1] : m->sentinels[0];
	m->sentinels[1]->flags &= ~INST_S_DOWN;
	m->flags |= INST_S_DOWN | INST_O_DOWN;
	m->o_down_since = 10000;

	/* Nobody ahead reported yet: two slots and one PING period more. */
	assert_int_equal(decide_election_start(&st, m, 10000), 10000 + 2 * slot + ping);
	/* b (second) saw it before us, a (first) later: a's two slots count from its report. */
	decide_peer_down_report(&st, b, 9990);
	b->master_down_asked_time = 9990;
	decide_peer_down_report(&st, a, 10300);
	a->master_down_asked_time = 10300;
	assert_int_equal(decide_election_start(&st, m, 10400), 10300 + 2 * slot);
	/* Later reports of the same run do not move it. */
	decide_peer_down_report(&st, a, 10800);
	a->master_down_asked_time = 10800;
	assert_int_equal(a->down_report_since, 10300);
	assert_int_equal(decide_election_start(&st, m, 10900), 10300 + 2 * slot);
	/* a SDOWN: not waited for; b (now first) had its slot from 9990; ours counts from ODOWN. */
	a->flags |= INST_S_DOWN;
	assert_int_equal(decide_election_start(&st, m, 10900), 10000 + slot);
	a->flags &= ~INST_S_DOWN;
	/* A stale report is as none; a new run starts from its first report. */
	assert_int_equal(decide_election_start(&st, m, 10800 + 5 * DEFAULT_ASK_PERIOD + 1),
	    10000 + 2 * slot + ping);
	decide_peer_down_report(&st, a, 20000);
	assert_int_equal(a->down_report_since, 20000);
	m->name = NULL;
	inst_free(m);
}

static void
test_vote_first_come(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);

	(void)state;
	fo_state_init(&st, 5);
	m->failover_start_time = 42;

	/* The first request in epoch 5 gets the vote, and delays our own start. */
	assert_int_equal(decide_vote(&st, m, PEER_B, 5, 1000, 300),
	    DECIDE_VOTE_GRANTED);
	assert_string_equal(m->leader, PEER_B);
	assert_true(m->leader_epoch == 5);
	assert_true(m->failover_start_time == 1300);
	assert_true(st.current_epoch == 5);

	/* A second one in the same epoch is refused: the vote stays. */
	assert_int_equal(decide_vote(&st, m, PEER_C, 5, 2000, 300), 0);
	assert_string_equal(m->leader, PEER_B);
	assert_true(m->leader_epoch == 5);
	assert_true(m->failover_start_time == 1300);
	/* Even our own request. */
	assert_int_equal(decide_vote(&st, m, MYID, 5, 2000, 0), 0);
	assert_string_equal(m->leader, PEER_B);

	/* A newer epoch is adopted and voted in. */
	assert_int_equal(decide_vote(&st, m, PEER_C, 6, 3000, 10),
	    DECIDE_VOTE_GRANTED | DECIDE_EPOCH_ADOPTED);
	assert_true(st.current_epoch == 6);
	assert_string_equal(m->leader, PEER_C);
	assert_true(m->leader_epoch == 6);
	assert_true(m->failover_start_time == 3010);

	/* Our own vote does not delay our own start (case does not matter). */
	assert_int_equal(decide_vote(&st, m, MYID, 7, 4000, 10),
	    DECIDE_VOTE_GRANTED | DECIDE_EPOCH_ADOPTED);
	assert_string_equal(m->leader, MYID);
	assert_true(m->failover_start_time == 3010);
	memcpy(st.myid, "ABCDEF", 6);
	assert_int_equal(decide_vote(&st, m, "abcdef1111111111111111111111111111111111",
	    8, 5000, 10), DECIDE_VOTE_GRANTED | DECIDE_EPOCH_ADOPTED);
	assert_true(m->failover_start_time == 3010);
	inst_free(m);
}

static void
test_vote_epochs(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);

	(void)state;
	fo_state_init(&st, 7);

	/*
	 * An epoch older than the current one (other masters' elections moved
	 * it on) is still voted in, once: the vote is this master's. Redis
	 * refuses it, and then failovers of many masters run in waves.
	 */
	assert_int_equal(decide_vote(&st, m, PEER_B, 6, 1000, 0), DECIDE_VOTE_GRANTED);
	assert_string_equal(m->leader, PEER_B);
	assert_true(m->leader_epoch == 6);
	assert_true(st.current_epoch == 7);
	assert_true(m->failover_start_time == 1000);
	/* Not twice in that epoch, nor in an older one, for anyone. */
	assert_int_equal(decide_vote(&st, m, PEER_C, 6, 1000, 0), 0);
	assert_int_equal(decide_vote(&st, m, PEER_C, 5, 1000, 0), 0);
	assert_string_equal(m->leader, PEER_B);
	assert_true(m->leader_epoch == 6);

	/* The current epoch is fine. */
	assert_int_equal(decide_vote(&st, m, PEER_B, 7, 1000, 0),
	    DECIDE_VOTE_GRANTED);
	assert_true(m->leader_epoch == 7);

	/* A larger epoch is adopted even when the vote is not given. */
	m->leader_epoch = 12;
	assert_int_equal(decide_vote(&st, m, PEER_C, 9, 1000, 0),
	    DECIDE_EPOCH_ADOPTED);
	assert_true(st.current_epoch == 9);
	assert_string_equal(m->leader, PEER_B);

	/* Asking with our own recorded vote is harmless (it is copied first). */
	m->leader_epoch = 3;
	assert_int_equal(decide_vote(&st, m, m->leader, 9, 1000, 0),
	    DECIDE_VOTE_GRANTED);
	assert_string_equal(m->leader, PEER_B);
	inst_free(m);
}

static void
test_leader_three(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);
	const char		*w;
	int			 ch;

	(void)state;
	fo_state_init(&st, 10);
	m->failover_start_time = 500;

	/* Nobody voted: we vote for ourselves, 1 of 3 is not a majority. */
	ch = 0;
	assert_null(decide_leader(&st, m, 10, 1000, &ch));
	assert_int_equal(ch, DECIDE_VOTE_GRANTED);
	assert_string_equal(m->leader, MYID);
	assert_true(m->leader_epoch == 10);
	assert_true(m->failover_start_time == 500);

	/* One peer agrees: 2 of 3, quorum 2. */
	peer_vote(m->sentinels[1], MYID, 10);
	ch = 0;
	w = decide_leader(&st, m, 10, 1000, &ch);
	assert_non_null(w);
	assert_string_equal(w, MYID);
	assert_int_equal(ch, 0);
	assert_true(decide_leader(&st, m, 10, 1000, NULL) == w);

	/* A vote of another epoch does not count. */
	peer_vote(m->sentinels[1], MYID, 9);
	assert_null(decide_leader(&st, m, 10, 1000, NULL));

	/* Quorum 3 with 3 voters: 2 votes are not enough. */
	peer_vote(m->sentinels[1], MYID, 10);
	m->quorum = 3;
	assert_null(decide_leader(&st, m, 10, 1000, NULL));
	peer_vote(m->sentinels[0], MYID, 10);
	assert_string_equal(decide_leader(&st, m, 10, 1000, NULL), MYID);
	m->quorum = 2;

	/* Both peers voted for B before we voted: we follow, B wins. */
	votes_clear(m);
	peer_vote(m->sentinels[0], PEER_B, 10);
	peer_vote(m->sentinels[1], PEER_B, 10);
	ch = 0;
	w = decide_leader(&st, m, 10, 2000, &ch);
	assert_int_equal(ch, DECIDE_VOTE_GRANTED);
	assert_string_equal(m->leader, PEER_B);
	assert_non_null(w);
	assert_string_equal(w, PEER_B);
	assert_true(m->failover_start_time == 2000);	/* not our own */

	/* Split: B, C and us, one each. */
	votes_clear(m);
	assert_null(decide_leader(&st, m, 10, 1000, NULL));	/* votes for us */
	peer_vote(m->sentinels[0], PEER_B, 10);
	peer_vote(m->sentinels[1], PEER_C, 10);
	assert_null(decide_leader(&st, m, 10, 1000, NULL));
	assert_string_equal(m->leader, MYID);

	/*
	 * Votes count in this master's election epoch, even when another
	 * master's election has moved the current epoch on; not in another.
	 */
	votes_clear(m);
	st.current_epoch = 11;
	peer_vote(m->sentinels[0], MYID, 10);
	m->leader = strdup(MYID);
	m->leader_epoch = 10;
	w = decide_leader(&st, m, 10, 1000, NULL);
	assert_non_null(w);
	assert_string_equal(w, MYID);
	peer_vote(m->sentinels[0], MYID, 11);
	assert_null(decide_leader(&st, m, 10, 1000, NULL));

	/*
	 * Our vote of an older epoch does not count; we vote again in 10 (the
	 * current epoch, 11, does not stop it), but one vote is not enough.
	 */
	peer_vote(m->sentinels[0], MYID, 11);
	m->leader_epoch = 9;
	assert_null(decide_leader(&st, m, 10, 1000, NULL));
	assert_true(m->leader_epoch == 10);
	assert_string_equal(m->leader, MYID);
	inst_free(m);
}

static void
test_leader_five(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 4);
	const char		*w;
	int			 ch;

	(void)state;
	fo_state_init(&st, 20);

	/* 5 voters need 3, even with quorum 2. */
	peer_vote(m->sentinels[2], MYID, 20);
	assert_null(decide_leader(&st, m, 20, 1000, NULL));
	assert_string_equal(m->leader, MYID);
	peer_vote(m->sentinels[3], MYID, 20);
	w = decide_leader(&st, m, 20, 1000, NULL);
	assert_non_null(w);
	assert_string_equal(w, MYID);
	assert_true(w == m->leader);

	/* Quorum 4 above the majority: 3 are not enough, 4 are. */
	m->quorum = 4;
	assert_null(decide_leader(&st, m, 20, 1000, NULL));
	peer_vote(m->sentinels[0], MYID, 20);
	assert_string_equal(decide_leader(&st, m, 20, 1000, NULL), MYID);
	m->quorum = 2;

	/* The front-runner gets our vote: B 2, C 1, one not voted. */
	votes_clear(m);
	peer_vote(m->sentinels[0], PEER_C, 20);
	peer_vote(m->sentinels[1], PEER_B, 20);
	peer_vote(m->sentinels[3], PEER_B, 20);
	ch = 0;
	w = decide_leader(&st, m, 20, 1000, &ch);
	assert_int_equal(ch, DECIDE_VOTE_GRANTED);
	assert_non_null(w);
	assert_string_equal(w, PEER_B);
	assert_string_equal(m->leader, PEER_B);

	/* A tie between peers' candidates: the first seen gets our vote. */
	votes_clear(m);
	peer_vote(m->sentinels[0], PEER_C, 20);
	peer_vote(m->sentinels[1], PEER_C, 20);
	peer_vote(m->sentinels[2], PEER_B, 20);
	peer_vote(m->sentinels[3], PEER_B, 20);
	w = decide_leader(&st, m, 20, 1000, NULL);
	assert_non_null(w);
	assert_string_equal(w, PEER_C);

	/* Having voted for ourselves already, B 2 C 2 us 1: nobody. */
	votes_clear(m);
	assert_null(decide_leader(&st, m, 20, 1000, NULL));
	peer_vote(m->sentinels[0], PEER_C, 20);
	peer_vote(m->sentinels[1], PEER_B, 20);
	peer_vote(m->sentinels[2], PEER_B, 20);
	peer_vote(m->sentinels[3], PEER_C, 20);
	assert_null(decide_leader(&st, m, 20, 1000, NULL));

	/* A peer's candidate with 3 wins over our own vote. */
	peer_vote(m->sentinels[0], PEER_B, 20);
	w = decide_leader(&st, m, 20, 1000, NULL);
	assert_non_null(w);
	assert_string_equal(w, PEER_B);
	assert_string_equal(m->leader, MYID);
	inst_free(m);
}

static void
test_failover_start(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);
	int64_t			 until, t0 = 10000000;

	(void)state;
	fo_state_init(&st, 5);
	m->failover_timeout = 60000;

	/* Not ODOWN: nothing (SDOWN is not enough). */
	m->flags |= INST_S_DOWN;
	until = -1;
	assert_false(decide_failover_start(&st, m, t0, 300, &until));
	assert_true(until == 0);
	assert_true(st.current_epoch == 5);
	assert_false(m->flags & INST_FAILOVER_IN_PROGRESS);

	/* ODOWN, never tried: starts in a new epoch. */
	m->flags |= INST_O_DOWN;
	assert_true(decide_failover_start(&st, m, t0, 300, &until));
	assert_true(until == 0);
	assert_true(st.current_epoch == 6);
	assert_true(m->failover_epoch == 6);
	assert_int_equal(m->failover_state, FO_WAIT_START);
	assert_true(m->flags & INST_FAILOVER_IN_PROGRESS);
	assert_true(m->failover_start_time == t0 + 300);
	assert_true(m->failover_state_change_time == t0);

	/* Already in progress. */
	assert_false(decide_failover_start(&st, m, t0 + 200000, 0, &until));
	assert_true(until == 0);
	assert_true(st.current_epoch == 6);

	/* Aborted: no new attempt before 2 x failover-timeout, told once. */
	decide_failover_abort(m);
	assert_false(decide_failover_start(&st, m, t0 + 1000, 0, &until));
	assert_true(until == t0 + 300 + 120000);
	assert_false(decide_failover_start(&st, m, t0 + 2000, 0, &until));
	assert_true(until == 0);
	assert_false(decide_failover_start(&st, m, t0 + 300 + 119999, 0, NULL));
	assert_true(st.current_epoch == 6);
	assert_true(decide_failover_start(&st, m, t0 + 300 + 120000, 7, &until));
	assert_true(until == 0);
	assert_true(st.current_epoch == 7 && m->failover_epoch == 7);
	assert_true(m->failover_start_time == t0 + 120307);

	/* A vote for another sentinel holds our own start back the same way. */
	decide_failover_abort(m);
	m->failover_start_time = 0;
	assert_int_equal(decide_vote(&st, m, PEER_B, 8, t0, 500),
	    DECIDE_VOTE_GRANTED | DECIDE_EPOCH_ADOPTED);
	assert_false(decide_failover_start(&st, m, t0 + 1000, 0, &until));
	assert_true(until == t0 + 500 + 120000);
	assert_true(decide_failover_start(&st, m, t0 + 120500, 0, &until));
	assert_true(m->failover_epoch == 9);

	/* The default failover-timeout is 180 s. */
	decide_failover_abort(m);
	m->failover_timeout = 0;
	assert_false(decide_failover_start(&st, m, t0 + 120500 + 359999, 0, &until));
	assert_true(until == t0 + 120500 + 360000);
	st.default_failover_timeout = 1000;
	assert_true(decide_failover_start(&st, m, t0 + 120500 + 2000, 0, NULL));
	inst_free(m);
}

static void
test_failover_start_forced(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);
	int64_t			 until;

	(void)state;
	fo_state_init(&st, 1);
	m->failover_timeout = 60000;

	/* SENTINEL FAILOVER: no ODOWN needed, and no wait after an attempt. */
	m->flags |= INST_FORCE_FAILOVER;
	assert_true(decide_failover_start(&st, m, 5000, 100, &until));
	assert_true(until == 0);
	assert_true(m->failover_epoch == 2);
	assert_true(m->flags & INST_FORCE_FAILOVER);
	assert_false(decide_failover_start(&st, m, 6000, 100, &until));
	decide_failover_abort(m);
	assert_false(m->flags & INST_FORCE_FAILOVER);
	assert_false(decide_failover_start(&st, m, 6000, 100, &until));
	m->flags |= INST_FORCE_FAILOVER;
	assert_true(decide_failover_start(&st, m, 6000, 100, &until));
	assert_true(until == 0);
	assert_true(m->failover_epoch == 3);
	inst_free(m);
}

static void
test_election_timeout(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);

	(void)state;
	fo_state_init(&st, 1);
	m->failover_timeout = 60000;
	m->failover_start_time = 1500;	/* includes the desync */

	/* min(election timeout, failover-timeout), from the start time. */
	assert_false(decide_election_timed_out(&st, m, 11500));
	assert_true(decide_election_timed_out(&st, m, 11501));
	m->failover_timeout = 4000;
	assert_false(decide_election_timed_out(&st, m, 5500));
	assert_true(decide_election_timed_out(&st, m, 5501));
	st.election_timeout = 0;	/* unset: 10 s */
	m->failover_timeout = 0;
	assert_false(decide_election_timed_out(&st, m, 11500));
	assert_true(decide_election_timed_out(&st, m, 11501));
	inst_free(m);
}

/* Still electing and the master answers again: stop; not once past it, not a forced one. */
static void
test_master_back(void **state)
{
	struct instance		*m = master_new(2, 2);

	(void)state;
	m->failover_state = FO_WAIT_START;
	m->flags = INST_FAILOVER_IN_PROGRESS | INST_S_DOWN | INST_O_DOWN;
	assert_false(decide_failover_master_back(m));
	m->flags &= ~INST_S_DOWN;
	assert_true(decide_failover_master_back(m));
	m->flags |= INST_FORCE_FAILOVER;
	assert_false(decide_failover_master_back(m));
	m->flags &= ~INST_FORCE_FAILOVER;
	for (int st = FO_SELECT_SLAVE; st <= FO_UPDATE_CONFIG; st++) {
		m->failover_state = (enum failover_state)st;
		assert_false(decide_failover_master_back(m));
	}
	m->failover_state = FO_NONE;
	assert_false(decide_failover_master_back(m));
	inst_free(m);
}

static void
test_select_exclusions(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);
	struct instance		*r;
	int64_t			 now = 1000000;

	(void)state;
	fo_state_init(&st, 1);
	m->flags |= INST_S_DOWN;
	m->s_down_since = now - 7000;
	r = replica_add(m, PEER_B, 100, 10, now);
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);

	/* SDOWN, ODOWN. */
	r->flags |= INST_S_DOWN;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	r->flags = INST_O_DOWN;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	r->flags = 0;

	/* The link (through the predicate, or the flag without one). */
	r->link_connected_since = 0;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	assert_true(decide_select_replica(&st, m, now, NULL) == r);
	r->link_connected_since = 1;
	r->flags = INST_DISCONNECTED;
	assert_null(decide_select_replica(&st, m, now, NULL));
	r->flags = 0;

	/* Last valid PING reply within 5 x ping period. */
	r->last_avail_time = now - 5000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->last_avail_time = now - 5001;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	st.ping_period = 2000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	st.ping_period = DEFAULT_PING_PERIOD;
	r->last_avail_time = now;

	/* Priority 0 never. */
	r->slave_priority = 0;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	r->slave_priority = 100;

	/* INFO age: 5 x ping period while the master is SDOWN... */
	r->info_refresh = now - 5000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->info_refresh = now - 5001;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	/* ...else 3 x info period. */
	m->flags &= ~INST_S_DOWN;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->info_refresh = now - 30000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->info_refresh = now - 30001;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	r->info_refresh = now;

	/* Master link down: 10 x down-after (5 s here)... */
	r->master_link_down_since_ms = 50000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->master_link_down_since_ms = 50001;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	/* ...plus how long the master has been SDOWN. */
	m->flags |= INST_S_DOWN;
	r->master_link_down_since_ms = 57000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);
	r->master_link_down_since_ms = 57001;
	assert_null(decide_select_replica(&st, m, now, test_connected));
	/* Never lost (-1 s) is fine. */
	r->master_link_down_since_ms = -1000;
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);

	/* The bad ones are skipped, not fatal. */
	r->flags |= INST_S_DOWN;
	r = replica_add(m, PEER_C, 100, 0, now);
	assert_true(decide_select_replica(&st, m, now, test_connected) == r);

	/* No replicas at all. */
	inst_free(m);
	m = master_new(2, 0);
	assert_null(decide_select_replica(&st, m, now, test_connected));
	inst_free(m);
}

static void
test_select_order(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m = master_new(2, 2);
	struct instance		*a, *b, *c;
	int64_t			 now = 1000000;

	(void)state;
	fo_state_init(&st, 1);

	/* Lowest priority first, whatever the offset. */
	a = replica_add(m, "aaaa", 100, 500, now);
	b = replica_add(m, "bbbb", 10, 100, now);
	c = replica_add(m, "cccc", 50, 900, now);
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	b->slave_priority = 100;
	c->slave_priority = 100;

	/* Then the highest offset. */
	assert_true(decide_select_replica(&st, m, now, test_connected) == c);
	c->slave_repl_offset = 100;

	/* Then the smallest runid (case does not matter). */
	b->slave_repl_offset = 500;
	assert_true(decide_select_replica(&st, m, now, test_connected) == a);
	strcpy(a->runid, "BBBC");
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	strcpy(a->runid, "BBBA");
	assert_true(decide_select_replica(&st, m, now, test_connected) == a);

	/* An unknown runid sorts last, wherever it is. */
	a->runid[0] = '\0';
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	m->replicas[0] = b;
	m->replicas[1] = a;
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	b->runid[0] = '\0';
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	/* Two unknown: the first in order. */
	m->replicas[0] = a;
	m->replicas[1] = b;
	assert_true(decide_select_replica(&st, m, now, test_connected) == a);

	/* The order of the table does not matter otherwise. */
	strcpy(a->runid, "aaaa");
	strcpy(b->runid, "bbbb");
	m->replicas[0] = b;
	m->replicas[1] = a;
	assert_true(decide_select_replica(&st, m, now, test_connected) == a);
	a->slave_repl_offset = 499;
	assert_true(decide_select_replica(&st, m, now, test_connected) == b);
	inst_free(m);
}

/* What the shell does with a chosen replica. */
static void
reconf_sent(struct instance *r, int64_t now)
{
	r->flags |= INST_RECONF_SENT;
	r->slave_reconf_sent_time = now;
}

/* A master in RECONF_SLAVES with a promoted replica and n others. */
static struct instance *
reconf_master(size_t n, int syncs, int64_t now)
{
	struct instance	*m = master_new(2, 2);
	struct instance	*p;
	char		 id[RUNID_LEN + 1];
	size_t		 i;

	m->parallel_syncs = syncs;
	m->failover_timeout = 60000;
	m->flags |= INST_FAILOVER_IN_PROGRESS;
	p = replica_add(m, "pppp", 100, 0, now);
	p->flags |= INST_PROMOTED;
	m->promoted_slave = p;
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "r%zu", i);
		replica_add(m, id, 100, 0, now);
	}
	decide_failover_state(m, FO_RECONF_SLAVES, now);
	return m;
}

static void
test_reconf_parallel_1(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m, *out[8];
	struct instance		*r1, *r2, *r3;

	(void)state;
	fo_state_init(&st, 1);
	m = reconf_master(3, 1, 1000);
	assert_int_equal(m->failover_state, FO_RECONF_SLAVES);
	assert_true(m->failover_state_change_time == 1000);
	r1 = m->replicas[1];
	r2 = m->replicas[2];
	r3 = m->replicas[3];
	assert_false(decide_reconf_all_done(m));

	/* One at a time, never the promoted one. */
	assert_int_equal(decide_reconf_next(&st, m, 1000, out, 8, test_connected), 1);
	assert_true(out[0] == r1);
	reconf_sent(r1, 1000);
	assert_int_equal(decide_reconf_next(&st, m, 1100, out, 8, test_connected), 0);
	r1->flags = (r1->flags & ~INST_RECONF_SENT) | INST_RECONF_INPROG;
	assert_int_equal(decide_reconf_next(&st, m, 1200, out, 8, test_connected), 0);
	r1->flags = (r1->flags & ~INST_RECONF_INPROG) | INST_RECONF_DONE;

	/* A disconnected replica is passed over; no room for anything: n = 0. */
	r2->link_connected_since = 0;
	assert_int_equal(decide_reconf_next(&st, m, 1300, out, 0, test_connected), 0);
	assert_int_equal(decide_reconf_next(&st, m, 1300, out, 8, test_connected), 1);
	assert_true(out[0] == r3);
	reconf_sent(r3, 1300);
	r3->flags = (r3->flags & ~INST_RECONF_SENT) | INST_RECONF_DONE;
	assert_false(decide_reconf_all_done(m));	/* r2 is still to do */

	/* SDOWN replicas are not waited for, but still get SLAVEOF if linked. */
	r2->flags |= INST_S_DOWN;
	assert_true(decide_reconf_all_done(m));
	r2->link_connected_since = 1;
	assert_int_equal(decide_reconf_next(&st, m, 1400, out, 8, test_connected), 1);
	assert_true(out[0] == r2);
	r2->flags &= ~INST_S_DOWN;
	assert_false(decide_reconf_all_done(m));
	r2->flags |= INST_RECONF_DONE;
	assert_true(decide_reconf_all_done(m));
	assert_int_equal(decide_reconf_next(&st, m, 1500, out, 8, test_connected), 0);

	/* Not while the promoted replica is SDOWN or missing. */
	m->promoted_slave->flags |= INST_S_DOWN;
	assert_false(decide_reconf_all_done(m));
	m->promoted_slave->flags &= ~INST_S_DOWN;
	m->promoted_slave = NULL;
	assert_false(decide_reconf_all_done(m));
	inst_free(m);
}

static void
test_reconf_parallel_2(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m, *out[8];
	struct instance		*r[5];
	size_t			 i;

	(void)state;
	fo_state_init(&st, 1);
	m = reconf_master(4, 2, 1000);
	for (i = 1; i <= 4; i++)
		r[i] = m->replicas[i];

	/* Two at once, at most n. */
	assert_int_equal(decide_reconf_next(&st, m, 1000, out, 1, test_connected), 1);
	assert_true(out[0] == r[1]);
	reconf_sent(r[1], 1000);
	assert_int_equal(decide_reconf_next(&st, m, 1000, out, 8, test_connected), 1);
	assert_true(out[0] == r[2]);
	reconf_sent(r[2], 1000);
	assert_int_equal(decide_reconf_next(&st, m, 1100, out, 8, test_connected), 0);

	/* One finishes, the next goes; INPROG still holds a slot. */
	r[1]->flags = (r[1]->flags & ~INST_RECONF_SENT) | INST_RECONF_DONE;
	r[2]->flags = (r[2]->flags & ~INST_RECONF_SENT) | INST_RECONF_INPROG;
	assert_int_equal(decide_reconf_next(&st, m, 1200, out, 8, test_connected), 1);
	assert_true(out[0] == r[3]);
	reconf_sent(r[3], 1200);
	assert_int_equal(decide_reconf_next(&st, m, 1300, out, 8, test_connected), 0);

	/* Both free: r[4] only, nothing else is left. */
	r[2]->flags = (r[2]->flags & ~INST_RECONF_INPROG) | INST_RECONF_DONE;
	r[3]->flags = (r[3]->flags & ~INST_RECONF_SENT) | INST_RECONF_DONE;
	assert_int_equal(decide_reconf_next(&st, m, 1400, out, 8, test_connected), 1);
	assert_true(out[0] == r[4]);
	assert_false(decide_reconf_all_done(m));
	r[4]->flags |= INST_RECONF_DONE;
	assert_true(decide_reconf_all_done(m));

	/* Fresh: two chosen in one call; unset parallel-syncs means 1. */
	inst_free(m);
	m = reconf_master(3, 2, 1000);
	assert_int_equal(decide_reconf_next(&st, m, 1000, out, 8, test_connected), 2);
	assert_true(out[0] == m->replicas[1] && out[1] == m->replicas[2]);
	for (i = 0; i < 2; i++)
		assert_false(out[i]->flags & INST_RECONF_DONE);
	m->parallel_syncs = 0;
	assert_int_equal(decide_reconf_next(&st, m, 1000, out, 8, test_connected), 1);
	inst_free(m);
}

static void
test_reconf_sent_timeout(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m, *out[8];
	struct instance		*r1, *r2, *r3;

	(void)state;
	fo_state_init(&st, 1);
	m = reconf_master(3, 2, 0);
	r1 = m->replicas[1];
	r2 = m->replicas[2];
	r3 = m->replicas[3];
	reconf_sent(r1, 1000);
	r2->link_connected_since = 0;
	r3->link_connected_since = 0;

	/* Not yet at exactly the reconf timeout. */
	assert_int_equal(decide_reconf_next(&st, m, 11000, out, 8, test_connected), 0);
	assert_true(r1->flags & INST_RECONF_SENT);

	/* Given up on after it: treated as done, reported in out[]. */
	r2->link_connected_since = 1;
	r3->link_connected_since = 1;
	assert_int_equal(decide_reconf_next(&st, m, 11001, out, 8, test_connected), 2);
	assert_true(out[0] == r1);
	assert_true((r1->flags & (INST_RECONF_SENT | INST_RECONF_DONE)) ==
	    INST_RECONF_DONE);
	/* Its slot frees on the next call only. */
	assert_true(out[1] == r2);
	assert_false(r2->flags & INST_RECONF_DONE);
	reconf_sent(r2, 11001);
	assert_int_equal(decide_reconf_next(&st, m, 11002, out, 8, test_connected), 1);
	assert_true(out[0] == r3);

	/* With every slot taken the timeout is not looked at (as Redis). */
	inst_free(m);
	m = reconf_master(2, 1, 0);
	r1 = m->replicas[1];
	reconf_sent(r1, 1000);
	assert_int_equal(decide_reconf_next(&st, m, 50000, out, 8, test_connected), 0);
	assert_true(r1->flags & INST_RECONF_SENT);

	/* The timeout knob. */
	inst_free(m);
	m = reconf_master(1, 2, 0);
	r1 = m->replicas[1];
	reconf_sent(r1, 1000);
	st.slave_reconf_timeout = 2000;
	assert_int_equal(decide_reconf_next(&st, m, 3000, out, 8, test_connected), 0);
	assert_int_equal(decide_reconf_next(&st, m, 3001, out, 8, test_connected), 1);
	assert_true(out[0] == r1 && (r1->flags & INST_RECONF_DONE));
	assert_true(decide_reconf_all_done(m));
	st.slave_reconf_timeout = 0;	/* unset: 10 s */
	r1->flags = INST_RECONF_SENT;
	assert_int_equal(decide_reconf_next(&st, m, 11000, out, 8, test_connected), 0);
	assert_int_equal(decide_reconf_next(&st, m, 11001, out, 8, test_connected), 1);
	inst_free(m);
}

static void
test_reconf_end(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m;

	(void)state;
	fo_state_init(&st, 1);
	m = reconf_master(2, 1, 1000);

	/* failover-timeout after entering the state. */
	assert_false(decide_reconf_timed_out(&st, m, 61000));
	assert_true(decide_reconf_timed_out(&st, m, 61001));
	/* Not while the promoted replica is down or missing. */
	m->promoted_slave->flags |= INST_S_DOWN;
	assert_false(decide_reconf_timed_out(&st, m, 61001));
	m->promoted_slave->flags &= ~INST_S_DOWN;
	decide_failover_state(m, FO_RECONF_SLAVES, 5000);
	assert_false(decide_reconf_timed_out(&st, m, 65000));
	assert_true(decide_reconf_timed_out(&st, m, 65001));
	m->failover_timeout = 0;	/* unset: 180 s */
	assert_false(decide_reconf_timed_out(&st, m, 185000));
	assert_true(decide_reconf_timed_out(&st, m, 185001));
	m->promoted_slave = NULL;
	assert_false(decide_reconf_timed_out(&st, m, 185001));
	inst_free(m);
}

static void
test_failover_abort(void **state)
{
	struct sentinel_state	 st;
	struct instance		*m, *p, *r;

	(void)state;
	fo_state_init(&st, 1);
	m = reconf_master(1, 1, 1000);
	p = m->promoted_slave;
	r = m->replicas[1];
	m->flags |= INST_FORCE_FAILOVER | INST_O_DOWN | INST_S_DOWN;
	decide_failover_state(m, FO_WAIT_PROMOTION, 2000);
	assert_int_equal(m->failover_state, FO_WAIT_PROMOTION);
	assert_true(m->failover_state_change_time == 2000);
	p->flags |= INST_RECONF_SENT;
	r->flags |= INST_RECONF_SENT | INST_RECONF_INPROG | INST_RECONF_DONE |
	    INST_S_DOWN;
	m->failover_epoch = 9;

	decide_failover_abort(m);
	assert_int_equal(m->failover_state, FO_NONE);
	assert_null(m->promoted_slave);
	assert_int_equal(m->flags, INST_O_DOWN | INST_S_DOWN);
	assert_int_equal(p->flags, 0);
	assert_int_equal(r->flags, INST_S_DOWN);
	assert_true(m->failover_epoch == 9);

	/* Without a promoted replica. */
	m->flags |= INST_FAILOVER_IN_PROGRESS;
	decide_failover_state(m, FO_SELECT_SLAVE, 3000);
	decide_failover_abort(m);
	assert_int_equal(m->failover_state, FO_NONE);
	assert_false(m->flags & INST_FAILOVER_IN_PROGRESS);
	inst_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdown_pending_ping),
		cmocka_unit_test(test_sdown_inherits_down_after),
		cmocka_unit_test(test_sdown_disconnected),
		cmocka_unit_test(test_sdown_role_slave),
		cmocka_unit_test(test_sdown_reboot),
		cmocka_unit_test(test_sdown_script_kill),
		cmocka_unit_test(test_sdown_hung_server),
		cmocka_unit_test(test_odown_quorum2),
		cmocka_unit_test(test_odown_stale_votes),
		cmocka_unit_test(test_tilt),
		cmocka_unit_test(test_ping_cadence),
		cmocka_unit_test(test_info_cadence),
		cmocka_unit_test(test_hello_cadence),
		cmocka_unit_test(test_ask_cadence),
		cmocka_unit_test(test_valid_ping_reply),
		cmocka_unit_test(test_is_master_down_reply),
		cmocka_unit_test(test_vote_first_come),
		cmocka_unit_test(test_vote_epochs),
		cmocka_unit_test(test_leader_three),
		cmocka_unit_test(test_leader_five),
		cmocka_unit_test(test_failover_start),
		cmocka_unit_test(test_failover_start_forced),
		cmocka_unit_test(test_election_timeout),
		cmocka_unit_test(test_master_back),
		cmocka_unit_test(test_select_exclusions),
		cmocka_unit_test(test_select_order),
		cmocka_unit_test(test_reconf_parallel_1),
		cmocka_unit_test(test_reconf_parallel_2),
		cmocka_unit_test(test_reconf_sent_timeout),
		cmocka_unit_test(test_reconf_end),
		cmocka_unit_test(test_failover_abort),
		cmocka_unit_test(test_corrections),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_election_rank),
		cmocka_unit_test(test_election_start),
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
