/*
 * log.h - leveled logging to stderr (journald picks it up under systemd).
 * log_warn appends strerror(errno); log_warnx does not.  fatal()/fatalx()
 * are for start-up and broken invariants only, never for peer input.
 */
#ifndef SW_LOG_H
#define SW_LOG_H
#include <stddef.h>

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

int	 log_parse_level(const char *, enum log_level *);
void	 log_set_level(enum log_level);
int	 log_enabled(enum log_level);
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Escape untrusted bytes (C-style, length-capped) into out; returns out. */
char	*log_escape(const void *, size_t, char *out, size_t outlen);
#endif
