/*
 * test_hmap.c - the hash table: lookups, removal during iteration, and
 * SCAN's promise that every key present for the whole scan is returned,
 * even when the table grows or shrinks between calls.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hmap.h"
#include "util.h"

static void
test_insert_find_unlink(void **state)
{
	struct hmap h;
	char key[32];
	bool created;

	(void)state;
	hmap_init(&h);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "key:%d", i);
		struct hmap_entry *e = hmap_insert(&h, key, (size_t)n, &created);

		assert_true(created);
		assert_int_equal(e->aux, -1);
		e->val = (void *)(intptr_t)(i + 1);
	}
	assert_int_equal(h.count, 5000);
	assert_non_null(hmap_insert(&h, "key:7", 5, &created));
	assert_false(created);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "key:%d", i);
		struct hmap_entry *e = hmap_find(&h, key, (size_t)n);

		assert_non_null(e);
		assert_int_equal((intptr_t)e->val, i + 1);
	}
	assert_null(hmap_find(&h, "key:5000", 8));
	/* Binary keys with NUL bytes are distinct keys. */
	hmap_insert(&h, "a\0b", 3, &created);
	assert_true(created);
	assert_null(hmap_find(&h, "a\0c", 3));
	for (int i = 0; i < 5000; i += 2) {
		int n = snprintf(key, sizeof key, "key:%d", i);

		hmap_entry_free(hmap_unlink(&h, key, (size_t)n));
	}
	assert_int_equal(h.count, 2501);
	assert_null(hmap_find(&h, "key:0", 5));
	assert_non_null(hmap_find(&h, "key:1", 5));
	hmap_shrink(&h);
	assert_non_null(hmap_find(&h, "key:4999", 8));
	hmap_clear(&h, NULL);
	assert_int_equal(h.count, 0);
}

static void
test_iter_remove(void **state)
{
	struct hmap h;
	struct hmap_iter it;
	struct hmap_entry *e;
	size_t seen = 0;

	(void)state;
	hmap_init(&h);
	for (int i = 0; i < 1000; i++) {
		char key[16];
		int n = snprintf(key, sizeof key, "%d", i);

		hmap_insert(&h, key, (size_t)n, NULL);
	}
	hmap_iter_init(&it, &h);
	while ((e = hmap_iter_next(&it)) != NULL) {
		seen++;
		hmap_entry_free(hmap_unlink(&h, e->key, e->klen));
	}
	assert_int_equal(seen, 1000);
	assert_int_equal(h.count, 0);
	hmap_clear(&h, NULL);
}

struct seen {
	unsigned char	*hits;
};

static void
mark(void *arg, struct hmap_entry *e)
{
	struct seen *s = arg;
	int i = atoi(e->key);

	s->hits[i]++;
}

/* Keys present from start to end are all returned, whatever the resizes. */
static void
test_scan_across_resize(void **state)
{
	struct hmap h;
	struct seen s;
	uint64_t cursor = 0;
	int steps = 0, next = 2000;

	(void)state;
	hmap_init(&h);
	s.hits = calloc(200000, 1);
	for (int i = 0; i < 2000; i++) {
		char key[16];
		int n = snprintf(key, sizeof key, "%d", i);

		hmap_insert(&h, key, (size_t)n, NULL);
	}
	do {
		cursor = hmap_scan(&h, cursor, mark, &s);
		steps++;
		/* Grow the table under the scan, then shrink it. */
		if (steps < 200) {
			for (int k = 0; k < 50; k++, next++) {
				char key[16];
				int n = snprintf(key, sizeof key, "%d", next);

				hmap_insert(&h, key, (size_t)n, NULL);
			}
		} else if (steps == 400) {
			for (int i = 2000; i < next; i++) {
				char key[16];
				int n = snprintf(key, sizeof key, "%d", i);

				hmap_entry_free(hmap_unlink(&h, key, (size_t)n));
			}
			hmap_shrink(&h);
		}
	} while (cursor != 0);
	for (int i = 0; i < 2000; i++)
		assert_true(s.hits[i] >= 1);
	free(s.hits);
	hmap_clear(&h, NULL);
}

static void
test_random(void **state)
{
	struct hmap h;
	int counts[4] = { 0 };

	(void)state;
	hmap_init(&h);
	assert_null(hmap_random(&h));
	for (int i = 0; i < 4; i++) {
		char key[4];
		int n = snprintf(key, sizeof key, "%d", i);

		hmap_insert(&h, key, (size_t)n, NULL);
	}
	for (int i = 0; i < 4000; i++)
		counts[atoi(hmap_random(&h)->key)]++;
	for (int i = 0; i < 4; i++)
		assert_true(counts[i] > 200);
	hmap_clear(&h, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_unlink),
		cmocka_unit_test(test_iter_remove),
		cmocka_unit_test(test_scan_across_resize),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests_name("hmap", tests, NULL, NULL);
}
