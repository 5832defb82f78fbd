#include "err.h"
#include "flowfile.h"

int nfcapd_open(const char *path, struct flowfile **out, char **cause)
{
	(void)out;
	*cause = err_fmt("%s: nfcapd files cannot be read yet", path);
	return ERR_FORMAT;
}
