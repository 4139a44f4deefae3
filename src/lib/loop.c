/*
 * loop.c - the event loop that both daemons run.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "loop.h"
#include "util.h"

struct hook {
	loop_fn	 fn;
	void	*arg;
};

static struct event_base *base;
static int64_t		 now_ms;
static int		 stopping;
static struct hook	*hooks;
static size_t		 nhooks;
static struct hook	*deferred;
static size_t		 ndeferred, capdeferred;
static struct event	**sigevs;
static size_t		 nsigevs;
static struct timer	**timers;	/* repeating ones, freed by loop_free */
static size_t		 ntimers;

struct timer {
	loop_fn	 fn;
	void	*arg;
	struct event *ev;
	int	 once;
};

struct sighook {
	void	(*fn)(int, void *);
	void	*arg;
	int	 sig;
};

void
loop_init(void)
{
	struct event_config *cfg;

	if (base != NULL)
		return;
	cfg = event_config_new();
	/* We run the clock ourselves; let libevent use the monotonic one too. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base == NULL)
		fatalx("cannot create the event loop");
	signal(SIGPIPE, SIG_IGN);
	loop_update_time();
}

void
loop_free(void)
{
	for (size_t i = 0; i < nsigevs; i++) {
		free(event_get_callback_arg(sigevs[i]));
		event_free(sigevs[i]);
	}
	free(sigevs);
	sigevs = NULL;
	for (size_t i = 0; i < ntimers; i++) {
		event_free(timers[i]->ev);
		free(timers[i]);
	}
	free(timers);
	timers = NULL;
	ntimers = 0;
	nsigevs = 0;
	free(hooks);
	hooks = NULL;
	nhooks = 0;
	free(deferred);
	deferred = NULL;
	ndeferred = capdeferred = 0;
	if (base != NULL)
		event_base_free(base);
	base = NULL;
}

struct event_base *
loop_base(void)
{
	return base;
}

void
loop_update_time(void)
{
	now_ms = util_mono_ms();
}

int64_t
loop_now_ms(void)
{
	return now_ms;
}

static void
run_deferred(void)
{
	/* A deferred function may defer more; run until none is left. */
	while (ndeferred > 0) {
		struct hook h = deferred[--ndeferred];

		h.fn(h.arg);
	}
}

int
loop_run(void)
{
	stopping = 0;
	while (!stopping) {
		run_deferred();
		for (size_t i = 0; i < nhooks; i++)
			hooks[i].fn(hooks[i].arg);
		run_deferred();
		if (stopping)
			break;
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			return -1;
		loop_update_time();
	}
	run_deferred();
	return 0;
}

void
loop_stop(void)
{
	stopping = 1;
	if (base != NULL)
		event_base_loopbreak(base);
}

void
loop_before_sleep(loop_fn fn, void *arg)
{
	hooks = xreallocarray(hooks, nhooks + 1, sizeof *hooks);
	hooks[nhooks].fn = fn;
	hooks[nhooks].arg = arg;
	nhooks++;
}

void
loop_before_sleep_first(loop_fn fn, void *arg)
{
	hooks = xreallocarray(hooks, nhooks + 1, sizeof *hooks);
	memmove(hooks + 1, hooks, nhooks * sizeof *hooks);
	hooks[0].fn = fn;
	hooks[0].arg = arg;
	nhooks++;
}

void
loop_defer(loop_fn fn, void *p)
{
	if (ndeferred == capdeferred) {
		capdeferred = capdeferred ? capdeferred * 2 : 16;
		deferred = xreallocarray(deferred, capdeferred, sizeof *deferred);
	}
	deferred[ndeferred].fn = fn;
	deferred[ndeferred].arg = p;
	ndeferred++;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sighook *sh = arg;

	UNUSED(what);
	loop_update_time();
	sh->fn((int)sig, sh->arg);
}

void
loop_signal(int sig, void (*fn)(int, void *), void *arg)
{
	struct sighook *sh = xmalloc(sizeof *sh);
	struct event *ev;

	sh->fn = fn;
	sh->arg = arg;
	sh->sig = sig;
	ev = evsignal_new(base, sig, signal_cb, sh);
	if (ev == NULL || evsignal_add(ev, NULL) < 0)
		fatalx("cannot handle signal %d", sig);
	sigevs = xreallocarray(sigevs, nsigevs + 1, sizeof *sigevs);
	sigevs[nsigevs++] = ev;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t = arg;

	UNUSED(fd);
	UNUSED(what);
	loop_update_time();
	t->fn(t->arg);
	if (t->once) {
		event_free(t->ev);
		free(t);
	}
}

static struct timer *
timer_new(int64_t ms, loop_fn fn, void *arg, int once)
{
	struct timer *t = xcalloc(1, sizeof *t);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };

	t->fn = fn;
	t->arg = arg;
	t->once = once;
	t->ev = event_new(base, -1, once ? 0 : EV_PERSIST, timer_cb, t);
	if (t->ev == NULL || event_add(t->ev, &tv) < 0)
		fatalx("cannot add a timer");
	return t;
}

struct event *
loop_every(int64_t ms, loop_fn fn, void *arg)
{
	struct timer *t = timer_new(ms, fn, arg, 0);

	timers = xreallocarray(timers, ntimers + 1, sizeof *timers);
	timers[ntimers++] = t;
	return t->ev;
}

void
loop_once(int64_t ms, loop_fn fn, void *arg)
{
	timer_new(ms, fn, arg, 1);
}
