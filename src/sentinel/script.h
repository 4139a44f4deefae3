/*
 * script.h - notification and client-reconfig scripts: a queue of at most
 * 256, at most 16 running, killed after the maximum run time, retried on
 * exit status 1 or a signal with a doubling delay, up to 10 times.
 */
#ifndef SENTINEL_SCRIPT_H
#define SENTINEL_SCRIPT_H

struct client;

#define SCRIPT_MAX_QUEUE	256
#define SCRIPT_MAX_RUNNING	16
#define SCRIPT_MAX_RETRY	10
#define SCRIPT_MAX_ARGS		16

/* Queue path with its arguments (NULL-terminated, at most 15). */
void	script_queue(const char *path, ...) __attribute__((sentinel));
/* Start what may start, reap what ended, kill what ran too long: every tick. */
void	script_tick(void);
int	script_running(void);
int	script_queued(void);
/* SENTINEL PENDING-SCRIPTS. */
void	script_pending_reply(struct client *c);

#endif
