/* contrun's CONT_* variables (set by the contrun launcher from its options,
 * or by hand when the library is linked or preloaded directly).  libcont's
 * table (libcont/config.c) knows their names; their values are checked here,
 * at MPI_Init, and a bad one stops the job. */
#include "contrun-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ctr_options_t defaults = {
    .trace_max_events = 1000000, .task_aware = 1, .task_pause = 1, .stall_timeout = 600};
ctr_options_t ctr_opt = defaults;

const char *const ctr_option_names[] = {
    "CONT_PROFILE", "CONT_PROFILE_FILE", "CONT_TRACE", "CONT_TRACE_MAX_EVENTS",
    "CONT_TASK_AWARE", "CONT_TASK_PAUSE", "CONT_STALL_TIMEOUT", NULL,
};

void ctr_options_reset(void)
{
    free(ctr_opt.profile_file);
    free(ctr_opt.trace_file);
    ctr_opt = defaults;
}

static int parse_path(const char *name, const char *v, char **out)
{
    if (!*v) {
        fprintf(stderr, "contrun: %s='': expected a file name\n", name);
        return 1;
    }
    free(*out);
    *out = strdup(v);
    return *out == NULL;
}

int ctr_option_set(const char *name, const char *v)
{
    if (!strcmp(name, "CONT_PROFILE"))
        return cont_parse_bool("contrun", name, v, &ctr_opt.profile);
    if (!strcmp(name, "CONT_PROFILE_FILE")) {
        ctr_opt.profile = 1;
        return parse_path(name, v, &ctr_opt.profile_file);
    }
    if (!strcmp(name, "CONT_TRACE"))
        return parse_path(name, v, &ctr_opt.trace_file);
    if (!strcmp(name, "CONT_TRACE_MAX_EVENTS"))
        return cont_parse_long("contrun", name, v, 0, 1000000000L, &ctr_opt.trace_max_events);
    if (!strcmp(name, "CONT_TASK_AWARE"))
        return cont_parse_bool("contrun", name, v, &ctr_opt.task_aware);
    if (!strcmp(name, "CONT_TASK_PAUSE"))
        return cont_parse_bool("contrun", name, v, &ctr_opt.task_pause);
    if (!strcmp(name, "CONT_STALL_TIMEOUT"))
        return cont_parse_long("contrun", name, v, 0, 86400, &ctr_opt.stall_timeout);
    return 0;
}

int ctr_options_load(void)
{
    int bad = 0;
    for (const char *const *n = ctr_option_names; *n; n++) {
        const char *v = getenv(*n);
        if (v)
            bad |= ctr_option_set(*n, v);
    }
    return bad;
}
