/* Fuzz target: theme_parse over theme-file text, then theme_fit of the result
 * to the colour counts a terminal may have. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "theme.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_copy(data, size);
	struct theme t;
	theme_default(&t);
	char *cause = NULL;
	if (theme_parse(&t, "fuzz", text, size, &cause) == 0) {
		static const int colors[] = { 0, 8, 16, 256 };
		for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++) {
			struct theme fit = t;
			theme_fit(&fit, colors[i]);
			for (int r = 0; r < ROLE_COUNT; r++)
				sink += (uint16_t)fit.role[r].fg + (uint16_t)fit.role[r].bg + fit.role[r].attrs;
		}
	} else {
		if (!cause)
			abort();
		sink += strlen(cause);
	}
	free(cause);
	free(text);
	return 0;
}
