/* The plug-in point for a layer built into the same library (contrun's
 * preload): see cont_wrapper_t in cont-internal.h. */
#include "cont-internal.h"

#include <time.h>

cont_wrapper_t *cont_wrapper;

uint64_t cont_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
