/* contrun's CONT_* variables (set by the contrun launcher from its options,
 * or by hand when the library is linked or preloaded directly).  libcont's
 * table (libcont/config.c) knows their names; their values are checked here,
 * at MPI_Init, and a bad one stops the job. */
#include "contrun-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

ctr_options_t ctr_opt = {.trace_max_events = 1000000, .task_aware = 1};

static int parse_bool(const char *name, const char *v, int *out)
{
    if (!strcasecmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "yes"))
        *out = 1;
    else if (!strcasecmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no"))
        *out = 0;
    else {
        fprintf(stderr, "contrun: %s='%s': expected on or off\n", name, v);
        return 1;
    }
    return 0;
}

static int parse_path(const char *name, const char *v, char **out)
{
    if (!*v) {
        fprintf(stderr, "contrun: %s is empty: give a file name\n", name);
        return 1;
    }
    free(*out);
    *out = strdup(v);
    return *out == NULL;
}

int ctr_options_load(void)
{
    int bad = 0;
    const char *v;
    if ((v = getenv("CONT_PROFILE")))
        bad |= parse_bool("CONT_PROFILE", v, &ctr_opt.profile);
    if ((v = getenv("CONT_PROFILE_FILE"))) {
        bad |= parse_path("CONT_PROFILE_FILE", v, &ctr_opt.profile_file);
        ctr_opt.profile = 1;
    }
    if ((v = getenv("CONT_TRACE")))
        bad |= parse_path("CONT_TRACE", v, &ctr_opt.trace_file);
    if ((v = getenv("CONT_TRACE_MAX_EVENTS"))) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < 0 || n > 1000000000L) {
            fprintf(stderr, "contrun: CONT_TRACE_MAX_EVENTS='%s': expected an integer in "
                    "0..1000000000\n", v);
            bad = 1;
        } else {
            ctr_opt.trace_max_events = n;
        }
    }
    if ((v = getenv("CONT_TASK_AWARE")))
        bad |= parse_bool("CONT_TASK_AWARE", v, &ctr_opt.task_aware);
    return bad;
}
