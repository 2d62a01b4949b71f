/*
 * fuzz_main.c - the shared fuzz driver.  With -DSW_FUZZ_LIBFUZZER it only
 * provides libFuzzer's hooks; otherwise main() replays inputs: each argument
 * is a file or a directory of files (missing paths are skipped), and with
 * no argument stdin is one input.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzzing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_main(data, len);
	return 0;
}

#ifndef SW_FUZZ_LIBFUZZER
static int
replay_stream(FILE *f, const char *name)
{
	uint8_t *buf = NULL, *t;
	size_t len = 0, cap = 0, n;

	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((t = realloc(buf, cap)) == NULL) {
				free(buf);
				fprintf(stderr, "%s: out of memory\n", name);
				return -1;
			}
			buf = t;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fuzz_main(buf, len);
	free(buf);
	return 0;
}

static int
replay_path(const char *path, int *count)
{
	struct stat st;
	struct dirent *de;
	DIR *dp;
	FILE *f;
	char sub[4096];
	int rc = 0;

	if (stat(path, &st) == -1)
		return 0;		/* an absent corpus is fine */
	if (S_ISDIR(st.st_mode)) {
		if ((dp = opendir(path)) == NULL)
			return -1;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.' ||
			    strcmp(de->d_name, "README") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (replay_path(sub, count) == -1)
				rc = -1;
		}
		closedir(dp);
		return rc;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	rc = replay_stream(f, path);
	fclose(f);
	(*count)++;
	return rc;
}

int
main(int argc, char **argv)
{
	int i, count = 0, rc = 0;

	if (fuzz_init() != 0)
		return 1;
	if (argc < 2)
		rc = replay_stream(stdin, "stdin");
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) == -1)
			rc = -1;
	fuzz_cleanup();
	if (argc >= 2)
		printf("replayed %d inputs\n", count);
	return rc == 0 ? 0 : 1;
}
#endif
