/* fuzz: what every fuzz target defines. libFuzzer calls it; in ordinary
 * builds fuzz/driver.c calls it once per seed file, so make check runs the
 * corpus through the same code. */
#ifndef NFTOP_FUZZ_H
#define NFTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size copy of the input, for parsers that take a length (ASan then
 * catches a read one byte past the end). Free it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	return text;
}

#endif
