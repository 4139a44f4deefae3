/*
 * targets.h - the fuzz targets, shared by the libFuzzer programs and by the
 * corpus replay that runs in "make check" without clang.
 */
#ifndef SENTINEL_FUZZ_TARGETS_H
#define SENTINEL_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Feed data to resp_parse() whole and in pieces derived from the data, with
 * an authenticated and an unauthenticated set of limits, and check that the
 * requests and errors do not depend on the pieces, that memory follows the
 * bytes received, and that every request survives resp_command() and back.
 * Returns 0, or -1 after printing what broke to stderr.
 */
int	fuzz_resp_one(const uint8_t *data, size_t size);
/*
 * Feed data to conf_is_comment() and conf_split(); when the split succeeds,
 * each word quoted with conf_quote() must split back to the same words.
 * Returns 0, or -1 after printing what broke to stderr.
 */
int	fuzz_conf_one(const uint8_t *data, size_t size);
/*
 * Read data as an RDB image twice, without callbacks (the check repl.c
 * makes) and with callbacks that copy every key as persist.c would and
 * check what arrives (order of begins, items and ends, lengths within the
 * image or the reader's scratch, counts the image can hold, progress on
 * every item, errors that stick). Both passes must stop at the same place
 * the same way; a good image copied with the rdb writer must read back to
 * the same keys. Returns 0, or -1 after printing what broke to stderr.
 */
int	fuzz_rdb_one(const uint8_t *data, size_t size);
/*
 * Read data as what a replica receives from its master: the handshake
 * replies, "+FULLRESYNC <id> <offset>" and "$<len>" or "$EOF:<mark>" with
 * the payload, or "+CONTINUE", then the command stream. The payload goes
 * through fuzz_rdb_one's checks, and must load (with persist.c's database
 * limit) whenever the check passes; the stream goes through resp_parse()
 * as the master client reads it, whole and in pieces, and the bytes counted
 * for the offset must add up. Returns 0, or -1 after printing to stderr.
 * FUZZ_REPL_ALLOW_SELECTDB in the environment lets a payload that passes
 * the check but fails to load through (a known problem, see the corpus).
 */
int	fuzz_replstream_one(const uint8_t *data, size_t size);

#endif
