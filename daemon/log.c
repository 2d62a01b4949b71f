/*
 * log.c - leveled logging to stderr with a level prefix.  Lines are written
 * with a single write(2) so concurrent writers never interleave mid-line.
 * log_escape() makes untrusted bytes safe to quote in a line.  It does not
 * rotate or open files: the audit log has its own module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static enum log_level log_min = LOG_LVL_INFO;
static const char *const log_names[] = { "debug", "info", "warn", "error" };

int
log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	if (strcmp(s, "warning") == 0) {
		*out = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

void
log_set_level(enum log_level l)
{
	log_min = l;
}

static void log_vwrite(enum log_level, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_vwrite(enum log_level l, int err, const char *fmt, va_list ap)
{
	char line[2048];
	int n, m;

	if (l < log_min)
		return;
	n = snprintf(line, sizeof(line), "sockwarden[%d]: %s: ", (int)getpid(),
	    log_names[l]);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (err != 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		    strerror(err));
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_FN(name, lvl, witherr) \
void name(const char *fmt, ...) { \
	int e = errno; va_list ap; va_start(ap, fmt); \
	log_vwrite(lvl, witherr ? e : 0, fmt, ap); va_end(ap); errno = e; }

LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(const void *data, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = data;
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = p[i];
		if (c == '\\' || c == '"') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		}
	}
	out[o] = '\0';
	return out;
}
