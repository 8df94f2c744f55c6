/* The model behind config-oracle.h, written from docs/reference-config.md's table of
 * environment variables, not from libcont's code. */
#include "config-oracle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void oracle_defaults(oracle_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->progress_cpu = -2;
    c->poll_spin = 200;
    c->poll_yield = 20;
    c->poll_max_sleep_us = 50;
    c->finalize_timeout_ms = 2000;
    c->max_inline_depth = 16;
    c->verbose = 1;
    c->task_aware = 1;
    c->task_pause = 1;
    c->stall_timeout = 600;
    c->trace_max_events = 1000000;
}

int oracle_int(const char *s, long lo, long hi, long *out)
{
    int neg = *s == '-';
    const char *p = s + neg;
    if (!*p)
        return 0;
    long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        if (v > 100000000000L) /* far beyond every documented range */
            return 0;
        v = v * 10 + (*p - '0');
    }
    v = neg ? -v : v;
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int same(const char *a, const char *b) /* ASCII, case-blind */
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* on/off words: 1 on, 0 off, -1 neither */
static int onoff(const char *v)
{
    if (same(v, "1") || same(v, "on") || same(v, "yes"))
        return 1;
    if (same(v, "0") || same(v, "off") || same(v, "no"))
        return 0;
    return -1;
}

static int set_int(int *field, const char *v, long lo, long hi)
{
    long x;
    if (!oracle_int(v, lo, hi, &x))
        return 0;
    *field = (int)x;
    return 1;
}

static int set_path(char *field, size_t size, const char *v)
{
    if (!*v)
        return 0;
    snprintf(field, size, "%s", v); /* entries are shorter than size */
    return 1;
}

static const char *const names[] = {
    "CONT_PROGRESS_THREAD", "CONT_PROGRESS_CPU", "CONT_POLL_SPIN", "CONT_POLL_YIELD",
    "CONT_POLL_MAX_SLEEP_US", "CONT_FINALIZE_TIMEOUT_MS", "CONT_MAX_INLINE_DEPTH",
    "CONT_VERBOSE", "CONT_PROFILE", "CONT_PROFILE_FILE", "CONT_TRACE",
    "CONT_TRACE_MAX_EVENTS", "CONT_TASK_AWARE", "CONT_TASK_PAUSE", "CONT_STALL_TIMEOUT",
};

static int name_is(const char *entry, size_t len, const char *name)
{
    return strlen(name) == len && !memcmp(entry, name, len);
}

int oracle_known(const char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name_is(entry, len, names[i]))
            return 1;
    return 0;
}

int oracle_apply(oracle_config_t *c, const char *entry)
{
    if (strncmp(entry, "CONT_", 5))
        return 1; /* not ours: ignored */
    if (!oracle_known(entry))
        return 0;
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    const char *v = eq ? eq + 1 : "";
    int b;
    if (name_is(entry, len, "CONT_PROGRESS_THREAD")) {
        if (same(v, "auto"))
            c->progress_thread = 0;
        else if ((b = onoff(v)) >= 0)
            c->progress_thread = b ? 1 : 2;
        else
            return 0;
        return 1;
    }
    if (name_is(entry, len, "CONT_PROGRESS_CPU")) {
        if (same(v, "none"))
            c->progress_cpu = -2;
        else if (same(v, "auto"))
            c->progress_cpu = -1;
        else
            return set_int(&c->progress_cpu, v, 0, 1 << 20);
        return 1;
    }
    if (name_is(entry, len, "CONT_POLL_SPIN"))
        return set_int(&c->poll_spin, v, 0, 100000000);
    if (name_is(entry, len, "CONT_POLL_YIELD"))
        return set_int(&c->poll_yield, v, 0, 100000000);
    if (name_is(entry, len, "CONT_POLL_MAX_SLEEP_US"))
        return set_int(&c->poll_max_sleep_us, v, 1, 1000000);
    if (name_is(entry, len, "CONT_FINALIZE_TIMEOUT_MS"))
        return set_int(&c->finalize_timeout_ms, v, 0, 3600000);
    if (name_is(entry, len, "CONT_MAX_INLINE_DEPTH"))
        return set_int(&c->max_inline_depth, v, 1, 100000);
    if (name_is(entry, len, "CONT_VERBOSE"))
        return set_int(&c->verbose, v, 0, 2);
    if (name_is(entry, len, "CONT_PROFILE") || name_is(entry, len, "CONT_TASK_AWARE") ||
        name_is(entry, len, "CONT_TASK_PAUSE")) {
        if ((b = onoff(v)) < 0)
            return 0;
        *(name_is(entry, len, "CONT_PROFILE")      ? &c->profile
          : name_is(entry, len, "CONT_TASK_AWARE") ? &c->task_aware
                                                   : &c->task_pause) = b;
        return 1;
    }
    if (name_is(entry, len, "CONT_STALL_TIMEOUT"))
        return oracle_int(v, 0, 86400, &c->stall_timeout);
    if (name_is(entry, len, "CONT_PROFILE_FILE")) {
        c->profile = 1; /* asking for a profile file asks for the profile */
        return set_path(c->profile_file, sizeof c->profile_file, v);
    }
    if (name_is(entry, len, "CONT_TRACE"))
        return set_path(c->trace_file, sizeof c->trace_file, v);
    /* CONT_TRACE_MAX_EVENTS */
    return oracle_int(v, 0, 1000000000L, &c->trace_max_events);
}
