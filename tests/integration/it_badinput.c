/*
 * it_badinput.c - hostile or broken input: protocol abuse from clients
 * must cost only that client its connection, and a broken config file
 * must stop start-up with a message that points at the line.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "harness.h"

struct bad_proto {
	const char	*desc;
	const char	*payload;	/* NULL: an endless inline line */
	const char	*reply;		/* the error expected */
	bool		 auth;		/* server with requirepass */
};

static const struct bad_proto bad_protos[] = {
	{ "2 GB bulk length", "*1\r\n$2147483648\r\n",
	    "-ERR Protocol error: invalid bulk length", false },
	{ "2^31 multibulk count", "*2147483648\r\n",
	    "-ERR Protocol error: invalid multibulk length", false },
	{ "negative bulk length", "*1\r\n$-5\r\n",
	    "-ERR Protocol error: invalid bulk length", false },
	{ "not a number as bulk length", "*1\r\n$abc\r\n",
	    "-ERR Protocol error: invalid bulk length", false },
	{ "bulk without $", "*1\r\nfoo\r\n",
	    "-ERR Protocol error: expected '$', got 'f'", false },
	{ "endless inline line", NULL,
	    "-ERR Protocol error: too big inline request", false },
	{ "unbalanced quotes inline", "SET \"a b\r\n",
	    "-ERR Protocol error: unbalanced quotes in request", false },
	{ "big multibulk before AUTH", "*100\r\n",
	    "-ERR Protocol error: unauthenticated multibulk length", true },
	{ "big bulk before AUTH", "*1\r\n$100000\r\n",
	    "-ERR Protocol error: unauthenticated bulk length", true },
};

struct bad_conf {
	const char	*desc;
	const char	*line3;		/* the broken third line */
	const char	*redis_why;	/* Redis's explanation line */
	const char	*kv_word;	/* our message must mention this;
					   NULL: any explanation will do */
};

static const struct bad_conf bad_confs[] = {
	{ "misspelled directive", "prot 6379",
	    "Bad directive or wrong number of arguments", "prot" },
	{ "port abc", "port abc",
	    "argument couldn't be parsed into an integer", NULL },
	{ "maxclients -5", "maxclients -5",
	    "argument must be between 1 and 4294967295 inclusive", NULL },
	{ "unbalanced quotes", "requirepass \"abc",
	    "Unbalanced quotes in configuration line", "quote" },
	{ "rename-command of no command", "rename-command NOSUCH x",
	    "No such command in rename-command", "no such command" },
	{ "rename-command onto a command", "rename-command GET SET",
	    "Target command name already exists", "already exists" },
};

/* Compares a rendered reply with the expectation, with a diagnostic. */
static bool
bad_expect(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	h_diag("%s: expected %s", what, want);
	h_diag("%s: got      %s", what, got);
	return false;
}

/* Feeds 'a's without a newline until the server answers or 1 MB went. */
static void
bad_send_endless(struct h_conn *c)
{
	char		chunk[8192];
	struct pollfd	pfd;
	size_t		sent = 0;

	memset(chunk, 'a', sizeof chunk);
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	while (sent < 1024 * 1024) {
		if (h_send_raw(c, chunk, sizeof chunk) == -1)
			break;
		sent += sizeof chunk;
		/* Past the 64 KB limit, give the server time to answer. */
		if (poll(&pfd, 1, sent > 65536 ? 100 : 0) > 0)
			break;
	}
}

/* One abusive client is dropped, a well-behaved one keeps working. */
static bool
bad_proto_body(const struct h_target *t, void *arg)
{
	const struct bad_proto	*bp = arg;
	const char		*auth[] = { "--requirepass", "pw", NULL };
	struct h_srvcfg		 cfg;
	struct h_server		 srv;
	struct h_conn		*bad = NULL, *good = NULL;
	char			*dir, *r = NULL;
	bool			 ok = false;

	dir = h_tmpdir("badin");
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = t->bin;
	cfg.dir = dir;
	cfg.args = bp->auth ? auth : NULL;
	if (h_server_start(&srv, &cfg) == -1)
		goto out;
	if ((good = h_connect(srv.port)) == NULL ||
	    (bad = h_connect(srv.port)) == NULL) {
		h_diag("cannot connect");
		goto out;
	}
	if (bp->auth) {
		r = h_cmd(good, "AUTH", "pw", NULL);
		free(r);
	}
	r = h_cmd(good, "PING", NULL);
	if (!bad_expect("first PING", r, "+PONG"))
		goto out;
	free(r);

	if (bp->payload == NULL)
		bad_send_endless(bad);
	else
		h_send_raw(bad, bp->payload, strlen(bp->payload));
	r = h_reply(bad);
	if (!bad_expect("abusive client", r, bp->reply))
		goto out;
	if (!h_wait_closed(bad, H_DEADLINE_MS)) {
		h_diag("the abusive client was not disconnected");
		goto out;
	}
	free(r);
	r = h_cmd(good, "PING", NULL);
	if (!bad_expect("other client", r, "+PONG"))
		goto out;
	ok = true;
out:
	if (!ok)
		h_server_diag_log(&srv);
	free(r);
	h_close(good);
	h_close(bad);
	h_server_free(&srv);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/*
 * Is word (or, if NULL, some text) on the same output line after the
 * "file:3:" location?
 */
static bool
bad_kv_message(const char *out, const char *loc, const char *word)
{
	const char	*p = out, *eol;
	char		*line;
	bool		 found;

	while ((p = strstr(p, loc)) != NULL) {
		eol = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(eol - p));
		util_strtolower(line);
		if (word == NULL)
			found = strspn(line + strlen(loc), " \t") <
			    strlen(line + strlen(loc));
		else
			found = strstr(line + strlen(loc), word) != NULL;
		free(line);
		if (found)
			return true;
		p = eol;
	}
	return false;
}

/*
 * A broken third line stops start-up with a non-zero exit. Redis prints
 * its "*** FATAL CONFIG FILE ERROR ***" block naming "line 3" and the
 * line; sentinel-kv must instead print "redis.conf:3: <what is wrong>"
 * (file:line: message, as compilers do); the message must name the
 * unknown directive or the quoting problem, and say something at all
 * for a bad value.
 */
static bool
bad_conf_body(const struct h_target *t, void *arg)
{
	const struct bad_conf	*bc = arg;
	char			*dir, *conf, *log, *text = NULL, *argv[16];
	char			 port[16], *expect = NULL;
	pid_t			 pid;
	int			 st = 0;
	bool			 ok = false;

	dir = h_tmpdir("badconf");
	conf = xasprintf("%s/redis.conf", dir);
	log = xasprintf("%s/out.log", dir);
	text = xasprintf("# a broken config file\nbind 127.0.0.1\n%s\n"
	    "appendonly no\n", bc->line3);
	h_write_file(conf, text);
	free(text);
	text = NULL;
	snprintf(port, sizeof port, "%d", h_free_port());
	/* A port of our own in case the server wrongly starts anyway. */
	argv[0] = (char *)t->bin;
	argv[1] = conf;
	argv[2] = (char *)"--port";
	argv[3] = port;
	argv[4] = (char *)"--dir";
	argv[5] = dir;
	argv[6] = NULL;
	if ((pid = h_spawn(argv, log)) == -1)
		goto out;
	if (!h_exited(pid, &st, H_DEADLINE_MS)) {
		h_diag("still running after %d ms", H_DEADLINE_MS);
		h_stop(pid, 2000);
		goto out;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 0) {
		h_diag("expected a non-zero exit, got status %d", st);
		goto out;
	}
	if ((text = h_read_file(log)) == NULL)
		text = xstrdup("");
	if (t->kind == H_REDIS) {
		expect = xasprintf(">>> '%s'", bc->line3);
		ok = strstr(text, "*** FATAL CONFIG FILE ERROR") != NULL &&
		    strstr(text, "at line 3") != NULL &&
		    strstr(text, expect) != NULL &&
		    strstr(text, bc->redis_why) != NULL;
		if (!ok)
			h_diag("expected Redis's FATAL CONFIG FILE ERROR "
			    "block for line 3 saying: %s", bc->redis_why);
	} else {
		ok = bad_kv_message(text, "redis.conf:3:", bc->kv_word);
		if (!ok)
			h_diag("expected a line \"...redis.conf:3: ...\" "
			    "mentioning '%s'", bc->kv_word != NULL ?
			    bc->kv_word : "what is wrong");
	}
	if (!ok)
		h_diag_lines("output| ", text);
out:
	free(expect);
	free(text);
	free(conf);
	free(log);
	h_tmpdir_remove(dir);
	free(dir);
	return ok;
}

/* Protocol cases, then config file cases, each against every server. */
int
main(void)
{
	size_t	i;
	char	*d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	h_plan((int)(ARRAY_SIZE(bad_protos) + ARRAY_SIZE(bad_confs)) *
	    h_nkinds());
	for (i = 0; i < ARRAY_SIZE(bad_protos); i++) {
		d = xasprintf("protocol: %s", bad_protos[i].desc);
		h_run(d, bad_proto_body, (void *)&bad_protos[i]);
		free(d);
	}
	for (i = 0; i < ARRAY_SIZE(bad_confs); i++) {
		d = xasprintf("config: %s at line 3", bad_confs[i].desc);
		h_run(d, bad_conf_body, (void *)&bad_confs[i]);
		free(d);
	}
	return h_done();
}
