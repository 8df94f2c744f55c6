/* An independent model of the contrun launcher's command line (contrun
 * --help, README "contrun"): what a given argument list must do.  Shares no
 * code with contrun.in. */
#ifndef LAUNCHER_ORACLE_H
#define LAUNCHER_ORACLE_H

#define LAUNCH_MAX_ARGS 8

typedef struct {
    int skip;   /* the input names a program or file outside the sandbox:
                   not run (the fuzzer must not exec arbitrary programs) */
    int status; /* expected exit status: 0, 2 (usage error) or 127 */
    int runs;   /* the program (the probe) runs: env and args are checked */
    int help, version;          /* status 0 without running: which text */
    const char *env[5];         /* CONT_PROFILE, _PROFILE_FILE, _TRACE,
                                   _TRACE_MAX_EVENTS, _TASK_AWARE: NULL unset */
    int first_prog_arg, nargs;  /* argv[first_prog_arg..nargs) go to the probe */
} launch_expect_t;

extern const char *const launch_env_names[5];

/* The probe's name in the sandbox's PATH. */
#define LAUNCH_PROBE "probe"

/* Model ARGV[0..NARGS) (contrun's arguments, no argv[0]) run in the
 * directory DIRFD (relative paths are resolved there). */
void launcher_oracle(const char *const *argv, int nargs, int dirfd, launch_expect_t *e);

#endif
