/*
 * harness.c - integration test support shared by the scenario driver and
 * the it_* programs: processes, ports, temp dirs, RESP and TAP.
 */
#include "config.h"

#include <sys/file.h>

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"

#define H_MAXPROCS	64
#define H_MAXDIRS	64

static int	 h_ntest;
static int	 h_nfail;
static pid_t	 h_procs[H_MAXPROCS];
static char	*h_dirs[H_MAXDIRS];
static bool	 h_cleanup_set;

/* --- TAP -------------------------------------------------------------- */

/* The plan comes first so that tap-driver can count missing tests. */
void
h_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

void
h_exclusive(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/sentinel-it-%d.lock", tmp && *tmp ? tmp : "/tmp",
	    (int)getuid());
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) < 0)
		close(fd);
	/* The descriptor stays open: the lock goes with the process. */
}

/* One numbered result line; returns cond so callers can chain. */
bool
h_ok(bool cond, const char *fmt, ...)
{
	va_list	ap;

	h_ntest++;
	if (!cond)
		h_nfail++;
	printf("%s %d - ", cond ? "ok" : "not ok", h_ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* A skipped test still takes its number in the plan. */
void
h_skip(const char *reason, const char *fmt, ...)
{
	va_list	ap;

	h_ntest++;
	printf("ok %d - ", h_ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

/* Diagnostics must not contain newlines, or TAP would misread them. */
void
h_diag(const char *fmt, ...)
{
	va_list	ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	h_diag_lines("", s);
	free(s);
}

/* Every line of text becomes its own "# " line. */
void
h_diag_lines(const char *prefix, const char *text)
{
	const char	*p = text, *nl;

	for (;;) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			if (*p != '\0' || p == text)
				printf("# %s%s\n", prefix, p);
			break;
		}
		printf("# %s%.*s\n", prefix, (int)(nl - p), p);
		p = nl + 1;
		if (*p == '\0')
			break;
	}
	fflush(stdout);
}

/* main returns this so a failure also shows in the exit status. */
int
h_done(void)
{
	return h_nfail == 0 ? 0 : 1;
}

/* --- cleanup ------------------------------------------------------------- */

/* Remember a child so that it dies with us whatever happens. */
static void
h_proc_add(pid_t pid)
{
	size_t	i;

	for (i = 0; i < H_MAXPROCS; i++) {
		if (h_procs[i] == 0) {
			h_procs[i] = pid;
			return;
		}
	}
}

/* A child was reaped: forget it. */
static void
h_proc_del(pid_t pid)
{
	size_t	i;

	for (i = 0; i < H_MAXPROCS; i++)
		if (h_procs[i] == pid)
			h_procs[i] = 0;
}

/* Async-signal-safe: SIGKILL every child still registered. */
static void
h_kill_all(void)
{
	size_t	i;

	for (i = 0; i < H_MAXPROCS; i++) {
		if (h_procs[i] > 0) {
			kill(h_procs[i], SIGKILL);
			waitpid(h_procs[i], NULL, 0);
			h_procs[i] = 0;
		}
	}
}

/* At exit: children first (they may still write), then the temp dirs. */
static void
h_atexit(void)
{
	size_t	i;

	h_kill_all();
	for (i = 0; i < H_MAXDIRS; i++) {
		if (h_dirs[i] == NULL)
			continue;
		if (getenv("KEEP_TMP") != NULL)
			fprintf(stderr, "kept %s\n", h_dirs[i]);
		else
			h_rmtree(h_dirs[i]);
		free(h_dirs[i]);
		h_dirs[i] = NULL;
	}
}

/* Killed or crashed: take the servers down, then die the same way. */
static void
h_on_signal(int sig)
{
	h_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Installed once, on first use of anything that leaves traces. */
static void
h_cleanup_init(void)
{
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGABRT, SIGSEGV, SIGBUS, SIGALRM };
	size_t			i;

	if (h_cleanup_set)
		return;
	h_cleanup_set = true;
	atexit(h_atexit);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], h_on_signal);
	/* Writes to a connection the server closed must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
}

/* --- temp dirs and files ----------------------------------------------- */

/* Each test gets its own directory so parallel runs never collide. */
char *
h_tmpdir(const char *tag)
{
	const char	*base = getenv("TMPDIR");
	char		*path;
	size_t		 i;

	h_cleanup_init();
	if (base == NULL || *base == '\0')
		base = "/tmp";
	path = xasprintf("%s/sentinel-%s.XXXXXX", base, tag);
	if (mkdtemp(path) == NULL)
		fatal("mkdtemp %s", path);
	for (i = 0; i < H_MAXDIRS; i++) {
		if (h_dirs[i] == NULL) {
			h_dirs[i] = xstrdup(path);
			break;
		}
	}
	return path;
}

/* Long runs make many dirs: give each back when its case is over. */
void
h_tmpdir_remove(const char *path)
{
	size_t	i;

	if (getenv("KEEP_TMP") != NULL) {
		fprintf(stderr, "kept %s\n", path);
		return;
	}
	h_rmtree(path);
	for (i = 0; i < H_MAXDIRS; i++) {
		if (h_dirs[i] != NULL && strcmp(h_dirs[i], path) == 0) {
			free(h_dirs[i]);
			h_dirs[i] = NULL;
		}
	}
}

/* nftw callback removing everything depth first. */
static int
h_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	UNUSED(st);
	UNUSED(ftw);
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* rm -rf path; a missing path is fine. */
int
h_rmtree(const char *path)
{
	struct stat	st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, h_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Config files and fixtures. */
int
h_write_file(const char *path, const char *text)
{
	FILE	*f;
	int	 rc = 0;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (fputs(text, f) == EOF)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	return rc;
}

/* Server logs and rewritten config files are read back whole. */
char *
h_read_file(const char *path)
{
	struct buf	 b = BUF_INIT;
	char		 tmp[8192];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_append(&b, tmp, (size_t)n);
	close(fd);
	buf_appendc(&b, '\0');
	return b.data;
}

/* --- processes ----------------------------------------------------------- */

/* Binding port 0 lets the kernel pick one that is free right now. */
int
h_free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Servers run with their output in a log file the test can show. */
pid_t
h_spawn(char *const argv[], const char *logpath)
{
	pid_t	pid;
	int	fd;

	h_cleanup_init();
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			close(fd);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	h_proc_add(pid);
	return pid;
}

/* Polls for the exit of pid, so no test ever blocks forever. */
bool
h_exited(pid_t pid, int *status, int deadline_ms)
{
	int64_t	end = util_mono_ms() + deadline_ms;
	int	st;
	pid_t	r;

	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r == -1 && errno == ECHILD)) {
			h_proc_del(pid);
			if (status != NULL)
				*status = r == pid ? st : -1;
			return true;
		}
		if (util_mono_ms() >= end)
			return false;
		usleep(10000);
	}
}

/* Graceful stop as an init system would do it, with a hard fallback. */
int
h_stop(pid_t pid, int deadline_ms)
{
	int	st;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if (h_exited(pid, &st, deadline_ms))
		return st;
	kill(pid, SIGKILL);
	h_exited(pid, &st, H_DEADLINE_MS);
	return st;
}

/* Crash simulation: no chance to save anything. */
int
h_kill9(pid_t pid)
{
	int	st = -1;

	if (pid <= 0)
		return -1;
	kill(pid, SIGKILL);
	h_exited(pid, &st, H_DEADLINE_MS);
	return st;
}

/* Connects a blocking TCP socket to 127.0.0.1:port, or -1. */
static int
h_tcp_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Start-up is over when the port accepts; a dead pid ends the wait. */
bool
h_wait_port(int port, pid_t pid, int deadline_ms)
{
	int64_t	end = util_mono_ms() + deadline_ms;
	int	fd;

	for (;;) {
		if (pid > 0 && kill(pid, 0) == -1)
			return false;
		if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid) {
			h_proc_del(pid);
			return false;
		}
		if ((fd = h_tcp_connect(port)) != -1) {
			close(fd);
			return true;
		}
		if (util_mono_ms() >= end)
			return false;
		usleep(10000);
	}
}

/* --- server kinds --------------------------------------------------------- */

/* The binary of a kind from the environment make check sets. */
bool
h_target_get(enum h_kind kind, struct h_target *t)
{
	const char	*bin;

	t->kind = kind;
	if (kind == H_KV) {
		t->name = "kv";
		bin = getenv("SENTINEL_KV_BIN");
	} else {
		t->name = "redis";
		bin = getenv("REDIS_SERVER_BIN");
	}
	t->bin = (bin != NULL && *bin != '\0') ? bin : NULL;
	return t->bin != NULL && access(t->bin, X_OK) == 0;
}

/* SCN_SERVERS is a comma separated list; unknown names are ignored. */
static bool
h_kind_selected(const char *name)
{
	const char	*sel = getenv("SCN_SERVERS"), *p;
	size_t		 n = strlen(name);

	if (sel == NULL || *sel == '\0')
		sel = "kv,redis";
	for (p = sel; *p != '\0';) {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, ',')) == NULL)
			break;
		p++;
	}
	return false;
}

/* For the plan. */
int
h_nkinds(void)
{
	return (h_kind_selected("kv") ? 1 : 0) +
	    (h_kind_selected("redis") ? 1 : 0);
}

/* Every case is checked against Redis itself and against our server. */
void
h_run(const char *desc, h_body body, void *arg)
{
	static const enum h_kind	kinds[] = { H_KV, H_REDIS };
	struct h_target			t;
	size_t				i;
	bool				avail;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		avail = h_target_get(kinds[i], &t);
		if (!h_kind_selected(t.name))
			continue;
		if (t.bin == NULL) {
			h_skip(kinds[i] == H_KV ? "SENTINEL_KV_BIN not set" :
			    "redis-server not installed", "%s [%s]", desc,
			    t.name);
			continue;
		}
		if (!avail) {
			h_ok(false, "%s [%s]", desc, t.name);
			h_diag("%s: not an executable file", t.bin);
			continue;
		}
		h_ok(body != NULL && body(&t, arg), "%s [%s]", desc, t.name);
	}
}

/* One attempt at starting the server on a given port. */
static int
h_server_try(struct h_server *s, const struct h_srvcfg *cfg, int port)
{
	char		*argv[64], portstr[16];
	size_t		 n = 0, i;
	struct h_conn	*c;
	char		*r;
	int		 ok;

	argv[n++] = (char *)cfg->bin;
	if (cfg->conf != NULL)
		argv[n++] = (char *)cfg->conf;
	snprintf(portstr, sizeof portstr, "%d", port);
	argv[n++] = (char *)"--port";
	argv[n++] = portstr;
	argv[n++] = (char *)"--bind";
	argv[n++] = (char *)"127.0.0.1";
	argv[n++] = (char *)"--dir";
	argv[n++] = (char *)cfg->dir;
	argv[n++] = (char *)"--save";
	argv[n++] = (char *)(cfg->save != NULL ? cfg->save : "");
	argv[n++] = (char *)"--appendonly";
	argv[n++] = (char *)"no";
	for (i = 0; cfg->args != NULL && cfg->args[i] != NULL &&
	    n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = (char *)cfg->args[i];
	argv[n] = NULL;

	s->port = port;
	s->pid = h_spawn(argv, s->log);
	if (s->pid == -1)
		return -1;
	if (!h_wait_port(port, s->pid, H_DEADLINE_MS))
		return -1;
	if (cfg->nowait)
		return 0;
	/* Any reply will do: NOAUTH and LOADING also mean it is up. */
	if ((c = h_connect(port)) == NULL)
		return -1;
	r = h_cmd(c, "PING", NULL);
	ok = r[0] == '+' || r[0] == '-';
	free(r);
	h_close(c);
	/* Someone else's server on "our" port would leave ours dead. */
	if (ok && waitpid(s->pid, NULL, WNOHANG) == s->pid) {
		h_proc_del(s->pid);
		return -1;
	}
	return ok ? 0 : -1;
}

/* Start with retries, since a free port may be taken before we bind. */
int
h_server_start(struct h_server *s, const struct h_srvcfg *cfg)
{
	const char	*logdir = cfg->logdir != NULL ? cfg->logdir : cfg->dir;
	static int	 seq;
	int		 attempt, port;
	char		*log;

	memset(s, 0, sizeof *s);
	for (attempt = 0; attempt < 5; attempt++) {
		port = cfg->port != 0 ? cfg->port : h_free_port();
		free(s->log);
		s->log = xasprintf("%s/server.%d.%d.log", logdir, (int)getpid(),
		    ++seq);
		if (h_server_try(s, cfg, port) == 0)
			return 0;
		if (s->pid > 0)
			h_stop(s->pid, 2000);
		s->pid = 0;
		log = h_read_file(s->log);
		/* Only a port clash is worth another try. */
		if (log == NULL || strstr(log, "in use") == NULL) {
			free(log);
			break;
		}
		free(log);
		if (cfg->port != 0)	/* restarts need that very port */
			usleep(100000);
	}
	h_diag("server %s failed to start", cfg->bin);
	h_server_diag_log(s);
	return -1;
}

/* Graceful stop; returns the wait status. */
int
h_server_stop(struct h_server *s)
{
	int	st;

	if (s->pid <= 0)
		return -1;
	st = h_stop(s->pid, H_DEADLINE_MS);
	s->pid = 0;
	return st;
}

/* Stop if still running and free the struct's strings. */
void
h_server_free(struct h_server *s)
{
	if (s->pid > 0)
		h_server_stop(s);
	free(s->log);
	s->log = NULL;
}

/* On failure, the end of the server's log usually says why. */
void
h_server_diag_log(const struct h_server *s)
{
	char		*text, *p;
	size_t		 len;
	int		 lines = 0;

	if (s->log == NULL || (text = h_read_file(s->log)) == NULL)
		return;
	len = strlen(text);
	p = text + len;
	while (p > text && lines < 15) {
		p--;
		if (*p == '\n' && p + 1 < text + len)
			lines++;
	}
	if (*p == '\n')
		p++;
	h_diag_lines("log| ", p);
	free(text);
}

/* --- RESP connections ----------------------------------------------------- */

/* A blocking socket whose reads time out: a hung server fails the test. */
struct h_conn *
h_connect(int port)
{
	struct h_conn	*c;
	int		 fd;

	h_cleanup_init();
	if ((fd = h_tcp_connect(port)) == -1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->timeout_ms = 5000;
	buf_init(&c->in);
	return c;
}

/* NULL is fine. */
void
h_close(struct h_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	buf_free(&c->in);
	free(c);
}

/* Writes everything or fails (the peer may have closed). */
int
h_send_raw(struct h_conn *c, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A command as a multibulk request, binary safe when lens is given. */
int
h_send_argv(struct h_conn *c, int argc, const char *const *argv,
    const size_t *lens)
{
	struct buf	b = BUF_INIT;
	size_t		len;
	int		i, rc;

	buf_appendf(&b, "*%d\r\n", argc);
	for (i = 0; i < argc; i++) {
		len = lens != NULL ? lens[i] : strlen(argv[i]);
		buf_appendf(&b, "$%zu\r\n", len);
		buf_append(&b, argv[i], len);
		buf_append(&b, "\r\n", 2);
	}
	rc = h_send_raw(c, b.data, b.len);
	buf_free(&b);
	return rc;
}

/* Collects a NULL-terminated argument list. */
static int
h_collect(va_list ap, const char **argv, int max)
{
	const char	*s;
	int		 n = 0;

	while ((s = va_arg(ap, const char *)) != NULL && n < max)
		argv[n++] = s;
	return n;
}

/* Convenience for literal commands. */
int
h_send(struct h_conn *c, ...)
{
	const char	*argv[64];
	va_list		 ap;
	int		 argc;

	va_start(ap, c);
	argc = h_collect(ap, argv, 64);
	va_end(ap);
	return h_send_argv(c, argc, argv, NULL);
}

/* Waits for data with the connection's timeout; H_RD_* or bytes read. */
static int
h_fill(struct h_conn *c, int timeout_ms)
{
	struct pollfd	pfd;
	char		tmp[16384];
	ssize_t		n;
	int		r;

	pfd.fd = c->fd;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return H_RD_TIMEOUT;
	if (r == -1)
		return H_RD_CLOSED;
	n = recv(c->fd, tmp, sizeof tmp, 0);
	if (n <= 0)
		return H_RD_CLOSED;
	buf_append(&c->in, tmp, (size_t)n);
	return (int)n;
}

/* Quoting shared by bulk, verbatim and blob error renderings. */
void
h_quote(struct buf *out, const char *s, size_t len)
{
	size_t		i;
	unsigned char	ch;

	buf_appendc(out, '"');
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		switch (ch) {
		case '\\':
			buf_appends(out, "\\\\");
			break;
		case '"':
			buf_appends(out, "\\\"");
			break;
		case '\n':
			buf_appends(out, "\\n");
			break;
		case '\r':
			buf_appends(out, "\\r");
			break;
		case '\t':
			buf_appends(out, "\\t");
			break;
		case '\a':
			buf_appends(out, "\\a");
			break;
		case '\b':
			buf_appends(out, "\\b");
			break;
		default:
			if (ch < 0x20 || ch >= 0x7f)
				buf_appendf(out, "\\x%02x", ch);
			else
				buf_appendc(out, (char)ch);
		}
	}
	buf_appendc(out, '"');
}

/* A node with its header line. */
static struct h_node *
h_node_new(const char *line, size_t len)
{
	struct h_node	*n;

	n = xcalloc(1, sizeof *n);
	n->line = xmemdup(line, len);
	return n;
}

/* Frees a whole tree. */
void
h_node_free(struct h_node *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		h_node_free(n->kids[i]);
	free(n->kids);
	free(n->line);
	free(n->str);
	free(n);
}

/*
 * Parses one reply starting at *pos. 1 done, 0 need more bytes, -1 not
 * RESP. Incomplete replies are simply parsed again when more arrived.
 */
static int
h_parse(const char *p, size_t len, size_t *pos, struct h_node **out,
    int depth)
{
	const char	*line, *eol;
	size_t		 llen, i, nkids;
	long long	 n;
	struct h_node	*node, *kid;
	struct buf	 b = BUF_INIT;
	char		 type;
	int		 r;

	*out = NULL;
	if (depth > 64)
		return -1;
	if (*pos >= len)
		return 0;
	line = p + *pos;
	eol = memchr(line, '\n', len - *pos);
	if (eol == NULL)
		return 0;
	if (eol == line || eol[-1] != '\r')
		return -1;
	llen = (size_t)(eol - line) - 1;
	type = line[0];
	*pos += llen + 2;
	switch (type) {
	case '+':
	case '-':
	case ':':
	case ',':
	case '(':
	case '#':
		node = h_node_new(line, llen);
		node->str = xmemdup(line + 1, llen - 1);
		node->slen = llen - 1;
		*out = node;
		return 1;
	case '_':
		*out = h_node_new("_", 1);
		return 1;
	case '$':
	case '=':
	case '!':
		if (!util_parse_ll(line + 1, llen - 1, &n) || n < -1)
			return -1;
		if (n == -1 && type == '$') {
			*out = h_node_new("(nil)", 5);
			return 1;
		}
		if (n < 0)
			return -1;
		if (len - *pos < (size_t)n + 2)
			return 0;
		if (p[*pos + (size_t)n] != '\r' || p[*pos + (size_t)n + 1] != '\n')
			return -1;
		line = p + *pos;
		*pos += (size_t)n + 2;
		if (type == '=') {
			if (n < 4 || line[3] != ':')
				return -1;
			buf_append(&b, "=", 1);
			buf_append(&b, line, 4);
			h_quote(&b, line + 4, (size_t)n - 4);
		} else {
			if (type == '!')
				buf_appendc(&b, '!');
			h_quote(&b, line, (size_t)n);
		}
		node = h_node_new(b.data, b.len);
		buf_free(&b);
		node->str = xmemdup(line, (size_t)n);
		node->slen = (size_t)n;
		*out = node;
		return 1;
	case '*':
	case '%':
	case '~':
	case '>':
	case '|':
		if (!util_parse_ll(line + 1, llen - 1, &n) || n < -1 ||
		    n > 100000000)
			return -1;
		if (n == -1) {
			if (type != '*')
				return -1;
			*out = h_node_new("(nil-array)", 11);
			return 1;
		}
		node = h_node_new(line, llen);
		nkids = (size_t)n;
		if (type == '%' || type == '|')
			nkids *= 2;
		if (type == '|')
			nkids++;
		node->kids = xcalloc(nkids > 0 ? nkids : 1, sizeof *node->kids);
		for (i = 0; i < nkids; i++) {
			r = h_parse(p, len, pos, &kid, depth + 1);
			if (r != 1) {
				h_node_free(node);
				return r;
			}
			node->kids[node->nkids++] = kid;
		}
		*out = node;
		return 1;
	default:
		return -1;
	}
}

/* One complete reply, reading as much as needed. */
int
h_read(struct h_conn *c, struct h_node **out)
{
	size_t	pos;
	int	r;
	int64_t	end = util_mono_ms() + c->timeout_ms;
	int64_t	left;

	*out = NULL;
	for (;;) {
		pos = 0;
		r = h_parse(c->in.data, c->in.len, &pos, out, 0);
		if (r == 1) {
			buf_consume(&c->in, pos);
			return H_RD_OK;
		}
		if (r == -1)
			return H_RD_PROTO;
		left = end - util_mono_ms();
		if (left <= 0)
			return H_RD_TIMEOUT;
		r = h_fill(c, (int)left);
		if (r < 0)
			return r;
	}
}

/* For disconnection checks: pending replies are drained and ignored. */
bool
h_wait_closed(struct h_conn *c, int deadline_ms)
{
	int64_t	end = util_mono_ms() + deadline_ms;
	int64_t	left;
	int	r;

	for (;;) {
		left = end - util_mono_ms();
		if (left <= 0)
			return false;
		r = h_fill(c, (int)left);
		if (r == H_RD_CLOSED)
			return true;
		if (r == H_RD_TIMEOUT)
			return false;
		buf_clear(&c->in);
	}
}

/* Indentation shows nesting; counts in headers make it unambiguous. */
static void
h_render_at(const struct h_node *n, struct buf *out, int depth)
{
	size_t	i;
	int	d;

	for (d = 0; d < depth; d++)
		buf_appends(out, "  ");
	buf_appends(out, n->line);
	buf_appendc(out, '\n');
	for (i = 0; i < n->nkids; i++)
		h_render_at(n->kids[i], out, depth + 1);
}

/* The canonical text of a reply. */
void
h_render(const struct h_node *n, struct buf *out)
{
	h_render_at(n, out, 0);
}

/* Reads a reply and renders it, with failures as pseudo replies. */
char *
h_reply(struct h_conn *c)
{
	struct h_node	*n;
	struct buf	 b = BUF_INIT;
	int		 r;

	r = h_read(c, &n);
	switch (r) {
	case H_RD_CLOSED:
		return xstrdup("(closed)");
	case H_RD_TIMEOUT:
		return xstrdup("(timeout)");
	case H_RD_PROTO:
		return xstrdup("(protocol error)");
	}
	h_render(n, &b);
	h_node_free(n);
	/* Single-element replies read best without the newline. */
	if (b.len > 0 && b.data[b.len - 1] == '\n' &&
	    memchr(b.data, '\n', b.len - 1) == NULL)
		b.data[--b.len] = '\0';
	return b.data;
}

/* Send and render: most checks compare the result with a literal. */
char *
h_cmd(struct h_conn *c, ...)
{
	const char	*argv[64];
	va_list		 ap;
	int		 argc;

	va_start(ap, c);
	argc = h_collect(ap, argv, 64);
	va_end(ap);
	return h_cmdv(c, argc, argv);
}

/* Same with an argument array. */
char *
h_cmdv(struct h_conn *c, int argc, const char *const *argv)
{
	if (h_send_argv(c, argc, argv, NULL) == -1)
		return xstrdup("(closed)");
	return h_reply(c);
}

/* INFO is "field:value\r\n" lines with "# Section" headers. */
char *
h_info_field(const char *info, const char *field)
{
	size_t		 flen = strlen(field);
	const char	*p = info, *e;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, field, flen) == 0 && p[flen] == ':') {
			p += flen + 1;
			e = p + strcspn(p, "\r\n");
			return xstrndup(p, (size_t)(e - p));
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/* One field of a live server's INFO. */
char *
h_info_get(struct h_conn *c, const char *section, const char *field)
{
	struct h_node	*n;
	char		*v;
	int		 r;

	if (section != NULL)
		r = h_send(c, "INFO", section, NULL);
	else
		r = h_send(c, "INFO", NULL);
	if (r == -1 || h_read(c, &n) != H_RD_OK)
		return NULL;
	if (n->str == NULL || n->line[0] == '-') {
		h_node_free(n);
		return NULL;
	}
	v = h_info_field(n->str, field);
	h_node_free(n);
	return v;
}
