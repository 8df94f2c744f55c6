/* The model behind launcher-oracle.h, from contrun's usage text: options
 * until the first non-option (or "--"), each output file checked at once. */
#define _GNU_SOURCE
#include "launcher-oracle.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const launch_env_names[5] = {
    "CONT_PROFILE", "CONT_PROFILE_FILE", "CONT_TRACE", "CONT_TRACE_MAX_EVENTS", "CONT_TASK_AWARE",
};

static int prefixed(const char *s, const char *p, const char **rest)
{
    size_t n = strlen(p);
    if (strncmp(s, p, n))
        return 0;
    *rest = s + n;
    return 1;
}

/* Paths outside the sandbox directory (absolute, or climbing out of it)
 * are not fuzzed: their answers depend on the machine. */
static int outside(const char *path)
{
    return path[0] == '/' || strstr(path, "..");
}

/* An output file is usable: an existing writable regular file, or a new
 * name in an existing writable directory. */
static int writable(int dirfd, const char *path)
{
    struct stat st;
    if (!*path)
        return 0;
    if (fstatat(dirfd, path, &st, 0) == 0)
        return S_ISREG(st.st_mode) && faccessat(dirfd, path, W_OK, 0) == 0;
    char *copy = strdup(path);
    if (!copy)
        abort();
    const char *dir = dirname(copy);
    int ok = fstatat(dirfd, dir, &st, 0) == 0 && S_ISDIR(st.st_mode) &&
             faccessat(dirfd, dir, W_OK, 0) == 0;
    free(copy);
    return ok;
}

static int digits_only(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

void launcher_oracle(const char *const *argv, int nargs, int dirfd, launch_expect_t *e)
{
    memset(e, 0, sizeof *e);
    e->nargs = nargs;
    const char *rest;
    int i;
    for (i = 0; i < nargs; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            e->help = 1;
            return;
        }
        if (!strcmp(a, "--version")) {
            e->version = 1;
            return;
        }
        if (!strcmp(a, "--profile")) {
            e->env[0] = "1";
        } else if (prefixed(a, "--profile=", &rest) || prefixed(a, "--trace=", &rest)) {
            if (outside(rest)) {
                e->skip = 1;
                return;
            }
            if (!writable(dirfd, rest)) {
                e->status = 2;
                return;
            }
            e->env[a[2] == 'p' ? 1 : 2] = rest;
        } else if (prefixed(a, "--trace-max-events=", &rest)) {
            if (!digits_only(rest)) {
                e->status = 2;
                return;
            }
            e->env[3] = rest;
        } else if (!strcmp(a, "--no-task-aware")) {
            e->env[4] = "off";
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (a[0] == '-') {
            e->status = 2; /* unknown option, "--trace" without a file too */
            return;
        } else {
            break;
        }
    }
    if (i == nargs) {
        e->status = 2; /* no program */
        return;
    }
    if (strchr(argv[i], '/')) {
        e->skip = 1;
        return;
    }
    if (strcmp(argv[i], LAUNCH_PROBE)) {
        e->status = 127;
        return;
    }
    e->runs = 1;
    e->first_prog_arg = i + 1;
}
