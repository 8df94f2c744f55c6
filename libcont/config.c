/* CONT_* environment variables: one table, read and validated at MPI_Init.
 * An unknown CONT_* variable or a bad value is an error, never ignored. */
#include "cont-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

static const cont_config_t defaults = {
    .progress_thread = CONT_PT_AUTO,
    .progress_cpu = -2,
    .poll_spin = 200,
    .poll_yield = 20,
    .poll_max_sleep_us = 50,
    .progress_pace = 4,
    .finalize_timeout_ms = 2000,
    .max_inline_depth = 16,
    .verbose = 1,
};

cont_config_t cont_cfg = defaults;

void cont_config_reset(void)
{
    cont_cfg = defaults;
}

int cont_parse_long(const char *who, const char *name, const char *v, long lo, long hi,
                    long *out)
{
    /* strtol would skip leading blanks and take a '+': a value is an
     * optional '-' and decimal digits only, so " 5" or "+5" are refused. */
    const char *d = *v == '-' ? v + 1 : v;
    char *end = NULL;
    long x = 0;
    int digits = *d >= '0' && *d <= '9';
    errno = 0;
    if (digits)
        x = strtol(v, &end, 10);
    if (!digits || errno || *end || x < lo || x > hi) {
        fprintf(stderr, "%s: %s='%s': expected an integer in %ld..%ld\n", who, name, v, lo, hi);
        return 1;
    }
    *out = x;
    return 0;
}

int cont_parse_bool(const char *who, const char *name, const char *v, int *out)
{
    if (!strcasecmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "yes"))
        *out = 1;
    else if (!strcasecmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no"))
        *out = 0;
    else {
        fprintf(stderr, "%s: %s='%s': expected on or off\n", who, name, v);
        return 1;
    }
    return 0;
}

static int parse_int(const char *name, const char *v, int lo, int hi, int *out)
{
    long x;
    if (cont_parse_long("libcont", name, v, lo, hi, &x))
        return 1;
    *out = (int)x;
    return 0;
}

static int set_progress_thread(const char *name, const char *v)
{
    if (!strcasecmp(v, "auto"))
        cont_cfg.progress_thread = CONT_PT_AUTO;
    else if (!strcasecmp(v, "on") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
        cont_cfg.progress_thread = CONT_PT_ON;
    else if (!strcasecmp(v, "off") || !strcmp(v, "0") || !strcasecmp(v, "no"))
        cont_cfg.progress_thread = CONT_PT_OFF;
    else {
        fprintf(stderr, "libcont: %s='%s': expected auto, on or off\n", name, v);
        return 1;
    }
    return 0;
}

static int set_progress_cpu(const char *name, const char *v)
{
    if (!strcasecmp(v, "none"))
        cont_cfg.progress_cpu = -2;
    else if (!strcasecmp(v, "auto"))
        cont_cfg.progress_cpu = -1;
    else if (parse_int(name, v, 0, 1 << 20, &cont_cfg.progress_cpu)) {
        fprintf(stderr, "libcont: %s: use a core index (0, 1, ...), auto or none\n", name);
        return 1;
    }
    return 0;
}

#define INT_SETTER(fn, field, lo, hi)                                  \
    static int fn(const char *name, const char *v)                     \
    {                                                                  \
        return parse_int(name, v, lo, hi, &cont_cfg.field);            \
    }
/* The two polling phases remember that the user chose them (bit of
 * poll_set): an oversubscribed node changes only the defaults (oversub.c). */
#define POLL_SETTER(fn, field, bit)                                        \
    static int fn(const char *name, const char *v)                         \
    {                                                                      \
        int bad = parse_int(name, v, 0, 100000000, &cont_cfg.field);       \
        cont_cfg.poll_set |= (!bad) << (bit);                              \
        return bad;                                                        \
    }
POLL_SETTER(set_poll_spin, poll_spin, 0)
POLL_SETTER(set_poll_yield, poll_yield, 1)
INT_SETTER(set_poll_max_sleep, poll_max_sleep_us, 1, 1000000)
INT_SETTER(set_progress_pace, progress_pace, 0, 1000)
INT_SETTER(set_finalize_timeout, finalize_timeout_ms, 0, 3600000)
INT_SETTER(set_inline_depth, max_inline_depth, 1, 100000)
INT_SETTER(set_verbose, verbose, 0, 2)

/* Variables that other layers (omp-glue, contrun) read themselves are listed
 * with a NULL setter so that libcont does not reject them. */
static const struct {
    const char *name;
    int (*set)(const char *name, const char *value);
} vars[] = {
    {"CONT_PROGRESS_THREAD", set_progress_thread},
    {"CONT_PROGRESS_CPU", set_progress_cpu},
    {"CONT_POLL_SPIN", set_poll_spin},
    {"CONT_POLL_YIELD", set_poll_yield},
    {"CONT_POLL_MAX_SLEEP_US", set_poll_max_sleep},
    {"CONT_PROGRESS_PACE", set_progress_pace},
    {"CONT_FINALIZE_TIMEOUT_MS", set_finalize_timeout},
    {"CONT_MAX_INLINE_DEPTH", set_inline_depth},
    {"CONT_VERBOSE", set_verbose},
    /* contrun's (contrun/options.c validates them) */
    {"CONT_PROFILE", NULL},
    {"CONT_PROFILE_FILE", NULL},
    {"CONT_TRACE", NULL},
    {"CONT_TRACE_MAX_EVENTS", NULL},
    {"CONT_TASK_AWARE", NULL},
    {"CONT_TASK_PAUSE", NULL},
    {"CONT_STALL_TIMEOUT", NULL},
};

#define NVARS (sizeof vars / sizeof vars[0])

const char *cont_config_name(size_t i)
{
    return i < NVARS ? vars[i].name : NULL;
}

int cont_config_set(const char *entry)
{
    if (strncmp(entry, "CONT_", 5))
        return 0;
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    size_t i;
    for (i = 0; i < NVARS; i++)
        if (strlen(vars[i].name) == len && !strncmp(vars[i].name, entry, len))
            break;
    if (i == NVARS) {
        /* Print the name with control bytes escaped: it came from outside. */
        fprintf(stderr, "libcont: unknown environment variable ");
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)entry[k];
            fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
        }
        fprintf(stderr, "; known:");
        for (i = 0; i < NVARS; i++)
            fprintf(stderr, " %s", vars[i].name);
        fprintf(stderr, "\n");
        return 1;
    }
    return vars[i].set ? vars[i].set(vars[i].name, eq ? eq + 1 : "") : 0;
}

int cont_config_load(void)
{
    int bad = 0;
    for (char **e = environ; e && *e; e++)
        bad |= cont_config_set(*e);
    return bad;
}
