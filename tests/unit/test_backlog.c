/*
 * test_backlog.c - the replication backlog ring, checked against a plain
 * reference copy of the whole stream: every offset in and around the window
 * must be refused or answered with exactly the bytes the stream had there,
 * across wrap-around, oversized appends, resizes and resets.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backlog.h"
#include "buf.h"
#include "util.h"

/* The stream as a replica would have seen it since the last reset. */
struct model {
	struct buf	 data;	/* data.data[k] has offset base + 1 + k */
	long long	 base;
	size_t		 size;
	size_t		 hist;	/* how many of the newest bytes the ring holds */
};

static uint32_t	 rng_state;

/* A small PRNG of our own, so a printed seed replays on any libc. */
static uint32_t
rng_next(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* A number in [0, n), 0 when n is 0. */
static size_t
rng_below(size_t n)
{
	return n == 0 ? 0 : rng_next() % n;
}

/* A byte that depends on its offset, so misplaced bytes do not compare equal. */
static char
pattern(long long off)
{
	unsigned long long u = (unsigned long long)off;

	return (char)(((u * 2654435761u) >> 7) ^ u);
}

/* Start a backlog and its reference at the same offset. */
static void
model_init(struct model *m, struct backlog *b, size_t size, long long end)
{
	backlog_init(b, size, end);
	buf_init(&m->data);
	m->base = end;
	m->size = size;
	m->hist = 0;
}

/* Tear down both. */
static void
model_free(struct model *m, struct backlog *b)
{
	backlog_free(b);
	buf_free(&m->data);
}

/* The offset of the last byte the reference has seen. */
static long long
model_end(const struct model *m)
{
	return m->base + (long long)m->data.len;
}

/* Append to both; the ring keeps at most size of the newest bytes. */
static void
model_append(struct model *m, struct backlog *b, const char *p, size_t n)
{
	backlog_append(b, p, n);
	buf_append(&m->data, p, n);
	m->hist += n;
	if (m->hist > m->size)
		m->hist = m->size;
}

/* Append n bytes of the offset-dependent pattern. */
static void
model_append_pattern(struct model *m, struct backlog *b, size_t n)
{
	char *p = xmalloc(n);
	long long off = model_end(m) + 1;

	for (size_t i = 0; i < n; i++)
		p[i] = pattern(off + (long long)i);
	model_append(m, b, p, n);
	free(p);
}

/* Resize the ring; the reference only forgets what no longer fits. */
static void
model_resize(struct model *m, struct backlog *b, size_t size)
{
	backlog_resize(b, size);
	m->size = size;
	if (m->hist > size)
		m->hist = size;
}

/* A full sync: both forget everything and jump to end. */
static void
model_reset(struct model *m, struct backlog *b, long long end)
{
	backlog_reset(b, end);
	buf_clear(&m->data);
	m->base = end;
	m->hist = 0;
}

/*
 * Ask the backlog about every offset from a few before its window to a few
 * after it and compare with the reference stream.
 */
static void
check(const struct model *m, const struct backlog *b)
{
	long long end = model_end(m);
	long long first = end - (long long)m->hist + 1;
	struct buf out;

	assert_int_equal(b->end, end);
	assert_int_equal(b->size, m->size);
	assert_int_equal(b->histlen, m->hist);
	assert_int_equal(backlog_first(b), first);
	buf_init(&out);
	for (long long from = first - 3; from <= end + 3; from++) {
		bool in = from >= first && from <= end + 1;
		size_t want = in ? (size_t)(end - from + 1) : 0;
		size_t got;

		assert_int_equal(backlog_has(b, from), in);
		buf_clear(&out);
		buf_appendc(&out, '>');
		got = backlog_copy_from(b, from, &out);
		assert_int_equal(got, want);
		assert_int_equal(out.len, 1 + want);
		assert_int_equal(out.data[0], '>');
		if (want > 0)
			assert_memory_equal(out.data + 1,
			    m->data.data + (from - m->base - 1), want);
	}
	buf_free(&out);
}

/* Odd-sized appends going round small rings many times. */
static void
test_wraparound(void **state)
{
	static const size_t sizes[] = { 1, 2, 7, 16, 17, 64 };
	static const size_t steps[] = { 1, 3, 5, 2, 7, 11, 13, 4, 9 };
	struct backlog b;
	struct model m;

	(void)state;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		model_init(&m, &b, sizes[s], 1000);
		check(&m, &b);
		for (int i = 0; i < 300; i++) {
			model_append_pattern(&m, &b,
			    steps[i % (sizeof steps / sizeof steps[0])]);
			check(&m, &b);
		}
		model_free(&m, &b);
	}
}

/* The exact boundaries of the window, including an empty one. */
static void
test_edges(void **state)
{
	struct backlog b;
	struct buf out;
	char data[25];

	(void)state;
	buf_init(&out);
	backlog_init(&b, 10, 0);
	assert_int_equal(backlog_first(&b), 1);
	assert_false(backlog_has(&b, 0));
	assert_true(backlog_has(&b, 1));
	assert_false(backlog_has(&b, 2));
	assert_int_equal(backlog_copy_from(&b, 1, &out), 0);
	assert_int_equal(out.len, 0);

	for (int i = 0; i < 25; i++)
		data[i] = (char)('a' + i);
	backlog_append(&b, data, 25);		/* holds offsets 16..25 */
	assert_int_equal(b.end, 25);
	assert_int_equal(backlog_first(&b), 16);
	assert_false(backlog_has(&b, 15));
	assert_true(backlog_has(&b, 16));
	assert_true(backlog_has(&b, 25));
	assert_true(backlog_has(&b, 26));
	assert_false(backlog_has(&b, 27));

	assert_int_equal(backlog_copy_from(&b, 15, &out), 0);
	assert_int_equal(backlog_copy_from(&b, 27, &out), 0);
	assert_int_equal(backlog_copy_from(&b, 26, &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(backlog_copy_from(&b, 16, &out), 10);
	assert_memory_equal(out.data, "pqrstuvwxy", 10);
	buf_clear(&out);
	assert_int_equal(backlog_copy_from(&b, 25, &out), 1);
	assert_memory_equal(out.data, "y", 1);
	backlog_free(&b);

	/* A zero-sized backlog only tracks the offset. */
	backlog_init(&b, 0, 41);
	backlog_append(&b, data, 5);
	assert_int_equal(b.end, 46);
	assert_int_equal(backlog_first(&b), 47);
	assert_false(backlog_has(&b, 46));
	assert_true(backlog_has(&b, 47));
	assert_false(backlog_has(&b, 48));
	backlog_free(&b);
	buf_free(&out);
}

/* One append bigger than the whole ring, before and after wrapping. */
static void
test_big_append(void **state)
{
	struct backlog b;
	struct model m;

	(void)state;
	model_init(&m, &b, 8, 0);
	model_append_pattern(&m, &b, 3);
	model_append_pattern(&m, &b, 100);
	check(&m, &b);
	assert_int_equal(b.end, 103);
	assert_int_equal(backlog_first(&b), 96);
	model_append_pattern(&m, &b, 5);
	check(&m, &b);
	model_append_pattern(&m, &b, 8);	/* exactly the size */
	check(&m, &b);
	model_append_pattern(&m, &b, 3);
	check(&m, &b);
	model_append_pattern(&m, &b, 9);
	check(&m, &b);
	model_free(&m, &b);
}

/* Growing and shrinking while the ring has wrapped. */
static void
test_resize(void **state)
{
	struct backlog b;
	struct model m;

	(void)state;
	model_init(&m, &b, 10, 500);
	model_append_pattern(&m, &b, 7);
	model_append_pattern(&m, &b, 7);	/* wrapped, idx 4 */
	check(&m, &b);
	model_resize(&m, &b, 32);		/* bigger: keeps all 10 */
	check(&m, &b);
	model_append_pattern(&m, &b, 15);
	check(&m, &b);
	model_append_pattern(&m, &b, 15);	/* wrap in the new size */
	check(&m, &b);
	model_resize(&m, &b, 12);		/* smaller than histlen */
	check(&m, &b);
	model_append_pattern(&m, &b, 5);
	check(&m, &b);
	model_resize(&m, &b, 12);		/* same size: no change */
	check(&m, &b);
	model_reset(&m, &b, 900);
	model_append_pattern(&m, &b, 3);
	model_resize(&m, &b, 6);		/* smaller, but bigger than histlen */
	check(&m, &b);
	model_append_pattern(&m, &b, 4);
	check(&m, &b);
	model_resize(&m, &b, 0);		/* drops everything */
	check(&m, &b);
	model_append_pattern(&m, &b, 4);
	check(&m, &b);
	model_resize(&m, &b, 5);
	check(&m, &b);
	model_append_pattern(&m, &b, 7);
	check(&m, &b);
	model_free(&m, &b);
}

/* After a full sync the old history must be unreachable. */
static void
test_reset(void **state)
{
	struct backlog b;
	struct model m;

	(void)state;
	model_init(&m, &b, 16, 0);
	model_append_pattern(&m, &b, 40);
	check(&m, &b);
	model_reset(&m, &b, 5000);
	check(&m, &b);
	assert_int_equal(backlog_first(&b), 5001);
	assert_false(backlog_has(&b, 40));
	assert_false(backlog_has(&b, 5000));
	assert_true(backlog_has(&b, 5001));
	model_append_pattern(&m, &b, 11);
	check(&m, &b);
	model_append_pattern(&m, &b, 11);
	check(&m, &b);
	model_reset(&m, &b, 10);		/* offsets may go backwards */
	check(&m, &b);
	model_append_pattern(&m, &b, 20);
	check(&m, &b);
	model_free(&m, &b);
}

/* Thousands of random operations against the reference stream. */
static void
test_random(void **state)
{
	struct backlog b;
	struct model m;
	const char *env = getenv("BACKLOG_SEED");
	uint32_t seed;
	char data[256];

	(void)state;
	if (env != NULL)
		seed = (uint32_t)strtoul(env, NULL, 10);
	else
		seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	if (seed == 0)
		seed = 1;
	printf("# backlog random seed %u (set BACKLOG_SEED to replay)\n", seed);
	fflush(stdout);
	rng_state = seed;

	model_init(&m, &b, 1 + rng_below(64), (long long)rng_below(100000));
	for (int op = 0; op < 20000; op++) {
		size_t r = rng_below(100);

		if (r < 75) {
			size_t n = rng_below(2 * m.size + 4);

			if (n > sizeof data)
				n = sizeof data;
			for (size_t i = 0; i < n; i++)
				data[i] = (char)rng_next();
			model_append(&m, &b, data, n);
		} else if (r < 90)
			model_resize(&m, &b, rng_below(10) == 0 ? 0 :
			    1 + rng_below(64));
		else if (r < 93)
			model_reset(&m, &b, (long long)rng_below(1000000));
		/* else: nothing changes, the check below must still hold */
		check(&m, &b);
	}
	model_free(&m, &b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_big_append),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests_name("backlog", tests, NULL, NULL);
}
