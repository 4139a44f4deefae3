/*
 * sentinel_targets.h - fuzz targets for the sentinel's parsers, shared by the
 * libFuzzer programs and by the corpus replay that runs in "make check".
 */
#ifndef SENTINEL_FUZZ_SENTINEL_TARGETS_H
#define SENTINEL_FUZZ_SENTINEL_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read data as an INFO reply with info_parse() and info_field(): strings
 * stay NUL-terminated within their fields, ports within 0..65535, the
 * replica list within INFO_MAX_REPLICAS, a second parse gives the same
 * report, and info_field() agrees with info_parse() on the role.
 * Returns 0, or -1 after printing what broke to stderr.
 */
int	fuzz_info_one(const uint8_t *data, size_t size);
/*
 * Read data as a __sentinel__:hello payload; when hello_parse() takes it,
 * the fields must be within their limits and hello_format() must give a
 * payload that parses back to the same hello and formats to the same bytes.
 * Returns 0, or -1 after printing what broke to stderr.
 */
int	fuzz_hello_one(const uint8_t *data, size_t size);
/*
 * Read data as lines of requests (each split with conf_split(), so quotes
 * and "\x00" escapes work) and run them through commands_dispatch() on a
 * fake client, against a fresh state of two masters, a replica and a peer
 * sentinel. Every reply must be well-formed RESP of the client's protocol
 * (no RESP3 type in a RESP2 reply). Returns 0, or -1 after printing what
 * broke to stderr. Needs the monitor/sconf/emit/script stand-ins.
 */
int	fuzz_sentinel_cmd_one(const uint8_t *data, size_t size);

#endif
