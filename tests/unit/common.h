/* common.h -- fixtures and helpers shared by the Criterion unit tests.
 *
 * Every test runs in its own Criterion worker process, where MPI runs in
 * singleton mode (one rank, no mpiexec).  Operations are made from messages
 * a rank sends to itself: an MPI_Irecv from rank 0 stays pending until a
 * matching send (unique tags keep tests apart), and receiving 4 ints into a
 * 1-int buffer makes a failing operation (MPI_ERR_TRUNCATE).
 *
 * Fixtures (libcont reads CONT_* at MPI_Init, so they are set before it):
 *   init_default  MPI_THREAD_MULTIPLE, CONT_PROGRESS_THREAD as in the
 *                 environment (auto: a progress thread)
 *   init_pt       MPI_THREAD_MULTIPLE with a progress thread (forced on)
 *   init_nopt     MPI_THREAD_MULTIPLE, CONT_PROGRESS_THREAD=off
 *   init_single   MPI_THREAD_SINGLE (never a progress thread)
 *   fini_mpi      MPI_Finalize, unless the test finalized MPI itself
 *
 * Callbacks may run on the progress thread, where Criterion assertions must
 * not be used: they record what they see in atomics/globals, and the test
 * asserts in its own thread.
 */
#ifndef TESTS_UNIT_COMMON_H
#define TESTS_UNIT_COMMON_H

#include <criterion/criterion.h>
#include <mpi-continue.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ fixtures */

static inline void common_env(const char *progress_thread)
{
    setenv("CONT_VERBOSE", "0", 1);
    if (progress_thread)
        setenv("CONT_PROGRESS_THREAD", progress_thread, 1);
}

static inline void common_init_level(int required)
{
    int provided = -1;
    int rc = MPI_Init_thread(NULL, NULL, required, &provided);
    cr_assert_eq(rc, MPI_SUCCESS, "MPI_Init_thread failed");
    if (required == MPI_THREAD_MULTIPLE)
        cr_assert_eq(provided, MPI_THREAD_MULTIPLE, "MPI_THREAD_MULTIPLE not provided");
}

static void init_default(void) __attribute__((unused));
static void init_default(void)
{
    common_env(NULL);
    common_init_level(MPI_THREAD_MULTIPLE);
}

static void init_pt(void) __attribute__((unused));
static void init_pt(void)
{
    common_env("on");
    common_init_level(MPI_THREAD_MULTIPLE);
}

static void init_nopt(void) __attribute__((unused));
static void init_nopt(void)
{
    common_env("off");
    common_init_level(MPI_THREAD_MULTIPLE);
}

static void init_single(void) __attribute__((unused));
static void init_single(void)
{
    /* auto: without MPI_THREAD_MULTIPLE libcont runs without a thread */
    setenv("CONT_VERBOSE", "0", 1);
    unsetenv("CONT_PROGRESS_THREAD");
    common_init_level(MPI_THREAD_SINGLE);
}

static void fini_mpi(void) __attribute__((unused));
static void fini_mpi(void)
{
    int up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    if (up && !down)
        MPI_Finalize();
}

/* Suites are declared twice for the rules that depend on who drives
 * progress: SUITE has a progress thread, SUITE_nopt has none.  TEST_BOTH
 * defines one rule body as a test of each. */
#define SUITE_TIMEOUT 30

#define TEST_BOTH(suite, name, ...)                                            \
    static void suite##__##name(void);                                         \
    Test(suite, name, ##__VA_ARGS__) { suite##__##name(); }                    \
    Test(suite##_nopt, name, ##__VA_ARGS__) { suite##__##name(); }             \
    static void suite##__##name(void)

/* ------------------------------------------------------------ helpers */

#define ME 0   /* rank 0 talks to itself */

/* A tag no other operation of this process uses. */
static int new_tag(void) __attribute__((unused));
static int new_tag(void)
{
    static atomic_int next = 100;
    return atomic_fetch_add(&next, 1);
}

static void errors_return(void) __attribute__((unused));
static void errors_return(void)
{
    cr_assert_eq(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), MPI_SUCCESS);
}

/* Suite fixtures: as init_pt / init_nopt, with errors returned as codes. */
static void init_pt_return(void) __attribute__((unused));
static void init_pt_return(void)
{
    init_pt();
    errors_return();
}

static void init_nopt_return(void) __attribute__((unused));
static void init_nopt_return(void)
{
    init_nopt();
    errors_return();
}

static int error_class(int code) __attribute__((unused));
static int error_class(int code)
{
    int cls = -1;
    if (MPI_Error_class(code, &cls) != MPI_SUCCESS)
        return -1;
    return cls;
}

/* rc is an error of class cls, and libcont left a message. */
#define assert_error(rc, cls)                                                   \
    do {                                                                        \
        int rc_ = (rc);                                                         \
        cr_assert_neq(rc_, MPI_SUCCESS, "expected an error, got MPI_SUCCESS");  \
        cr_assert_eq(error_class(rc_), (cls), "error class %d, expected %d",    \
                     error_class(rc_), (cls));                                  \
    } while (0)

#define assert_libcont_error(rc, cls)                                           \
    do {                                                                        \
        assert_error(rc, cls);                                                  \
        const char *msg_ = cont_last_error();                                   \
        cr_assert(msg_ && msg_[0], "cont_last_error() is empty");               \
        cr_assert(strstr(msg_, "libcont") != NULL, "unexpected message: %s", msg_); \
    } while (0)

static inline cont_stats_t stats_now(void)
{
    cont_stats_t s;
    cr_assert_eq(cont_get_stats(&s), MPI_SUCCESS);
    return s;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Repeat the next statement while cond holds, for at most POLL_LIMIT_S
 * seconds (time-bounded, not count-bounded: a loaded machine may be slow;
 * the caller asserts the outcome afterwards). */
#define POLL_LIMIT_S 10.0
#define POLL_WHILE(cond) \
    for (double poll_end_ = now_s() + POLL_LIMIT_S; (cond) && now_s() < poll_end_;)

/* Poll until *v >= target or about max_ms elapsed; returns the last value. */
static int wait_atomic(atomic_int *v, int target, int max_ms) __attribute__((unused));
static int wait_atomic(atomic_int *v, int target, int max_ms)
{
    for (int i = 0; i < max_ms * 10; i++) {
        int x = atomic_load(v);
        if (x >= target)
            return x;
        usleep(100);
    }
    return atomic_load(v);
}

/* Post a receive of `count` ints from myself with `tag`. */
static void post_recv(int *buf, int count, int tag, MPI_Request *r) __attribute__((unused));
static void post_recv(int *buf, int count, int tag, MPI_Request *r)
{
    cr_assert_eq(MPI_Irecv(buf, count, MPI_INT, ME, tag, MPI_COMM_WORLD, r), MPI_SUCCESS);
    cr_assert_neq(*r, MPI_REQUEST_NULL);
}

/* Send `count` ints (value v, v+1, ...) to myself (a receive must be
 * posted: the message completes it). */
static void send_self(int v, int count, int tag) __attribute__((unused));
static void send_self(int v, int count, int tag)
{
    int buf[16];
    cr_assert(count <= 16);
    for (int i = 0; i < count; i++)
        buf[i] = v + i;
    cr_assert_eq(MPI_Send(buf, count, MPI_INT, ME, tag, MPI_COMM_WORLD), MPI_SUCCESS);
}

/* A receive that is already complete when it is returned. */
static void complete_recv(int *buf, int tag, MPI_Request *r) __attribute__((unused));
static void complete_recv(int *buf, int tag, MPI_Request *r)
{
    post_recv(buf, 1, tag, r);
    send_self(42, 1, tag);
}

/* Make a CR and start it. */
static MPI_Request new_cr(int flags, int max_poll) __attribute__((unused));
static MPI_Request new_cr(int flags, int max_poll)
{
    MPI_Request cr = MPI_REQUEST_NULL;
    cr_assert_eq(MPIX_Continue_init(flags, max_poll, MPI_INFO_NULL, &cr), MPI_SUCCESS);
    cr_assert_neq(cr, MPI_REQUEST_NULL);
    cr_assert_eq(MPI_Start(&cr), MPI_SUCCESS);
    return cr;
}

/* Test a CR once; returns flag. */
static int test_cr(MPI_Request *cr) __attribute__((unused));
static int test_cr(MPI_Request *cr)
{
    int flag = -1;
    cr_assert_eq(MPI_Test(cr, &flag, MPI_STATUS_IGNORE), MPI_SUCCESS);
    return flag;
}

/* ------------------------------------------------------------ callbacks */

/* cb_data: an atomic_int counter. */
static int cb_count(int rc, void *d) __attribute__((unused));
static int cb_count(int rc, void *d)
{
    (void)rc;
    atomic_fetch_add((atomic_int *)d, 1);
    return MPI_SUCCESS;
}

/* After an error: a plain continuation on a self-message still runs once. */
static void assert_continuations_work(void) __attribute__((unused));
static void assert_continuations_work(void)
{
    MPI_Request cr = new_cr(0, 0);
    int tag = new_tag(), buf = 0;
    MPI_Request r;
    post_recv(&buf, 1, tag, &r);
    atomic_int n = 0;
    cr_assert_eq(MPIX_Continue(&r, cb_count, &n, 0, MPI_STATUS_IGNORE, cr), MPI_SUCCESS);
    send_self(17, 1, tag);
    cr_assert_eq(MPI_Wait(&cr, MPI_STATUS_IGNORE), MPI_SUCCESS);
    cr_assert_eq(atomic_load(&n), 1);
    cr_assert_eq(buf, 17);
    cr_assert_eq(MPI_Request_free(&cr), MPI_SUCCESS);
}

/* Records who ran a callback, and with what. */
typedef struct {
    atomic_int runs;
    int rc;
    pthread_t thread;
    int in_call;   /* value of the *in_call flag when it ran */
    atomic_int *in_call_flag;
} probe_t;

static int cb_probe(int rc, void *d) __attribute__((unused));
static int cb_probe(int rc, void *d)
{
    probe_t *p = d;
    p->rc = rc;
    p->thread = pthread_self();
    p->in_call = p->in_call_flag ? atomic_load(p->in_call_flag) : 0;
    atomic_fetch_add(&p->runs, 1);
    return MPI_SUCCESS;
}

#endif
