/*
 * loop.h - the one event_base of a daemon, its monotonic clock, signals as
 * loop events, work run before each sleep, and deferred frees.
 */
#ifndef SENTINEL_LOOP_H
#define SENTINEL_LOOP_H

#include <stdint.h>

struct event_base;
struct event;

typedef void (*loop_fn)(void *arg);

void	loop_init(void);
void	loop_free(void);
struct event_base *loop_base(void);
/* Run until loop_stop(); before-sleep hooks run before every wait. */
int	loop_run(void);
void	loop_stop(void);
/* Monotonic milliseconds, refreshed once per loop pass (cheap). */
int64_t	loop_now_ms(void);
void	loop_update_time(void);
/* Register a function to run before every wait for events. */
void	loop_before_sleep(loop_fn fn, void *arg);
/* The same, run before every hook registered so far (a durability barrier). */
void	loop_before_sleep_first(loop_fn fn, void *arg);
/* Handle a signal on the loop (not in a signal handler). */
void	loop_signal(int sig, void (*fn)(int sig, void *arg), void *arg);
/* Run fn(p) once the callbacks of this pass are over. */
void	loop_defer(loop_fn fn, void *p);
/* A repeating timer every ms milliseconds; returns the event for event_free. */
struct event *loop_every(int64_t ms, loop_fn fn, void *arg);
/* A one-shot timer; the event frees itself. */
void	loop_once(int64_t ms, loop_fn fn, void *arg);

#endif
