/* fuzz: what every fuzz target defines. libFuzzer calls it; in ordinary
 * builds fuzz/driver.c calls it once per seed file, so make check runs the
 * corpus through the same code. */
#ifndef NFTOP_FUZZ_H
#define NFTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
