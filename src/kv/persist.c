/*
 * persist.c - the dataset on disk: SAVE, BGSAVE in a forked child, save
 * points, and loading at start in slices so that the loop keeps answering
 * (-LOADING) meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "loop.h"
#include "persist.h"
#include "rdb.h"
#include "server.h"
#include "util.h"

/* --- saving ----------------------------------------------------------------- */

/* Write everything that has piled up in w->out to fd. */
static int
drain(struct rdb_writer *w, int fd, bool all)
{
	if (!all && w->out.len < 64 * 1024)
		return 0;
	rdb_writer_sync_crc(w);
	for (size_t off = 0; off < w->out.len; ) {
		ssize_t n = write(fd, w->out.data + off, w->out.len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	buf_clear(&w->out);
	w->crc_done = 0;
	return 0;
}

/* Serialize the whole keyspace; fd < 0 keeps everything in w->out. */
static int
write_dataset(struct rdb_writer *w, int fd)
{
	char ctime[32], usedmem[32];
	const char *aux[] = {
		"redis-ver", KV_REDIS_VERSION, "redis-bits", "64", "ctime", ctime,
		"used-mem", usedmem, "aof-base", "0", NULL
	};
	long long now = util_wall_ms();

	snprintf(ctime, sizeof ctime, "%lld", now / 1000);
	snprintf(usedmem, sizeof usedmem, "%d", 0);
	rdb_write_header(w, aux);
	for (int i = 0; i < DB_COUNT; i++) {
		struct hmap_iter it;
		struct hmap_entry *e;

		if (db_size(i) == 0)
			continue;
		rdb_write_select_db(w, i, db_size(i), db_expires(i));
		hmap_iter_init(&it, &dbs[i].keys);
		while ((e = hmap_iter_next(&it)) != NULL) {
			struct obj *o = e->val;
			long long exp = e->aux;

			switch (o->type) {
			case OBJ_STRING:
				rdb_write_string(w, e->key, e->klen, obj_str_ptr(o), o->len, exp);
				break;
			case OBJ_LIST: {
				size_t n = obj_list_len(o);

				rdb_write_list_begin(w, e->key, e->klen, n, exp);
				for (size_t k = 0; k < n; k++) {
					struct obj *s = obj_list_at(o, k);

					rdb_write_item(w, obj_str_ptr(s), s->len);
				}
				break;
			}
			case OBJ_SET:
			case OBJ_HASH: {
				struct hmap_iter mi;
				struct hmap_entry *f;

				if (o->type == OBJ_SET)
					rdb_write_set_begin(w, e->key, e->klen, obj_map(o)->count, exp);
				else
					rdb_write_hash_begin(w, e->key, e->klen, obj_map(o)->count, exp);
				hmap_iter_init(&mi, obj_map(o));
				while ((f = hmap_iter_next(&mi)) != NULL) {
					if (o->type == OBJ_SET) {
						rdb_write_item(w, f->key, f->klen);
					} else {
						struct obj *v = f->val;

						rdb_write_field(w, f->key, f->klen, obj_str_ptr(v), v->len);
					}
				}
				break;
			}
			}
			if (fd >= 0 && drain(w, fd, false) < 0)
				return -1;
		}
	}
	rdb_write_end(w);
	return fd >= 0 ? drain(w, fd, true) : 0;
}

void
persist_image(struct buf *out)
{
	struct rdb_writer w;

	rdb_writer_init(&w);
	write_dataset(&w, -1);
	buf_append(out, w.out.data, w.out.len);
	rdb_writer_free(&w);
}

int
persist_save(const char *path)
{
	char tmp[64];
	struct rdb_writer w;
	int fd, r;

	snprintf(tmp, sizeof tmp, "temp-%d.rdb", (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		char cwd[1024];

		log_warning("Failed opening the temp RDB file %s (in server root dir %s) for "
		    "saving: %s", tmp, getcwd(cwd, sizeof cwd) ? cwd : "unknown", strerror(errno));
		return -1;
	}
	rdb_writer_init(&w);
	r = write_dataset(&w, fd);
	rdb_writer_free(&w);
	if (r < 0 || fsync(fd) < 0) {
		log_warning("Write error saving DB on disk: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		log_warning("Error moving temp DB file %s on the final destination %s: %s",
		    tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* Make the rename itself durable. */
	fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int
persist_save_now(void)
{
	if (persist_save(srv.dbfilename) < 0) {
		srv.lastbgsave_ok = false;
		return -1;
	}
	log_notice("DB saved on disk");
	srv.dirty = 0;
	srv.lastsave = util_wall_ms() / 1000;
	srv.lastbgsave_ok = true;
	srv.rdb_saves++;
	return 0;
}

bool
persist_child_running(void)
{
	return srv.child_pid > 0;
}

int
persist_bgsave(void)
{
	pid_t pid;

	if (srv.child_pid > 0)
		return -1;
	srv.lastbgsave_try = util_wall_ms() / 1000;
	srv.dirty_at_bgsave = srv.dirty;
	pid = fork();
	if (pid < 0) {
		log_warning("Can't save in background: fork: %s", strerror(errno));
		srv.lastbgsave_ok = false;
		return -1;
	}
	if (pid == 0) {
		log_set_role('C');
		_exit(persist_save(srv.dbfilename) == 0 ? 0 : 1);
	}
	log_notice("Background saving started by pid %d", (int)pid);
	srv.child_pid = pid;
	srv.child_start_ms = loop_now_ms();
	return 0;
}

void
persist_kill_child(void)
{
	char tmp[64];

	if (srv.child_pid <= 0)
		return;
	kill(srv.child_pid, SIGUSR1);
	waitpid(srv.child_pid, NULL, 0);
	snprintf(tmp, sizeof tmp, "temp-%d.rdb", (int)srv.child_pid);
	unlink(tmp);
	srv.child_pid = -1;
}

void
persist_cron(void)
{
	if (srv.child_pid > 0) {
		int status;
		pid_t r = waitpid(srv.child_pid, &status, WNOHANG);

		if (r == srv.child_pid) {
			bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

			srv.rdb_last_bgsave_time_sec = (loop_now_ms() - srv.child_start_ms) / 1000;
			srv.child_pid = -1;
			if (ok) {
				log_notice("Background saving terminated with success");
				srv.dirty -= srv.dirty_at_bgsave;
				srv.lastsave = util_wall_ms() / 1000;
				srv.lastbgsave_ok = true;
				srv.rdb_saves++;
			} else {
				log_warning("Background saving error");
				srv.lastbgsave_ok = false;
			}
			if (srv.bgsave_scheduled) {
				srv.bgsave_scheduled = false;
				persist_bgsave();
			}
		}
		return;
	}
	if (srv.loading)
		return;
	for (int i = 0; i < srv.nsaves; i++) {
		long long now = util_wall_ms() / 1000;

		/* After a failed save, wait 5 seconds before trying again. */
		if (srv.dirty >= srv.saves[i].changes &&
		    now - srv.lastsave > srv.saves[i].seconds &&
		    (now - srv.lastbgsave_try > 5 || srv.lastbgsave_ok)) {
			log_notice("%lld changes in %lld seconds. Saving...",
			    srv.saves[i].changes, srv.saves[i].seconds);
			persist_bgsave();
			break;
		}
	}
}

/* --- loading ------------------------------------------------------------------ */

struct loader {
	void			*image;
	size_t			 len;
	bool			 mapped;	/* image is ours to munmap */
	struct rdb_reader	 r;
	int			 db;
	struct obj		*cur;		/* aggregate being filled */
	char			*curkey;
	size_t			 curklen;
	long long		 curexp;
	long long		 loaded, expired;
	int64_t			 start_ms;
	long long		 now;
};

static struct loader	*ld;
static long long	 last_load_loaded, last_load_expired;

static void
pause_per_key(void)
{
	if (srv.key_load_delay > 0) {
		struct timespec ts = { (time_t)(srv.key_load_delay / 1000000),
		    (long)(srv.key_load_delay % 1000000) * 1000 };

		nanosleep(&ts, NULL);
	}
}

/* Add a loaded key, unless it has already expired on a master. */
static void
add_key(const char *key, size_t klen, struct obj *o, long long exp)
{
	struct hmap_entry *e;

	pause_per_key();
	if (exp >= 0 && exp < ld->now && !server_is_replica()) {
		obj_free(o);
		ld->expired++;
		return;
	}
	e = db_set(ld->db, key, klen, o, false);
	if (exp >= 0)
		db_set_expire(ld->db, e, exp);
	ld->loaded++;
}

static int
cb_select(void *ctx, int db)
{
	if (db < 0 || db >= DB_COUNT)
		return -1;
	ld->db = db;
	return 0;
}

static int
cb_string(void *ctx, const char *key, size_t klen, const char *val, size_t vlen, long long exp)
{
	add_key(key, klen, obj_str_new(val, vlen), exp);
	return 0;
}

static int
begin(const char *key, size_t klen, long long exp, struct obj *o)
{
	ld->cur = o;
	free(ld->curkey);
	ld->curkey = xmemdup(key, klen);
	ld->curklen = klen;
	ld->curexp = exp;
	return 0;
}

static int
cb_list_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return begin(key, klen, exp, obj_list_new());
}

static int
cb_set_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return begin(key, klen, exp, obj_map_new(OBJ_SET));
}

static int
cb_hash_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return begin(key, klen, exp, obj_map_new(OBJ_HASH));
}

static int
cb_item(void *ctx, const char *p, size_t n)
{
	if (ld->cur == NULL)
		return -1;
	if (ld->cur->type == OBJ_LIST)
		obj_list_push(ld->cur, obj_str_new(p, n), false);
	else if (ld->cur->type == OBJ_SET)
		hmap_insert(obj_map(ld->cur), p, n, NULL);
	else
		return -1;
	return 0;
}

static int
cb_field(void *ctx, const char *f, size_t flen, const char *v, size_t vlen)
{
	struct hmap_entry *e;

	if (ld->cur == NULL || ld->cur->type != OBJ_HASH)
		return -1;
	e = hmap_insert(obj_map(ld->cur), f, flen, NULL);
	free(e->val);
	e->val = obj_str_new(v, vlen);
	return 0;
}

static int
cb_end_key(void *ctx)
{
	if (ld->cur == NULL)
		return -1;
	add_key(ld->curkey, ld->curklen, ld->cur, ld->curexp);
	ld->cur = NULL;
	return 0;
}

static const struct rdb_callbacks load_cbs = {
	.select_db = cb_select,
	.string = cb_string,
	.list_begin = cb_list_begin,
	.set_begin = cb_set_begin,
	.hash_begin = cb_hash_begin,
	.item = cb_item,
	.field = cb_field,
	.end_key = cb_end_key,
};

static void
load_finish(bool ok)
{
	if (ok) {
		log_notice("DB loaded from disk: %.3f seconds",
		    (double)(loop_now_ms() - ld->start_ms) / 1000.0);
		last_load_loaded = ld->loaded;
		last_load_expired = ld->expired;
	}
	bool mapped = ld->mapped;

	if (ld->cur)
		obj_free(ld->cur);
	free(ld->curkey);
	rdb_reader_free(&ld->r);
	if (mapped)
		munmap(ld->image, ld->len);
	free(ld);
	ld = NULL;
	srv.loading = false;
	if (!ok && mapped) {
		log_warning("Fatal error loading the DB, check server logs. Exiting.");
		server_exit(1);
	}
}

/* Load for about 10 ms, then let the loop run. */
static void
load_slice(void *unused)
{
	int64_t start = util_mono_us();

	UNUSED(unused);
	ld->now = util_wall_ms();
	for (;;) {
		int r = rdb_reader_next(&ld->r, &load_cbs);

		if (r < 0) {
			log_warning("Short read or OOM loading DB. Unrecoverable error, aborting now. (%s)",
			    ld->r.error);
			load_finish(false);
			return;
		}
		if (r == 0) {
			load_finish(true);
			return;
		}
		if (util_mono_us() - start > 10000)
			break;
	}
	loop_once(0, load_slice, NULL);
}

int
persist_load_start(void)
{
	struct stat st;
	int fd;

	fd = open(srv.dbfilename, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		log_warning("Fatal error loading the DB: %s. Exiting.", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return 0;
	}
	ld = xcalloc(1, sizeof *ld);
	ld->mapped = true;
	ld->len = (size_t)st.st_size;
	ld->image = mmap(NULL, ld->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ld->image == MAP_FAILED) {
		log_warning("Fatal error loading the DB: mmap: %s", strerror(errno));
		free(ld);
		ld = NULL;
		return -1;
	}
	if (rdb_reader_init(&ld->r, ld->image, ld->len) < 0) {
		log_warning("Fatal error loading the DB (%s): %s", srv.dbfilename, ld->r.error);
		munmap(ld->image, ld->len);
		free(ld);
		ld = NULL;
		return -1;
	}
	ld->start_ms = loop_now_ms();
	srv.loading = true;
	loop_once(0, load_slice, NULL);
	return 0;
}

int
persist_load_image(const void *image, size_t len)
{
	int rc;

	if (ld != NULL)
		return -1;
	ld = xcalloc(1, sizeof *ld);
	ld->image = (void *)(uintptr_t)image;
	ld->len = len;
	if (rdb_reader_init(&ld->r, image, len) < 0) {
		rdb_reader_free(&ld->r);
		free(ld);
		ld = NULL;
		return -1;
	}
	ld->start_ms = loop_now_ms();
	ld->now = util_wall_ms();
	while ((rc = rdb_reader_next(&ld->r, &load_cbs)) == 1)
		;
	if (rc < 0)
		log_warning("Error loading the replication payload: %s", ld->r.error);
	load_finish(rc == 0);
	return rc == 0 ? 0 : -1;
}

void
persist_info(struct buf *out)
{
	int64_t now = loop_now_ms();

	buf_appendf(out, "loading:%d\r\nasync_loading:0\r\n", srv.loading ? 1 : 0);
	buf_appendf(out, "current_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\n"
	    "current_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n");
	buf_appendf(out, "rdb_changes_since_last_save:%lld\r\n", srv.dirty);
	buf_appendf(out, "rdb_bgsave_in_progress:%d\r\n", srv.child_pid > 0 ? 1 : 0);
	buf_appendf(out, "rdb_last_save_time:%lld\r\n", srv.lastsave);
	buf_appendf(out, "rdb_last_bgsave_status:%s\r\n", srv.lastbgsave_ok ? "ok" : "err");
	buf_appendf(out, "rdb_last_bgsave_time_sec:%lld\r\n", srv.rdb_last_bgsave_time_sec);
	buf_appendf(out, "rdb_current_bgsave_time_sec:%lld\r\n",
	    srv.child_pid > 0 ? (long long)((now - srv.child_start_ms) / 1000) : -1LL);
	buf_appendf(out, "rdb_saves:%lld\r\nrdb_last_cow_size:0\r\n", srv.rdb_saves);
	buf_appendf(out, "rdb_last_load_keys_expired:%lld\r\nrdb_last_load_keys_loaded:%lld\r\n",
	    last_load_expired, last_load_loaded);
	buf_appendf(out, "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
	    "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
	    "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n"
	    "aof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
	    "module_fork_last_cow_size:0\r\n");
	if (srv.loading && ld != NULL) {
		double perc = ld->len ? 100.0 * (double)ld->r.pos / (double)ld->len : 0;

		buf_appendf(out, "loading_start_time:%lld\r\nloading_total_bytes:%zu\r\n"
		    "loading_rdb_used_mem:0\r\nloading_loaded_bytes:%zu\r\n"
		    "loading_loaded_perc:%.2f\r\nloading_eta_seconds:1\r\n",
		    (long long)(util_wall_ms() / 1000 - (now - ld->start_ms) / 1000),
		    ld->len, ld->r.pos, perc);
	}
}
