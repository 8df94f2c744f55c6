/* The program fuzz-launcher runs under contrun: prints its arguments and
 * the CONT_* variables it received, and whether libcontrun is preloaded,
 * one per line, for the fuzzer to compare with its model. */
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("arg %s\n", argv[i]);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "CONT_", 5))
            printf("env %s\n", *e);
        else if (!strncmp(*e, "LD_PRELOAD=", 11) && strstr(*e, "libcontrun.so"))
            printf("preloaded\n");
    return 0;
}
