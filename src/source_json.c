#include "err.h"
#include "flowfile.h"

int jsonflow_open(const char *path, struct flowfile **out, char **cause)
{
	(void)out;
	*cause = err_fmt("%s: JSON lines cannot be read yet", path);
	return ERR_FORMAT;
}
