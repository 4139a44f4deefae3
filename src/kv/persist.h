/*
 * persist.h - the dataset on disk: SAVE, BGSAVE in a child, save points,
 * loading at start (in steps, so that clients get -LOADING meanwhile).
 */
#ifndef SENTINEL_KV_PERSIST_H
#define SENTINEL_KV_PERSIST_H

#include <stdbool.h>

#include <stddef.h>

#include "buf.h"

/* Write the whole dataset to path (temp file + rename). Returns 0 or -1 (logged). */
int	persist_save(const char *path);
/* The dataset as an RDB image in memory (replication). */
void	persist_image(struct buf *out);
/* SAVE in the foreground. */
int	persist_save_now(void);
/* BGSAVE: fork a child; returns 0 if started. */
int	persist_bgsave(void);
/* Reap the child, run save points; call every 100 ms. */
void	persist_cron(void);
/* Start loading dbfilename if it exists: loading goes on from the loop. */
int	persist_load_start(void);
bool	persist_child_running(void);
/* Load a whole RDB image into the (empty) keyspace at once (replication). */
int	persist_load_image(const void *image, size_t len);
/* For INFO persistence. */
void	persist_info(struct buf *out);
/* Kill a running child (shutdown, FLUSHALL). */
void	persist_kill_child(void);

#endif
