/* For the shims of tsan-preload.so: the definition a shim replaces. */
#ifndef SHIM_NEXT_H
#define SHIM_NEXT_H

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>

/* The next definition of NAME after this library (the real one), looked up
 * once and cached in *CACHE; abort()s if there is none. */
static inline void *shim_next(_Atomic(void *) *cache, const char *name)
{
    void *f = atomic_load_explicit(cache, memory_order_acquire);
    if (!f) {
        f = dlsym(RTLD_NEXT, name);
        if (!f)
            abort();
        atomic_store_explicit(cache, f, memory_order_release);
    }
    return f;
}

#endif
