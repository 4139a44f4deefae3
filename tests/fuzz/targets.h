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

#endif
