/* Fuzz target: the config-file reader (conf_parse_text, the same code
 * conf_load runs over a config file). */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_copy(data, size);
	struct conf c;
	conf_defaults(&c);
	char *cause = NULL;
	if (conf_parse_text(&c, "fuzz", text, size, &cause) == CONF_OK) {
		sink += c.nread + c.nlisten + c.top + c.window_s + (c.filter ? strlen(c.filter) : 0);
	} else {
		if (!cause)
			abort();
		sink += strlen(cause);
	}
	free(cause);
	conf_free(&c);
	free(text);
	return 0;
}
