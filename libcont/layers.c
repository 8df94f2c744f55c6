/* Layers above libcont in MPI's start-up and shut-down (cont-layer.h). */
#include "cont-internal.h"
#include "cont-layer.h"

static const cont_layer_t *layers[CONT_MAX_LAYERS];
static int nlayers;

int cont_layer_register(const cont_layer_t *layer)
{
    int up = 0;
    PMPI_Initialized(&up);
    if (!layer || up || nlayers == CONT_MAX_LAYERS)
        return -1;
    layers[nlayers++] = layer;
    return 0;
}

int cont_layers_level(int required)
{
    for (int i = 0; i < nlayers; i++)
        if (layers[i]->init_level)
            required = layers[i]->init_level(required);
    return required;
}

void cont_layers_after_init(int required, int provided, int *told)
{
    for (int i = 0; i < nlayers; i++)
        if (layers[i]->after_init)
            layers[i]->after_init(required, provided, told);
}

void cont_layers_before_finalize(void)
{
    for (int i = nlayers - 1; i >= 0; i--)
        if (layers[i]->before_finalize)
            layers[i]->before_finalize();
}

int cont_blocking_task_aware(void)
{
    cont_wrapper_t *w = cont_wrapper;
    return w && w->task_aware && w->task_aware();
}

void cont_layer_set_told_level(int level)
{
    cont_g.told_level = level;
}

static __thread int thread_unaware;   /* 0: aware, the default */

void cont_thread_task_aware_set(int on)
{
    thread_unaware = !on;
}

int cont_thread_task_aware_get(void)
{
    return !thread_unaware;
}
