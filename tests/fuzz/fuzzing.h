/*
 * fuzzing.h - the contract of every fuzz target: one shared driver
 * (fuzz_main.c) is both the libFuzzer entry point and, in normal builds, a
 * replay program that runs files or directories of inputs through the same
 * code (CTest replays tests/regress/<target>/ and the seed corpus).
 * Targets abort() on a broken invariant so both modes report it.
 */
#ifndef SW_FUZZING_H
#define SW_FUZZING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Called once before the first input; 0 on success. */
int	fuzz_init(void);
/* One input; must not leak, must not keep state between calls. */
int	fuzz_main(const uint8_t *data, size_t len);
void	fuzz_cleanup(void);

#define FUZZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

#endif /* SW_FUZZING_H */
