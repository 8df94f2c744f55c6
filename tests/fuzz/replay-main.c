/* main() for a fuzz target without libFuzzer: runs the target on every file
 * named on the command line (the seed corpus and past findings), so
 * `make check` replays them with an ordinary build.  Exits non-zero if a
 * file cannot be read; the target aborts on a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, got;
        do {
            if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 4096)))
                return 1;
            got = fread(buf + len, 1, cap - len, f);
            len += got;
        } while (got > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        n++;
    }
    printf("%s: replayed %d inputs, no finding\n", argv[0], n);
    return n ? 0 : 1;
}
