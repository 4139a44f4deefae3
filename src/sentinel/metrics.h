/*
 * metrics.h - the Prometheus endpoint (metrics-bind <ip>:<port>): GET
 * /metrics answers the text exposition format 0.0.4, every family named
 * sentinel_...; off unless configured.
 */
#ifndef SENTINEL_METRICS_H
#define SENTINEL_METRICS_H

#include <stdint.h>

struct buf;

/* Listen on ip:port (numeric). Returns 0, or -1 with *err set (free it). */
int	metrics_start(const char *ip, int port, char **err);
void	metrics_stop(void);
/* The exposition text of the current state (also what the endpoint serves). */
void	metrics_render(struct buf *out, int64_t now);

#endif
