/*
 * test_decide.c - the pure decision core: SDOWN, ODOWN, TILT and command
 * cadence, with instances built by hand and time stepped in ms.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
	m->flags &= ~INST_S_DOWN;
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
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
