/*
 * test_info.c - INFO digestion: real replies captured from redis-server
 * 7.0.15 and sentinel-kv in both roles, then hostile ones.
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

#include <cmocka.h>

#include "buf.h"
#include "info.h"
#include "util.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "tests"
#endif

/* Reads a sample under unit/data/info/ whole. */
static char *
read_sample(const char *name, size_t *len)
{
	char	 path[1024];
	FILE	*f;
	char	*p;
	long	 n;

	snprintf(path, sizeof path, "%s/unit/data/info/%s", TEST_SRCDIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	p = xmalloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Parses a C string. */
static void
parse_str(const char *s, struct info_report *r)
{
	assert_int_equal(info_parse(s, strlen(s), r), 0);
}

struct expect_replica {
	const char	*ip;
	int		 port;
	long long	 offset;
};

struct sample {
	const char	*file;
	const char	*run_id;
	enum info_role	 role;
	const char	*master_host;
	int		 master_port;
	int		 link_up;
	long long	 down_since;
	int		 priority;
	long long	 repl_offset;
	int		 announced;
	size_t		 nreplicas;
	struct expect_replica replicas[2];
};

/*
 * What each captured reply says (checked by hand against the files). The
 * "-never" samples are replicas whose master port never answered; Redis
 * says master_link_down_since_seconds:-1 there, and so does sentinel-kv
 * (its slave_repl_offset is 0 where Redis says 1): the parser reports them.
 */
static const struct sample samples[] = {
	{ "redis-7.0.15-master.txt", "fe77fba071595d344a26c4558b9b9a254d77a90e",
	  INFO_ROLE_MASTER, "", 0, 0, 0, 100, 0, 1, 2,
	  { { "127.0.0.1", 25503, 64 }, { "127.0.0.1", 25504, 64 } } },
	{ "redis-7.0.15-replica.txt", "45c9b1e0c41355e773470013502eae17a429df09",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25502, 1, 0, 99, 64, 1, 0, { { 0 } } },
	{ "redis-7.0.15-replica-linkdown.txt",
	  "45c9b1e0c41355e773470013502eae17a429df09",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25502, 0, 3, 99, 64, 1, 0, { { 0 } } },
	{ "redis-7.0.15-replica-never.txt",
	  "ad096e80f2cc371791be88e27bd0f55e7204a888",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25511, 0, -1, 100, 1, 0, 0, { { 0 } } },
	{ "sentinel-kv-master.txt", "40ab4f6d417cd4f229464c192adfa5fa80318e37",
	  INFO_ROLE_MASTER, "", 0, 0, 0, 100, 0, 1, 2,
	  { { "127.0.0.1", 25604, 64 }, { "127.0.0.1", 25603, 64 } } },
	{ "sentinel-kv-replica.txt", "3221ab4192cdba141f27e6022326f450a2cf3677",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25602, 1, 0, 99, 64, 1, 0, { { 0 } } },
	{ "sentinel-kv-replica-linkdown.txt",
	  "3221ab4192cdba141f27e6022326f450a2cf3677",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25602, 0, 3, 99, 64, 1, 0, { { 0 } } },
	{ "sentinel-kv-replica-never.txt",
	  "3a5c979b420998865751c7d3398fd070bdd80df0",
	  INFO_ROLE_SLAVE, "127.0.0.1", 25611, 0, -1, 100, 0, 0, 0, { { 0 } } },
};

/* Checks one parsed sample against its expectations. */
static void
check_sample(const struct sample *s, const struct info_report *r)
{
	assert_string_equal(r->run_id, s->run_id);
	assert_int_equal(r->role, s->role);
	assert_string_equal(r->master_host, s->master_host);
	assert_int_equal(r->master_port, s->master_port);
	assert_int_equal(r->master_link_up, s->link_up);
	assert_true(r->master_link_down_since_seconds == s->down_since);
	assert_int_equal(r->slave_priority, s->priority);
	assert_true(r->slave_repl_offset == s->repl_offset);
	assert_int_equal(r->replica_announced, s->announced);
	assert_int_equal(r->nreplicas, s->nreplicas);
	assert_int_equal(r->nskipped, 0);
	assert_int_equal(r->ndropped, 0);
	for (size_t i = 0; i < s->nreplicas; i++) {
		assert_string_equal(r->replicas[i].ip, s->replicas[i].ip);
		assert_int_equal(r->replicas[i].port, s->replicas[i].port);
		assert_string_equal(r->replicas[i].state, "online");
		assert_true(r->replicas[i].offset == s->replicas[i].offset);
		assert_true(r->replicas[i].lag == 0);
	}
}

static void
test_real_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		struct info_report	 r;
		char			 v[64];
		size_t			 len;
		char			*text = read_sample(samples[i].file, &len);

		print_message("# %s\n", samples[i].file);
		assert_non_null(strstr(text, "\r\n"));
		assert_int_equal(info_parse(text, len, &r), 0);
		check_sample(&samples[i], &r);
		info_report_free(&r);

		/* info_field agrees with the parser. */
		assert_true(info_field(text, len, "run_id", v, sizeof v));
		assert_string_equal(v, samples[i].run_id);
		assert_true(info_field(text, len, "redis_version", v, sizeof v));
		assert_string_equal(v, "7.0.15");
		assert_true(info_field(text, len, "role", v, sizeof v));
		assert_string_equal(v, samples[i].role == INFO_ROLE_MASTER ?
		    "master" : "slave");
		free(text);
	}
}

/* Every prefix of a real reply parses without harm (ASan watches). */
static void
test_truncated_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		size_t	 len;
		char	*text = read_sample(samples[i].file, &len);

		for (size_t n = 0; n <= len; n++) {
			struct info_report	r;
			char			*copy = xmemdup(text, n);

			/* An exact-size heap copy so overreads are caught. */
			assert_int_equal(info_parse(copy, n, &r), 0);
			assert_true(r.nreplicas <= samples[i].nreplicas);
			info_report_free(&r);
			free(copy);
		}
		free(text);
	}
}

/* Redis only splits on "\r\n": an LF-only reply yields nothing. */
static void
test_no_crlf(void **state)
{
	struct info_report	 r;
	size_t			 len, j = 0;
	char			*text = read_sample("redis-7.0.15-replica.txt", &len);
	char			*lf = xmalloc(len + 1);

	(void)state;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			lf[j++] = text[i];
	assert_int_equal(info_parse(lf, j, &r), 0);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	assert_string_equal(r.run_id, "");
	assert_string_equal(r.master_host, "");
	info_report_free(&r);

	/* A lone \r does not end a line either. */
	parse_str("role:slave\rmaster_host:1.2.3.4\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	info_report_free(&r);

	/* The last line needs no terminator; a trailing \r stays in it. */
	parse_str("role:slave\r\nmaster_port:6379", &r);
	assert_int_equal(r.master_port, 6379);
	info_report_free(&r);
	parse_str("role:slave\r\nmaster_port:6379\r", &r);
	assert_int_equal(r.master_port, 0);
	info_report_free(&r);
	free(lf);
	free(text);
}

static void
test_empty_and_null(void **state)
{
	struct info_report	r;

	(void)state;
	assert_int_equal(info_parse(NULL, 10, &r), -1);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	assert_int_equal(info_parse("", 0, &r), 0);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	assert_string_equal(r.run_id, "");
	assert_int_equal(r.slave_priority, 100);
	assert_true(r.replica_announced);
	assert_true(r.master_link_down_since_seconds == 0);
	assert_null(r.replicas);
	info_report_free(&r);
	parse_str("\r\n\r\n# Replication\r\n\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	info_report_free(&r);
}

/* A NUL ends the reply, as strlen() does in Redis. */
static void
test_nul_cuts(void **state)
{
	static const char	text[] = "role:slave\r\nmaster_port:1\r\n\0"
	    "master_port:2\r\n";
	struct info_report	r;
	char			v[8];

	(void)state;
	assert_int_equal(info_parse(text, sizeof text - 1, &r), 0);
	assert_int_equal(r.role, INFO_ROLE_SLAVE);
	assert_int_equal(r.master_port, 1);
	info_report_free(&r);
	assert_true(info_field(text, sizeof text - 1, "master_port", v, sizeof v));
	assert_string_equal(v, "1");
}

static void
test_run_id(void **state)
{
	struct info_report	r;
	const char		*id = "0123456789abcdef0123456789abcdef01234567";
	char			 text[256];

	(void)state;
	snprintf(text, sizeof text, "run_id:%s\r\n", id);
	parse_str(text, &r);
	assert_string_equal(r.run_id, id);
	/* Only the first 40 count, as in Redis. */
	snprintf(text, sizeof text, "run_id:%sXYZ\r\n", id);
	parse_str(text, &r);
	assert_string_equal(r.run_id, id);
	/* Too short, spaces, control bytes, high bytes: ignored. */
	parse_str("run_id:0123\r\n", &r);
	assert_string_equal(r.run_id, "");
	parse_str("run_id:0123456789abcdef0123456789 bcdef01234567\r\n", &r);
	assert_string_equal(r.run_id, "");
	parse_str("run_id:0123456789abcdef0123456789\x01""bcdef01234567\r\n", &r);
	assert_string_equal(r.run_id, "");
	parse_str("run_id:0123456789abcdef0123456789\xff""bcdef01234567\r\n", &r);
	assert_string_equal(r.run_id, "");
	/* The last good one wins. */
	snprintf(text, sizeof text,
	    "run_id:%s\r\nrun_id:%s\r\nrun_id:bad\r\n", id,
	    "ffffffffffffffffffffffffffffffffffffffff");
	parse_str(text, &r);
	assert_string_equal(r.run_id, "ffffffffffffffffffffffffffffffffffffffff");
}

/* master_replid and master_replid2: 40 printable characters; forty zeros is none. */
static void
test_replid(void **state)
{
	struct info_report	r;

	(void)state;
	parse_str("master_replid:0123456789abcdef0123456789abcdef01234567\r\n"
	    "master_replid2:fedcba9876543210fedcba9876543210fedcba98\r\n", &r);
	assert_string_equal(r.replid, "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(r.replid2, "fedcba9876543210fedcba9876543210fedcba98");
	parse_str("master_replid:0123\r\n"
	    "master_replid2:0000000000000000000000000000000000000000\r\n", &r);
	assert_string_equal(r.replid, "");
	assert_string_equal(r.replid2, "");
	info_report_free(&r);
}

static void
test_role(void **state)
{
	struct info_report	r;

	(void)state;
	parse_str("role:master\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_MASTER);
	parse_str("role:slave\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_SLAVE);
	parse_str("role:sentinel\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	parse_str("role:masterx\r\nrole:SLAVE\r\nrole:\r\nrole\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_UNKNOWN);
	/* Repeated: the last usable one; an unknown value changes nothing. */
	parse_str("role:slave\r\nrole:master\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_MASTER);
	parse_str("role:slave\r\nrole:sentinel\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_SLAVE);
}

/* Replica fields only count after role:slave, as in Redis's loop. */
static void
test_replica_fields(void **state)
{
	struct info_report	r;

	(void)state;
	parse_str("master_host:9.9.9.9\r\nmaster_port:1\r\n"
	    "master_link_status:up\r\nslave_priority:5\r\n"
	    "slave_repl_offset:7\r\nreplica_announced:0\r\nrole:slave\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_SLAVE);
	assert_string_equal(r.master_host, "");
	assert_int_equal(r.master_port, 0);
	assert_false(r.master_link_up);
	assert_int_equal(r.slave_priority, 100);
	assert_true(r.slave_repl_offset == 0);
	assert_true(r.replica_announced);

	parse_str("role:slave\r\nmaster_host:::1\r\nmaster_port:65535\r\n"
	    "master_link_status:UP\r\nslave_priority:0\r\n"
	    "slave_repl_offset:123456789012\r\nreplica_announced:0\r\n", &r);
	assert_string_equal(r.master_host, "::1");
	assert_int_equal(r.master_port, 65535);
	assert_true(r.master_link_up);
	assert_int_equal(r.slave_priority, 0);
	assert_true(r.slave_repl_offset == 123456789012LL);
	assert_false(r.replica_announced);

	/* After role:master they are ignored again. */
	parse_str("role:slave\r\nmaster_port:10\r\nrole:master\r\n"
	    "master_port:20\r\n", &r);
	assert_int_equal(r.role, INFO_ROLE_MASTER);
	assert_int_equal(r.master_port, 10);

	/* Hostnames are kept (resolve-hostnames / announce-hostnames). */
	parse_str("role:slave\r\nmaster_host:redis-1.example.com\r\n", &r);
	assert_string_equal(r.master_host, "redis-1.example.com");
}

/* Garbage in numeric and string fields. */
static void
test_bad_values(void **state)
{
	struct info_report	r;
	struct buf		b = BUF_INIT;

	(void)state;
	parse_str("role:slave\r\nmaster_port:-1\r\n", &r);
	assert_int_equal(r.master_port, 0);
	parse_str("role:slave\r\nmaster_port:6379\r\nmaster_port:65536\r\n", &r);
	assert_int_equal(r.master_port, 0);
	parse_str("role:slave\r\nmaster_port: 6379\r\n", &r);
	assert_int_equal(r.master_port, 0);
	parse_str("role:slave\r\nmaster_port:6379abc\r\n", &r);
	assert_int_equal(r.master_port, 0);
	parse_str("role:slave\r\nmaster_link_status:upx\r\n", &r);
	assert_false(r.master_link_up);
	parse_str("role:slave\r\nmaster_link_status:up\r\n"
	    "master_link_status:down\r\n", &r);
	assert_false(r.master_link_up);
	parse_str("role:slave\r\nslave_priority:abc\r\n", &r);
	assert_int_equal(r.slave_priority, 0);
	parse_str("role:slave\r\nslave_priority:99999999999\r\n", &r);
	assert_int_equal(r.slave_priority, 0);
	parse_str("role:slave\r\nslave_priority:-5\r\n", &r);
	assert_int_equal(r.slave_priority, -5);
	parse_str("role:slave\r\nslave_repl_offset:1x\r\n", &r);
	assert_true(r.slave_repl_offset == 0);
	parse_str("role:slave\r\nreplica_announced:yes\r\n", &r);
	assert_false(r.replica_announced);
	parse_str("role:slave\r\nreplica_announced:2\r\n", &r);
	assert_true(r.replica_announced);

	/* master_link_down_since_seconds: any role, clamped, garbage is 0. */
	parse_str("master_link_down_since_seconds:-1\r\n", &r);
	assert_true(r.master_link_down_since_seconds == -1);
	parse_str("master_link_down_since_seconds:9223372036854775807\r\n", &r);
	assert_true(r.master_link_down_since_seconds == LLONG_MAX / 1000);
	assert_true(r.master_link_down_since_seconds * 1000 > 0);
	parse_str("master_link_down_since_seconds:-9223372036854775808\r\n", &r);
	assert_true(r.master_link_down_since_seconds == -(LLONG_MAX / 1000));
	parse_str("master_link_down_since_seconds:12abc\r\n", &r);
	assert_true(r.master_link_down_since_seconds == 0);
	parse_str("master_link_down_since_seconds:5\r\n"
	    "master_link_down_since_seconds:6\r\n", &r);
	assert_true(r.master_link_down_since_seconds == 6);

	/* Hosts: 255 bytes kept, 256 or odd bytes give "". */
	buf_appends(&b, "role:slave\r\nmaster_host:");
	for (int i = 0; i < 255; i++)
		buf_appendc(&b, 'h');
	buf_appends(&b, "\r\n");
	parse_str(b.data, &r);
	assert_int_equal(strlen(r.master_host), 255);
	buf_clear(&b);
	buf_appends(&b, "role:slave\r\nmaster_host:1.2.3.4\r\nmaster_host:");
	for (int i = 0; i < 100000; i++)
		buf_appendc(&b, 'h');
	buf_appends(&b, "\r\n");
	parse_str(b.data, &r);
	assert_string_equal(r.master_host, "");
	buf_free(&b);
	parse_str("role:slave\r\nmaster_host:1.2.3.4 x\r\n", &r);
	assert_string_equal(r.master_host, "");
	parse_str("role:slave\r\nmaster_host:\r\n", &r);
	assert_string_equal(r.master_host, "");
	parse_str("role:slave\r\nmaster_host:a\nb\r\n", &r);
	assert_string_equal(r.master_host, "");
}

/* slaveN lines in both forms, and the ones that are skipped. */
static void
test_replica_lines(void **state)
{
	struct info_report	r;

	(void)state;
	parse_str("role:master\r\n"
	    "slave0:ip=10.0.0.1,port=6380,state=online,offset=100,lag=1\r\n"
	    "slave1:10.0.0.2,6381,wait_bgsave\r\n"
	    "slave2:ip=::1,port=0,state=send_bulk\r\n"
	    "slave12:port=6382,ip=host-a.example,offset=x,lag=y\r\n"
	    "slave3:10.0.0.3,6383,online,extra\r\n", &r);
	assert_int_equal(r.nreplicas, 5);
	assert_int_equal(r.nskipped, 0);
	assert_string_equal(r.replicas[0].ip, "10.0.0.1");
	assert_int_equal(r.replicas[0].port, 6380);
	assert_string_equal(r.replicas[0].state, "online");
	assert_true(r.replicas[0].offset == 100 && r.replicas[0].lag == 1);
	assert_string_equal(r.replicas[1].ip, "10.0.0.2");
	assert_int_equal(r.replicas[1].port, 6381);
	assert_string_equal(r.replicas[1].state, "wait_bgsave");
	assert_true(r.replicas[1].offset == 0 && r.replicas[1].lag == -1);
	assert_string_equal(r.replicas[2].ip, "::1");
	assert_int_equal(r.replicas[2].port, 0);
	assert_string_equal(r.replicas[3].ip, "host-a.example");
	assert_int_equal(r.replicas[3].port, 6382);
	assert_string_equal(r.replicas[3].state, "");
	assert_true(r.replicas[3].offset == 0 && r.replicas[3].lag == -1);
	assert_string_equal(r.replicas[4].state, "online");
	info_report_free(&r);

	/* Skipped: bad port, bad ip, missing pieces. */
	parse_str("slave0:ip=10.0.0.1,port=-1,state=online\r\n"
	    "slave1:ip=10.0.0.1,port=65536\r\n"
	    "slave2:ip=10.0.0.1,port=\r\n"
	    "slave3:ip=10.0.0.1,port=63 79\r\n"
	    "slave4:ip=10.0.0.1\r\n"
	    "slave5:ip=,port=6379\r\n"
	    "slave6:ip=10.0.0.1 ,port=6379\r\n"
	    "slave7:ip=10.0.0.1\x80,port=6379\r\n"
	    "slave8:10.0.0.1,6379\r\n"
	    "slave9:10.0.0.1\r\n"
	    "slave10:,6379,online\r\n"
	    "slave11:10.0.0.1,abc,online\r\n"
	    "slave12\r\n"
	    "slave13:xip=1.2.3.4,port=5\r\n", &r);
	assert_int_equal(r.nreplicas, 0);
	assert_null(r.replicas);
	assert_int_equal(r.nskipped, 14);
	info_report_free(&r);

	/* Not slaveN lines at all. */
	parse_str("slave_priority:1\r\nslave_repl_offset:5\r\nslaves:x\r\n"
	    "slave0\r\nslavex:ip=1.2.3.4,port=5\r\n", &r);
	assert_int_equal(r.nreplicas, 0);
	assert_int_equal(r.nskipped, 0);
	info_report_free(&r);

	/* Kept whatever the role says: the caller decides. */
	parse_str("role:slave\r\nslave0:ip=1.2.3.4,port=5\r\n"
	    "slave1:ip=1.2.3.4,port=5\r\n", &r);
	assert_int_equal(r.nreplicas, 2);
	info_report_free(&r);
}

/* An overlong state is truncated; an overlong ip skips the line. */
static void
test_replica_lengths(void **state)
{
	struct info_report	r;
	struct buf		b = BUF_INIT;

	(void)state;
	buf_appends(&b, "slave0:ip=");
	for (int i = 0; i < INFO_HOST_MAX; i++)
		buf_appendc(&b, 'a');
	buf_appends(&b, ",port=1,state=");
	for (int i = 0; i < 5000; i++)
		buf_appendc(&b, 's');
	buf_appends(&b, "\r\nslave1:ip=");
	for (int i = 0; i < INFO_HOST_MAX + 1; i++)
		buf_appendc(&b, 'a');
	buf_appends(&b, ",port=1\r\n");
	parse_str(b.data, &r);
	assert_int_equal(r.nreplicas, 1);
	assert_int_equal(r.nskipped, 1);
	assert_int_equal(strlen(r.replicas[0].ip), INFO_HOST_MAX);
	assert_int_equal(strlen(r.replicas[0].state), INFO_STATE_MAX);
	info_report_free(&r);
	buf_free(&b);
}

/* Thousands of slaveN lines: the list stops at INFO_MAX_REPLICAS. */
static void
test_replica_cap(void **state)
{
	struct info_report	r;
	struct buf		b = BUF_INIT;

	(void)state;
	buf_appends(&b, "role:master\r\n");
	for (int i = 0; i < 5000; i++)
		buf_appendf(&b, "slave%d:ip=10.%d.%d.1,port=%d,state=online,"
		    "offset=1,lag=0\r\n", i, i / 256, i % 256, 1000 + i);
	buf_appends(&b, "slave5000:ip=bad ip,port=1\r\nrun_id:"
	    "0123456789012345678901234567890123456789\r\n");
	assert_int_equal(info_parse(b.data, b.len, &r), 0);
	assert_int_equal(r.nreplicas, INFO_MAX_REPLICAS);
	assert_int_equal(r.ndropped, 5000 - INFO_MAX_REPLICAS);
	assert_int_equal(r.nskipped, 1);
	assert_int_equal(r.replicas[0].port, 1000);
	assert_int_equal(r.replicas[INFO_MAX_REPLICAS - 1].port,
	    1000 + INFO_MAX_REPLICAS - 1);
	/* Fields after the flood are still read. */
	assert_string_equal(r.run_id, "0123456789012345678901234567890123456789");
	info_report_free(&r);
	buf_free(&b);
}

/* Random bytes and random mixes of real lines never hurt. */
static void
test_binary_garbage(void **state)
{
	static const char *pieces[] = {
		"\r\n", "\r", "\n", ":", ",", "=", "\0", "role:slave",
		"role:master", "slave0:", "ip=", "port=", "1.2.3.4", "6379",
		"master_host:", "master_port:", "run_id:", "-1", "\xff",
		"master_link_down_since_seconds:", "slave_priority:", "state=",
		"offset=", "99999999999999999999",
	};
	uint32_t	seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct info_report	 r;
		struct buf		 b = BUF_INIT;
		char			*copy, v[32];
		int			 n;

		seed = seed * 1103515245 + 12345;
		n = (int)(seed >> 16) % 200;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			if (round % 2 == 0) {
				const char *p = pieces[(seed >> 16) %
				    ARRAY_SIZE(pieces)];

				buf_append(&b, p, *p == '\0' ? 1 : strlen(p));
			} else
				buf_appendc(&b, (char)(seed >> 16));
		}
		copy = xmemdup(b.data != NULL ? b.data : "", b.len);
		assert_int_equal(info_parse(copy, b.len, &r), 0);
		assert_true(r.nreplicas <= INFO_MAX_REPLICAS);
		assert_true(strlen(r.master_host) <= INFO_HOST_MAX);
		assert_true(strlen(r.run_id) == 0 ||
		    strlen(r.run_id) == INFO_RUNID_LEN);
		for (size_t i = 0; i < r.nreplicas; i++) {
			assert_true(r.replicas[i].port >= 0 &&
			    r.replicas[i].port <= 65535);
			assert_true(r.replicas[i].ip[0] != '\0');
		}
		info_report_free(&r);
		(void)info_field(copy, b.len, "role", v, sizeof v);
		free(copy);
		buf_free(&b);
	}
}

static void
test_info_field(void **state)
{
	static const char	text[] = "# Server\r\nredis_version:7.0.15\r\n"
	    "role:master\r\nroles:x\r\nempty:\r\nlong:0123456789\r\n"
	    "dup:1\r\ndup:2\r\nlast:end";
	char			v[11];

	(void)state;
	assert_true(info_field(text, strlen(text), "role", v, sizeof v));
	assert_string_equal(v, "master");
	assert_true(info_field(text, strlen(text), "roles", v, sizeof v));
	assert_string_equal(v, "x");
	assert_true(info_field(text, strlen(text), "empty", v, sizeof v));
	assert_string_equal(v, "");
	assert_true(info_field(text, strlen(text), "long", v, sizeof v));
	assert_string_equal(v, "0123456789");
	assert_false(info_field(text, strlen(text), "long", v, 10));
	assert_string_equal(v, "");
	assert_true(info_field(text, strlen(text), "dup", v, sizeof v));
	assert_string_equal(v, "2");
	assert_true(info_field(text, strlen(text), "last", v, sizeof v));
	assert_string_equal(v, "end");
	assert_false(info_field(text, strlen(text), "missing", v, sizeof v));
	assert_false(info_field(text, strlen(text), "rol", v, sizeof v));
	assert_false(info_field(text, strlen(text), "# Server", v, sizeof v));
	assert_false(info_field(text, strlen(text), "role", v, 0));
	assert_false(info_field(NULL, 5, "role", v, sizeof v));
	/* Only the first len bytes are looked at. */
	assert_false(info_field(text, 10, "redis_version", v, sizeof v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_samples),
		cmocka_unit_test(test_truncated_samples),
		cmocka_unit_test(test_no_crlf),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_nul_cuts),
		cmocka_unit_test(test_run_id),
		cmocka_unit_test(test_replid),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_replica_fields),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_replica_lines),
		cmocka_unit_test(test_replica_lengths),
		cmocka_unit_test(test_replica_cap),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_info_field),
	};

	return cmocka_run_group_tests_name("info", tests, NULL, NULL);
}
