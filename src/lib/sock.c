/*
 * sock.c - listening and connecting TCP sockets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "loop.h"
#include "sock.h"
#include "util.h"

struct sock_listener {
	int		 fd;
	int		 port;
	struct event	*ev;
	struct event	*backoff;
	sock_accept_fn	 fn;
	void		*arg;
	bool		 paused;
};

static void
set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct sock_listener *l = arg;

	UNUSED(fd);
	UNUSED(what);
	if (!l->paused)
		event_add(l->ev, NULL);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sock_listener *l = arg;
	int n;

	UNUSED(what);
	loop_update_time();
	/* Accept a bounded batch so one listener cannot starve the loop. */
	for (n = 0; n < 64; n++) {
		int fd;

#ifdef HAVE_ACCEPT4
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			set_nonblock_cloexec(fd);
#endif
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				struct timeval tv = { 1, 0 };

				log_warning("Error accepting a client connection: %s "
				    "(not accepting for one second)", strerror(errno));
				event_del(l->ev);
				event_add(l->backoff, &tv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED) {
				log_verbose("Accepting client connection: %s", strerror(errno));
			}
			return;
		}
		l->fn(fd, l->arg);
	}
}

static int
resolve_bind(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (*addr == '\0' || strcmp(addr, "*") == 0 || strcmp(addr, "0.0.0.0") == 0) {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons((uint16_t)port);
		*sslen = sizeof *s4;
		return 0;
	}
	if (strcmp(addr, "::*") == 0) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof *s6;
		return 0;
	}
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sslen = sizeof *s4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof *s6;
		return 0;
	}
	return -1;
}

int
sock_listen_fd(const char *addr, int port, int backlog, char **err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, one = 1;

	*err = NULL;
	if (resolve_bind(addr, port, &ss, &sslen) < 0) {
		*err = xasprintf("Invalid bind address '%s'", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, backlog) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	set_nonblock_cloexec(fd);
	return fd;
}

struct sock_listener *
sock_listen(const char *addr, int port, int backlog, sock_accept_fn fn,
    void *arg, char **err)
{
	struct sock_listener *l;
	bool optional = false;
	int fd;

	if (*addr == '-') {
		optional = true;
		addr++;
	}
	if ((fd = sock_listen_fd(addr, port, backlog, err)) < 0) {
		if (*err != NULL)
			return NULL;
		goto fail;
	}
	l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->fn = fn;
	l->arg = arg;
	{
		struct sockaddr_storage got;
		socklen_t glen = sizeof got;

		l->port = port;
		if (getsockname(fd, (struct sockaddr *)&got, &glen) == 0)
			l->port = ntohs(got.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&got)->sin6_port :
			    ((struct sockaddr_in *)&got)->sin_port);
	}
	l->ev = event_new(loop_base(), fd, EV_READ | EV_PERSIST, accept_cb, l);
	l->backoff = evtimer_new(loop_base(), accept_resume, l);
	event_add(l->ev, NULL);
	return l;
fail:
	if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT ||
	    errno == EPROTONOSUPPORT)) {
		log_warning("Skipping optional bind address %s: %s", addr, strerror(errno));
		*err = NULL;
		return NULL;
	}
	*err = xasprintf("Could not create server TCP listening socket %s:%d: %s",
	    addr, port, strerror(errno));
	return NULL;
}

void
sock_listener_free(struct sock_listener *l)
{
	if (l == NULL)
		return;
	event_free(l->ev);
	event_free(l->backoff);
	close(l->fd);
	free(l);
}

void
sock_listener_pause(struct sock_listener *l, bool paused)
{
	l->paused = paused;
	if (paused)
		event_del(l->ev);
	else
		event_add(l->ev, NULL);
}

int
sock_listener_port(const struct sock_listener *l)
{
	return l->port;
}

static void
format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
		snprintf(out, outlen, "%s:%d", ip, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
		snprintf(out, outlen, "[%s]:%d", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(out, outlen, "?:0");
	}
}

void
sock_peer_addr(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	memset(&ss, 0, sizeof ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		ss.ss_family = AF_UNSPEC;
	format_addr(&ss, out, outlen);
}

void
sock_local_addr(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		ss.ss_family = AF_UNSPEC;
	format_addr(&ss, out, outlen);
}

int
sock_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon, *h = s;
	size_t hl;
	long long p;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	if (!util_parse_ll(colon + 1, strlen(colon + 1), &p) || p < 0 || p > 65535)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (int)p;
	return 0;
}

bool
sock_is_numeric(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

int
sock_connect(const char *ip, int port, const char *source)
{
	struct sockaddr_storage ss, src;
	socklen_t sslen, srclen;
	int fd;

	if (resolve_bind(ip, port, &ss, &sslen) < 0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_nonblock_cloexec(fd);
	if (source != NULL && *source != '\0') {
		if (resolve_bind(source, 0, &src, &srclen) < 0 ||
		    bind(fd, (struct sockaddr *)&src, srclen) < 0) {
			int saved = errno ? errno : EINVAL;

			close(fd);
			errno = saved;
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0 && errno != EINPROGRESS) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	sock_set_nodelay(fd);
	return fd;
}

void
sock_set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void
sock_set_keepalive(int fd, int seconds)
{
	int one = 1, intvl, cnt = 3;

	if (seconds <= 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &seconds, sizeof seconds);
	intvl = seconds / 3 > 0 ? seconds / 3 : 1;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

long
sock_raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if ((long)rl.rlim_cur >= want)
		return (long)rl.rlim_cur;
	rl.rlim_cur = (rlim_t)want;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max) {
		log_warning("You requested maxclients of %ld requiring at least %ld max file "
		    "descriptors, but the hard limit is %ld: raising to that.",
		    want - 32, want, (long)rl.rlim_max);
		rl.rlim_cur = rl.rlim_max;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warning("Unable to raise the open files limit to %ld: %s",
		    (long)rl.rlim_cur, strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	} else {
		log_notice("Increased maximum number of open files to %ld", (long)rl.rlim_cur);
	}
	return (long)rl.rlim_cur;
}
