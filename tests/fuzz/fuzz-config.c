/* libFuzzer target: every CONT_* variable, libcont's and contrun's.
 * The input is a list of environment entries, one per line ("NAME=VALUE";
 * a NUL ends an entry too).  Each goes through the same code MPI_Init uses
 * (cont_config_set, ctr_option_set); the target checks, entry by entry,
 * that the libraries accept exactly what config-oracle.c says they must,
 * that a refused entry prints one message naming the variable and an
 * accepted one prints nothing, and, at the end, that the configuration
 * both libraries hold equals the model's.  Any difference aborts (a
 * finding); so does any crash, leak or undefined behaviour (ASan, UBSan). */
#define _GNU_SOURCE
#include "config-oracle.h"
#include "contrun-internal.h" /* includes cont-internal.h */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRY 1024

static void fail(const char *entry, const char *why, const char *out)
{
    fprintf(stderr, "fuzz-config: entry '%s': %s\n", entry, why);
    if (out && *out)
        fprintf(stderr, "  printed: %s", out);
    abort();
}

static int is_contrun_name(const char *name)
{
    for (const char *const *n = ctr_option_names; *n; n++)
        if (!strcmp(*n, name))
            return 1;
    return 0;
}

/* Run one entry through the libraries with stderr captured in *OUT. */
static int apply(const char *entry, char **out)
{
    size_t size;
    FILE *mem = open_memstream(out, &size);
    if (!mem)
        abort();
    FILE *saved = stderr;
    stderr = mem;
    int bad = cont_config_set(entry);
    const char *eq = strchr(entry, '=');
    if (!bad && eq && !strncmp(entry, "CONT_", 5)) {
        char name[MAX_ENTRY];
        memcpy(name, entry, (size_t)(eq - entry));
        name[eq - entry] = '\0';
        if (is_contrun_name(name))
            bad = ctr_option_set(name, eq + 1);
    } else if (!bad && !eq && is_contrun_name(entry)) {
        bad = ctr_option_set(entry, "");
    }
    stderr = saved;
    fclose(mem);
    return !bad;
}

static void check_message(const char *entry, int accepted, const char *out)
{
    if (accepted) {
        if (*out)
            fail(entry, "accepted, yet a message was printed", out);
        return;
    }
    const char *nl = strchr(out, '\n');
    if (!nl)
        fail(entry, "refused without a message", out);
    if (oracle_known(entry)) {
        const char *eq = strchr(entry, '=');
        size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
        char want[MAX_ENTRY + 2];
        snprintf(want, sizeof want, "%.*s='", (int)len, entry);
        if (!strstr(out, want))
            fail(entry, "the message does not name the variable", out);
    } else if (!strstr(out, "unknown environment variable")) {
        fail(entry, "the message does not say the variable is unknown", out);
    } else {
        for (const char *p = out; p < nl; p++)
            if ((unsigned char)*p < 0x20)
                fail(entry, "the message echoes a control byte", out);
    }
}

static int str_eq(const char *lib, const char *model)
{
    return lib ? !strcmp(lib, model) : !*model;
}

static void check_state(const oracle_config_t *m)
{
    static const cont_pt_mode_t pt[] = {CONT_PT_AUTO, CONT_PT_ON, CONT_PT_OFF};
    const cont_config_t *c = &cont_cfg;
    if (c->progress_thread != pt[m->progress_thread] || c->progress_cpu != m->progress_cpu ||
        c->poll_spin != m->poll_spin || c->poll_yield != m->poll_yield ||
        c->poll_max_sleep_us != m->poll_max_sleep_us ||
        c->finalize_timeout_ms != m->finalize_timeout_ms ||
        c->max_inline_depth != m->max_inline_depth || c->verbose != m->verbose)
        fail("(all)", "libcont's configuration differs from the model", NULL);
    if (ctr_opt.profile != m->profile || ctr_opt.task_aware != m->task_aware ||
        ctr_opt.task_pause != m->task_pause || ctr_opt.stall_timeout != m->stall_timeout ||
        ctr_opt.trace_max_events != m->trace_max_events ||
        !str_eq(ctr_opt.profile_file, m->profile_file) ||
        !str_eq(ctr_opt.trace_file, m->trace_file))
        fail("(all)", "contrun's configuration differs from the model", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    oracle_config_t model;
    oracle_defaults(&model);
    cont_config_reset();
    ctr_options_reset();
    char entry[MAX_ENTRY + 1];
    size_t i = 0;
    while (i < size) {
        size_t n = 0;
        while (i < size && data[i] != '\n' && data[i] != '\0' && n < MAX_ENTRY)
            entry[n++] = (char)data[i++];
        i++; /* the separator, or the byte after an over-long entry */
        entry[n] = '\0';
        char *out = NULL;
        int accepted = apply(entry, &out);
        int expected = oracle_apply(&model, entry);
        if (accepted != expected)
            fail(entry, expected ? "refused, but valid" : "accepted, but invalid", out);
        check_message(entry, accepted, out);
        free(out);
    }
    check_state(&model);
    ctr_options_reset(); /* frees the file names: no leak between inputs */
    return 0;
}
