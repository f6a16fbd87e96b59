/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c: a main() for the fuzz targets without libFuzzer: run the
 * target once on every file named (directories: on every file in them),
 * so that any C compiler can replay the seed and regression corpora.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *n;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((n = realloc(buf, cap)) == NULL) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = n;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	/* an exact-size copy, so that ASan sees any read past the end */
	if ((n = malloc(len ? len : 1)) == NULL) {
		free(buf);
		return -1;
	}
	if (len > 0)
		memcpy(n, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(n, len);
	free(n);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, count = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int k, ne;

		if (stat(argv[i], &st) == -1) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]) == -1;
			count++;
			continue;
		}
		if ((ne = scandir(argv[i], &ents, NULL, alphasort)) == -1) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		for (k = 0; k < ne; k++) {
			char path[4096];

			if (ents[k]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i],
				    ents[k]->d_name);
				bad |= run_file(path) == -1;
				count++;
			}
			free(ents[k]);
		}
		free(ents);
	}
	printf("%d inputs replayed\n", count);
	return bad;
}
