/*
 * kconf.h - sentinel-kv's configuration: one table row per directive drives
 * loading (file, then command line), CONFIG GET/SET and CONFIG REWRITE.
 */
#ifndef SENTINEL_KV_KCONF_H
#define SENTINEL_KV_KCONF_H

#include <stdbool.h>

/*
 * Load defaults, then the file (may be NULL), then "--name value ..."
 * arguments. Returns 0, or -1 with *err = "file:line: what is wrong" (free it).
 */
int	kconf_load(const char *file, int argc, char **argv, char **err);
/* Apply settings that need the loop (log file, limits) after loading. */
void	kconf_apply_runtime(void);
void	kconf_free(void);
/* A directive changed at run time (REPLICAOF): CONFIG REWRITE writes it. */
void	kconf_mark_changed(const char *name);

#endif
