/* An independent model of the CONT_* settings (README, "Environment
 * variables"): for one "NAME=VALUE" entry, whether libcont and contrun must
 * accept it and what it must change.  The fuzzers compare the libraries
 * against it; it shares no code with them on purpose. */
#ifndef CONFIG_ORACLE_H
#define CONFIG_ORACLE_H

/* The whole configuration, libcont's and contrun's, as the model sees it. */
typedef struct {
    int progress_thread; /* 0 auto, 1 on, 2 off */
    int progress_cpu;    /* -2 none, -1 auto, >= 0 core */
    int poll_spin, poll_yield, poll_max_sleep_us, finalize_timeout_ms;
    int max_inline_depth, verbose;
    int profile, task_aware, task_pause;
    long stall_timeout;
    long trace_max_events;
    char profile_file[4096], trace_file[4096]; /* "" when unset */
} oracle_config_t;

void oracle_defaults(oracle_config_t *c);
/* Apply ENTRY to C as the documentation says; returns 1 when it must be
 * accepted, 0 when it must be refused (C then changes only where the
 * documentation says a refused value still has an effect: none). */
int oracle_apply(oracle_config_t *c, const char *entry);
/* The name part of ENTRY is one of the documented variables. */
int oracle_known(const char *entry);

/* Integers as documented: an optional '-' then decimal digits, nothing
 * else; 1 and *out set when it is one and lies in lo..hi. */
int oracle_int(const char *s, long lo, long hi, long *out);

#endif
