/*
 * failover.h - carries out the failover that decide.c plans: the election,
 * the promotion transaction, the reconfiguration of the other replicas and
 * the switch to the new master. Each step starts the moment the reply or
 * the INFO that proves the previous one arrives, not on the next tick.
 */
#ifndef SENTINEL_FAILOVER_H
#define SENTINEL_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

struct instance;

/* Periodic work for a master (not in TILT): start, timeouts, pacing. */
void	failover_tick(struct instance *m, int64_t now);
/* INFO of ri was just digested: a promotion or a reconfiguration may have completed. */
void	failover_on_info(struct instance *ri);
/* A peer answered our vote request for m. */
void	failover_on_vote(struct instance *m);
/*
 * SENTINEL FAILOVER name [ip port]: forced, no quorum needed. Returns 0, or
 * -1 with *err set to the RESP error to reply.
 */
int	failover_force(struct instance *m, const char *ip, int port, const char **err);
/*
 * SENTINEL is-master-down-by-addr with a runid: vote (persisted before the
 * caller replies). Sets *leader / *epoch to the vote in force.
 */
void	failover_vote(struct instance *m, const char *runid, uint64_t epoch,
	    const char **leader, uint64_t *leader_epoch);

#endif
