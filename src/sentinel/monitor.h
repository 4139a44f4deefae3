/*
 * monitor.h - the I/O shell around the decision core: links to every
 * instance, PING/INFO/hello on their periods, discovery from INFO and
 * hellos, and SDOWN/ODOWN decisions turned into events.
 */
#ifndef SENTINEL_MONITOR_H
#define SENTINEL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct instance;

/* Start the timers and the links of every configured master. */
void	monitor_start(void);
/* Settings changed: every instance's periodic work is looked at on the next tick. */
void	monitor_rescan(void);
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
/* Write what discovery learned and has not written yet (shutdown). */
void	monitor_flush_pending(void);
/* Epochs, votes, config epochs: on disk before this loop pass's output leaves. */
void	monitor_config_sync(void);
/* Rewrite now (votes, epochs, commands that must answer after the flush); -1 on failure (logged). */
int	monitor_flush_config(void);
/* Links that are connected (for SENTINEL MASTER's flags and link-refcount). */
bool	monitor_link_connected(const struct instance *i);
int	monitor_link_pending(const struct instance *i);
/* How many of list are reachable: connected and not SDOWN. */
size_t	monitor_reachable(struct instance *const *list, size_t n);
int	monitor_link_refcount(const struct instance *i);
/* Follow a failover that happened elsewhere: the master is now at ip:port. */
void	monitor_switch_master(struct instance *m, const char *ip, int port);
/* Credentials changed: close the links of m and its replicas (they reconnect). */
void	monitor_drop_links(struct instance *m);
/* sentinel-user/pass changed: close every link to a peer sentinel. */
void	monitor_drop_sentinel_links(void);
/* Send a command (NULL-terminated words, renamed per rename-command) on ri's command link; -1 if it cannot go. */
struct link;
struct redisReply;
int	monitor_command(struct instance *ri, void (*fn)(struct link *, struct redisReply *, void *),
	    void *privdata, ...) __attribute__((sentinel));
/* INFO now, or when the last one is older than ms (and none is pending). */
void	monitor_info_now(struct instance *ri);
void	monitor_info_every(struct instance *ri, int64_t ms);
/* Ask every peer about m at once (with our runid while a failover is ours: a vote request). */
void	monitor_ask_now(struct instance *m);
/* Tell peers right away (hello to the master, its replicas and each sentinel). */
void	monitor_send_hellos(struct instance *m);

#endif
