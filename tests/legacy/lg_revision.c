/* One revision of the continuations API, checked rule by rule from its own
 * text (mpi-continue-legacy.h, mpi-continue.h).  Built once per revision
 * with -DLIBCONT_CONTINUE_API=<yyyymm> (tests/legacy.am); every rank runs
 * the single-rank rules on generalized requests (completed when the test
 * says so, so each rule is deterministic), then, with two ranks or more, a
 * ring of Isend/Irecv pairs registered together as BT-MZ's detach port does.
 *
 *   lg_<yyyymm>            run every rule; prints "legacy <yyyymm>: OK (...)"
 *
 * LG_EXPECT_TSC: what KMP_TASK_STEALING_CONSTRAINT must be in main for the
 * revisions before 202211 (the script sets it to check that a user's value
 * wins; default "0": the header's constructor lifted the constraint). */
#include "../mpi/mr_common.h"

#define REV LIBCONT_CONTINUE_API
#define HAS_FLAG (REV <= 202012)                  /* int *flag: dropped when complete */
#define VOID_CB (REV <= 202009)                   /* void (*)(void *) */
#define STATUS_CB (REV >= 202010 && REV <= 202110) /* void (*)(MPI_Status *, void *) */
#define ALWAYS_ACTIVE (REV < 202206)              /* CR complete and active from the start */
#define APP_THREADS (REV < 202211 || REV == 202411) /* callbacks only in application threads */
#define LIFTS_TSC (REV < 202211)                  /* mpi-continue-legacy.h's constructor */
#define HAS_INFO_KEYS (REV == 202012 || REV == 202110 || REV == 202206)
#define LATER (REV == 202110 || REV == 202206)    /* complete operations run later */

#if REV == 202012
#define KEY_POLL_ONLY "continue_test_poll"
#define KEY_MAX_POLL "continue_max_poll"
#define KEY_ENQUEUE "continue_enqueue_complete"
#else
#define KEY_POLL_ONLY "mpi_continue_poll_only"
#define KEY_MAX_POLL "mpi_continue_max_poll"
#define KEY_ENQUEUE "mpi_continue_enqueue_complete"
#endif

static long checks;
#define T(cond, ...)                \
    do {                            \
        checks++;                   \
        CHECK(cond, __VA_ARGS__);   \
    } while (0)
#define RC(expect, call)                                                         \
    do {                                                                         \
        int rc_ = (call), cls_ = rc_;                                            \
        if (rc_ != MPI_SUCCESS)                                                  \
            MPI_Error_class(rc_, &cls_);                                         \
        T(cls_ == (expect), "%s returned class %d, expected %d", #call, cls_,    \
          (expect));                                                             \
    } while (0)

static pthread_t main_thread;

/* ------------------------------------------------------------ callbacks */

typedef struct {
    atomic_int runs;
    atomic_int off_main;     /* runs on another thread than main's */
    MPI_Status *seen;        /* the statuses a status callback got */
    int rc;                  /* the rc an int callback got */
    int ret;                 /* what an int callback returns */
    atomic_int *counter;     /* also counted here, when set */
} probe_t;

static void note(probe_t *p, MPI_Status *st, int rc)
{
    p->seen = st;
    p->rc = rc;
    if (!pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&p->off_main, 1);
    if (p->counter)
        atomic_fetch_add(p->counter, 1);
    atomic_fetch_add(&p->runs, 1);
}

#if VOID_CB
static void on_done(void *d) { note(d, NULL, MPI_SUCCESS); }
#elif STATUS_CB
static void on_done(MPI_Status *st, void *d) { note(d, st, MPI_SUCCESS); }
#else
static int on_done(int rc, void *d)
{
    note(d, NULL, rc);
    return ((probe_t *)d)->ret;
}
#endif

/* The revision's callback type accepts on_done (a compile-time check). */
#if REV == 202005
static MPI_Continue_cb_t *const cb_typed = on_done;
#else
static MPIX_Continue_cb_function *const cb_typed = on_done;
#endif

/* ------------------------------------------------------------ the revision's calls */

static int new_cr_info(MPI_Info info, MPI_Request *cr)
{
#if REV == 202005
    (void)info;
    return MPI_Continue_init(cr);
#elif REV == 202009 || REV == 202010
    (void)info;
    return MPIX_Continue_init(cr);
#elif REV == 202012 || REV == 202110
    return MPIX_Continue_init(cr, info);
#elif REV == 202206
    return MPIX_Continue_init(0, 0, cr, info);
#else
    return MPIX_Continue_init(0, 0, info, cr);
#endif
}

/* Make the CR ready for registrations: the revisions from 202206 on start it. */
static void start_cr(MPI_Request *cr)
{
#if !ALWAYS_ACTIVE
    MPI_OK(MPI_Start(cr));
#else
    (void)cr;
#endif
}

static MPI_Request new_cr(void)
{
    MPI_Request cr = MPI_REQUEST_NULL;
    MPI_OK(new_cr_info(MPI_INFO_NULL, &cr));
    start_cr(&cr);
    return cr;
}

/* MPI_Continueall of the revision; *dropped: flag revisions' flag. */
static int reg(int n, MPI_Request *r, probe_t *p, MPI_Status *st, MPI_Request cr, int flags,
               int *dropped)
{
    int flag = 0;
    (void)flags;
#if REV == 202005
    int rc = MPI_Continueall(n, r, &flag, cb_typed, p, st, cr);
#elif HAS_FLAG
    int rc = MPIX_Continueall(n, r, &flag, cb_typed, p, st, cr);
#elif REV == 202110
    int rc = MPIX_Continueall(n, r, cb_typed, p, st, cr);
#else
    int rc = MPIX_Continueall(n, r, cb_typed, p, flags, st, cr);
#endif
    if (dropped)
        *dropped = flag;
    return rc;
}

/* MPI_Continue of the revision (its own argument order). */
static int reg1(MPI_Request *r, probe_t *p, MPI_Status *st, MPI_Request cr, int *dropped)
{
    int flag = 0;
#if REV == 202005
    int rc = MPI_Continue(r, &flag, cb_typed, p, st, cr);
#elif HAS_FLAG
    int rc = MPIX_Continue(r, &flag, cb_typed, p, st, cr);
#elif REV == 202110
    int rc = MPIX_Continue(r, cb_typed, p, st, cr);
#else
    int rc = MPIX_Continue(r, cb_typed, p, 0, st, cr);
#endif
    *dropped = flag;
    return rc;
}

static int test_cr(MPI_Request *cr)
{
    int flag = -1;
    MPI_OK(MPI_Test(cr, &flag, MPI_STATUS_IGNORE));
    return flag;
}

/* Wait for every continuation of cr; the revisions from 202206 restart it. */
static void wait_cr(MPI_Request *cr)
{
    MPI_OK(MPI_Wait(cr, MPI_STATUS_IGNORE));
    start_cr(cr);
}

/* ------------------------------------------------------------ generalized requests */

typedef struct {
    int tag, err;
} gq_t;

static int gq_query(void *extra, MPI_Status *st)
{
    gq_t *g = extra;
    MPI_Status_set_elements(st, MPI_INT, 5);
    MPI_Status_set_cancelled(st, 0);
    st->MPI_SOURCE = 3;
    st->MPI_TAG = g ? g->tag : 77;
    st->MPI_ERROR = g ? g->err : MPI_SUCCESS;
    return g ? g->err : MPI_SUCCESS;
}
static int gq_free(void *extra)
{
    (void)extra;
    return MPI_SUCCESS;
}
static int gq_cancel(void *extra, int complete)
{
    (void)extra;
    (void)complete;
    return MPI_SUCCESS;
}

static MPI_Request gq_start(gq_t *g)
{
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_OK(MPI_Grequest_start(gq_query, gq_free, gq_cancel, g, &r));
    return r;
}

/* Call MPI_Test on an unrelated pending request until p ran `want` times
 * (bounded: a lost continuation fails, it does not hang). */
static int poll_elsewhere(probe_t *p, int want, long max_iter)
{
    static int sink;
    MPI_Request other;
    MPI_OK(MPI_Irecv(&sink, 1, MPI_INT, MPI_ANY_SOURCE, 32000, MPI_COMM_SELF, &other));
    int n = 0;
    long i;
    for (i = 0; i < max_iter && atomic_load(&p->runs) < want; i++) {
        int flag;
        MPI_OK(MPI_Test(&other, &flag, MPI_STATUS_IGNORE));
        mr_pause(&n);
    }
    MPI_OK(MPI_Cancel(&other));
    MPI_OK(MPI_Wait(&other, MPI_STATUS_IGNORE));
    return atomic_load(&p->runs) >= want;
}

/* A registration with nothing to wait for (only MPI_REQUEST_NULL entries, or
 * count 0): the flag revisions drop it (flag 1), the others run it inside
 * the call. */
static void nothing_to_wait_for(int n, MPI_Request *reqs, MPI_Request cr, const char *what)
{
    probe_t q = {0};
    int dropped = -1;
    MPI_OK(reg(n, reqs, &q, MPI_STATUSES_IGNORE, cr, 0, &dropped));
#if HAS_FLAG
    T(dropped == 1 && atomic_load(&q.runs) == 0, "%s: flag 1, callback not run", what);
#else
    T(atomic_load(&q.runs) == 1, "%s: the callback runs inside the call", what);
    (void)dropped;
#endif
}

/* Register a generalized request on cr, complete it, and test other
 * requests for a while: how many times its callback ran meanwhile.  (Not
 * every revision has the rules that use it.) */
__attribute__((unused)) static int held_back(MPI_Request cr, probe_t *p)
{
    MPI_Request r = gq_start(NULL), h = r;
    int dropped;
    MPI_OK(reg1(&r, p, MPI_STATUS_IGNORE, cr, &dropped));
    MPI_OK(MPI_Grequest_complete(h));
    poll_elsewhere(p, 1, 3000);
    return atomic_load(&p->runs);
}

/* ------------------------------------------------------------ the rules */

static void rule_initial_state(void)
{
    MPI_Request cr = MPI_REQUEST_NULL;
    MPI_OK(new_cr_info(MPI_INFO_NULL, &cr));
    T(cr != MPI_REQUEST_NULL, "init gave MPI_REQUEST_NULL");
#if ALWAYS_ACTIVE
    /* complete and active; testing never deactivates it */
    for (int i = 0; i < 3; i++)
        T(test_cr(&cr) == 1, "a new CR is complete (test %d)", i);
    T(cr != MPI_REQUEST_NULL, "testing freed the CR");
    int flag = 0;
    MPI_OK(MPI_Request_get_status(cr, &flag, MPI_STATUS_IGNORE));
    T(flag == 1, "MPI_Request_get_status: a new CR is complete");
    RC(MPI_ERR_REQUEST, MPI_Start(&cr));
#else
    T(test_cr(&cr) == 1, "an inactive CR tests complete");
    MPI_OK(MPI_Start(&cr));
    T(test_cr(&cr) == 1, "a CR started with nothing registered is complete");
#endif
    MPI_OK(MPI_Request_free(&cr));
    T(cr == MPI_REQUEST_NULL, "MPI_Request_free left the handle");
}

static void rule_complete_at_registration(void)
{
    MPI_Request cr = new_cr();
    gq_t g = {41, MPI_SUCCESS};
    MPI_Request r = gq_start(&g);
    MPI_OK(MPI_Grequest_complete(r));
    MPI_Status st;
    memset(&st, 0x5a, sizeof st);
    probe_t p = {0};
    int dropped = -1;
    MPI_OK(reg1(&r, &p, &st, cr, &dropped));
    T(r == MPI_REQUEST_NULL, "the complete request's handle is MPI_REQUEST_NULL");
#if HAS_FLAG
    T(dropped == 1, "flag: 1 when every operation is complete");
    T(atomic_load(&p.runs) == 0, "flag = 1: the callback is not run");
    T(st.MPI_TAG == 41 && st.MPI_SOURCE == 3, "flag = 1: the status is filled (tag %d)",
      st.MPI_TAG);
    T(test_cr(&cr) == 1, "flag = 1: nothing stays registered");
    poll_elsewhere(&p, 1, 2000);
    T(atomic_load(&p.runs) == 0, "a dropped continuation never runs");
#elif LATER
    T(atomic_load(&p.runs) == 0, "complete operations: the callback runs later, not inside");
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "... and then exactly once (%d)", atomic_load(&p.runs));
#else
    T(atomic_load(&p.runs) == 1, "complete operations: the callback runs inside the call");
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "... exactly once");
#endif
    MPI_OK(MPI_Request_free(&cr));
}

static void rule_pending_then_complete(void)
{
    MPI_Request cr = new_cr();
    gq_t g[2] = {{51, MPI_SUCCESS}, {52, MPI_SUCCESS}};
    MPI_Request r[2] = {gq_start(&g[0]), gq_start(&g[1])}, h[2] = {r[0], r[1]};
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    probe_t p = {0};
    int dropped = -1;
    MPI_OK(reg(2, r, &p, st, cr, 0, &dropped));
    T(dropped == 0, "flag: 0 while an operation is pending");
    T(r[0] == MPI_REQUEST_NULL && r[1] == MPI_REQUEST_NULL,
      "registration sets the handles to MPI_REQUEST_NULL");
    for (int i = 0; i < 20; i++)
        T(test_cr(&cr) == 0, "CR incomplete while its continuation waits (test %d)", i);
    MPI_OK(MPI_Grequest_complete(h[0]));
    for (int i = 0; i < 20; i++)
        T(test_cr(&cr) == 0, "CR incomplete while one operation of two waits");
    T(atomic_load(&p.runs) == 0, "not run before every operation completed");
    MPI_OK(MPI_Grequest_complete(h[1]));
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "run exactly once (%d)", atomic_load(&p.runs));
    T(atomic_load(&p.off_main) == 0 || !APP_THREADS,
      "callbacks run in application threads only");
    T(st[0].MPI_TAG == 51 && st[1].MPI_TAG == 52, "statuses filled (tags %d %d)",
      st[0].MPI_TAG, st[1].MPI_TAG);
#if STATUS_CB
    T(p.seen == st, "the callback gets the statuses array");
#endif
#if ALWAYS_ACTIVE
    /* re-armed by a registration, complete again after it ran, never inactive */
    for (int i = 0; i < 3; i++)
        T(test_cr(&cr) == 1, "complete after its continuation ran (test %d)", i);
    MPI_Request r2 = gq_start(NULL), h2 = r2;
    probe_t p2 = {0};
    MPI_OK(reg1(&r2, &p2, MPI_STATUS_IGNORE, cr, &dropped));
    T(test_cr(&cr) == 0, "a registration re-arms the CR");
    MPI_OK(MPI_Grequest_complete(h2));
    wait_cr(&cr);
    T(atomic_load(&p2.runs) == 1, "the re-armed CR's continuation ran");
    T(test_cr(&cr) == 1, "and the CR is complete again");
#endif
    MPI_OK(MPI_Request_free(&cr));
}

static void rule_null_entries(void)
{
    MPI_Request cr = new_cr();
    MPI_Request r[2] = {gq_start(NULL), MPI_REQUEST_NULL}, h = r[0];
    MPI_Status st[2];
    memset(st, 0x5a, sizeof st);
    int sentinel = st[1].MPI_TAG;
    probe_t p = {0};
    int dropped = -1;
    MPI_OK(reg(2, r, &p, st, cr, 0, &dropped));
    MPI_OK(MPI_Grequest_complete(h));
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "runs once with a MPI_REQUEST_NULL entry");
#if HAS_FLAG
    T(st[1].MPI_TAG == sentinel, "the status of a MPI_REQUEST_NULL entry is left alone");
#else
    T(st[1].MPI_TAG == MPI_ANY_TAG && st[1].MPI_SOURCE == MPI_ANY_SOURCE,
      "a MPI_REQUEST_NULL entry gets an empty status (tag %d)", st[1].MPI_TAG);
    (void)sentinel;
#endif
    MPI_Request nul[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    nothing_to_wait_for(2, nul, cr, "all-NULL");
    nothing_to_wait_for(0, NULL, cr, "count 0");
    wait_cr(&cr);
    MPI_OK(MPI_Request_free(&cr));
}

/* Continuations run from MPI calls on other requests, on the calling thread. */
static void rule_any_call_progress(void)
{
#if APP_THREADS
    MPI_Request cr = new_cr();
    MPI_Request r = gq_start(NULL), h = r;
    probe_t p = {0};
    int dropped;
    MPI_OK(reg1(&r, &p, MPI_STATUS_IGNORE, cr, &dropped));
    MPI_OK(MPI_Grequest_complete(h));
    T(poll_elsewhere(&p, 1, 2000000), "MPI_Test on another request ran the continuation");
    T(atomic_load(&p.off_main) == 0, "it ran in the thread that called MPI_Test");
    T(test_cr(&cr) == 1, "and the CR is complete");
    MPI_OK(MPI_Request_free(&cr));
#endif
}

#if HAS_INFO_KEYS
static MPI_Request cr_with(const char *key, const char *value)
{
    MPI_Info info;
    MPI_OK(MPI_Info_create(&info));
    MPI_OK(MPI_Info_set(info, key, value));
    MPI_Request cr = MPI_REQUEST_NULL;
    MPI_OK(new_cr_info(info, &cr));
    MPI_OK(MPI_Info_free(&info));
    start_cr(&cr);
    return cr;
}
#endif

static void rule_info_keys(void)
{
#if HAS_INFO_KEYS
    /* enqueue_complete: a complete registration is kept and run later */
    static const char *yes[] = {"true", "YES", "1", " true "}, *no[] = {"false", "0", "maybe"};
    for (int k = 0; k < 4 + 3; k++) {
        int on = k < 4;
        MPI_Request cr = cr_with(KEY_ENQUEUE, on ? yes[k] : no[k - 4]);
        MPI_Request r = gq_start(NULL);
        MPI_OK(MPI_Grequest_complete(r));
        probe_t p = {0};
        int dropped = -1;
        MPI_OK(reg1(&r, &p, MPI_STATUS_IGNORE, cr, &dropped));
        if (on) {
            T(dropped == 0 && atomic_load(&p.runs) == 0,
              "%s=\"%s\": kept, not run inside the call", KEY_ENQUEUE, yes[k]);
            wait_cr(&cr);
            T(atomic_load(&p.runs) == 1, "%s: run later, once", KEY_ENQUEUE);
        } else {
#if HAS_FLAG
            T(dropped == 1, "%s=\"%s\" is false: dropped as complete", KEY_ENQUEUE, no[k - 4]);
#endif
            wait_cr(&cr);
        }
        MPI_OK(MPI_Request_free(&cr));
    }

    /* poll_only: only MPI_Test/MPI_Wait on that CR runs its continuations */
    MPI_Request cr = cr_with(KEY_POLL_ONLY, "true");
    probe_t p = {0};
    T(held_back(cr, &p) == 0, "%s: other requests' tests do not run it", KEY_POLL_ONLY);
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "%s: MPI_Wait on the CR runs it", KEY_POLL_ONLY);
    MPI_OK(MPI_Request_free(&cr));

    /* max_poll: at most that many continuations per test of a poll-only CR */
    MPI_Info info;
    MPI_OK(MPI_Info_create(&info));
    MPI_OK(MPI_Info_set(info, KEY_POLL_ONLY, "1"));
    MPI_OK(MPI_Info_set(info, KEY_MAX_POLL, "1"));
    MPI_OK(new_cr_info(info, &cr));
    MPI_OK(MPI_Info_free(&info));
    start_cr(&cr);
    atomic_int ran = 0;
    probe_t q[3] = {{0}};
    MPI_Request g[3];
    int dropped;
    for (int i = 0; i < 3; i++) {
        q[i].counter = &ran;
        MPI_Request gi = gq_start(NULL);
        g[i] = gi;
        MPI_OK(reg1(&gi, &q[i], MPI_STATUS_IGNORE, cr, &dropped));
    }
    for (int i = 0; i < 3; i++)
        MPI_OK(MPI_Grequest_complete(g[i]));
    int before = 0, n = 0, flag = 0;
    for (long i = 0; i < 2000000 && !flag; i++) {
        flag = test_cr(&cr);
        int now = atomic_load(&ran);
        T(now - before <= 1, "%s=1: %d continuations in one test", KEY_MAX_POLL, now - before);
        before = now;
        mr_pause(&n);
    }
    T(atomic_load(&ran) == 3, "%s=1: all 3 ran in the end (%d)", KEY_MAX_POLL,
      atomic_load(&ran));
    start_cr(&cr);
    MPI_OK(MPI_Request_free(&cr));
#endif
}

static void rule_errors(void)
{
    MPI_Request cr = new_cr();
    MPI_Request r = gq_start(NULL), h = r;
    probe_t p = {0};
    int dropped;
#if REV != 202411   /* there, MPI_REQUEST_NULL means MPIX_CONT_FORGET */
    RC(MPI_ERR_REQUEST, reg1(&r, &p, MPI_STATUS_IGNORE, MPI_REQUEST_NULL, &dropped));
#endif
    RC(MPI_ERR_REQUEST, reg1(&r, &p, MPI_STATUS_IGNORE, h, &dropped));   /* not a CR */
    RC(MPI_ERR_COUNT, reg(-1, &r, &p, MPI_STATUSES_IGNORE, cr, 0, &dropped));
    RC(MPI_ERR_ARG, reg(1, NULL, &p, MPI_STATUSES_IGNORE, cr, 0, &dropped));
    RC(MPI_ERR_ARG, reg(1, &r, &p, NULL, cr, 0, &dropped));
#if REV == 202005
    RC(MPI_ERR_ARG, MPI_Continue(&r, NULL, on_done, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPI_Continue(&r, &dropped, NULL, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_REQUEST, MPI_Continue(NULL, &dropped, on_done, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPI_Continue_init(NULL));
#elif HAS_FLAG
    RC(MPI_ERR_ARG, MPIX_Continue(&r, NULL, on_done, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue(&r, &dropped, NULL, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_REQUEST, MPIX_Continue(NULL, &dropped, on_done, &p, MPI_STATUS_IGNORE, cr));
#elif REV == 202110
    RC(MPI_ERR_ARG, MPIX_Continue(&r, NULL, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_REQUEST, MPIX_Continue(NULL, on_done, &p, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue_init(NULL, MPI_INFO_NULL));
#elif REV == 202206
    RC(MPI_ERR_ARG, MPIX_Continue(&r, NULL, &p, 0, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_REQUEST, MPIX_Continue(NULL, on_done, &p, 0, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue(&r, on_done, &p, 1 << 3, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue(&r, on_done, &p, 1 << 4, MPI_STATUS_IGNORE, cr));
    MPI_Request bad = MPI_REQUEST_NULL;
    RC(MPI_ERR_ARG, MPIX_Continue_init(0, MPIX_CONT_REQBUF_VOLATILE, &bad, MPI_INFO_NULL));
    RC(MPI_ERR_ARG, MPIX_Continue_init(0, 1 << 9, &bad, MPI_INFO_NULL));
    T(bad == MPI_REQUEST_NULL, "a refused init leaves the handle");
#else
    RC(MPI_ERR_ARG, MPIX_Continue(&r, NULL, &p, 0, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue(NULL, on_done, &p, 0, MPI_STATUS_IGNORE, cr));
    RC(MPI_ERR_ARG, MPIX_Continue(&r, on_done, &p, 1 << 9, MPI_STATUS_IGNORE, cr));
#endif
    /* nothing was registered: the request is still the caller's */
    T(r == h, "a refused registration leaves the handle");
    T(atomic_load(&p.runs) == 0, "a refused registration runs nothing");
    MPI_OK(MPI_Grequest_complete(h));
    MPI_OK(MPI_Wait(&r, MPI_STATUS_IGNORE));
    wait_cr(&cr);
    MPI_OK(MPI_Request_free(&cr));
}

/* An operation that fails, and a callback that returns an error. */
static void rule_failures(void)
{
    MPI_Request cr = new_cr();
    gq_t bad = {61, MPI_ERR_OTHER};
    MPI_Request r = gq_start(&bad), h = r;
    probe_t p = {0};
    int dropped;
    MPI_OK(reg1(&r, &p, MPI_STATUS_IGNORE, cr, &dropped));
    MPI_OK(MPI_Grequest_complete(h));
#if REV < 202206
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1, "a failed operation's callback still runs (no failed "
      "continuations before 202206)");
#elif REV == 202411
    wait_cr(&cr);
    T(atomic_load(&p.runs) == 1 && p.rc != MPI_SUCCESS,
      "a failed operation's callback runs with its error (runs %d, rc %d)",
      atomic_load(&p.runs), p.rc);
#else
    int rc = MPI_Wait(&cr, MPI_STATUS_IGNORE);
    T(rc != MPI_SUCCESS, "the CR completes with the failure's error");
    T(atomic_load(&p.runs) == 0, "a failed operation's callback does not run");
    int n = 4;
    void *data[4] = {0};
    MPI_OK(MPIX_Continue_get_failed(cr, &n, data));
    T(n == 1 && data[0] == &p, "MPIX_Continue_get_failed lists it (%d)", n);
    start_cr(&cr);
#endif
#if !VOID_CB && !STATUS_CB
    /* an error returned by the callback */
    probe_t e = {0};
    e.ret = MPI_ERR_OTHER;
    MPI_Request r2 = gq_start(NULL), h2 = r2;
    MPI_OK(reg1(&r2, &e, MPI_STATUS_IGNORE, cr, &dropped));
    MPI_OK(MPI_Grequest_complete(h2));
#if REV == 202411
    wait_cr(&cr);   /* the return value is ignored */
    T(atomic_load(&e.runs) == 1, "the callback ran");
#else
    int rc2 = MPI_Wait(&cr, MPI_STATUS_IGNORE);
    T(rc2 != MPI_SUCCESS && atomic_load(&e.runs) == 1, "a callback's error fails the CR");
    int m = 4;
    void *d2[4] = {0};
    MPI_OK(MPIX_Continue_get_failed(cr, &m, d2));
    T(m == 1 && d2[0] == &e, "MPIX_Continue_get_failed lists the callback (%d)", m);
    start_cr(&cr);
#endif
#endif
    MPI_OK(MPI_Request_free(&cr));
}

/* 202206: a registration while the CR is inactive waits for MPI_Start. */
static void rule_inactive_cr(void)
{
#if !ALWAYS_ACTIVE
    MPI_Request cr = MPI_REQUEST_NULL;
    MPI_OK(new_cr_info(MPI_INFO_NULL, &cr));
    probe_t p = {0};
    T(held_back(cr, &p) == 0, "not run while the CR is inactive");
    MPI_OK(MPI_Start(&cr));
    MPI_OK(MPI_Wait(&cr, MPI_STATUS_IGNORE));
    T(atomic_load(&p.runs) == 1, "run once the CR was started");
    T(test_cr(&cr) == 1, "inactive again after MPI_Wait");
    MPI_OK(MPI_Request_free(&cr));
#endif
}

/* MPICH's flags: MPIX_CONT_FORGET (no CR) and MPIX_CONT_IMMEDIATE. */
static void rule_mpich_flags(void)
{
#if REV >= 202206
    probe_t p = {0};
    MPI_Request r = gq_start(NULL), h = r;
    int dropped;
#if REV == 202411
    /* a NULL cont_request is FORGET */
    MPI_OK(MPIX_Continue(&r, on_done, &p, 0, MPI_STATUS_IGNORE, MPI_REQUEST_NULL));
#else
    MPI_OK(reg(1, &r, &p, MPI_STATUSES_IGNORE, MPI_REQUEST_NULL, MPIX_CONT_FORGET, &dropped));
#endif
    T(r == MPI_REQUEST_NULL, "FORGET takes the request");
    MPI_OK(MPI_Grequest_complete(h));
    /* driven by a CR's tests when no progress thread runs */
    MPI_Request cr = new_cr();
    int n = 0;
    for (long i = 0; i < 2000000 && atomic_load(&p.runs) == 0; i++) {
        test_cr(&cr);
        mr_pause(&n);
    }
    T(atomic_load(&p.runs) == 1, "a FORGET continuation runs once (%d)", atomic_load(&p.runs));
    T(atomic_load(&p.off_main) == 0 || !APP_THREADS,
      "a FORGET continuation ran in a thread that made no MPI call");
    MPI_OK(MPI_Request_free(&cr));   /* completed, so inactive: a fresh one */
    cr = new_cr();
    probe_t q = {0};
    MPI_Request r2 = gq_start(NULL), h2 = r2;
    MPI_OK(reg(1, &r2, &q, MPI_STATUSES_IGNORE, cr, MPIX_CONT_IMMEDIATE, &dropped));
    MPI_OK(MPI_Grequest_complete(h2));
    wait_cr(&cr);
    T(atomic_load(&q.runs) == 1, "MPIX_CONT_IMMEDIATE: run once (%d)", atomic_load(&q.runs));
    MPI_OK(MPI_Request_free(&cr));
    (void)dropped;
#endif
#if REV == 202206 || REV == 202211
    T(MPIX_CONT_PERSISTENT == (1 << 1), "bit 1 is MPIX_CONT_PERSISTENT here");
#endif
#if REV == 202309
    T(MPIX_CONT_REQUESTS_FREE == (1 << 1), "bit 1 is MPIX_CONT_REQUESTS_FREE here");
#endif
}

/* ------------------------------------------------------------ the ring */

enum { RING_ITERS = 300, RING_WINDOW = 8 };

/* Isend right and Irecv left, registered together; a window of exchanges
 * in flight, slot w carrying iterations w, w + RING_WINDOW, ... on tag w
 * (non-overtaking: the k-th receive of a tag matches the k-th send); values
 * checked once the continuation (or the flag) says done. */
static void ring(int size)
{
    int right = (mr_rank + 1) % size, left = (mr_rank + size - 1) % size;
    MPI_Request cr = new_cr();
    static int out[RING_WINDOW], in[RING_WINDOW];
    static probe_t p[RING_WINDOW];
    int busy[RING_WINDOW] = {0}, iter_of[RING_WINDOW], next[RING_WINDOW];
    long done = 0, dropped_n = 0, ran = 0;
    int n = 0;
    for (int w = 0; w < RING_WINDOW; w++)
        next[w] = w;
    while (done < RING_ITERS) {
        for (int w = 0; w < RING_WINDOW; w++) {
            if (busy[w] && (atomic_load(&p[w].runs) > 0 || busy[w] == 2)) {
                T(in[w] == left * 100000 + iter_of[w], "ring: got %d, expected %d", in[w],
                  left * 100000 + iter_of[w]);
                T(atomic_load(&p[w].runs) <= 1, "ring: ran %d times", atomic_load(&p[w].runs));
                ran += atomic_load(&p[w].runs);
                busy[w] = 0;
                done++;
            }
            if (!busy[w] && next[w] < RING_ITERS) {
                memset(&p[w], 0, sizeof p[w]);
                iter_of[w] = next[w];
                out[w] = mr_rank * 100000 + next[w];
                in[w] = -1;
                MPI_Request r[2];
                MPI_OK(MPI_Isend(&out[w], 1, MPI_INT, right, w, MPI_COMM_WORLD, &r[0]));
                MPI_OK(MPI_Irecv(&in[w], 1, MPI_INT, left, w, MPI_COMM_WORLD, &r[1]));
                int dropped = 0;
                MPI_OK(reg(2, r, &p[w], MPI_STATUSES_IGNORE, cr, 0, &dropped));
                busy[w] = dropped ? 2 : 1;
                dropped_n += dropped;
                next[w] += RING_WINDOW;
            }
        }
        if (test_cr(&cr))   /* the poll service; a completed CR is inactive */
            start_cr(&cr);  /* from 202206 on: restart it */
        mr_pause(&n);
    }
    wait_cr(&cr);
    T(ran + dropped_n == RING_ITERS, "ring: %ld callbacks + %ld dropped != %d", ran, dropped_n,
      RING_ITERS);
    MPI_OK(MPI_Request_free(&cr));
}

int main(int argc, char **argv)
{
    main_thread = pthread_self();
    int size = mr_init(&argc, &argv, 0);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
#if LIFTS_TSC
    const char *want = getenv("LG_EXPECT_TSC"), *tsc = getenv("KMP_TASK_STEALING_CONSTRAINT");
    T(tsc && !strcmp(tsc, want ? want : "0"),
      "KMP_TASK_STEALING_CONSTRAINT is \"%s\", expected \"%s\"", tsc ? tsc : "(unset)",
      want ? want : "0");
#endif
    rule_initial_state();
    rule_complete_at_registration();
    rule_pending_then_complete();
    rule_null_entries();
    rule_any_call_progress();
    rule_info_keys();
    rule_errors();
    rule_failures();
    rule_inactive_cr();
    rule_mpich_flags();
    if (size > 1)
        ring(size);
    long all = 0;
    MPI_Allreduce(&checks, &all, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    int rc = mr_finish("legacy-rules");
    if (mr_rank == 0 && rc == 0)
        printf("legacy %d: OK (%ld checks, %d ranks, progress thread %s)\n", REV, all, size,
               cont_has_progress_thread() ? "on" : "off");
    MPI_Finalize();
    return rc;
}
