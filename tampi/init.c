/* The TAMPI layer's start-up and shut-down, its properties and modes.
 *
 * It registers with libcont as a layer (cont-layer.h) from a constructor:
 * libcont's MPI_Init_thread maps MPI_TASK_MULTIPLE to MPI_THREAD_MULTIPLE
 * for MPI, and after MPI is up the layer starts (unless
 * TAMPI_PROPERTY_AUTO_INIT is 0): the task hook on for bindings (no
 * fibers: bodies never need to suspend for the non-blocking mode), a
 * continuation request for the bound operations (bind.c).  This works the
 * same under contrun, whose copy of libcont the layer then registers with. */
#include "tampi-internal.h"

#include "cont-layer.h"
#include "mpi-continue.h"
#include "taskhook.h"

#include <stdio.h>
#include <stdlib.h>

int tampi_nonblocking, tampi_blocking;
MPI_Request tampi_cr = MPI_REQUEST_NULL;

static int auto_init = 1;
static int mpi_up;          /* MPI_Init[_thread] has returned */
static int native_level;    /* what MPI provided */
static int started;

/* Drive libcont's engine from threads that wait in the hook, when no
 * progress thread does. */
static int idle(void)
{
    return cont_has_progress_thread() ? 0 : cont_progress_poll();
}

static void start(int required, int *told)
{
    int multiple = native_level == MPI_THREAD_MULTIPLE;
    int asked = required == MPI_THREAD_MULTIPLE || required == MPI_TASK_MULTIPLE;
    int rank = 0;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    tampi_nonblocking = 0;
    if (multiple && asked) {
        if (cont_th_enable(0, idle, 0) != 0) {
            if (rank == 0)
                fprintf(stderr, "TAMPI (libcont): the task hook cannot reach libomp: link "
                        "-lompcont-hook before the OpenMP runtime (pkg-config --libs "
                        "cont-tampi); non-blocking calls wait instead\n");
        } else if (MPIX_Continue_init(0, 0, MPI_INFO_NULL, &tampi_cr) == MPI_SUCCESS &&
                   MPI_Start(&tampi_cr) == MPI_SUCCESS) {
            tampi_nonblocking = 1;
        }
    }
    tampi_blocking = multiple && required == MPI_TASK_MULTIPLE && cont_blocking_task_aware();
    if (tampi_blocking)
        *told = MPI_TASK_MULTIPLE;
    started = 1;
}

static void stop(void)
{
    if (tampi_cr != MPI_REQUEST_NULL)
        MPI_Request_free(&tampi_cr);
    tampi_nonblocking = tampi_blocking = 0;
    started = 0;
}

static int init_level(int required)
{
    return required == MPI_TASK_MULTIPLE ? MPI_THREAD_MULTIPLE : required;
}

static void after_init(int required, int provided, int *told)
{
    mpi_up = 1;
    native_level = provided;
    if (!auto_init) {
        if (required == MPI_TASK_MULTIPLE)
            cont_error(MPI_ERR_OTHER, "TAMPI: with TAMPI_PROPERTY_AUTO_INIT 0, MPI_TASK_MULTIPLE "
                       "must be passed to TAMPI_Init, not to MPI_Init_thread");
        return;
    }
    start(required, told);
}

static void before_finalize(void)
{
    if (!started)
        return;
    if (!auto_init)
        fprintf(stderr, "TAMPI (libcont): warning: TAMPI_Finalize must be called before "
                "MPI_Finalize\n");
    stop();
}

static const cont_layer_t layer = {"TAMPI", init_level, after_init, before_finalize};

/* The hook's waits at barriers run other threads' tasks through
 * taskyield, which libomp treats as a taskwait of the implicit task: under
 * the task scheduling constraint (KMP_TASK_STEALING_CONSTRAINT=1, libomp's
 * default) a thread could then run only tasks it created itself, and tasks
 * made in a `single` would all run on its thread.  Lift it unless the user
 * set it (as contrun does; libomp reads its environment at its first use,
 * after this constructor). */
__attribute__((constructor)) static void tampi_register(void)
{
    setenv("KMP_TASK_STEALING_CONSTRAINT", "0", 0);
    if (cont_layer_register(&layer) != 0)
        fprintf(stderr, "TAMPI (libcont): cannot register with libcont (loaded after "
                "MPI_Init?)\n");
}

int TAMPI_Init(int required, int *provided)
{
    if (auto_init)
        return cont_error(MPI_ERR_OTHER, "TAMPI_Init: explicit initialisation needs "
                          "TAMPI_PROPERTY_AUTO_INIT set to 0 before MPI_Init");
    if (!mpi_up)
        return cont_error(MPI_ERR_OTHER, "TAMPI_Init: MPI is not initialised");
    if (started)
        return cont_error(MPI_ERR_OTHER, "TAMPI_Init: TAMPI is already initialised");
    int told = native_level < required ? native_level : required;
    if (required == MPI_TASK_MULTIPLE)
        told = native_level;
    start(required, &told);
    if (tampi_blocking)
        cont_layer_set_told_level(MPI_TASK_MULTIPLE);
    if (provided)
        *provided = told;
    return MPI_SUCCESS;
}

int TAMPI_Finalize(void)
{
    if (auto_init)
        return cont_error(MPI_ERR_OTHER, "TAMPI_Finalize: TAMPI finalises with MPI_Finalize "
                          "unless TAMPI_PROPERTY_AUTO_INIT is 0");
    if (!started)
        return cont_error(MPI_ERR_OTHER, "TAMPI_Finalize: TAMPI is not initialised");
    stop();
    return MPI_SUCCESS;
}

int TAMPI_Property_get(int property, int *value)
{
    if (!value)
        return cont_error(MPI_ERR_ARG, "TAMPI_Property_get: value is NULL");
    switch (property) {
    case TAMPI_PROPERTY_BLOCKING_MODE: *value = tampi_blocking; break;
    case TAMPI_PROPERTY_NONBLOCKING_MODE: *value = tampi_nonblocking; break;
    case TAMPI_PROPERTY_AUTO_INIT: *value = auto_init; break;
    case TAMPI_PROPERTY_THREAD_TASKAWARE: *value = cont_thread_task_aware_get(); break;
    default: return cont_error(MPI_ERR_ARG, "TAMPI_Property_get: unknown property %d", property);
    }
    return MPI_SUCCESS;
}

int TAMPI_Property_set(int property, int value)
{
    switch (property) {
    case TAMPI_PROPERTY_BLOCKING_MODE:
    case TAMPI_PROPERTY_NONBLOCKING_MODE:
        return cont_error(MPI_ERR_ARG, "TAMPI_Property_set: property %d is read only", property);
    case TAMPI_PROPERTY_AUTO_INIT:
        if (mpi_up)
            return cont_error(MPI_ERR_ARG, "TAMPI_Property_set: TAMPI_PROPERTY_AUTO_INIT only "
                              "before MPI_Init");
        auto_init = value != 0;
        return MPI_SUCCESS;
    case TAMPI_PROPERTY_THREAD_TASKAWARE:
        cont_thread_task_aware_set(value != 0);
        return MPI_SUCCESS;
    default:
        return cont_error(MPI_ERR_ARG, "TAMPI_Property_set: unknown property %d", property);
    }
}

int TAMPI_Blocking_enabled(int *flag)
{
    return TAMPI_Property_get(TAMPI_PROPERTY_BLOCKING_MODE, flag);
}

int TAMPI_Nonblocking_enabled(int *flag)
{
    return TAMPI_Property_get(TAMPI_PROPERTY_NONBLOCKING_MODE, flag);
}
