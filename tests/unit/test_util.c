/*
 * test_util.c - strict number parsing, formatting and the byte buffer.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "util.h"

static void
test_parse_ll(void **state)
{
	static const struct { const char *s; int ok; long long v; } cases[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "-1", 1, -1 }, { "123456", 1, 123456 },
		{ "9223372036854775807", 1, LLONG_MAX },
		{ "-9223372036854775808", 1, LLONG_MIN },
		{ "9223372036854775808", 0, 0 }, { "-9223372036854775809", 0, 0 },
		{ "", 0, 0 }, { "-", 0, 0 }, { "+1", 0, 0 }, { "01", 0, 0 }, { "-0", 0, 0 },
		{ " 1", 0, 0 }, { "1 ", 0, 0 }, { "1a", 0, 0 }, { "0x10", 0, 0 },
		{ "99999999999999999999999", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long long v = 42;
		bool ok = util_parse_ll(cases[i].s, strlen(cases[i].s), &v);

		assert_int_equal(ok, cases[i].ok);
		if (ok)
			assert_true(v == cases[i].v);
	}
}

static void
test_parse_memory(void **state)
{
	long long v;

	(void)state;
	assert_true(util_parse_memory("100", &v) && v == 100);
	assert_true(util_parse_memory("1k", &v) && v == 1000);
	assert_true(util_parse_memory("1kb", &v) && v == 1024);
	assert_true(util_parse_memory("2MB", &v) && v == 2 * 1024 * 1024);
	assert_true(util_parse_memory("1g", &v) && v == 1000000000LL);
	assert_true(util_parse_memory("1gb", &v) && v == 1073741824LL);
	assert_false(util_parse_memory("1x", &v));
	assert_false(util_parse_memory("k", &v));
	assert_false(util_parse_memory("99999999999999gb", &v));
}

static void
test_parse_double(void **state)
{
	double d;

	(void)state;
	assert_true(util_parse_double("1.5", 3, &d) && d == 1.5);
	assert_true(util_parse_double("-inf", 4, &d) && isinf(d) && d < 0);
	assert_false(util_parse_double("nan", 3, &d));
	assert_false(util_parse_double("1.5x", 4, &d));
	assert_false(util_parse_double(" 1", 2, &d));
	assert_false(util_parse_double("", 0, &d));
}

static void
test_ll2str_roundtrip(void **state)
{
	char tmp[32];
	long long vals[] = { 0, 1, -1, 10, -10, 123456789, LLONG_MAX, LLONG_MIN };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		long long back;
		size_t n = util_ll2str(tmp, vals[i]);

		assert_int_equal(n, strlen(tmp));
		assert_true(util_parse_ll(tmp, n, &back));
		assert_true(back == vals[i]);
	}
}

static void
test_d2str(void **state)
{
	char tmp[64];

	(void)state;
	util_d2str(tmp, sizeof tmp, 1.5);
	assert_string_equal(tmp, "1.5");
	util_d2str(tmp, sizeof tmp, 0.1);
	assert_string_equal(tmp, "0.1");
	util_d2str(tmp, sizeof tmp, 3.0);
	assert_string_equal(tmp, "3");
	util_d2str(tmp, sizeof tmp, -INFINITY);
	assert_string_equal(tmp, "-inf");
}

static void
test_buf(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_appends(&b, "hello");
	buf_appendc(&b, ' ');
	buf_appendf(&b, "%d-%s", 42, "x");
	assert_string_equal(b.data, "hello 42-x");
	buf_consume(&b, 6);
	assert_string_equal(b.data, "42-x");
	assert_int_equal(b.len, 4);
	for (int i = 0; i < 10000; i++)
		buf_appendf(&b, "%05d", i);
	assert_int_equal(b.len, 4 + 50000);
	assert_memory_equal(b.data + 4 + 5 * 9999, "09999", 5);
	buf_consume(&b, b.len);
	assert_int_equal(b.len, 0);
	buf_shrink(&b, 16);
	assert_null(b.data);
	buf_free(&b);
}

static void
test_random_hex(void **state)
{
	char a[41], b[41];

	(void)state;
	util_random_hex(a, 40);
	util_random_hex(b, 40);
	assert_int_equal(strlen(a), 40);
	assert_int_equal(strspn(a, "0123456789abcdef"), 40);
	assert_string_not_equal(a, b);
}

static void
test_repr(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	util_repr(&b, "a\"b\n\x01", 5);
	assert_string_equal(b.data, "\"a\\\"b\\n\\x01\"");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ll),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_ll2str_roundtrip),
		cmocka_unit_test(test_d2str),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_repr),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
