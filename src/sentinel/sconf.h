/*
 * sconf.h - sentinel.conf: loading (file, then command line), the rewrite
 * that saves learned state without losing the user's lines, SENTINEL
 * CONFIG GET/SET and SENTINEL SET. Compatible with Redis Sentinel 7.0.15.
 */
#ifndef SENTINEL_SCONF_H
#define SENTINEL_SCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "instance.h"

enum sconf_supervised {
	SCONF_SUPERVISED_NO = 0,
	SCONF_SUPERVISED_UPSTART,
	SCONF_SUPERVISED_SYSTEMD,
	SCONF_SUPERVISED_AUTO,
};

/* The server-level settings (the sentinel ones live in struct sentinel_state). */
struct sconf {
	char		*path;		/* absolute path of the config file */
	int		 port;		/* 26379 */
	char		**binds;	/* NULL: every address */
	int		 nbinds;
	char		*bind_source_addr;
	char		*logfile;	/* NULL: standard output */
	int		 loglevel;	/* enum log_level, already applied */
	bool		 daemonize;
	char		*pidfile;
	bool		 protected_mode;	/* no in sentinel mode */
	long long	 maxclients;	/* 10000 */
	int		 supervised;	/* enum sconf_supervised */
	char		*metrics_ip;	/* metrics-bind: NULL when off */
	int		 metrics_port;
};

extern struct sconf sconf;

/*
 * Reset the sentinel state (sentinel_state_init) and load path, which must
 * exist and be writable, then the command line ("--directive value ...",
 * a bare "--sentinel" is ignored). Directives given on the command line are
 * applied after the file and never written back by sconf_rewrite. acl_init
 * must have been called. "dir" changes the working directory. A hostname in
 * "sentinel monitor" (allowed with "sentinel resolve-hostnames yes") is
 * kept in host with ip NULL: the caller resolves it. Without a myid one is
 * generated and sconf_dirty() is true. Returns 0, or -1 with *err set to
 * "file:line: what is wrong" (free it).
 */
int	sconf_load(const char *path, int argc, char **argv, char **err);
/* Free the file model and the server settings (not the sentinel state). */
void	sconf_free(void);
/* Does learned state wait to be saved? (set by sconf_mark_dirty or a new myid) */
bool	sconf_dirty(void);
void	sconf_mark_dirty(void);
/*
 * Save the sentinel state into the file, in place: the user's lines and
 * comments are kept, the sentinel lines are replaced where they stand,
 * new ones are added after the master's other lines or at the end. The
 * file is replaced atomically. Returns 0, or -1 with *err set (free it);
 * the command layer then replies "ERR Failed to save config file. Check
 * server logs.".
 */
int	sconf_rewrite(char **err);
/*
 * Called before a master is freed by SENTINEL REMOVE or RESET-less
 * removal, so that a later master at the same address is not taken for
 * one defined on the command line.
 */
void	sconf_forget_master(const struct instance *m);

/*
 * SENTINEL CONFIG GET: append name and value bulk strings for every
 * parameter matching the glob pattern (case-insensitive) to out; returns
 * the number of pairs (the caller writes the map header first).
 */
size_t	sconf_config_get(const char *pattern, struct buf *out);
/*
 * SENTINEL CONFIG SET param value. Returns -1 with *err set to Redis's
 * error ("ERR Invalid argument ..."; a static string), 0 when done, 1 when
 * done and the links to other sentinels must be dropped (sentinel-user or
 * sentinel-pass changed). The caller then saves (sconf_rewrite) and replies.
 * announce-ip "" removes the setting.
 */
int	sconf_config_set(const char *param, const char *value, const char **err);

/* sconf_master_set result bits. */
#define SCONF_SET_DROP_LINKS	0x1	/* auth changed: reconnect master and replicas */
/*
 * One option of SENTINEL SET <master> <option> <value> [<value>]: argv[0]
 * is the option, argc what is left on the command line. *used is set to
 * the number of words taken (2, or 3 for rename-command). Returns -1 with
 * *err set to Redis's error (static; the caller stops there, keeping
 * earlier changes), or 0 / SCONF_SET_DROP_LINKS.
 */
int	sconf_master_set(struct instance *m, int argc, char **argv, int *used,
	    const char **err);

#endif
