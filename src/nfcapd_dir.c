#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "nfcapd.h"
#include "xmem.h"

/* nfcapd -S layouts nest year/month/day/hour directories at most four
 * deep; a little slack, and no deeper (symlink loops). */
#define MAX_DEPTH 8

struct entry {
	char key[15];		/* YYYYMMDDhhmmss from the name; "" when it has none */
	char *path;
};

struct list {
	struct entry *e;
	size_t n;
	bool verbose;
};

/* The time in nfcapd.YYYYMMDDhhmm[ss][...]: 12 or 14 digits after "nfcapd.". */
static void name_key(const char *name, char key[15])
{
	const char *d = name + strlen("nfcapd.");
	size_t n = 0;
	while (isdigit((unsigned char)d[n]) && n < 15)
		n++;
	if (n == 12 || n == 14) {
		memcpy(key, d, n);
		memcpy(key + n, "00", 14 - n);
		key[14] = '\0';
	} else {
		key[0] = '\0';
	}
}

static int walk(struct list *l, const char *dir, int depth, char **cause)
{
	DIR *d = opendir(dir);
	if (!d) {
		*cause = err_fmt("%s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	struct dirent *de;
	int rc = ERR_OK;
	while (rc == ERR_OK && (de = readdir(d))) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		size_t plen = strlen(dir) + strlen(name) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
		struct stat sb;
		if (stat(path, &sb) != 0) {
			free(path);
			continue;	/* vanished, or a dangling link */
		}
		if (S_ISDIR(sb.st_mode)) {
			if (depth < MAX_DEPTH)
				rc = walk(l, path, depth + 1, cause);
			free(path);
			continue;
		}
		if (!S_ISREG(sb.st_mode) || strncmp(name, "nfcapd.", 7) != 0) {
			free(path);
			continue;
		}
		if (!strncmp(name, "nfcapd.current.", 15)) {
			if (l->verbose)
				fprintf(stderr, "nftop: %s: skipped, nfcapd is still writing it\n", path);
			free(path);
			continue;
		}
		l->e = xreallocarray(l->e, l->n + 1, sizeof *l->e);
		name_key(name, l->e[l->n].key);
		l->e[l->n++].path = path;
	}
	closedir(d);
	return rc;
}

/* Files with a time in their name first, in time order; then the others. */
static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (!x->key[0] != !y->key[0])
		return x->key[0] ? -1 : 1;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->path, y->path);
}

int nfcapd_dir_list(const char *dir, bool verbose, char ***paths, size_t *n, char **cause)
{
	struct list l = { NULL, 0, verbose };
	struct stat sb;
	if (stat(dir, &sb) != 0) {
		*cause = err_fmt("%s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	if (!S_ISDIR(sb.st_mode)) {
		*cause = err_fmt("%s: not a directory (use -r to read a file)", dir);
		return ERR_IO;
	}
	int rc = walk(&l, dir, 0, cause);
	if (rc == ERR_OK && l.n == 0) {
		*cause = err_fmt("%s: no nfcapd.* files in it or its subdirectories", dir);
		rc = ERR_IO;
	}
	if (rc < 0) {
		for (size_t i = 0; i < l.n; i++)
			free(l.e[i].path);
		free(l.e);
		return rc;
	}
	qsort(l.e, l.n, sizeof *l.e, by_time);
	*paths = xreallocarray(NULL, l.n, sizeof **paths);
	for (size_t i = 0; i < l.n; i++)
		(*paths)[i] = l.e[i].path;
	*n = l.n;
	free(l.e);
	return ERR_OK;
}

int nfcapd_dir_expand(struct conf *c, char **cause)
{
	for (size_t i = 0; i < c->nread_dir; i++) {
		char **paths;
		size_t n;
		int rc = nfcapd_dir_list(c->read_dir[i], c->verbose > 0, &paths, &n, cause);
		if (rc < 0)
			return rc;
		c->read = xreallocarray(c->read, c->nread + n, sizeof *c->read);
		memcpy(c->read + c->nread, paths, n * sizeof *paths);
		c->nread += n;
		free(paths);
	}
	return ERR_OK;
}
