/* The earlier revisions of the continuations API (mpi-continue-legacy.h) and
 * MPICH's pending one (202411), over the one engine: each revision's calls
 * check their own arguments and map onto cont_register_as (the callback's
 * kind, DEFER_COMPLETE where the revision never ran a callback inside the
 * call) and onto the CR's options (always_active, enqueue_complete,
 * poll_only, max_poll).  Nothing here tests an operation the engine owns:
 * the flag revisions' first test happens before the registration hands the
 * operations over. */
#include "cont-internal.h"
#include "mpi-continue-legacy.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ info keys */

/* Names of the info keys of a revision. */
typedef struct {
    const char *poll_only, *max_poll, *enqueue_complete;
} info_keys_t;

static const info_keys_t keys_202012 = {"continue_test_poll", "continue_max_poll",
                                        "continue_enqueue_complete"};
static const info_keys_t keys_202110 = {"mpi_continue_poll_only", "mpi_continue_max_poll",
                                        "mpi_continue_enqueue_complete"};

/* The value of key, trimmed, or NULL when absent. */
static const char *info_value(MPI_Info info, const char *key, char *buf, int len)
{
    int flag = 0;
    if (PMPI_Info_get(info, key, len - 1, buf, &flag) != MPI_SUCCESS || !flag)
        return NULL;
    buf[len - 1] = '\0';
    char *v = buf;
    while (isspace((unsigned char)*v))
        v++;
    size_t n = strlen(v);
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        v[--n] = '\0';
    return v;
}

/* A boolean as Open MPI reads one (opal_str_to_bool): a number is true when
 * non-zero; "true" and "yes" (any case) are true; anything else is false. */
static int info_true(const char *v)
{
    if (isdigit((unsigned char)v[0]))
        return atoi(v) != 0;
    return !strcasecmp(v, "true") || !strcasecmp(v, "yes");
}

/* Make a CR with a revision's options; keys NULL: the info is not read. */
static int legacy_init(const char *fn, MPI_Request *cont_req, MPI_Info info,
                       const info_keys_t *keys, int poll_only, int max_poll, int always_active)
{
    CONT_CHECK_INIT(fn);
    if (!cont_req)
        return cont_error(MPI_ERR_ARG, "%s: cont_req is NULL", fn);
    int enqueue_complete = 0;
    if (info != MPI_INFO_NULL) {
        int nkeys, rc = PMPI_Info_get_nkeys(info, &nkeys);
        if (rc != MPI_SUCCESS)
            return rc;   /* MPI raised it */
        char buf[256];
        const char *v;
        if (keys && (v = info_value(info, keys->poll_only, buf, sizeof buf)) && info_true(v))
            poll_only = 1;
        if (keys && (v = info_value(info, keys->enqueue_complete, buf, sizeof buf)))
            enqueue_complete = info_true(v);
        if (keys && (v = info_value(info, keys->max_poll, buf, sizeof buf)) && atoi(v) > 0)
            max_poll = atoi(v);
    }
    cr_t *cr;
    int rc = cont_cr_create(fn, poll_only, max_poll, &cr);
    if (rc)
        return rc;
    cr->enqueue_complete = (uint8_t)enqueue_complete;
    cr->app_threads = 1;
    if (always_active) {
        cr->always_active = 1;
        atomic_store(&cr->state, CR_ACTIVE);
    }
    atomic_store(&cont_g.any_call_progress, 1);
    *cont_req = cr->handle;
    return MPI_SUCCESS;
}

/* ------------------------------------------------------------ announce */

/* The revision the program was compiled for (0: the current one or unknown). */
static atomic_int announced;

/* omp-glue's task hook (taskhook.h), when the program links it (libcont.pc
 * puts -lompcont-hook first): found by name, so that libcont depends on no
 * layer above it.  The flag values are taskhook.h's CONT_TH_FIBERS and
 * CONT_TH_YIELD. */
typedef int (*th_enable_fn)(size_t stack_size, int (*idle)(void), unsigned flags);
enum { TH_FIBERS = 1u, TH_YIELD = 2u };
static int yield_pause;   /* the hook took TH_YIELD (set before main) */

/* Before main: lift libomp's task scheduling constraint, which libomp reads
 * at its first use, and give poll tasks that yield a pause of their own
 * (mpi-continue-legacy.h says why); the user's setting of the constraint
 * wins. */
int cont_legacy_announce(int revision)
{
    int none = 0;
    if (atomic_compare_exchange_strong(&announced, &none, revision)) {
        setenv("KMP_TASK_STEALING_CONSTRAINT", "0", 0);
        th_enable_fn enable;
        *(void **)&enable = dlsym(RTLD_DEFAULT, "cont_th_enable");
        yield_pause = enable && enable(0, NULL, TH_FIBERS | TH_YIELD) == 0;
    }
    return MPI_SUCCESS;
}

void cont_legacy_notice(void)
{
    if (!atomic_load(&announced) || yield_pause || cont_g.rank != 0 || cont_cfg.verbose < 1 ||
        !dlsym(RTLD_DEFAULT, "omp_get_max_threads"))
        return;
    fprintf(stderr, "libcont: continuations API revision %d with OpenMP but without the task "
            "hook (link with `pkg-config --libs libcont`, which puts -lompcont-hook before "
            "libomp): a poll task that yields can hold a task under it for good "
            "(docs/api-revisions.md)\n", atomic_load(&announced));
}

/* ------------------------------------------------------------ the flag revisions */

/* 1 when the caller still owns every entry (ordinary, distinct, without a
 * continuation), so that testing them here is testing them once, by their
 * owner. */
static int caller_owns_all(int count, MPI_Request reqs[])
{
    if (count > 64)
        return 0;
    for (int i = 0; i < count; i++) {
        MPI_Request h = reqs[i];
        if (h == MPI_REQUEST_NULL)
            continue;
        if (cont_is_cr_handle(h) || cont_req_owned_stable(h))
            return 0;
        for (int j = 0; j < i; j++)
            if (reqs[j] == h)
                return 0;
    }
    return 1;
}

/* 202005-202012: *flag = 1 (callback not run, continuation dropped) when
 * every operation is complete now; else register, never run inline. */
static int flag_register(const char *fn, int count, MPI_Request reqs[], int *flag,
                         MPIX_Continue_cb_function *cb, int kind, void *cb_data,
                         MPI_Status statuses[], MPI_Request cont_req)
{
    int rc = cont_check_register_args(fn, count, reqs, cb, statuses);
    if (rc)
        return rc;
    if (!flag)
        return cont_error(MPI_ERR_ARG, "%s: flag is NULL", fn);
    cr_t *cr;
    if ((rc = cont_cr_lookup_or_error(cont_req, fn, "cont_req", &cr)))
        return rc;
    const int how = MPIX_CONT_DEFER_COMPLETE | MPIX_CONT_INVOKE_FAILED;
    *flag = 0;
    if (cr->enqueue_complete || !caller_owns_all(count, reqs))
        return cont_register_as(fn, count, reqs, cb, kind, cb_data, how,
                                CONT_REG_NULL_UNTOUCHED, statuses, cont_req);

    MPI_Request tmp[64], rest[64];
    MPI_Status st[64];
    char completed[64] = {0};
    int done = 1;
    if (count > 0) {
        memcpy(tmp, reqs, (size_t)count * sizeof *tmp);
        rc = PMPI_Testall(count, tmp, &done, st);
        if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS)
            return rc;   /* an invalid request: MPI raised it */
    }
    if (rc == MPI_SUCCESS && !done)
        return cont_register_as(fn, count, reqs, cb, kind, cb_data, how,
                                CONT_REG_NULL_UNTOUCHED, statuses, cont_req);
    /* Complete (all, or with MPI_ERR_IN_STATUS those not MPI_ERR_PENDING):
     * their statuses are the caller's now, and MPI has freed them. */
    int left = 0;
    for (int i = 0; i < count; i++) {
        rest[i] = MPI_REQUEST_NULL;
        if (reqs[i] == MPI_REQUEST_NULL)
            continue;
        if (rc == MPI_ERR_IN_STATUS && st[i].MPI_ERROR == MPI_ERR_PENDING) {
            rest[i] = reqs[i];
            left++;
            continue;
        }
        if (rc == MPI_SUCCESS)
            st[i].MPI_ERROR = MPI_SUCCESS;
        if (statuses != MPI_STATUSES_IGNORE)
            statuses[i] = st[i];
        completed[i] = 1;
    }
    if (!left) {
        for (int i = 0; i < count; i++)
            reqs[i] = tmp[i];
        *flag = 1;
        return MPI_SUCCESS;
    }
    rc = cont_register_as(fn, count, rest, cb, kind, cb_data, how, CONT_REG_NULL_UNTOUCHED,
                          statuses, cont_req);
    if (rc == MPI_SUCCESS)
        for (int i = 0; i < count; i++)
            reqs[i] = completed[i] ? tmp[i] : rest[i];
    return rc;
}

/* 202110 and 202206: operations already complete are run later; only a
 * registration with nothing to wait for runs inside the call. */
static int later_register(const char *fn, int count, MPI_Request reqs[],
                          MPIX_Continue_cb_function *cb, int kind, void *cb_data, int flags,
                          MPI_Status statuses[], MPI_Request cont_req)
{
    for (int i = 0; reqs && i < count; i++)
        if (reqs[i] != MPI_REQUEST_NULL) {
            flags |= MPIX_CONT_DEFER_COMPLETE;
            break;
        }
    /* app threads: the CR's callbacks, and MPICH's MPIX_CONT_FORGET ones (202206) */
    return cont_register_as(fn, count, reqs, cb, kind, cb_data, flags, CONT_REG_APP_THREADS,
                            statuses, cont_req);
}

#define AS_RC(cb) ((MPIX_Continue_cb_function *)(void (*)(void))(cb))

/* MPI_Continue / MPIX_Continue of the flag revisions: one request. */
static int flag_register_one(const char *fn, MPI_Request *request, int *flag,
                             MPIX_Continue_cb_function *cb, int kind, void *cb_data,
                             MPI_Status *status, MPI_Request cont_req)
{
    if (!request) {
        CONT_CHECK_INIT(fn);
        return cont_error(MPI_ERR_REQUEST, "%s: request is NULL", fn);
    }
    return flag_register(fn, 1, request, flag, cb, kind, cb_data, status, cont_req);
}

/* ------------------------------------------------------------ 202005, 202009 */

int cont_v202005_continue_init(MPI_Request *cont_req)
{
    return legacy_init("MPI_Continue_init", cont_req, MPI_INFO_NULL, NULL, 0, 0, 1);
}

int cont_v202005_continue(MPI_Request *request, int *flag, cont_v2020_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req)
{
    return flag_register_one("MPI_Continue", request, flag, AS_RC(cb), CONT_CB_DATA, cb_data, status,
                             cont_req);
}

int cont_v202005_continueall(int count, MPI_Request requests[], int *flag,
                             cont_v2020_cb_function *cb, void *cb_data, MPI_Status statuses[],
                             MPI_Request cont_req)
{
    return flag_register("MPI_Continueall", count, requests, flag, AS_RC(cb), CONT_CB_DATA,
                         cb_data, statuses, cont_req);
}

int cont_v202009_continue_init(MPI_Request *cont_req)
{
    return legacy_init("MPIX_Continue_init", cont_req, MPI_INFO_NULL, NULL, 0, 0, 1);
}

int cont_v202009_continue(MPI_Request *request, int *flag, cont_v2020_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req)
{
    return flag_register_one("MPIX_Continue", request, flag, AS_RC(cb), CONT_CB_DATA, cb_data, status,
                             cont_req);
}

int cont_v202009_continueall(int count, MPI_Request requests[], int *flag,
                             cont_v2020_cb_function *cb, void *cb_data, MPI_Status statuses[],
                             MPI_Request cont_req)
{
    return flag_register("MPIX_Continueall", count, requests, flag, AS_RC(cb), CONT_CB_DATA,
                         cb_data, statuses, cont_req);
}

/* ------------------------------------------------------------ 202010, 202012 */

int cont_v202010_continue(MPI_Request *request, int *flag, cont_vstatus_cb_function *cb,
                          void *cb_data, MPI_Status *status, MPI_Request cont_req)
{
    return flag_register_one("MPIX_Continue", request, flag, AS_RC(cb), CONT_CB_STATUS, cb_data, status,
                             cont_req);
}

int cont_v202010_continueall(int count, MPI_Request requests[], int *flag,
                             cont_vstatus_cb_function *cb, void *cb_data,
                             MPI_Status statuses[], MPI_Request cont_req)
{
    return flag_register("MPIX_Continueall", count, requests, flag, AS_RC(cb), CONT_CB_STATUS,
                         cb_data, statuses, cont_req);
}

int cont_v202012_continue_init(MPI_Request *cont_req, MPI_Info info)
{
    return legacy_init("MPIX_Continue_init", cont_req, info, &keys_202012, 0, 0, 1);
}

/* ------------------------------------------------------------ 202110 */

int cont_v202110_continue_init(MPI_Request *cont_req, MPI_Info info)
{
    return legacy_init("MPIX_Continue_init", cont_req, info, &keys_202110, 0, 0, 1);
}

int cont_v202110_continue(MPI_Request *request, cont_vstatus_cb_function *cb, void *cb_data,
                          MPI_Status *status, MPI_Request cont_req)
{
    if (!request) {
        CONT_CHECK_INIT("MPIX_Continue");
        return cont_error(MPI_ERR_REQUEST, "MPIX_Continue: request is NULL");
    }
    return later_register("MPIX_Continue", 1, request, AS_RC(cb), CONT_CB_STATUS, cb_data,
                          MPIX_CONT_INVOKE_FAILED, status, cont_req);
}

int cont_v202110_continueall(int count, MPI_Request requests[], cont_vstatus_cb_function *cb,
                             void *cb_data, MPI_Status statuses[], MPI_Request cont_req)
{
    return later_register("MPIX_Continueall", count, requests, AS_RC(cb), CONT_CB_STATUS,
                          cb_data, MPIX_CONT_INVOKE_FAILED, statuses, cont_req);
}

/* ------------------------------------------------------------ 202206 */

/* MPIX_CONT_REQBUF_VOLATILE, MPIX_CONT_PERSISTENT (= bit 1), and MPICH's
 * MPIX_CONT_IMMEDIATE and MPIX_CONT_FORGET. */
#define FLAGS_202206                                                                 \
    (MPIX_CONT_REQBUF_VOLATILE | MPIX_CONT_REQUESTS_FREE | MPIX_CONT_IMMEDIATE |     \
     MPIX_CONT_FORGET)

int cont_v202206_continue_init(int max_poll, int flags, MPI_Request *cont_req, MPI_Info info)
{
    static const char fn[] = "MPIX_Continue_init";
    CONT_CHECK_INIT(fn);
    if (flags & FLAGS_202206)
        return cont_error(MPI_ERR_ARG,
                          "%s: flag bits 0x%x belong to MPIX_Continue[all], not to %s", fn,
                          (unsigned)(flags & FLAGS_202206), fn);
    if (flags & ~MPIX_CONT_POLL_ONLY)
        return cont_error(MPI_ERR_ARG, "%s: unknown flag bits 0x%x (revision 202206)", fn,
                          (unsigned)(flags & ~MPIX_CONT_POLL_ONLY));
    return legacy_init(fn, cont_req, info, &keys_202110, flags & MPIX_CONT_POLL_ONLY, max_poll,
                       0);
}

static int register_202206(const char *fn, int count, MPI_Request requests[],
                           cont_vrc_cb_function *cb, void *cb_data, int flags,
                           MPI_Status statuses[], MPI_Request cont_req)
{
    if (flags & ~(FLAGS_202206 | MPIX_CONT_POLL_ONLY)) {
        CONT_CHECK_INIT(fn);
        return cont_error(MPI_ERR_ARG,
                          "%s: unknown flag bits 0x%x (revision 202206 has no "
                          "MPIX_CONT_DEFER_COMPLETE or MPIX_CONT_INVOKE_FAILED)", fn,
                          (unsigned)(flags & ~(FLAGS_202206 | MPIX_CONT_POLL_ONLY)));
    }
    return later_register(fn, count, requests, cb, CONT_CB_RC, cb_data, flags, statuses,
                          cont_req);
}

int cont_v202206_continue(MPI_Request *request, cont_vrc_cb_function *cb, void *cb_data,
                          int flags, MPI_Status *status, MPI_Request cont_req)
{
    if (!request) {
        CONT_CHECK_INIT("MPIX_Continue");
        return cont_error(MPI_ERR_REQUEST, "MPIX_Continue: request is NULL");
    }
    return register_202206("MPIX_Continue", 1, request, cb, cb_data, flags, status, cont_req);
}

int cont_v202206_continueall(int count, MPI_Request requests[], cont_vrc_cb_function *cb,
                             void *cb_data, int flags, MPI_Status statuses[],
                             MPI_Request cont_req)
{
    return register_202206("MPIX_Continueall", count, requests, cb, cb_data, flags, statuses,
                           cont_req);
}

/* ------------------------------------------------------------ 202411 (MPICH PR 7164) */

/* Exported for mpi-continue.h's 202411 names (declared there). */
int cont_v202411_continue_init(int flags, int max_poll, MPI_Info info, MPI_Request *cont_req);
int cont_v202411_continue(MPI_Request *op_request, MPIX_Continue_cb_function *cb,
                          void *cb_data, int flags, MPI_Status *status,
                          MPI_Request cont_request);
int cont_v202411_continueall(int count, MPI_Request op_requests[],
                             MPIX_Continue_cb_function *cb, void *cb_data, int flags,
                             MPI_Status statuses[], MPI_Request cont_request);

/* MPICH has no progress thread of its own: its continuations run inside the
 * MPI calls of application threads (the progress of any call, on any
 * request), and codes written for it count completions in thread-local
 * state of the thread that polls (JiakunYan/mpi_continue_example's parcel
 * benchmark hung when libcont's progress thread ran two callbacks).  So its
 * CRs, and its MPIX_CONT_FORGET continuations, run callbacks only there, as
 * the earlier revisions' do; libcont's progress thread still completes the
 * operations. */
int cont_v202411_continue_init(int flags, int max_poll, MPI_Info info, MPI_Request *cont_req)
{
    int rc = MPIX_Continue_init(flags, max_poll, info, cont_req);
    if (rc != MPI_SUCCESS)
        return rc;
    cr_t *cr = cont_crtable_lookup(*cont_req);   /* just made: no one else has it */
    if (cr)
        cr->app_threads = 1;
    atomic_store(&cont_g.any_call_progress, 1);
    return MPI_SUCCESS;
}

/* A NULL cont_request is MPIX_CONT_FORGET; the callback always runs (with
 * the first error as rc) and its return value is ignored. */
int cont_v202411_continueall(int count, MPI_Request op_requests[],
                             MPIX_Continue_cb_function *cb, void *cb_data, int flags,
                             MPI_Status statuses[], MPI_Request cont_request)
{
    if (cont_request == MPI_REQUEST_NULL)
        flags |= MPIX_CONT_FORGET;
    if (flags & MPIX_CONT_FORGET)
        atomic_store(&cont_g.any_call_progress, 1);
    return cont_register_as("MPIX_Continueall", count, op_requests, cb, CONT_CB_RC_IGNORED,
                            cb_data, flags | MPIX_CONT_INVOKE_FAILED, CONT_REG_APP_THREADS,
                            statuses, cont_request);
}

int cont_v202411_continue(MPI_Request *op_request, MPIX_Continue_cb_function *cb,
                          void *cb_data, int flags, MPI_Status *status,
                          MPI_Request cont_request)
{
    if (!op_request) {
        CONT_CHECK_INIT("MPIX_Continue");
        return cont_error(MPI_ERR_ARG, "MPIX_Continue: op_request is NULL");
    }
    if (cont_request == MPI_REQUEST_NULL)
        flags |= MPIX_CONT_FORGET;
    if (flags & MPIX_CONT_FORGET)
        atomic_store(&cont_g.any_call_progress, 1);
    return cont_register_as("MPIX_Continue", 1, op_request, cb, CONT_CB_RC_IGNORED, cb_data,
                            flags | MPIX_CONT_INVOKE_FAILED, CONT_REG_APP_THREADS, status,
                            cont_request);
}
