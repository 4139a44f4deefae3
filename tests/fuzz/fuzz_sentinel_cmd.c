/*
 * fuzz_sentinel_cmd.c - libFuzzer entry point for the sentinel command layer (commands.c, cmd_sentinel.c).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sentinel_targets.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A broken invariant is a crash, so that libFuzzer keeps the input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_sentinel_cmd_one(data, size) != 0)
		abort();
	return 0;
}
