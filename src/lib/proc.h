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
/* An absolute form of path (relative to the current directory); malloc'd. */
char	*proc_abspath(const char *path);

#endif
