/* libFuzzer target: the contrun launcher's options.  The input is an
 * argument list (one argument per line; a NUL ends one too; at most
 * LAUNCH_MAX_ARGS).  The target runs `sh contrun ARGS...` in a sandbox
 * directory whose PATH holds only the probe (launcher-probe.c), and checks
 * against launcher-oracle.c: the exit status, a "contrun: " message on
 * every error and nothing on stdout then, the help and version texts, and,
 * when the probe runs, exactly the CONT_* variables the options set, the
 * probe's own arguments passed through unchanged, libcontrun preloaded.
 * A difference, a crash of the shell or a launcher that takes more than
 * 20 s aborts (a finding).  CONTRUN and PROBE name the two programs; the
 * replay build sets them at compile time, the fuzz build too. */
#define _GNU_SOURCE
#include "launcher-oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CONTRUN
#error "build with -DCONTRUN=\"path of the built contrun launcher\""
#endif
#ifndef PROBE
#error "build with -DPROBE=\"path of the built launcher probe\""
#endif

#define MAX_ARG 256
#define OUT_MAX 65536

static char sandbox[64];
static int sandbox_fd = -1;

static void die(const char *what)
{
    perror(what);
    abort();
}

/* A directory with bin/probe, a regular file and a sub-directory: contrun
 * runs there, and the model resolves relative paths there too. */
static void make_sandbox(void)
{
    char path[256];
    snprintf(sandbox, sizeof sandbox, "%s/contrun-fuzz.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (strlen(sandbox) > 60 || !mkdtemp(sandbox))
        die("mkdtemp");
    snprintf(path, sizeof path, "%s/bin", sandbox);
    if (mkdir(path, 0755))
        die(path);
    snprintf(path, sizeof path, "%s/bin/" LAUNCH_PROBE, sandbox);
    if (symlink(PROBE, path))
        die(path);
    snprintf(path, sizeof path, "%s/dir", sandbox);
    if (mkdir(path, 0755))
        die(path);
    snprintf(path, sizeof path, "%s/file", sandbox);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path);
    fclose(f);
    if ((sandbox_fd = open(sandbox, O_RDONLY | O_DIRECTORY)) < 0)
        die(sandbox);
}

typedef struct {
    char out[OUT_MAX], err[OUT_MAX];
    size_t nout, nerr;
    int status; /* exit status, or 128 + signal */
} result_t;

static void drain(int fd, char *buf, size_t *n, int *open)
{
    ssize_t r = read(fd, buf + *n, OUT_MAX - 1 - *n);
    if (r > 0)
        *n += (size_t)r;
    else if (r == 0 || (errno != EINTR && errno != EAGAIN) || *n == OUT_MAX - 1)
        *open = 0;
    buf[*n] = '\0';
}

static void run(const char *const *args, int nargs, result_t *r)
{
    char *argv[LAUNCH_MAX_ARGS + 3];
    argv[0] = "sh";
    argv[1] = CONTRUN;
    for (int i = 0; i < nargs; i++)
        argv[2 + i] = (char *)args[i];
    argv[2 + nargs] = NULL;
    char pathvar[128];
    snprintf(pathvar, sizeof pathvar, "PATH=%s/bin", sandbox);
    char *envp[] = {pathvar, NULL};
    int po[2], pe[2];
    if (pipe(po) || pipe(pe))
        die("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    posix_spawn_file_actions_addchdir_np(&fa, sandbox);
    pid_t pid;
    if (posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, envp))
        die("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    r->nout = r->nerr = 0;
    r->out[0] = r->err[0] = '\0';
    int oo = 1, eo = 1;
    time_t deadline = time(NULL) + 20;
    while (oo || eo) {
        struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            die("poll");
        if (oo && p[0].revents)
            drain(po[0], r->out, &r->nout, &oo);
        if (eo && p[1].revents)
            drain(pe[0], r->err, &r->nerr, &eo);
        if (time(NULL) > deadline) {
            kill(pid, SIGKILL);
            fprintf(stderr, "fuzz-launcher: contrun did not finish within 20 s\n");
            abort();
        }
    }
    close(po[0]);
    close(pe[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void fail(const char *const *args, int nargs, const result_t *r, const char *why)
{
    fprintf(stderr, "fuzz-launcher: %s\n  contrun", why);
    for (int i = 0; i < nargs; i++)
        fprintf(stderr, " '%s'", args[i]);
    fprintf(stderr, "\n  exit %d\n  stdout: %s\n  stderr: %s\n", r->status, r->out, r->err);
    abort();
}

/* The probe's output must be exactly: its arguments, then (in any order)
 * one "env NAME=VALUE" per expected variable, and "preloaded". */
static void check_probe(const char *const *args, const launch_expect_t *e, const result_t *r)
{
    char want[OUT_MAX];
    size_t n = 0;
    for (int i = e->first_prog_arg; i < e->nargs; i++)
        n += (size_t)snprintf(want + n, sizeof want - n, "arg %s\n", args[i]);
    if (strncmp(r->out, want, n))
        fail(args, e->nargs, r, "the probe's arguments were not passed through unchanged");
    int lines = 0, seen_preload = 0;
    for (const char *l = r->out + n; *l; lines++) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len == 9 && !strncmp(l, "preloaded", 9)) {
            seen_preload = 1;
        } else {
            int ok = 0;
            for (int k = 0; k < 5; k++) {
                if (!e->env[k])
                    continue;
                int m = snprintf(want, sizeof want, "env %s=%s", launch_env_names[k], e->env[k]);
                ok |= (size_t)m == len && !strncmp(l, want, len);
            }
            if (!ok)
                fail(args, e->nargs, r, "the probe got an unexpected line (variable)");
        }
        l += len + (nl != NULL);
    }
    int nenv = 0;
    for (int k = 0; k < 5; k++)
        nenv += e->env[k] != NULL;
    if (!seen_preload || lines != nenv + 1)
        fail(args, e->nargs, r, "the probe did not get every variable, or libcontrun");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sandbox[0])
        make_sandbox();
    static char store[LAUNCH_MAX_ARGS][MAX_ARG + 1];
    const char *args[LAUNCH_MAX_ARGS];
    int nargs = 0;
    size_t i = 0;
    while (i < size && nargs < LAUNCH_MAX_ARGS) {
        size_t n = 0;
        while (i < size && data[i] != '\n' && data[i] != '\0' && n < MAX_ARG)
            store[nargs][n++] = (char)data[i++];
        i++;
        store[nargs][n] = '\0';
        args[nargs] = store[nargs];
        nargs++;
    }
    launch_expect_t e;
    launcher_oracle(args, nargs, sandbox_fd, &e);
    if (e.skip)
        return 0;
    result_t *r = malloc(sizeof *r);
    if (!r)
        abort();
    run(args, nargs, r);
    int want = e.help || e.version || e.runs ? 0 : e.status;
    if (r->status != want) {
        char why[64];
        snprintf(why, sizeof why, "exit status %d, expected %d", r->status, want);
        fail(args, nargs, r, why);
    }
    if (e.help && !strstr(r->out, "usage: mpiexec -n N contrun"))
        fail(args, nargs, r, "--help did not print the usage");
    if (e.version && strncmp(r->out, "contrun (libcont) ", 18))
        fail(args, nargs, r, "--version did not print the version");
    if (want != 0 && (r->nout || strncmp(r->err, "contrun: ", 9)))
        fail(args, nargs, r, "an error without a 'contrun: ' message, or with output");
    if (e.runs)
        check_probe(args, &e, r);
    free(r);
    return 0;
}
