/*
 * it_badsync.c - a sentinel-kv replica fed bad full-sync payloads by a fake
 * master that lives in this process: a payload whose CRC does not match, one
 * cut short by a closed connection, pure garbage, and good keys followed by
 * garbage. Each time the replica must keep answering from the dataset it had
 * (no key of the bad image visible, not even the ones before the damage),
 * say so in its log and come back for another sync. A good payload and a
 * short command stream on the last connection then replace the dataset.
 *
 * sentinel-kv only: redis-server flushes its dataset before it loads a
 * disk-based payload and keeps nothing when the load fails, so the "old
 * data still served" part would not hold; the log lines are ours as well.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "rdb.h"
#include "resp.h"
#include "util.h"

#define REPLID	"0123456789abcdef0123456789abcdef01234567"
#define NKEYS	8	/* string keys img:0 .. img:7 in the image */

/* The fake master: a listening socket, and the replica's current link. */
struct fake {
	int	lfd;
	int	port;
	int	fd;
	int	conns;	/* links accepted so far */
};

/* What the replica is checked with between payloads. */
struct bs {
	struct fake	 fm;
	struct h_server	 srv;
	struct h_conn	*c;
	char		*dir;
	struct buf	 good;	/* a valid image */
	size_t		 cut;	/* its bytes up to the last key */
	bool		 started;
};

/* A loopback listener on a port the kernel picks. */
static int
fake_listen(struct fake *fm)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			one = 1;

	memset(fm, 0, sizeof *fm);
	fm->fd = -1;
	if ((fm->lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fm->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(fm->lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fm->lfd, 8) == -1 ||
	    getsockname(fm->lfd, (struct sockaddr *)&sin, &len) == -1) {
		close(fm->lfd);
		fm->lfd = -1;
		return -1;
	}
	fm->port = ntohs(sin.sin_port);
	return 0;
}

/* Closes the current link, if any. */
static void
fake_hangup(struct fake *fm)
{
	if (fm->fd != -1)
		close(fm->fd);
	fm->fd = -1;
}

/* The replica's next connection (a retry after the first), or -1. */
static int
fake_accept(struct fake *fm, int deadline_ms)
{
	struct pollfd	pfd = { fm->lfd, POLLIN, 0 };
	int64_t		end = util_mono_ms() + deadline_ms;
	int		n, left;

	fake_hangup(fm);
	for (;;) {
		left = (int)(end - util_mono_ms());
		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if ((fm->fd = accept(fm->lfd, NULL, NULL)) != -1)
			break;
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			return -1;
	}
	fm->conns++;
	return 0;
}

/* All of (p, n) to the replica; blocking writes are fine on loopback. */
static int
fake_send(struct fake *fm, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fm->fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The answer a master gives to each command of the handshake. */
static const char *
fake_answer(const struct resp_parser *p, bool *psync)
{
	*psync = false;
	if (p->argc == 0)
		return NULL;
	if (strcasecmp(p->argv[0], "ping") == 0)
		return "+PONG\r\n";
	if (strcasecmp(p->argv[0], "psync") == 0 ||
	    strcasecmp(p->argv[0], "sync") == 0) {
		*psync = true;
		return "+FULLRESYNC " REPLID " 0\r\n";
	}
	return "+OK\r\n";	/* AUTH, REPLCONF listening-port, capa */
}

/*
 * Read the pipelined handshake (PING, REPLCONF..., PSYNC) with the request
 * parser and answer each command, up to +FULLRESYNC. 0, or -1 with a reason.
 */
static int
fake_handshake(struct fake *fm, int deadline_ms)
{
	struct pollfd		 pfd = { fm->fd, POLLIN, 0 };
	struct resp_parser	 p;
	struct buf		 in = BUF_INIT;
	char			 tmp[4096];
	const char		*ans;
	int64_t			 end = util_mono_ms() + deadline_ms;
	size_t			 used;
	ssize_t			 n;
	bool			 psync = false;
	int			 rc = -1, left;

	resp_parser_init(&p);
	while (!psync) {
		left = (int)(end - util_mono_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			h_diag("fake master: no handshake from the replica");
			break;
		}
		if ((n = read(fm->fd, tmp, sizeof tmp)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			h_diag("fake master: the replica left during the "
			    "handshake");
			break;
		}
		buf_append(&in, tmp, (size_t)n);
		while (!psync && in.len > 0) {
			enum resp_status st;

			st = resp_parse(&p, in.data, in.len, &used, NULL);
			buf_consume(&in, used);
			if (st == RESP_MORE)
				break;
			if (st == RESP_ERR) {
				h_diag("fake master: bad handshake: %s", p.error);
				goto out;
			}
			if ((ans = fake_answer(&p, &psync)) != NULL &&
			    fake_send(fm, ans, strlen(ans)) == -1) {
				h_diag("fake master: cannot answer");
				goto out;
			}
			resp_parser_reset(&p);
		}
	}
	if (psync)
		rc = 0;
out:
	resp_parser_free(&p);
	buf_free(&in);
	return rc;
}

/* On the link accepted last: the handshake, "$<declared>\r\n", the bytes. */
static bool
fake_sync(struct bs *b, const void *p, size_t n, size_t declared)
{
	char	hdr[64];
	int	len;

	if (fake_handshake(&b->fm, H_DEADLINE_MS) == -1)
		return false;
	len = snprintf(hdr, sizeof hdr, "$%zu\r\n", declared);
	if (fake_send(&b->fm, hdr, (size_t)len) == -1 ||
	    fake_send(&b->fm, p, n) == -1) {
		h_diag("fake master: cannot send the payload");
		return false;
	}
	return true;
}

/* The replica connects (again) within the deadline. */
static bool
fake_link(struct bs *b)
{
	if (fake_accept(&b->fm, H_DEADLINE_MS) == 0)
		return true;
	h_diag("the replica did not connect (connection %d)", b->fm.conns + 1);
	return false;
}

/*
 * A good image: the img:N strings, a list and a hash, then "img:last";
 * b->cut is where img:last starts, so b->good.data[0..cut) holds valid keys.
 */
static void
make_image(struct bs *b)
{
	static const char *const	 aux[] = { "redis-ver", "7.0.15",
					    "redis-bits", "64", NULL };
	struct rdb_writer		 w;
	char				 k[16], v[16];
	int				 i, kl, vl;

	rdb_writer_init(&w);
	rdb_write_header(&w, aux);
	rdb_write_select_db(&w, 0, NKEYS + 3, 0);
	for (i = 0; i < NKEYS; i++) {
		kl = snprintf(k, sizeof k, "img:%d", i);
		vl = snprintf(v, sizeof v, "value-%d", i);
		rdb_write_string(&w, k, (size_t)kl, v, (size_t)vl, -1);
	}
	rdb_write_list_begin(&w, "img:list", 8, 2, -1);
	rdb_write_item(&w, "a", 1);
	rdb_write_item(&w, "b", 1);
	rdb_write_hash_begin(&w, "img:hash", 8, 1, -1);
	rdb_write_field(&w, "f", 1, "v", 1);
	b->cut = w.out.len;
	rdb_write_string(&w, "img:last", 8, "LASTVALUE", 9, -1);
	rdb_write_end(&w);
	buf_init(&b->good);
	buf_append(&b->good, w.out.data, w.out.len);
	rdb_writer_free(&w);
}

/* How many times text occurs in the server's log. */
static int
log_count(const struct bs *b, const char *text)
{
	char		*log = h_read_file(b->srv.log);
	const char	*p;
	int		 n = 0;

	if (log == NULL)
		return 0;
	for (p = log; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	free(log);
	return n;
}

/* Wait (polling, up to the deadline) until text is in the log want times. */
static bool
log_wait(const struct bs *b, const char *text, int want)
{
	int64_t	end = util_mono_ms() + H_DEADLINE_MS;
	int	got;

	while ((got = log_count(b, text)) < want && util_mono_ms() < end)
		poll(NULL, 0, 20);
	if (got >= want)
		return true;
	h_diag("log: \"%s\" %d times, expected %d", text, got, want);
	return false;
}

/* Does the command's rendered reply match? Says what it got if not. */
static bool
expect_cmd(struct bs *b, const char *want, const char *what, ...)
{
	const char	*argv[8];
	char		*r;
	va_list		 ap;
	int		 argc = 0;
	bool		 ok;

	va_start(ap, what);
	while (argc < 8 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	r = h_cmdv(b->c, argc, argv);
	ok = strcmp(r, want) == 0;
	if (!ok)
		h_diag("%s: expected %s, got %s", what, want, r);
	free(r);
	return ok;
}

/* The old dataset, whole, and nothing of the image. */
static bool
still_old(struct bs *b, const char *when)
{
	char	what[128];
	bool	ok;

	snprintf(what, sizeof what, "%s: GET old", when);
	ok = expect_cmd(b, "\"before\"", what, "GET", "old", (char *)NULL);
	snprintf(what, sizeof what, "%s: DBSIZE", when);
	ok = expect_cmd(b, ":2", what, "DBSIZE", (char *)NULL) && ok;
	snprintf(what, sizeof what, "%s: keys of the image", when);
	ok = expect_cmd(b, ":0", what, "EXISTS", "img:0", "img:7",
	    "img:list", "img:hash", "img:last", (char *)NULL) && ok;
	return ok;
}

/*
 * A master with two keys becomes a replica of the fake master (REPLICAOF
 * by command, so that the data it had is there when the link starts).
 */
static bool
setup(struct bs *b, const struct h_target *t)
{
	struct h_srvcfg	cfg = { 0 };
	char		port[16];

	memset(b, 0, sizeof *b);
	b->fm.lfd = b->fm.fd = -1;
	make_image(b);
	b->dir = h_tmpdir("badsync");
	if (fake_listen(&b->fm) == -1) {
		h_diag("fake master: cannot listen: %s", strerror(errno));
		return false;
	}
	cfg.bin = t->bin;
	cfg.dir = b->dir;
	if (h_server_start(&b->srv, &cfg) < 0) {
		h_diag("%s did not start", t->name);
		return false;
	}
	b->started = true;
	if ((b->c = h_connect(b->srv.port)) == NULL)
		return false;
	if (!expect_cmd(b, "+OK", "SET old", "SET", "old", "before",
	    (char *)NULL) ||
	    !expect_cmd(b, "+OK", "SET other", "SET", "other", "x",
	    (char *)NULL))
		return false;
	snprintf(port, sizeof port, "%d", b->fm.port);
	if (!expect_cmd(b, "+OK", "REPLICAOF", "REPLICAOF", "127.0.0.1", port,
	    (char *)NULL))
		return false;
	return fake_link(b);
}

/* Where (needle, n) starts in (hay, hlen); the needle must be there. */
static char *
find(char *hay, size_t hlen, const char *needle, size_t n)
{
	size_t	i;

	for (i = 0; i + n <= hlen; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	fatalx("it_badsync: %.*s not in the image", (int)n, needle);
}

/* One flipped byte in the last value: every key parses, the CRC fails. */
static bool
case_crc(struct bs *b)
{
	struct buf	 bad = BUF_INIT;
	char		*p;
	bool		 ok;

	buf_append(&bad, b->good.data, b->good.len);
	p = find(bad.data, bad.len, "LASTVALUE", 9);
	p[4] ^= 0x20;
	ok = fake_sync(b, bad.data, bad.len, bad.len);
	buf_free(&bad);
	ok = ok && log_wait(b, "Failed trying to load the MASTER "
	    "synchronization DB", 1);
	ok = ok && log_wait(b, "checksum mismatch", 1);
	ok = ok && still_old(b, "after a bad CRC");
	/* The retry: the link was dropped and is made again. */
	return ok && fake_link(b);
}

/* "$<len>" promises more than comes before the master hangs up. */
static bool
case_truncated(struct bs *b)
{
	bool	ok;

	ok = fake_sync(b, b->good.data, b->good.len / 2, b->good.len);
	fake_hangup(&b->fm);
	ok = ok && log_wait(b, "connection closed by master", 1);
	ok = ok && still_old(b, "after a truncated payload");
	return ok && fake_link(b);
}

/* No RDB at all. */
static bool
case_garbage(struct bs *b)
{
	static const char	junk[] = "this is not an RDB image\r\n\xff\x00\x01";
	bool			ok;

	ok = fake_sync(b, junk, sizeof junk, sizeof junk);
	ok = ok && log_wait(b, "Failed trying to load the MASTER "
	    "synchronization DB", 2);
	ok = ok && still_old(b, "after garbage");
	return ok && fake_link(b);
}

/* Good keys, then an unknown value type: nothing of it may show. */
static bool
case_half(struct bs *b)
{
	static const char	junk[] = "\x63\x05img:x\x01y\xff";
	struct buf		bad = BUF_INIT;
	bool			ok;

	buf_append(&bad, b->good.data, b->cut);
	buf_append(&bad, junk, sizeof junk - 1);
	ok = fake_sync(b, bad.data, bad.len, bad.len);
	buf_free(&bad);
	ok = ok && log_wait(b, "Failed trying to load the MASTER "
	    "synchronization DB", 3);
	ok = ok && still_old(b, "after good keys then garbage");
	return ok && fake_link(b);
}

/* Poll GET x until the stream's SET has run. */
static bool
wait_x(struct bs *b)
{
	int64_t	 end = util_mono_ms() + H_DEADLINE_MS;
	char	*r;
	bool	 ok;

	for (;;) {
		r = h_cmd(b->c, "GET", "x", (char *)NULL);
		ok = strcmp(r, "\"1\"") == 0;
		if (ok || util_mono_ms() >= end) {
			if (!ok)
				h_diag("GET x after the stream: %s", r);
			free(r);
			return ok;
		}
		free(r);
		poll(NULL, 0, 20);
	}
}

/* A good payload and SET x 1: the image's keys replace the old ones. */
static bool
case_good(struct bs *b)
{
	static const char	set[] = "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n";
	char			*link = NULL;
	bool			ok;

	ok = fake_sync(b, b->good.data, b->good.len, b->good.len) &&
	    fake_send(&b->fm, set, sizeof set - 1) == 0;
	ok = ok && log_wait(b, "MASTER <-> REPLICA sync: Finished with "
	    "success", 1);
	ok = ok && wait_x(b);
	ok = ok && expect_cmd(b, "\"value-0\"", "GET img:0", "GET", "img:0",
	    (char *)NULL);
	ok = ok && expect_cmd(b, "\"LASTVALUE\"", "GET img:last", "GET",
	    "img:last", (char *)NULL);
	ok = ok && expect_cmd(b, "*2\n  \"a\"\n  \"b\"\n", "LRANGE img:list",
	    "LRANGE", "img:list", "0", "-1", (char *)NULL);
	ok = ok && expect_cmd(b, "\"v\"", "HGET img:hash", "HGET", "img:hash",
	    "f", (char *)NULL);
	ok = ok && expect_cmd(b, ":0", "old keys gone", "EXISTS", "old",
	    "other", (char *)NULL);
	ok = ok && expect_cmd(b, ":12", "DBSIZE", "DBSIZE", (char *)NULL);
	if (ok && ((link = h_info_get(b->c, "replication",
	    "master_link_status")) == NULL || strcmp(link, "up") != 0)) {
		h_diag("master_link_status: %s", link != NULL ? link : "none");
		ok = false;
	}
	free(link);
	if (ok && b->fm.conns != 5) {
		h_diag("the replica connected %d times, expected 5",
		    b->fm.conns);
		ok = false;
	}
	return ok;
}

/* Stop the replica before the fake master goes, so it does not retry. */
static void
teardown(struct bs *b, bool ok)
{
	if (!ok && b->started)
		h_server_diag_log(&b->srv);
	h_close(b->c);
	if (b->started)
		h_server_stop(&b->srv);
	h_server_free(&b->srv);
	fake_hangup(&b->fm);
	if (b->fm.lfd != -1)
		close(b->fm.lfd);
	buf_free(&b->good);
	if (b->dir != NULL) {
		h_tmpdir_remove(b->dir);
		free(b->dir);
	}
}

/* Each case runs on the link the previous one made the replica retry. */
int
main(void)
{
	static const struct {
		const char	*desc;
		bool		(*fn)(struct bs *);
	} cases[] = {
		{ "payload with a bad CRC: refused, old data kept, retried",
		    case_crc },
		{ "payload cut short by the master: old data kept, retried",
		    case_truncated },
		{ "garbage payload: refused, old data kept, retried",
		    case_garbage },
		{ "good keys then garbage: none of them visible, retried",
		    case_half },
		{ "good payload and stream after the retries: served",
		    case_good },
	};
	struct h_target	 kv;
	struct bs	 b;
	size_t		 i;
	bool		 ok, all = true, kvok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	h_plan((int)ARRAY_SIZE(cases));
	kvok = h_target_get(H_KV, &kv);
	if (kv.bin == NULL || !kvok) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			if (kv.bin == NULL)
				h_skip("SENTINEL_KV_BIN not set", "%s",
				    cases[i].desc);
			else {
				h_ok(false, "%s", cases[i].desc);
				h_diag("%s: not an executable file", kv.bin);
			}
		}
		return h_done();
	}
	ok = setup(&b, &kv);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* After a failure the link is in an unknown state: stop. */
		ok = ok && cases[i].fn(&b);
		h_ok(ok, "%s", cases[i].desc);
		all = all && ok;
	}
	teardown(&b, all);
	return h_done();
}
