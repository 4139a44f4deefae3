/*
 * proc.h - process chores: daemonize, pidfile, the service manager's notify protocol.
 */
#ifndef SENTINEL_PROC_H
#define SENTINEL_PROC_H

#include <stdbool.h>

/* Fork into the background, detach from the terminal, stdio to /dev/null. */
int	proc_daemonize(void);
/* Write our pid; returns -1 (errno) on failure. */
int	proc_write_pidfile(const char *path);
void	proc_remove_pidfile(const char *path);
/* sd_notify: "READY=1", "STATUS=...", "STOPPING=1"; no-op without NOTIFY_SOCKET. */
void	proc_notify(const char *state);
/*
 * The service manager's watchdog period in microseconds (WATCHDOG_USEC,
 * when WATCHDOG_PID is unset or ours), 0 when there is none; the caller
 * sends "WATCHDOG=1" at half of it.
 */
long long	proc_watchdog_usec(void);
/* When there is a watchdog, a loop timer that sends "WATCHDOG=1" at half its period. */
void	proc_watchdog_start(void);
/*
 * Sends "STATUS=<text>" when text differs from the last one sent (so it can
 * be called on every pass of the loop).
 */
void	proc_notify_status(const char *text);
/* An absolute form of path (relative to the current directory); malloc'd. */
char	*proc_abspath(const char *path);

#endif
