/*
 * test_hello.c - __sentinel__:hello payloads: the round trip, a payload
 * seen on the wire from Redis 7.0.15, and every rejection rule.
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

#include "buf.h"
#include "hello.h"
#include "util.h"

#define RID	"adf4c41a0123456789abcdef0123456789ab5d58"

/* Parses a C string. */
static int
parse(const char *s, struct hello *h)
{
	return hello_parse(s, strlen(s), h);
}

/* A hello with every field set, for the round trips. */
static void
fill(struct hello *h)
{
	memset(h, 0, sizeof *h);
	strcpy(h->ip, "127.0.0.1");
	h->port = 26379;
	strcpy(h->runid, RID);
	h->current_epoch = 2;
	strcpy(h->master_name, "mymaster");
	strcpy(h->master_ip, "127.0.0.1");
	h->master_port = 52002;
	h->master_config_epoch = 2;
}

/* Formats then parses, expecting the same struct back. */
static void
roundtrip(const struct hello *h, const char *want)
{
	struct buf	b = BUF_INIT;
	struct hello	back;

	hello_format(&b, h);
	if (want != NULL)
		assert_string_equal(b.data, want);
	assert_int_equal(hello_parse(b.data, b.len, &back), 0);
	assert_string_equal(back.ip, h->ip);
	assert_int_equal(back.port, h->port);
	assert_string_equal(back.runid, h->runid);
	assert_true(back.current_epoch == h->current_epoch);
	assert_string_equal(back.master_name, h->master_name);
	assert_string_equal(back.master_ip, h->master_ip);
	assert_int_equal(back.master_port, h->master_port);
	assert_true(back.master_config_epoch == h->master_config_epoch);
	buf_free(&b);
}

static void
test_format(void **state)
{
	struct hello	h;
	struct buf	b = BUF_INIT;

	(void)state;
	fill(&h);
	roundtrip(&h, "127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002,2");

	/* Extremes of every number; IPv6 and hostnames. */
	strcpy(h.ip, "::1");
	h.port = 0;
	h.current_epoch = UINT64_MAX;
	strcpy(h.master_name, "");
	strcpy(h.master_ip, "fe80::1%eth0");
	h.master_port = 65535;
	h.master_config_epoch = 0;
	roundtrip(&h, "::1,0," RID ",18446744073709551615,,fe80::1%eth0,"
	    "65535,0");
	strcpy(h.ip, "sentinel-1.example.com");
	strcpy(h.master_name, "name with spaces:and\x01" "bytes");
	roundtrip(&h, NULL);

	/* Longest fields that are still accepted. */
	memset(h.ip, 'i', HELLO_IP_MAX);
	h.ip[HELLO_IP_MAX] = '\0';
	memset(h.master_ip, 'm', HELLO_IP_MAX);
	h.master_ip[HELLO_IP_MAX] = '\0';
	memset(h.master_name, 'n', HELLO_NAME_MAX);
	h.master_name[HELLO_NAME_MAX] = '\0';
	roundtrip(&h, NULL);

	/* hello_format appends. */
	fill(&h);
	buf_appends(&b, "x:");
	hello_format(&b, &h);
	assert_string_equal(b.data,
	    "x:127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002,2");
	buf_free(&b);

	/* A comma in the name gives a payload nobody (Redis neither) accepts. */
	strcpy(h.master_name, "my,master");
	hello_format(&b, &h);
	assert_int_equal(hello_parse(b.data, b.len, &h), -1);
	buf_free(&b);
}

/* The payload captured on the wire in redis-sentinel.md 4.4. */
static void
test_parse_observed(void **state)
{
	struct hello	h;

	(void)state;
	assert_int_equal(parse("127.0.0.1,52101," RID ",2,mymaster,127.0.0.1,"
	    "52003,1", &h), 0);
	assert_string_equal(h.ip, "127.0.0.1");
	assert_int_equal(h.port, 52101);
	assert_string_equal(h.runid, RID);
	assert_true(h.current_epoch == 2);
	assert_string_equal(h.master_name, "mymaster");
	assert_string_equal(h.master_ip, "127.0.0.1");
	assert_int_equal(h.master_port, 52003);
	assert_true(h.master_config_epoch == 1);
}

/* Field count: exactly 8, counted like sdssplitlen. */
static void
test_reject_count(void **state)
{
	static const char *bad[] = {
		"",
		",",
		",,,,,,,",
		"127.0.0.1",
		"127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002",
		"127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002,2,",
		"127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002,2,extra",
		"127.0.0.1,26379," RID ",2,my,master,127.0.0.1,52002,2",
		",127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,52002,2",
		",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
	};
	struct hello	h;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&h, 0x55, sizeof h);
		assert_int_equal(parse(bad[i], &h), -1);
		/* Nothing half-filled is left behind. */
		assert_string_equal(h.ip, "");
		assert_int_equal(h.port, 0);
	}
	assert_int_equal(hello_parse(NULL, 0, &h), -1);
}

/* Each field's own rules, one broken at a time. */
static void
test_reject_fields(void **state)
{
	static const struct {
		const char	*msg;
		int		 ok;
	} cases[] = {
		/* ip */
		{ "," "26379," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4 ,26379," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4\x7f,26379," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4\xc3\xa9,26379," RID ",2,m,1.2.3.4,6379,2", 0 },
		/* port */
		{ "1.2.3.4,," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,-1," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,65536," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,+1," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,01," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1x," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4, 1," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,99999999999999999999," RID ",2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,65535," RID ",2,m,1.2.3.4,6379,2", 1 },
		{ "1.2.3.4,0," RID ",2,m,1.2.3.4,6379,2", 1 },
		/* runid */
		{ "1.2.3.4,1,,2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1,abc,2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID "0,2,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1,adf4c41a0123456789abcdef0123456789ab5d5,2,m,"
		  "1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1,adf4c41a0123456789abcdef 123456789ab5d58,2,m,"
		  "1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1,adf4c41a0123456789abcdef\xff" "123456789ab5d58,2,m,"
		  "1.2.3.4,6379,2", 0 },
		/* current epoch */
		{ "1.2.3.4,1," RID ",,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID ",-1,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID ",18446744073709551616,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID ",18446744073709551615,m,1.2.3.4,6379,2", 1 },
		{ "1.2.3.4,1," RID ",2x,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID ",02,m,1.2.3.4,6379,2", 0 },
		{ "1.2.3.4,1," RID ",0x10,m,1.2.3.4,6379,2", 0 },
		/* master name: anything but a comma or NUL, empty included */
		{ "1.2.3.4,1," RID ",2,,1.2.3.4,6379,2", 1 },
		{ "1.2.3.4,1," RID ",2,a b\tc,1.2.3.4,6379,2", 1 },
		/* master ip */
		{ "1.2.3.4,1," RID ",2,m,,6379,2", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4\n,6379,2", 0 },
		/* master port */
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,,2", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,70000,2", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,-6379,2", 0 },
		/* master config epoch */
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,6379,", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,6379,-2", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,6379,2\r\n", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,6379, 2", 0 },
		{ "1.2.3.4,1," RID ",2,m,1.2.3.4,6379,0", 1 },
	};
	struct hello	h;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = parse(cases[i].msg, &h);

		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("case %zu: %s gave %d", i, cases[i].msg, rc);
	}
}

/* Overlong fields, NUL bytes, and lengths that do not end at a NUL. */
static void
test_reject_lengths(void **state)
{
	static const char	withnul[] = "1.2.3.4,1," RID ",2,m\0x,1.2.3.4,6379,2";
	struct hello		h;
	struct buf		b = BUF_INIT;
	char			big[HELLO_NAME_MAX + 2];

	(void)state;
	/* ip: 256 bytes */
	memset(big, 'a', HELLO_IP_MAX + 1);
	big[HELLO_IP_MAX + 1] = '\0';
	buf_appendf(&b, "%s,1," RID ",2,m,1.2.3.4,6379,2", big);
	assert_int_equal(hello_parse(b.data, b.len, &h), -1);
	buf_clear(&b);
	buf_appendf(&b, "1.2.3.4,1," RID ",2,m,%s,6379,2", big);
	assert_int_equal(hello_parse(b.data, b.len, &h), -1);
	buf_clear(&b);
	big[HELLO_IP_MAX] = '\0';
	buf_appendf(&b, "%s,1," RID ",2,m,%s,6379,2", big, big);
	assert_int_equal(hello_parse(b.data, b.len, &h), 0);
	assert_int_equal(strlen(h.ip), HELLO_IP_MAX);
	buf_clear(&b);

	/* master name: 1025 bytes */
	memset(big, 'n', HELLO_NAME_MAX + 1);
	big[HELLO_NAME_MAX + 1] = '\0';
	buf_appendf(&b, "1.2.3.4,1," RID ",2,%s,1.2.3.4,6379,2", big);
	assert_int_equal(hello_parse(b.data, b.len, &h), -1);
	buf_clear(&b);

	/* A huge message with a huge field. */
	buf_appends(&b, "1.2.3.4,1," RID ",2,");
	for (int i = 0; i < 1000000; i++)
		buf_appendc(&b, 'n');
	buf_appends(&b, ",1.2.3.4,6379,2");
	assert_int_equal(hello_parse(b.data, b.len, &h), -1);
	buf_free(&b);

	/* A NUL anywhere: the name would be cut, so refuse. */
	assert_int_equal(hello_parse(withnul, sizeof withnul - 1, &h), -1);

	/* Only len bytes are read. */
	assert_int_equal(hello_parse("1.2.3.4,1," RID ",2,m,1.2.3.4,6379,25",
	    strlen("1.2.3.4,1," RID ",2,m,1.2.3.4,6379,2"), &h), 0);
	assert_true(h.master_config_epoch == 2);
}

/* Every prefix of a good payload, in an exact-size heap copy. */
static void
test_prefixes(void **state)
{
	const char	*msg = "127.0.0.1,26379," RID ",2,mymaster,127.0.0.1,"
	    "52002,2";
	size_t		 len = strlen(msg);
	struct hello	 h;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char	*copy = xmemdup(msg, n);
		int	 rc = hello_parse(copy, n, &h);

		/* Only the whole has 8 fields with a non-empty last one. */
		assert_int_equal(rc, n == len ? 0 : -1);
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_observed),
		cmocka_unit_test(test_reject_count),
		cmocka_unit_test(test_reject_fields),
		cmocka_unit_test(test_reject_lengths),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests_name("hello", tests, NULL, NULL);
}
