#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "flowfile.h"

/* nfcapd files start with the 16-bit magic 0xA50C in the writer's (little-endian) order. */
static bool nfcapd_magic(const uint8_t *m)
{
	return m[0] == 0x0c && m[1] == 0xa5;
}

static bool pcap_magic4(const uint8_t *m)
{
	static const uint8_t magics[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },	/* pcap, µs */
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },	/* pcap, ns */
		{ 0x0a, 0x0d, 0x0d, 0x0a },					/* pcapng */
	};
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (!memcmp(m, magics[i], 4))
			return true;
	return false;
}

static int judge(const char *path, const uint8_t *m, size_t n, enum input_kind *kind, char **cause)
{
	if (n >= 4 && pcap_magic4(m)) {
		*kind = INPUT_PCAP;
		return ERR_OK;
	}
	if (n >= 2 && nfcapd_magic(m)) {
		*kind = INPUT_NFCAPD;
		return ERR_OK;
	}
	size_t i = 0;
	while (i < n && isspace(m[i]))
		i++;
	if (i < n && m[i] == '{') {
		*kind = INPUT_JSON;
		return ERR_OK;
	}
	if (n == 0) {
		*cause = err_fmt("%s: offset 0: empty input", path);
		return ERR_FORMAT;
	}
	*cause = err_fmt("%s: offset 0: not a capture, nfcapd file or JSON lines (starts %02x%02x%02x%02x)",
			 path, m[0], n > 1 ? m[1] : 0, n > 2 ? m[2] : 0, n > 3 ? m[3] : 0);
	return ERR_FORMAT;
}

int flowfile_detect(const char *path, enum input_kind *kind, char **cause)
{
	if (!strcmp(path, "-")) {
		/* Standard input cannot be rewound: look at one byte and put it back. */
		int ch;
		while ((ch = getc(stdin)) != EOF && isspace(ch))
			;
		if (ch == EOF) {
			*cause = err_fmt("-: offset 0: empty input");
			return ERR_FORMAT;
		}
		ungetc(ch, stdin);
		uint8_t m[1] = { (uint8_t)ch };
		return judge("-", m, 1, kind, cause);
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		*cause = err_fmt("%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		*cause = err_fmt("%s: is a directory (use -R to read a directory)", path);
		return ERR_IO;
	}
	uint8_t m[64];
	size_t n = fread(m, 1, sizeof m, f);
	fclose(f);
	return judge(path, m, n, kind, cause);
}

int flowfile_open(const char *path, enum input_kind kind, struct flowfile **out, char **cause)
{
	switch (kind) {
	case INPUT_NFCAPD:
		return nfcapd_open(path, out, cause);
	case INPUT_JSON:
		return jsonflow_open(path, out, cause);
	case INPUT_PCAP:
		break;
	}
	*cause = err_fmt("%s: not a flow file", path);
	return ERR_ARG;
}

int flowfile_next(struct flowfile *ff, struct flow *f, char **cause)
{
	return ff->ops->next(ff->self, f, cause);
}

void flowfile_stats(const struct flowfile *ff, struct flowfile_stats *st)
{
	memset(st, 0, sizeof *st);
	ff->ops->stats(ff->self, st);
}

void flowfile_close(struct flowfile *ff)
{
	if (!ff)
		return;
	ff->ops->close(ff->self);
	free(ff->name);
	free(ff);
}

static uint64_t mul_sat(uint64_t a, uint32_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

void flowfile_scale(const struct flowfile *ff, struct flow *f, bool no_scale)
{
	if (!ff->unscaled || no_scale || f->sampling <= 1)
		return;
	f->bytes = mul_sat(f->bytes, f->sampling);
	f->packets = mul_sat(f->packets, f->sampling);
}
