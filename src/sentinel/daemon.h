/*
 * daemon.h - process-wide facts of the sentinel daemon (main.c).
 */
#ifndef SENTINEL_DAEMON_H
#define SENTINEL_DAEMON_H

#include "instance.h"

/* Save learned state, remove the pidfile, exit. */
void	sentinel_shutdown(int code) __attribute__((noreturn));

#endif
