/*
 * test_conf.c - the config line splitter, conf_quote() and the file model.
 */
#include "config.h"

#ifdef __linux__
#include <sys/mount.h>
#endif
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#ifdef __linux__
#include <sched.h>
#endif
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "util.h"

#ifndef TEST_SRCDIR
#error "TEST_SRCDIR must be the absolute path of the tests directory"
#endif

/* --- helpers ---------------------------------------------------------------- */

/* A small PRNG so that a failing seed can be replayed with TEST_SEED. */
static uint64_t test_rng;

/* Seeds the PRNG from TEST_SEED or the kernel, and says which seed it used. */
static void
test_seed(void)
{
	const char	*s = getenv("TEST_SEED");

	if (s != NULL)
		test_rng = strtoull(s, NULL, 0);
	else
		util_random_bytes(&test_rng, sizeof test_rng);
	if (test_rng == 0)
		test_rng = 1;
	print_message("# seed %llu (set TEST_SEED to replay)\n",
	    (unsigned long long)test_rng);
}

/* xorshift64*: plenty for picking bytes and delays. */
static uint64_t
test_random(void)
{
	test_rng ^= test_rng >> 12;
	test_rng ^= test_rng << 25;
	test_rng ^= test_rng >> 27;
	return test_rng * 2685821657736338717ULL;
}

/* Reads a whole file; NULL when it cannot be read. */
static char *
test_slurp(const char *path, size_t *lenp)
{
	struct buf	 b = BUF_INIT;
	char		*w;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	for (;;) {
		w = buf_reserve(&b, 65536);
		r = read(fd, w, 65536);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	buf_reserve(&b, 1);
	b.data[b.len] = '\0';
	*lenp = b.len;
	return b.data;
}

/* Writes a whole file for the tests that read one. */
static void
test_spit(const char *path, const char *text, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* A fresh scratch directory for the file tests. */
static char *
test_mkdtemp(void)
{
	const char	*t = getenv("TMPDIR");
	char		*dir;

	dir = xasprintf("%s/test_conf.XXXXXX", t != NULL && *t != '\0' ?
	    t : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

/* Names in dir other than . and .., sorted, joined by '/'. */
static char *
test_listdir(const char *dir)
{
	struct dirent	**ents;
	struct buf	  b = BUF_INIT;
	int		  n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	assert_true(n >= 0);
	buf_appends(&b, "");
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0) {
			if (b.len > 0)
				buf_appendc(&b, '/');
			buf_appends(&b, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	return b.data;
}

/* Removes the scratch directory and whatever a test left in it. */
static void
test_rmtree(char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", dir, de->d_name);
			if (unlink(p) == -1)
				rmdir(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

/* Setup: each file test gets its own scratch directory as its state. */
static int
test_dir_setup(void **state)
{
	*state = test_mkdtemp();
	return 0;
}

/* Teardown: runs even when the test failed half-way. */
static int
test_dir_teardown(void **state)
{
	test_rmtree(*state);
	return 0;
}

/* The model as text, for exact comparisons. */
static char *
test_render(const struct conf_file *cf)
{
	struct buf	b = BUF_INIT;

	conf_file_render(cf, &b);
	buf_reserve(&b, 1);
	return b.data;
}

/* --- the data-driven splitter cases ------------------------------------------ */

/* Decodes the %HH / %% notation of split_cases.txt; stops at stop if not NUL. */
static const char *
test_decode(const char *s, int stop, struct buf *out, int lineno)
{
	unsigned	hi, lo;

	for (; *s != '\0' && *s != stop; s++) {
		if (*s != '%') {
			buf_appendc(out, *s);
			continue;
		}
		if (s[1] == '%') {
			buf_appendc(out, '%');
			s++;
			continue;
		}
		if (sscanf(s + 1, "%1x%1x", &hi, &lo) != 2)
			fail_msg("split_cases.txt:%d: bad %%HH", lineno);
		buf_appendc(out, (char)(hi * 16 + lo));
		s += 2;
	}
	return s;
}

struct split_case {
	int		 lineno;
	struct buf	 in;
	bool		 has_out;
	bool		 want_error;
	int		 nwords;
	struct buf	 words[64];
	int		 comment;	/* -1 unchecked, 0 no, 1 yes */
};

/* Parses an "out:" value into the expected words. */
static void
test_parse_out(struct split_case *c, const char *v)
{
	c->has_out = true;
	while (*v == ' ')
		v++;
	if (strcmp(v, "error") == 0) {
		c->want_error = true;
		return;
	}
	while (*v != '\0') {
		if (*v == ' ') {
			v++;
			continue;
		}
		if (*v != '[' || c->nwords == (int)ARRAY_SIZE(c->words))
			fail_msg("split_cases.txt:%d: bad out: line",
			    c->lineno);
		buf_init(&c->words[c->nwords]);
		buf_reserve(&c->words[c->nwords], 1);
		v = test_decode(v + 1, ']', &c->words[c->nwords], c->lineno);
		if (*v != ']')
			fail_msg("split_cases.txt:%d: missing ]", c->lineno);
		v++;
		c->nwords++;
	}
}

/* Runs one case; returns the number of failed checks (and says why). */
static int
test_run_case(const struct split_case *c)
{
	char	**argv, **argv2;
	size_t	 *argvlen;
	int	  argc, argc2, rv, bad = 0, i;

	if (c->has_out) {
		rv = conf_split(c->in.data, c->in.len, &argc, &argv, &argvlen);
		if (c->want_error) {
			if (rv != -1 || argv != NULL || argc != 0) {
				print_error("split_cases.txt:%d: expected an "
				    "error, got %d word(s)\n", c->lineno, argc);
				bad++;
			}
			if (rv == 0)
				conf_free_args(argc, argv, argvlen);
		} else if (rv != 0) {
			print_error("split_cases.txt:%d: unexpected error\n",
			    c->lineno);
			bad++;
		} else {
			if (argc != c->nwords) {
				print_error("split_cases.txt:%d: %d words, "
				    "expected %d\n", c->lineno, argc,
				    c->nwords);
				bad++;
			}
			for (i = 0; i < argc && i < c->nwords; i++) {
				if (argvlen[i] != c->words[i].len ||
				    memcmp(argv[i], c->words[i].data,
				    argvlen[i]) != 0 || argv[i][argvlen[i]] != '\0') {
					print_error("split_cases.txt:%d: word "
					    "%d differs\n", c->lineno, i + 1);
					bad++;
				}
			}
			if (argv[argc] != NULL) {
				print_error("split_cases.txt:%d: argv not "
				    "NULL-terminated\n", c->lineno);
				bad++;
			}
			/* The same words without asking for the lengths. */
			if (conf_split(c->in.data, c->in.len, &argc2, &argv2,
			    NULL) != 0 || argc2 != argc) {
				print_error("split_cases.txt:%d: differs "
				    "without argvlen\n", c->lineno);
				bad++;
			} else
				conf_free_args(argc2, argv2, NULL);
			conf_free_args(argc, argv, argvlen);
		}
	}
	if (c->comment != -1 &&
	    conf_is_comment(c->in.data, c->in.len) != (c->comment == 1)) {
		print_error("split_cases.txt:%d: conf_is_comment should say "
		    "%s\n", c->lineno, c->comment ? "yes" : "no");
		bad++;
	}
	return bad;
}

/* Frees a case and gets it ready for the next one. */
static void
test_case_reset(struct split_case *c)
{
	int	i;

	buf_free(&c->in);
	for (i = 0; i < c->nwords; i++)
		buf_free(&c->words[i]);
	memset(c, 0, sizeof *c);
	c->comment = -1;
}

/* Every case in data/split_cases.txt, against conf_split and conf_is_comment. */
static void
test_split_cases(void **state)
{
	struct split_case	 c;
	FILE			*f;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;
	int			 lineno = 0, ncases = 0, bad = 0;
	bool			 open_case = false;

	UNUSED(state);
	memset(&c, 0, sizeof c);
	c.comment = -1;
	f = fopen(TEST_SRCDIR "/unit/data/split_cases.txt", "r");
	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "in:", 3) == 0) {
			if (open_case) {
				bad += test_run_case(&c);
				test_case_reset(&c);
			}
			open_case = true;
			ncases++;
			c.lineno = lineno;
			buf_reserve(&c.in, 1);
			test_decode(line[3] == ' ' ? line + 4 : line + 3, 0,
			    &c.in, lineno);
		} else if (strncmp(line, "out:", 4) == 0 && open_case)
			test_parse_out(&c, line + 4);
		else if (strcmp(line, "comment: yes") == 0 && open_case)
			c.comment = 1;
		else if (strcmp(line, "comment: no") == 0 && open_case)
			c.comment = 0;
		else if (line[0] != '#' && line[0] != '\0')
			fail_msg("split_cases.txt:%d: cannot read this line",
			    lineno);
	}
	if (open_case)
		bad += test_run_case(&c);
	test_case_reset(&c);
	free(line);
	fclose(f);
	print_message("# %d splitter cases\n", ncases);
	assert_true(ncases > 0);
	assert_int_equal(bad, 0);
}

/* Long lines: no length limit, many words, a long quoted word. */
static void
test_split_long(void **state)
{
	struct buf	  line = BUF_INIT, word = BUF_INIT;
	char		**argv, num[32];
	size_t		 *argvlen, i, nwords = 100000, qlen = 1 << 20;
	int		  argc;

	UNUSED(state);
	for (i = 0; i < nwords; i++) {
		snprintf(num, sizeof num, "w%zu", i);
		buf_appends(&line, num);
		buf_appendc(&line, i % 3 == 0 ? '\t' : ' ');
	}
	/* A quoted word of 1 MB with an escape every 100 bytes. */
	buf_appendc(&line, '"');
	for (i = 0; i < qlen; i++) {
		if (i % 100 == 99) {
			buf_appends(&line, "\\x00");
			buf_appendc(&word, '\0');
		} else {
			buf_appendc(&line, (char)('a' + i % 26));
			buf_appendc(&word, (char)('a' + i % 26));
		}
	}
	buf_appends(&line, "\"\r\n");

	assert_int_equal(conf_split(line.data, line.len, &argc, &argv,
	    &argvlen), 0);
	assert_int_equal(argc, (int)nwords + 1);
	for (i = 0; i < nwords; i++) {
		snprintf(num, sizeof num, "w%zu", i);
		assert_string_equal(argv[i], num);
		assert_int_equal(argvlen[i], strlen(num));
	}
	assert_int_equal(argvlen[nwords], qlen);
	assert_memory_equal(argv[nwords], word.data, qlen);
	conf_free_args(argc, argv, argvlen);

	/* Without its CRLF the line still splits; without the quote it fails. */
	line.len -= 2;
	line.data[line.len] = '\0';
	assert_int_equal(conf_split(line.data, line.len, &argc, &argv,
	    &argvlen), 0);
	conf_free_args(argc, argv, argvlen);
	line.len -= 1;
	assert_int_equal(conf_split(line.data, line.len, &argc, &argv,
	    &argvlen), -1);
	assert_null(argv);
	buf_free(&line);
	buf_free(&word);
}

/* The splitter only looks at len bytes, not at a terminating NUL. */
static void
test_split_len(void **state)
{
	char	**argv;
	size_t	 *argvlen;
	int	  argc;

	UNUSED(state);
	assert_int_equal(conf_split("set a \"b c\" tail", 6, &argc, &argv,
	    &argvlen), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "a");
	conf_free_args(argc, argv, argvlen);
	/* Cut inside the quotes: unbalanced. */
	assert_int_equal(conf_split("set a \"b c\" tail", 9, &argc, &argv,
	    &argvlen), -1);
	/* Cut right after the closing quote: fine. */
	assert_int_equal(conf_split("\"x\"y", 3, &argc, &argv, &argvlen), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "x");
	conf_free_args(argc, argv, argvlen);
	assert_int_equal(conf_split("", 0, &argc, &argv, &argvlen), 0);
	assert_int_equal(argc, 0);
	assert_non_null(argv);
	assert_null(argv[0]);
	conf_free_args(argc, argv, argvlen);
}

/* --- conf_quote ---------------------------------------------------------------- */

/* Random bytes, mostly from the characters the quoting has to care about. */
static size_t
test_random_word(unsigned char *w, size_t cap)
{
	static const char	 special[] = " \t\r\n\v\f\"'\\#x0aA%\a\b";
	size_t			 n, i;
	uint64_t		 r;

	n = (size_t)(test_random() % cap);
	if (test_random() % 8 == 0)
		n = 0;
	for (i = 0; i < n; i++) {
		r = test_random();
		switch (r % 4) {
		case 0:
			w[i] = (unsigned char)special[(r >> 8) %
			    (sizeof special - 1)];
			break;
		case 1:
			w[i] = (unsigned char)('a' + (r >> 8) % 26);
			break;
		default:
			w[i] = (unsigned char)(r >> 8);
			break;
		}
	}
	return n;
}

/* Whatever the bytes, a quoted word reads back as exactly those bytes. */
static void
test_quote_roundtrip(void **state)
{
	unsigned char	  w[3][48];
	size_t		  wl[3], *argvlen;
	struct buf	  b = BUF_INIT;
	char		**argv;
	int		  argc, iter, j;

	UNUSED(state);
	test_seed();
	for (iter = 0; iter < 10000; iter++) {
		buf_clear(&b);
		/* One word alone, then three on one line. */
		wl[0] = test_random_word(w[0], sizeof w[0]);
		conf_quote(&b, (char *)w[0], wl[0]);
		assert_null(memchr(b.data, '\n', b.len));
		assert_false(conf_is_comment(b.data, b.len));
		assert_int_equal(conf_split(b.data, b.len, &argc, &argv,
		    &argvlen), 0);
		assert_int_equal(argc, 1);
		assert_int_equal(argvlen[0], wl[0]);
		assert_memory_equal(argv[0], w[0], wl[0]);
		conf_free_args(argc, argv, argvlen);

		buf_clear(&b);
		for (j = 0; j < 3; j++) {
			wl[j] = test_random_word(w[j], sizeof w[j]);
			if (j > 0)
				buf_appendc(&b, ' ');
			conf_quote(&b, (char *)w[j], wl[j]);
		}
		assert_int_equal(conf_split(b.data, b.len, &argc, &argv,
		    &argvlen), 0);
		assert_int_equal(argc, 3);
		for (j = 0; j < 3; j++) {
			assert_int_equal(argvlen[j], wl[j]);
			assert_memory_equal(argv[j], w[j], wl[j]);
		}
		conf_free_args(argc, argv, argvlen);
	}
	buf_free(&b);
}

/* Plain words stay bare; only what needs quotes gets them. */
static void
test_quote_bare(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "mymaster", 8, "mymaster" },
		{ "p#w", 3, "p#w" },
		{ "127.0.0.1:6379", 14, "127.0.0.1:6379" },
		{ "", 0, "\"\"" },
		{ "#x", 2, "\"#x\"" },
		{ "a b", 3, "\"a b\"" },
		{ "it's", 4, "\"it's\"" },
		{ "q\"\\", 3, "\"q\\\"\\\\\"" },
		{ "\n\r\t\a\b", 5, "\"\\n\\r\\t\\a\\b\"" },
		{ "\x00\x7f\xff", 3, "\"\\x00\\x7f\\xff\"" },
	};
	struct buf	b = BUF_INIT;
	size_t		i;

	UNUSED(state);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		buf_clear(&b);
		conf_quote(&b, t[i].in, t[i].len);
		buf_reserve(&b, 1);
		assert_string_equal(b.data, t[i].out);
	}
	buf_free(&b);
}

/* --- the file model ------------------------------------------------------------ */

static const char model_text[] =
	"# Redis configuration\n"
	"port 6379\n"
	"\n"
	"# save points\n"
	"save 900 1\n"
	"bind 127.0.0.1\n"
	"save 300 10\n"
	"SAVE 60 10000\n"
	"   # indented comment\n"
	"sentinel monitor mymaster 127.0.0.1 6379 2\n"
	"sentinel down-after-milliseconds mymaster 5000\n"
	"sentinel monitor other 10.0.0.1 6380 2\n"
	"requirepass \"p#w\"\n"
	"#port 1\n"
	"slaveof 1.2.3.4 6379\n";

/* Parsing keeps every line, comments and blanks included, with its number. */
static void
test_model_parse(void **state)
{
	struct conf_file	*cf;
	char			*err, *text;
	size_t			 i;

	UNUSED(state);
	cf = conf_file_new("/x/model.conf");
	assert_int_equal(conf_file_parse(cf, model_text, strlen(model_text),
	    "model.conf", &err), 0);
	assert_null(err);
	assert_int_equal(cf->nlines, 15);
	for (i = 0; i < cf->nlines; i++)
		assert_int_equal(cf->lines[i].lineno, (int)i + 1);
	assert_int_equal(cf->lines[0].argc, 0);		/* comment */
	assert_int_equal(cf->lines[2].argc, 0);		/* blank */
	assert_int_equal(cf->lines[8].argc, 0);		/* indented comment */
	assert_int_equal(cf->lines[13].argc, 0);	/* #port 1 */
	assert_string_equal(cf->lines[8].text, "   # indented comment");
	assert_int_equal(cf->lines[12].argc, 2);
	assert_string_equal(cf->lines[12].argv[1], "p#w");
	assert_string_equal(cf->lines[12].text, "requirepass \"p#w\"");
	text = test_render(cf);
	assert_string_equal(text, model_text);
	free(text);

	/* Matching: first words, any case, never a comment. */
	assert_true(conf_line_matches(&cf->lines[1], "port"));
	assert_true(conf_line_matches(&cf->lines[1], "PORT"));
	assert_false(conf_line_matches(&cf->lines[1], "por"));
	assert_false(conf_line_matches(&cf->lines[1], "port 6379 x"));
	assert_false(conf_line_matches(&cf->lines[13], "port"));
	assert_false(conf_line_matches(&cf->lines[13], "#port"));
	assert_true(conf_line_matches(&cf->lines[7], "save"));
	assert_true(conf_line_matches(&cf->lines[9], "sentinel monitor"));
	assert_true(conf_line_matches(&cf->lines[9], "Sentinel  MONITOR"));
	assert_true(conf_line_matches(&cf->lines[9], "sentinel"));
	assert_false(conf_line_matches(&cf->lines[10], "sentinel monitor"));
	assert_false(conf_line_matches(&cf->lines[9], "sentinel monitorx"));
	assert_false(conf_line_matches(&cf->lines[9], ""));
	conf_file_free(cf);
}

/* Sets, in the order a rewrite does them, against the exact expected text. */
static void
test_model_set(void **state)
{
	static const char *const k_port[] = { "port", NULL };
	static const char *const k_save[] = { "save", NULL };
	static const char *const k_bind[] = { "bind", NULL };
	static const char *const k_append[] = { "appendonly", NULL };
	static const char *const k_repl[] = { "replicaof", "slaveof", NULL };
	static const char *const k_mon[] = { "sentinel monitor", NULL };
	static const char *const k_none[] = { "maxmemory", NULL };
	static const char *const l_port[] = { "port 7000" };
	static const char *const l_save[] = { "save 3600 1", "save 300 100" };
	static const char *const l_append[] = { "appendonly yes" };
	static const char *const l_append2[] = { "appendonly no" };
	static const char *const l_repl[] = { "replicaof 5.6.7.8 6380" };
	static const char *const l_mon[] = {
		"sentinel monitor mymaster 127.0.0.2 6379 2",
		"sentinel monitor other 10.0.0.2 6380 3",
		"sentinel monitor third 10.0.0.3 6381 2",
	};
	static const char expect[] =
		"# Redis configuration\n"
		"port 7000\n"
		"\n"
		"# save points\n"
		"save 3600 1\n"
		"save 300 100\n"
		"   # indented comment\n"
		"sentinel monitor mymaster 127.0.0.2 6379 2\n"
		"sentinel monitor other 10.0.0.2 6380 3\n"
		"sentinel monitor third 10.0.0.3 6381 2\n"
		"sentinel down-after-milliseconds mymaster 5000\n"
		"requirepass \"p#w\"\n"
		"#port 1\n"
		"replicaof 5.6.7.8 6380\n"
		"appendonly no\n";
	struct conf_file	*cf;
	char			*err, *text;

	UNUSED(state);
	cf = conf_file_new("/x/model.conf");
	assert_int_equal(conf_file_parse(cf, model_text, strlen(model_text),
	    "model.conf", &err), 0);

	conf_file_set(cf, k_port, l_port, 1);		/* in place */
	conf_file_set(cf, k_save, l_save, 2);		/* 3 old -> 2 new */
	conf_file_set(cf, k_bind, NULL, 0);		/* removed */
	conf_file_set(cf, k_append, l_append, 1);	/* appended */
	conf_file_set(cf, k_append, l_append2, 1);	/* the added line is found again */
	conf_file_set(cf, k_repl, l_repl, 1);		/* alias */
	conf_file_set(cf, k_mon, l_mon, 3);		/* two words, 2 old -> 3 new */
	conf_file_set(cf, k_none, NULL, 0);		/* nothing to remove */

	text = test_render(cf);
	assert_string_equal(text, expect);
	free(text);

	/* Added lines have no line number and have their words. */
	assert_int_equal(cf->lines[1].lineno, 0);
	assert_int_equal(cf->lines[1].argc, 2);
	assert_string_equal(cf->lines[1].argv[1], "7000");
	assert_int_equal(cf->lines[0].lineno, 1);
	assert_int_equal(cf->lines[12].lineno, 14);

	/* Setting a key again after the rewrite changes nothing. */
	conf_file_set(cf, k_save, l_save, 2);
	conf_file_set(cf, k_mon, l_mon, 3);
	text = test_render(cf);
	assert_string_equal(text, expect);
	free(text);
	conf_file_free(cf);

	/* An empty model gets the lines appended. */
	cf = conf_file_new("/x/empty.conf");
	conf_file_set(cf, k_save, l_save, 2);
	text = test_render(cf);
	assert_string_equal(text, "save 3600 1\nsave 300 100\n");
	free(text);
	conf_file_set(cf, k_save, NULL, 0);
	assert_int_equal(cf->nlines, 0);
	conf_file_free(cf);
}

/* Errors name the file and the line; a bad parse adds nothing. */
static void
test_model_errors(void **state)
{
	static const char bad1[] = "# ok\nport 1\nrequirepass \"abc\n";
	static const char bad2[] = "port 1\r\n\r\nbind 'a'b\r\n";
	static const char bad3[] = "port 1\nx a\0b\n";
	struct conf_file	*cf;
	char			*err;

	UNUSED(state);
	cf = conf_file_new("/etc/x.conf");
	assert_int_equal(conf_file_parse(cf, bad1, strlen(bad1), "/etc/x.conf",
	    &err), -1);
	assert_non_null(err);
	assert_string_equal(err, "/etc/x.conf:3: unbalanced quotes in "
	    "configuration line");
	free(err);
	assert_int_equal(cf->nlines, 0);

	assert_int_equal(conf_file_parse(cf, bad2, strlen(bad2), "b.conf",
	    &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, "b.conf:3: ", 10) == 0);
	free(err);

	assert_int_equal(conf_file_parse(cf, bad3, sizeof bad3 - 1, "c.conf",
	    &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, "c.conf:2: ", 10) == 0);
	free(err);
	assert_int_equal(cf->nlines, 0);

	/* A line in a comment is never split, so its quotes do not matter. */
	assert_int_equal(conf_file_parse(cf, "# \"open\n", 8, "d", &err), 0);
	assert_int_equal(cf->nlines, 1);
	conf_file_free(cf);
}

/* Reading: CRLF lines, a last line without newline, missing files. */
static void
test_model_read(void **state)
{
	struct conf_file	*cf;
	char			*dir, *path, *err, *text, *want;

	dir = *state;
	path = xasprintf("%s/crlf.conf", dir);
	test_spit(path, "# c\r\nport 1\r\n\r\nsave \"\" \r\nbind x", 0644);
	cf = conf_file_new(path);
	assert_int_equal(conf_file_read(cf, false, &err), 0);
	assert_null(err);
	assert_int_equal(cf->nlines, 5);
	assert_string_equal(cf->lines[1].text, "port 1");
	assert_int_equal(cf->lines[3].argc, 2);
	assert_int_equal(cf->lines[3].argvlen[1], 0);
	assert_int_equal(cf->lines[4].lineno, 5);
	text = test_render(cf);
	assert_string_equal(text, "# c\nport 1\n\nsave \"\" \nbind x\n");
	free(text);
	/* Reading again replaces the model. */
	assert_int_equal(conf_file_read(cf, false, &err), 0);
	assert_int_equal(cf->nlines, 5);
	conf_file_free(cf);

	/* An unbalanced line in a real file: "path:line:". */
	test_spit(path, "port 1\nport '2\n", 0644);
	cf = conf_file_new(path);
	assert_int_equal(conf_file_read(cf, false, &err), -1);
	want = xasprintf("%s:2: unbalanced quotes in configuration line",
	    path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	conf_file_free(cf);
	unlink(path);

	/* Missing file. */
	cf = conf_file_new(path);
	assert_int_equal(conf_file_read(cf, true, &err), 0);
	assert_int_equal(cf->nlines, 0);
	assert_int_equal(conf_file_read(cf, false, &err), -1);
	want = xasprintf("%s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	free(want);
	free(err);
	conf_file_free(cf);
	free(path);
}

/* --- atomic writes ------------------------------------------------------------- */

/* The file is replaced, its mode kept, and nothing is left beside it. */
static void
test_write_atomic(void **state)
{
	static const char *const k_port[] = { "port", NULL };
	static const char *const l_port[] = { "port 7000" };
	struct conf_file	*cf;
	struct stat		 st;
	char			*dir, *path, *err, *text, *got, *names, *link;
	size_t			 len;
	bool			 fallback = true;

	dir = *state;
	path = xasprintf("%s/sentinel.conf", dir);
	test_spit(path, "# keep me\nport 6379\n", 0640);

	cf = conf_file_new(path);
	assert_int_equal(conf_file_read(cf, false, &err), 0);
	conf_file_set(cf, k_port, l_port, 1);
	assert_int_equal(conf_file_write(cf, &fallback, &err), 0);
	assert_null(err);
	assert_false(fallback);
	got = test_slurp(path, &len);
	text = test_render(cf);
	assert_non_null(got);
	assert_string_equal(got, "# keep me\nport 7000\n");
	assert_string_equal(got, text);
	free(got);
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	names = test_listdir(dir);
	assert_string_equal(names, "sentinel.conf");
	free(names);
	conf_file_free(cf);

	/* A new file gets 0644 whatever the umask. */
	free(path);
	path = xasprintf("%s/new.conf", dir);
	cf = conf_file_new(path);
	conf_file_set(cf, k_port, l_port, 1);
	assert_int_equal(conf_file_write(cf, NULL, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	got = test_slurp(path, &len);
	assert_string_equal(got, "port 7000\n");
	free(got);
	conf_file_free(cf);

	/* Through a symbolic link: the file it names is replaced. */
	link = xasprintf("%s/link.conf", dir);
	assert_int_equal(symlink("new.conf", link), 0);
	cf = conf_file_new(link);
	conf_file_set(cf, k_port, (const char *const[]){ "port 1" }, 1);
	assert_int_equal(conf_file_write(cf, NULL, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	got = test_slurp(path, &len);
	assert_string_equal(got, "port 1\n");
	free(got);
	names = test_listdir(dir);
	assert_string_equal(names, "link.conf/new.conf/sentinel.conf");
	free(names);
	conf_file_free(cf);
	free(link);

	/* A directory that does not exist: -1 with a message. */
	free(path);
	path = xasprintf("%s/no/such/dir/x.conf", dir);
	cf = conf_file_new(path);
	conf_file_set(cf, k_port, l_port, 1);
	err = NULL;
	assert_int_equal(conf_file_write(cf, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	free(err);
	conf_file_free(cf);
	names = test_listdir(dir);
	assert_string_equal(names, "link.conf/new.conf/sentinel.conf");
	free(names);

	/* The target is a directory: rename fails, the temp file goes away. */
	free(path);
	path = xasprintf("%s/adir", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	cf = conf_file_new(path);
	conf_file_set(cf, k_port, l_port, 1);
	assert_int_equal(conf_file_write(cf, NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, strerror(EISDIR)));
	free(err);
	conf_file_free(cf);
	names = test_listdir(dir);
	assert_string_equal(names, "adir/link.conf/new.conf/sentinel.conf");
	free(names);
	rmdir(path);
	free(path);
}

/*
 * A single-file bind mount cannot be renamed over (EBUSY): the file is then
 * rewritten in place. Needs a private mount namespace, so it is done in a
 * child and skipped where that is not allowed.
 */
static void
test_write_bind_mount(void **state)
{
	static const char *const k_port[] = { "port", NULL };
	static const char *const l_port[] = { "port 7000" };
	struct conf_file	*cf;
	char			*dir, *path, *src, *got, *names, *err;
	size_t			 len;
	bool			 fallback = false;
	pid_t			 pid;
	int			 status;

	dir = *state;
	path = xasprintf("%s/bound.conf", dir);
	src = xasprintf("%s/source.conf", dir);
	test_spit(path, "port 1\n", 0600);
	test_spit(src, "port 2\n", 0600);

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
#ifdef __linux__
		if (unshare(CLONE_NEWNS) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(src, path, NULL, MS_BIND, NULL) == -1)
			_exit(77);
#else
		_exit(77);
#endif
		cf = conf_file_new(path);
		conf_file_set(cf, k_port, l_port, 1);
		if (conf_file_write(cf, &fallback, &err) != 0) {
			fprintf(stderr, "# %s\n", err);
			_exit(1);
		}
		if (!fallback)
			_exit(2);
		conf_file_free(cf);
		/* Through the mount, the source file itself was rewritten. */
		got = test_slurp(src, &len);
		if (got == NULL || strcmp(got, "port 7000\n") != 0)
			_exit(3);
		free(got);
		names = test_listdir(dir);
		if (strcmp(names, "bound.conf/source.conf") != 0)
			_exit(4);
		free(names);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		free(path);
		free(src);
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	got = test_slurp(src, &len);
	assert_string_equal(got, "port 7000\n");
	free(got);
	got = test_slurp(path, &len);
	assert_string_equal(got, "port 1\n");
	free(got);
	free(path);
	free(src);
}

/* A model of about 2 MB whose every line says which version it is. */
static struct conf_file *
test_big_model(const char *path, char tag)
{
	struct conf_file	*cf;
	struct buf		 b = BUF_INIT;
	char			*err;
	int			 i;

	/* Long lines: rendering is cheap, so most of a write is I/O. */
	for (i = 0; b.len < 2 * 1024 * 1024; i++)
		buf_appendf(&b, "key%d \"%c%d %01000d\"\n", i, tag, i, 0);
	cf = conf_file_new(path);
	assert_int_equal(conf_file_parse(cf, b.data, b.len, path, &err), 0);
	buf_free(&b);
	return cf;
}

/* Reads one progress byte from the child; false at end of file. */
static bool
test_read_progress(int fd)
{
	char	c;
	ssize_t	r;

	do
		r = read(fd, &c, 1);
	while (r == -1 && errno == EINTR);
	return r == 1;
}

/* Which version the file holds: 1 for a, 2 for b, 0 for neither. */
static int
test_which(const char *path, const char *ta, size_t la, const char *tb,
    size_t lb)
{
	char	*got;
	size_t	 len;
	int	 v = 0;

	if ((got = test_slurp(path, &len)) == NULL)
		return 0;
	if (len == la && memcmp(got, ta, la) == 0)
		v = 1;
	else if (len == lb && memcmp(got, tb, lb) == 0)
		v = 2;
	free(got);
	return v;
}

/*
 * A kill in the middle of a rewrite leaves the old file or the new one;
 * and while the child rewrites, a reader never sees anything else either.
 */
static void
test_write_kill(void **state)
{
	struct conf_file	*a, *b;
	struct pollfd		 pfd;
	const char		*why;
	char			*dir, *path, *ta, *tb, *err;
	size_t			 la, lb;
	int64_t			 t0, interval, delay;
	pid_t			 pid;
	int			 p[2], round, k, wanted, status;
	int			 na = 0, nb = 0, nread = 0;

	test_seed();
	dir = *state;
	path = xasprintf("%s/state.conf", dir);
	a = test_big_model(path, 'A');
	b = test_big_model(path, 'B');
	ta = test_render(a);
	tb = test_render(b);
	la = strlen(ta);
	lb = strlen(tb);
	assert_true(la > 2000000 && lb > 2000000);
	assert_true(la != lb || memcmp(ta, tb, la) != 0);
	assert_int_equal(conf_file_write(a, NULL, &err), 0);

	for (round = 0; round < 20; round++) {
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid != -1);
		if (pid == 0) {
			close(p[0]);
			for (k = 0;; k++) {
				if (conf_file_write(k % 2 ? b : a, NULL,
				    &err) != 0)
					_exit(1);
				if (write(p[1], "w", 1) != 1)
					_exit(1);
			}
		}
		close(p[1]);
		/*
		 * Wait for a few whole writes, timing the last one, and read
		 * the file meanwhile. Failures are only noted until the child
		 * is dead.
		 */
		wanted = 2 + (int)(test_random() % 3);
		t0 = util_mono_us();
		interval = 0;
		why = NULL;
		for (k = 0; k < wanted && why == NULL;) {
			pfd.fd = p[0];
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 0) == 1) {
				if (!test_read_progress(p[0])) {
					why = "the writer failed";
					break;
				}
				interval = util_mono_us() - t0;
				t0 += interval;
				k++;
			} else if (test_which(path, ta, la, tb, lb) == 0)
				why = "a reader saw neither version";
			else
				nread++;
		}
		/* Then kill at a random point of the next one. */
		delay = interval > 0 ? (int64_t)(test_random() %
		    (uint64_t)(interval + 1)) : 0;
		while (why == NULL && util_mono_us() - t0 < delay)
			;
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(p[0]);
		if (why != NULL)
			fail_msg("round %d: %s", round, why);
		assert_true(WIFSIGNALED(status));

		switch (test_which(path, ta, la, tb, lb)) {
		case 1:
			na++;
			break;
		case 2:
			nb++;
			break;
		default:
			fail_msg("round %d: after the kill the file is neither "
			    "version", round);
		}
	}
	print_message("# after kills: %d times version A, %d times version B; "
	    "%d good reads meanwhile\n", na, nb, nread);
	free(ta);
	free(tb);
	conf_file_free(a);
	conf_file_free(b);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_cases),
		cmocka_unit_test(test_split_long),
		cmocka_unit_test(test_split_len),
		cmocka_unit_test(test_quote_roundtrip),
		cmocka_unit_test(test_quote_bare),
		cmocka_unit_test(test_model_parse),
		cmocka_unit_test(test_model_set),
		cmocka_unit_test(test_model_errors),
		cmocka_unit_test_setup_teardown(test_model_read,
		    test_dir_setup, test_dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic,
		    test_dir_setup, test_dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_bind_mount,
		    test_dir_setup, test_dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_kill,
		    test_dir_setup, test_dir_teardown),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
