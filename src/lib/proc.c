/*
 * proc.c - daemonize, pidfile and the service manager's notify protocol.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "loop.h"
#include "proc.h"
#include "util.h"

int
proc_daemonize(void)
{
	int fd;

	switch (fork()) {
	case -1:
		return -1;
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int
proc_write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

void
proc_remove_pidfile(const char *path)
{
	if (path != NULL && *path != '\0')
		unlink(path);
}

void
proc_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0) {
		/* Nothing to do: the manager will time us out. */
	}
	close(fd);
#endif
}

long long
proc_watchdog_usec(void)
{
	const char	*v = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long	 usec, p;

	if (v == NULL || !util_parse_ll(v, strlen(v), &usec) || usec <= 0)
		return 0;
	if (pid != NULL && (!util_parse_ll(pid, strlen(pid), &p) || p != (long long)getpid()))
		return 0;
	return usec;
}

static void
watchdog_ping(void *unused)
{
	(void)unused;
	proc_notify("WATCHDOG=1");
}

void
proc_watchdog_start(void)
{
	long long usec = proc_watchdog_usec();

	if (usec <= 0)
		return;
	proc_notify("WATCHDOG=1");
	loop_every(usec / 2000 > 0 ? usec / 2000 : 1, watchdog_ping, NULL);
}

void
proc_notify_status(const char *text)
{
	static char	*last;
	char		*msg;

	if (last != NULL && strcmp(last, text) == 0)
		return;
	free(last);
	last = xstrdup(text);
	msg = xasprintf("STATUS=%s", text);
	proc_notify(msg);
	free(msg);
}

char *
proc_abspath(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}
