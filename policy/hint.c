/*
 * hint.c - "did you mean ...?" for a key that is not known: the known key
 * closest to it by edit distance.  Pure; used by the compiler's errors.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "policy_int.h"

/*
 * Edit distance with adjacent transpositions (the usual typos: a letter
 * missing, extra, wrong or swapped), case-insensitive; keys are short, a
 * larger one simply counts as far.
 */
static size_t
hint_distance(const char *key, const char *known)
{
	char a[33], b[33];
	size_t la = strlen(key), lb = strlen(known), i, j;
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		a[i] = (char)tolower((unsigned char)key[i]);
	for (j = 0; j <= lb; j++)
		b[j] = (char)tolower((unsigned char)known[j]);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/*
 * "; did you mean 'roots'?" when one of the n known keys (at(i, arg)) is
 * within two edits of key, or equal ignoring case; "" otherwise.  Short
 * keys need a closer match, or everything would resemble "max".
 */
const char *
hint_key(const char *key, const char *(*at)(size_t, const void *),
    const void *arg, size_t n, char *buf, size_t size)
{
	const char *best = NULL;
	size_t bestd = 3, i;

	for (i = 0; i < n; i++) {
		const char *k = at(i, arg);
		size_t dist = hint_distance(key, k);
		if (dist < bestd && dist < strlen(k) / 2 + 1) {
			best = k;
			bestd = dist;
		}
	}
	if (best == NULL)
		return "";
	strfmt(buf, size, "; did you mean '%s'?", best);
	return buf;
}

