/*
 * it_server.c - the server side of connections, against sentinel-kv and
 * redis-server: the output buffer limit disconnects a subscriber that does
 * not read, the query buffer limit a client that sends too much, several
 * bind addresses (IPv4 and IPv6), maxclients cut down to the descriptors
 * the process may open, and CONFIG REWRITE through the config file.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "util.h"

static bool
start(struct h_server *s, const struct h_target *t, const char *dir, const char *conf,
    const char *const *args)
{
	struct h_srvcfg cfg = { 0 };

	cfg.bin = t->bin;
	cfg.dir = dir;
	cfg.conf = conf;
	cfg.args = args;
	if (h_server_start(s, &cfg) < 0) {
		h_diag("%s did not start", t->name);
		return false;
	}
	return true;
}

static bool
expect(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return true;
	h_diag("%s: expected %s, got %s", what, want, got);
	return false;
}

/* A subscriber that never reads is dropped; the publisher goes on. */
static bool
obuf_limit(const struct h_target *t, void *arg)
{
	static const char *const args[] = { "--client-output-buffer-limit", "pubsub 1mb 0 0", NULL };
	char *dir = h_tmpdir("obuf");
	struct h_server s;
	struct h_conn *sub = NULL, *pub = NULL;
	char *r, *payload;
	bool ok = false;

	(void)arg;
	if (!start(&s, t, dir, NULL, args))
		goto out;
	sub = h_connect(s.port);
	pub = h_connect(s.port);
	if (sub == NULL || pub == NULL)
		goto out;
	r = h_cmd(sub, "SUBSCRIBE", "ch", NULL);
	free(r);
	payload = xmalloc(10001);
	memset(payload, 'x', 10000);
	payload[10000] = '\0';
	/* 20 MB for a reader that reads nothing: far past the limit and the socket buffers. */
	for (int i = 0; i < 2000; i++) {
		r = h_cmd(pub, "PUBLISH", "ch", payload, NULL);
		if (r[0] != ':') {
			h_diag("PUBLISH %d: %s", i, r);
			free(r);
			free(payload);
			goto out;
		}
		free(r);
	}
	free(payload);
	ok = h_wait_closed(sub, H_DEADLINE_MS);
	if (!ok)
		h_diag("the subscriber was not disconnected");
	r = h_cmd(pub, "PING", NULL);
	ok = expect(r, "+PONG", "PING after the drop") && ok;
	free(r);
	r = h_cmd(pub, "PUBSUB", "NUMSUB", "ch", NULL);
	ok = expect(r, "*2\n  \"ch\"\n  :0\n", "NUMSUB after the drop") && ok;
	free(r);
out:
	h_close(sub);
	h_close(pub);
	h_server_stop(&s);
	h_server_free(&s);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* A client whose unfinished request outgrows client-query-buffer-limit is closed. */
static bool
qbuf_limit(const struct h_target *t, void *arg)
{
	static const char *const args[] = { "--client-query-buffer-limit", "1mb", NULL };
	char *dir = h_tmpdir("qbuf");
	struct h_server s;
	struct h_conn *big = NULL, *other = NULL;
	char *r, *chunk;
	bool ok = false;
	const char *hdr = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n";

	(void)arg;
	if (!start(&s, t, dir, NULL, args))
		goto out;
	big = h_connect(s.port);
	other = h_connect(s.port);
	if (big == NULL || other == NULL)
		goto out;
	h_send_raw(big, hdr, strlen(hdr));
	chunk = xcalloc(1, 64 * 1024);
	memset(chunk, 'v', 64 * 1024);
	/* 2 MB of a 4 MB argument: over the 1 MB limit, the request still unfinished. */
	for (int i = 0; i < 32; i++)
		if (h_send_raw(big, chunk, 64 * 1024) < 0)
			break;
	free(chunk);
	ok = h_wait_closed(big, H_DEADLINE_MS);
	if (!ok)
		h_diag("the client over the query buffer limit was not disconnected");
	r = h_cmd(other, "PING", NULL);
	ok = expect(r, "+PONG", "PING from another client") && ok;
	free(r);
	r = h_cmd(other, "EXISTS", "k", NULL);
	ok = expect(r, ":0", "nothing was set") && ok;
	free(r);
out:
	h_close(big);
	h_close(other);
	h_server_stop(&s);
	h_server_free(&s);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

static struct h_conn *
connect6(int port)
{
	struct sockaddr_in6 sa;
	struct h_conn *c;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	if (fd < 0)
		return NULL;
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)port);
	sa.sin6_addr = in6addr_loopback;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->timeout_ms = 5000;
	buf_init(&c->in);
	return c;
}

static bool
have_ipv6_loopback(void)
{
	struct sockaddr_in6 sa;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* "bind 127.0.0.1 ::1": both addresses answer. */
static bool
two_binds(const struct h_target *t, void *arg)
{
	static const char *const args[] = { "--bind", "127.0.0.1 ::1", NULL };
	char *dir = h_tmpdir("bind");
	struct h_server s;
	struct h_conn *c4 = NULL, *c6 = NULL;
	char *r;
	bool ok = false;

	(void)arg;
	if (!start(&s, t, dir, NULL, args))
		goto out;
	c4 = h_connect(s.port);
	c6 = connect6(s.port);
	if (c4 == NULL || c6 == NULL) {
		h_diag("connect: IPv4 %s, IPv6 %s", c4 ? "ok" : "failed", c6 ? "ok" : "failed");
		goto out;
	}
	r = h_cmd(c4, "SET", "k", "v", NULL);
	ok = expect(r, "+OK", "SET over IPv4");
	free(r);
	r = h_cmd(c6, "GET", "k", NULL);
	ok = expect(r, "\"v\"", "GET over IPv6") && ok;
	free(r);
	r = h_cmd(c6, "CLIENT", "INFO", NULL);
	if (strstr(r, "laddr=[::1]:") == NULL) {
		h_diag("CLIENT INFO over IPv6 should show laddr=[::1]:port: %s", r);
		ok = false;
	}
	free(r);
out:
	h_close(c4);
	h_close(c6);
	h_server_stop(&s);
	h_server_free(&s);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* With fewer descriptors than maxclients needs, maxclients is cut down and said so. */
static bool
nofile_limit(const struct h_target *t, void *arg)
{
	static const char *const args[] = { "--maxclients", "10000", NULL };
	char *dir = h_tmpdir("nofile");
	struct h_server s;
	struct h_conn *c = NULL;
	struct rlimit old, low = { 200, 200 };
	char *r, *log;
	bool ok = false, started;

	(void)arg;
	getrlimit(RLIMIT_NOFILE, &old);
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 200)
		low.rlim_cur = low.rlim_max = old.rlim_max;
	/* The child inherits the limit; the test itself needs few descriptors. */
	low.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_NOFILE, &low);
	{
		/* The hard limit must be short too, or the server may raise it. */
		struct rlimit hard = { 200, 200 };

		setrlimit(RLIMIT_NOFILE, &hard);
	}
	started = start(&s, t, dir, NULL, args);
	if (!started)
		goto out;
	c = h_connect(s.port);
	if (c == NULL)
		goto out;
	r = h_cmd(c, "CONFIG", "GET", "maxclients", NULL);
	/* Redis and sentinel-kv keep 32 descriptors for themselves. */
	ok = expect(r, "*2\n  \"maxclients\"\n  \"168\"\n", "maxclients after the cut");
	free(r);
	log = h_read_file(s.log);
	if (log == NULL || strstr(log, "maxclients has been reduced") == NULL) {
		h_diag("the log does not say that maxclients was reduced");
		ok = false;
	}
	free(log);
out:
	h_close(c);
	if (started) {
		h_server_stop(&s);
		h_server_free(&s);
	}
	/* Only root gets the hard limit back; nothing after this needs it. */
	setrlimit(RLIMIT_NOFILE, &old);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

static bool
file_has(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/*
 * CONFIG REWRITE keeps comments and order, updates what CONFIG SET changed,
 * and (sentinel-kv only: Redis writes them back) leaves out settings that
 * came from the command line. The config file is given by a relative path:
 * it must be found again after "dir" moved the process elsewhere.
 */
static bool
rewrite(const struct h_target *t, void *arg)
{
	static const char *const args[] = { "--maxclients", "500", NULL };
	char *dir = h_tmpdir("rewrite"), *confdir, *path, *text = NULL, *r, *cwd;
	char *runid1 = NULL, *runid2 = NULL;
	struct h_server s;
	struct h_conn *c = NULL;
	bool ok = false, started = false;

	(void)arg;
	confdir = xasprintf("%s/conf", dir);
	mkdir(confdir, 0755);
	path = xasprintf("%s/kv.conf", confdir);
	h_write_file(path, "# the demo server\n"
	    "timeout 10\n"
	    "\n"
	    "# keep this comment\n"
	    "hz 10\n");
	cwd = getcwd(NULL, 0);
	if (chdir(dir) < 0)
		goto out;
	started = start(&s, t, dir, "conf/kv.conf", args);
	if (chdir(cwd) < 0)
		goto out;
	if (!started)
		goto out;
	c = h_connect(s.port);
	r = h_cmd(c, "CONFIG", "SET", "timeout", "30", NULL);
	ok = expect(r, "+OK", "CONFIG SET timeout");
	free(r);
	r = h_cmd(c, "CONFIG", "REWRITE", NULL);
	ok = expect(r, "+OK", "CONFIG REWRITE") && ok;
	free(r);
	text = h_read_file(path);
	if (text == NULL) {
		h_diag("cannot read the rewritten file");
		ok = false;
		goto out;
	}
	if (!file_has(text, "# the demo server") || !file_has(text, "# keep this comment")) {
		h_diag("comments were lost:\n%s", text);
		ok = false;
	}
	if (!file_has(text, "timeout 30") || file_has(text, "timeout 10")) {
		h_diag("timeout was not rewritten in place:\n%s", text);
		ok = false;
	}
	if (strstr(text, "timeout 30") > strstr(text, "# keep this comment")) {
		h_diag("the order of the file changed:\n%s", text);
		ok = false;
	}
	if (t->kind == H_KV && strstr(text, "maxclients") != NULL) {
		h_diag("a command-line setting was written back:\n%s", text);
		ok = false;
	}
	/* Every start gets a new run id. */
	runid1 = h_info_get(c, "server", "run_id");
	h_close(c);
	c = NULL;
	h_server_stop(&s);
	h_server_free(&s);
	if (chdir(dir) < 0)
		goto out;
	started = start(&s, t, dir, "conf/kv.conf", args);
	if (chdir(cwd) < 0 || !started)
		goto out;
	c = h_connect(s.port);
	runid2 = h_info_get(c, "server", "run_id");
	if (runid1 == NULL || runid2 == NULL || strcmp(runid1, runid2) == 0 || strlen(runid2) != 40) {
		h_diag("run ids across a restart: %s and %s", runid1 ? runid1 : "-",
		    runid2 ? runid2 : "-");
		ok = false;
	}
	r = h_cmd(c, "CONFIG", "GET", "timeout", NULL);
	ok = expect(r, "*2\n  \"timeout\"\n  \"30\"\n", "timeout after restart") && ok;
	free(r);
out:
	h_close(c);
	if (started) {
		h_server_stop(&s);
		h_server_free(&s);
	}
	free(runid1);
	free(runid2);
	free(text);
	free(cwd);
	free(path);
	free(confdir);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* CLIENT PAUSE WRITE holds writes (and PUBLISH) until it ends; reads go on; ALL holds everything until UNPAUSE. */
static bool
client_pause(const struct h_target *t, void *arg)
{
	char *dir = h_tmpdir("pause");
	struct h_server s;
	struct h_conn *admin = NULL, *c = NULL;
	char *r;
	int64_t t0, dt;
	bool ok = false;

	(void)arg;
	if (!start(&s, t, dir, NULL, NULL))
		goto out;
	admin = h_connect(s.port);
	c = h_connect(s.port);
	r = h_cmd(admin, "CLIENT", "PAUSE", "400", "WRITE", NULL);
	ok = expect(r, "+OK", "CLIENT PAUSE 400 WRITE");
	free(r);
	t0 = util_mono_ms();
	r = h_cmd(c, "GET", "k", NULL);
	dt = util_mono_ms() - t0;
	ok = expect(r, "(nil)", "GET while writes are paused") && ok;
	free(r);
	if (dt > 200) {
		h_diag("a read waited %lld ms during a WRITE pause", (long long)dt);
		ok = false;
	}
	t0 = util_mono_ms();
	r = h_cmd(c, "SET", "k", "v", NULL);
	dt = util_mono_ms() - t0;
	ok = expect(r, "+OK", "SET after the pause") && ok;
	free(r);
	if (dt < 300) {
		h_diag("a write ran %lld ms into a 400 ms WRITE pause", (long long)dt);
		ok = false;
	}
	/* UNPAUSE (not a write) releases a write held by a long WRITE pause. */
	r = h_cmd(admin, "CLIENT", "PAUSE", "5000", "WRITE", NULL);
	ok = expect(r, "+OK", "CLIENT PAUSE 5000 WRITE") && ok;
	free(r);
	h_send(c, "SET", "k", "v2", NULL);
	r = h_cmd(admin, "CLIENT", "UNPAUSE", NULL);
	ok = expect(r, "+OK", "CLIENT UNPAUSE") && ok;
	free(r);
	t0 = util_mono_ms();
	r = h_reply(c);
	dt = util_mono_ms() - t0;
	ok = expect(r, "+OK", "SET held by the pause, after UNPAUSE") && ok;
	free(r);
	if (dt > 2000) {
		h_diag("UNPAUSE did not release the held SET (%lld ms)", (long long)dt);
		ok = false;
	}
	/* ALL holds reads too, until it ends. */
	r = h_cmd(admin, "CLIENT", "PAUSE", "400", "ALL", NULL);
	ok = expect(r, "+OK", "CLIENT PAUSE 400 ALL") && ok;
	free(r);
	t0 = util_mono_ms();
	r = h_cmd(c, "GET", "k", NULL);
	dt = util_mono_ms() - t0;
	ok = expect(r, "\"v2\"", "GET after a PAUSE ALL") && ok;
	free(r);
	if (dt < 300) {
		h_diag("a read ran %lld ms into a 400 ms ALL pause", (long long)dt);
		ok = false;
	}
	r = h_cmd(admin, "CLIENT", "PAUSE", "x", NULL);
	ok = expect(r, "-ERR timeout is not an integer or out of range", "CLIENT PAUSE x") && ok;
	free(r);
out:
	h_close(admin);
	h_close(c);
	h_server_stop(&s);
	h_server_free(&s);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/*
 * rename-command in the config file: the new name works, the old one is
 * unknown, an empty name disables, CONFIG SET cannot change it, and the
 * lines survive CONFIG REWRITE.
 */
static bool
rename_command(const struct h_target *t, void *arg)
{
	char *dir = h_tmpdir("rename");
	char *conf = xasprintf("%s/redis.conf", dir);
	struct h_server s;
	struct h_conn *c = NULL;
	char *r, *text = NULL;
	bool ok = false, started = false;

	(void)arg;
	if (h_write_file(conf, "rename-command PING PONG2\nrename-command flushall \"\"\n") < 0 ||
	    !(started = start(&s, t, dir, conf, NULL)))
		goto out;
	c = h_connect(s.port);
	r = h_cmd(c, "PONG2", NULL);
	ok = expect(r, "+PONG", "PONG2");
	free(r);
	r = h_cmd(c, "PING", NULL);
	ok = expect(r, "-ERR unknown command 'PING', with args beginning with: ", "PING") && ok;
	free(r);
	r = h_cmd(c, "FLUSHALL", NULL);
	ok = expect(r, "-ERR unknown command 'FLUSHALL', with args beginning with: ",
	    "FLUSHALL") && ok;
	free(r);
	r = h_cmd(c, "CONFIG", "SET", "rename-command", "GET X", NULL);
	ok = expect(r, "-ERR Unknown option or number of arguments for CONFIG SET - "
	    "'rename-command'", "CONFIG SET rename-command") && ok;
	free(r);
	r = h_cmd(c, "CONFIG", "REWRITE", NULL);
	ok = expect(r, "+OK", "CONFIG REWRITE") && ok;
	free(r);
	text = h_read_file(conf);
	if (text == NULL || strstr(text, "rename-command PING PONG2") == NULL) {
		h_diag("rename-command gone after CONFIG REWRITE:");
		h_diag_lines("conf| ", text ? text : "");
		ok = false;
	}
out:
	h_close(c);
	if (started) {
		h_server_stop(&s);
		h_server_free(&s);
	}
	free(text);
	free(conf);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

int
main(void)
{
	h_plan(7 * h_nkinds());
	h_run("CLIENT PAUSE WRITE and ALL, UNPAUSE", client_pause, NULL);
	h_run("output buffer limit drops a subscriber that does not read", obuf_limit, NULL);
	h_run("query buffer limit drops a client sending a huge request", qbuf_limit, NULL);
	if (have_ipv6_loopback()) {
		h_run("bind 127.0.0.1 ::1 answers on both", two_binds, NULL);
	} else {
		for (int i = 0; i < h_nkinds(); i++)
			h_skip("no IPv6 loopback here", "bind 127.0.0.1 ::1 answers on both");
	}
	h_run("CONFIG REWRITE keeps comments, order, and the config path", rewrite, NULL);
	h_run("rename-command renames and disables; CONFIG REWRITE keeps it", rename_command, NULL);
	/* Last: it lowers this process's own descriptor limit for the servers it starts. */
	h_run("maxclients cut down to the open files limit", nofile_limit, NULL);
	return h_done();
}
