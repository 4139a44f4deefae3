/*
 * monitor.h - the I/O shell around the decision core: links to every
 * instance, PING/INFO/hello on their periods, discovery from INFO and
 * hellos, and SDOWN/ODOWN decisions turned into events.
 */
#ifndef SENTINEL_MONITOR_H
#define SENTINEL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

struct instance;

/* Start the timers and the links of every configured master. */
void	monitor_start(void);
/* A master was added (SENTINEL MONITOR): connect to it. */
void	monitor_master_added(struct instance *m);
/* Detach and free the links of an instance (and of its replicas and sentinels) before it is freed. */
void	monitor_forget(struct instance *i);
/* SENTINEL RESET: forget replicas, sentinels, flags and failover state; reconnect. */
void	monitor_reset_master(struct instance *m);
/* A message on __sentinel__:hello arrived (pub/sub link, or PUBLISH to our port). */
void	monitor_process_hello(const char *msg, size_t len);
/* Ask for a config rewrite at the end of this loop pass (coalesced). */
void	monitor_config_dirty(void);
/* Rewrite now (votes, epochs, commands that must answer after the flush); -1 on failure (logged). */
int	monitor_flush_config(void);
/* Links that are connected (for SENTINEL MASTER's flags and link-refcount). */
bool	monitor_link_connected(const struct instance *i);
int	monitor_link_pending(const struct instance *i);
int	monitor_link_refcount(const struct instance *i);
/* Follow a failover that happened elsewhere: the master is now at ip:port. */
void	monitor_switch_master(struct instance *m, const char *ip, int port);
/* Credentials changed: close the links of m and its replicas (they reconnect). */
void	monitor_drop_links(struct instance *m);
/* sentinel-user/pass changed: close every link to a peer sentinel. */
void	monitor_drop_sentinel_links(void);
/* Tell peers right away (hello to the master, its replicas and each sentinel). */
void	monitor_send_hellos(struct instance *m);

#endif
