/* Layers above libcont that take part in MPI's start-up and shut-down (the
 * TAMPI library): exported by libcont.so and by contrun's preload alike, so
 * a layer registers with whichever copy of libcont the process runs.  Not
 * installed: for this project's own layers.
 *
 * A layer registers from a constructor (before MPI_Init).  At
 * MPI_Init[_thread] each layer's init_level maps the level the program asked
 * for to one MPI knows (e.g. TAMPI's MPI_TASK_MULTIPLE to
 * MPI_THREAD_MULTIPLE); after MPI and libcont are up, after_init may change
 * the level the program is told (*told; MPI_Query_thread then says the
 * same); before_finalize runs in MPI_Finalize while MPI is still usable, in
 * the reverse order.  Any hook may be NULL.  Threading: registration and
 * the hooks run in the thread that initialises MPI. */
#ifndef CONT_LAYER_H
#define CONT_LAYER_H

typedef struct {
    const char *name;
    int (*init_level)(int required);
    void (*after_init)(int required, int provided, int *told);
    void (*before_finalize)(void);
} cont_layer_t;

/* 0, or -1 when CONT_MAX_LAYERS are registered already or MPI is up. */
__attribute__((visibility("default"))) int cont_layer_register(const cont_layer_t *layer);
#define CONT_MAX_LAYERS 4

/* 1 when blocking MPI calls inside OpenMP tasks are task-aware (contrun
 * runs the process and its task-aware waits are on), else 0. */
__attribute__((visibility("default"))) int cont_blocking_task_aware(void);

/* After start-up (TAMPI_Init): the level MPI_Query_thread tells from now on. */
__attribute__((visibility("default"))) void cont_layer_set_told_level(int level);

/* The calling thread's blocking calls in tasks are task-aware (default 1;
 * only where cont_blocking_task_aware()). */
__attribute__((visibility("default"))) void cont_thread_task_aware_set(int on);
__attribute__((visibility("default"))) int cont_thread_task_aware_get(void);

/* Report an error through MPI_COMM_WORLD's error handler; returns errclass
 * (libcont's own reporting, error.c). */
__attribute__((visibility("default"))) int cont_error(int errclass, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
