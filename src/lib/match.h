/*
 * match.h - Redis glob matching: * ? [abc] [^a] [a-z] and \x escapes.
 */
#ifndef SENTINEL_MATCH_H
#define SENTINEL_MATCH_H

#include <stdbool.h>
#include <stddef.h>

bool	match_glob(const char *pat, size_t patlen, const char *s, size_t slen, bool nocase);
/* NUL-terminated convenience form. */
bool	match_globs(const char *pat, const char *s, bool nocase);

#endif
