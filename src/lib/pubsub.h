/*
 * pubsub.h - SUBSCRIBE, PSUBSCRIBE, PUBLISH and PUBSUB for both daemons.
 */
#ifndef SENTINEL_PUBSUB_H
#define SENTINEL_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct buf;

/* SUBSCRIBE / PSUBSCRIBE: one confirmation per name, as Redis sends them. */
void	pubsub_subscribe(struct client *c, const char *ch, size_t len, bool pattern);
/* UNSUBSCRIBE / PUNSUBSCRIBE of one name, or all when ch is NULL. */
void	pubsub_unsubscribe(struct client *c, const char *ch, size_t len, bool pattern);
void	pubsub_unsubscribe_all(struct client *c, bool pattern, bool notify);
/* Deliver to channel subscribers and matching patterns; returns receivers. */
long long pubsub_publish(const char *ch, size_t chlen, const char *msg, size_t mlen);
size_t	pubsub_count(const struct client *c, bool pattern);
/* Total subscriptions of c (channels + patterns). */
size_t	pubsub_total(const struct client *c);
/* Forget c entirely (connection closed). */
void	pubsub_client_gone(struct client *c);
/* PUBSUB CHANNELS [pattern] / NUMSUB / NUMPAT. */
void	pubsub_channels_reply(struct client *c, const char *pat, size_t patlen);
void	pubsub_numsub_reply(struct client *c, int argc, char **argv, const size_t *argvlen);
size_t	pubsub_numpat(void);
/* Number of channels with subscribers, and of patterns (INFO stats). */
size_t	pubsub_nchannels(void);

#endif
