/*
 * sock.h - listening sockets on several bind addresses (IPv4 and IPv6),
 * accepting with back-off on EMFILE, address formatting, RLIMIT_NOFILE.
 */
#ifndef SENTINEL_SOCK_H
#define SENTINEL_SOCK_H

#include <stdbool.h>
#include <stddef.h>

struct sock_listener;

/* Called with each accepted, non-blocking, close-on-exec fd. */
typedef void (*sock_accept_fn)(int fd, void *arg);

/*
 * Listen on addr:port ("*" or "" for every IPv4 address, "::*" for every
 * IPv6 one; a leading '-' means "skip it quietly if the address is not
 * available", as in Redis). Returns NULL with *err set on failure.
 */
struct sock_listener *sock_listen(const char *addr, int port, int backlog,
	    sock_accept_fn fn, void *arg, char **err);
void	sock_listener_free(struct sock_listener *l);
/*
 * Only the socket: bound to a numeric addr:port ("*", "::*" too),
 * listening, non-blocking, close-on-exec. Returns the fd, or -1 with
 * errno set (and *err set when the address itself is invalid).
 */
int	sock_listen_fd(const char *addr, int port, int backlog, char **err);
/* Stop and restart accepting (used while a daemon is shutting down). */
void	sock_listener_pause(struct sock_listener *l, bool paused);
/* The port actually bound (useful with port 0). */
int	sock_listener_port(const struct sock_listener *l);

/* "ip:port" or "[v6]:port" of the peer / local end; "?:0" when unknown. */
void	sock_peer_addr(int fd, char *out, size_t outlen);
void	sock_local_addr(int fd, char *out, size_t outlen);
/* Split "host:port", "[v6]:port" or "v6:port" (last colon). Returns 0 or -1. */
int	sock_split_hostport(const char *s, char *host, size_t hostlen, int *port);
/* Is s a numeric IPv4 or IPv6 address? */
bool	sock_is_numeric(const char *s);
/* Non-blocking TCP connect to a numeric address, optionally from source; -1 with errno. */
int	sock_connect(const char *ip, int port, const char *source);
void	sock_set_nodelay(int fd);
void	sock_set_keepalive(int fd, int seconds);

/*
 * Raise RLIMIT_NOFILE towards want; logs when the hard limit is short.
 * Returns the soft limit now in force.
 */
long	sock_raise_nofile(long want);

#endif
