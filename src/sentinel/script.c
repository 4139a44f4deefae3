/*
 * script.c - running the scripts of notification-script and
 * client-reconfig-script.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "emit.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "resp.h"
#include "script.h"
#include "util.h"

struct job {
	char		*argv[SCRIPT_MAX_ARGS + 1];
	int		 argc;
	pid_t		 pid;		/* 0 while queued */
	int		 retries;
	int64_t		 start;		/* running since, or not before (queued) */
	struct job	*next;
};

static struct job	*jobs;
static int		 njobs, nrunning;

void
script_queue(const char *path, ...)
{
	struct job *j, **jp;
	va_list ap;
	const char *a;

	if (njobs >= SCRIPT_MAX_QUEUE) {
		/* Drop the oldest job that is not running. */
		for (jp = &jobs; *jp; jp = &(*jp)->next) {
			if ((*jp)->pid == 0) {
				struct job *old = *jp;

				*jp = old->next;
				for (int i = 0; i < old->argc; i++)
					free(old->argv[i]);
				free(old);
				njobs--;
				break;
			}
		}
		if (njobs >= SCRIPT_MAX_QUEUE)
			return;
	}
	j = xcalloc(1, sizeof *j);
	j->argv[j->argc++] = xstrdup(path);
	va_start(ap, path);
	while ((a = va_arg(ap, const char *)) != NULL && j->argc < SCRIPT_MAX_ARGS)
		j->argv[j->argc++] = xstrdup(a);
	va_end(ap);
	j->start = loop_now_ms();
	/* Keep the queue in order: append. */
	for (jp = &jobs; *jp; jp = &(*jp)->next)
		;
	*jp = j;
	njobs++;
	script_tick();
}

static void
job_free(struct job **jp)
{
	struct job *j = *jp;

	*jp = j->next;
	for (int i = 0; i < j->argc; i++)
		free(j->argv[i]);
	free(j);
	njobs--;
}

static void
start(struct job *j)
{
	pid_t pid = fork();

	if (pid < 0) {
		emit_event(LOG_WARNING, "-script-error", NULL, "%s %d %d", j->argv[0], 99, 0);
		j->retries = SCRIPT_MAX_RETRY;
		return;
	}
	if (pid == 0) {
		/* Every descriptor of ours is close-on-exec: the script gets 0, 1 and 2. */
		execv(j->argv[0], j->argv);
		_exit(2);
	}
	j->pid = pid;
	j->start = loop_now_ms();
	nrunning++;
	emit_event(LOG_DEBUG, "+script-child", NULL, "%ld", (long)pid);
}

void
script_tick(void)
{
	struct job **jp;
	int64_t now = loop_now_ms();

	/* Reap. */
	for (jp = &jobs; *jp; ) {
		struct job *j = *jp;
		int status;

		if (j->pid > 0 && waitpid(j->pid, &status, WNOHANG) == j->pid) {
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

			nrunning--;
			emit_event(LOG_DEBUG, "-script-child", NULL, "%ld %d %d", (long)j->pid, sig, code);
			j->pid = 0;
			if ((code == 1 || sig != 0) && j->retries + 1 < SCRIPT_MAX_RETRY) {
				/* Try again later, waiting twice as long each time. */
				j->retries++;
				j->start = now + sentinel.script_retry_delay * (1LL << (j->retries - 1));
				jp = &j->next;
				continue;
			}
			if (code != 0 || sig != 0)
				emit_event(LOG_WARNING, "-script-error", NULL, "%s %d %d",
				    j->argv[0], sig, code);
			job_free(jp);
			continue;
		}
		if (j->pid > 0 && now - j->start > sentinel.script_max_runtime) {
			emit_event(LOG_WARNING, "-script-timeout", NULL, "%s %ld", j->argv[0], (long)j->pid);
			kill(j->pid, SIGKILL);
		}
		jp = &j->next;
	}
	/* Start. */
	for (struct job *j = jobs; j && nrunning < SCRIPT_MAX_RUNNING; j = j->next)
		if (j->pid == 0 && j->start <= now && j->retries < SCRIPT_MAX_RETRY)
			start(j);
}

int script_running(void) { return nrunning; }
int script_queued(void) { return njobs - nrunning; }

void
script_pending_reply(struct client *c)
{
	int64_t now = loop_now_ms();

	client_array(c, njobs);
	for (struct job *j = jobs; j; j = j->next) {
		client_map(c, 5);
		client_bulk_str(c, "argv");
		client_array(c, j->argc);
		for (int i = 0; i < j->argc; i++)
			client_bulk_str(c, j->argv[i]);
		client_bulk_str(c, "flags");
		client_bulk_str(c, j->pid ? "running" : "scheduled");
		client_bulk_str(c, "pid");
		resp_bulk_ll(&c->reply, (long long)j->pid);
		if (j->pid) {
			client_bulk_str(c, "run-time");
			resp_bulk_ll(&c->reply, now - j->start);
		} else {
			client_bulk_str(c, "run-delay");
			resp_bulk_ll(&c->reply, j->start > now ? j->start - now : 0);
		}
		client_bulk_str(c, "retry-num");
		resp_bulk_ll(&c->reply, j->retries);
	}
}
