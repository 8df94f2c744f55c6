/* Part of tsan-preload.so (ThreadSanitizer builds only, tests/sanitizers.am):
 * keep Criterion's inheritable arena inside memory TSan lets a program map.
 *
 * Criterion (BoxFort's arena.c) maps its arena with MAP_FIXED at
 * 0x200000000000 + (rand_r() & 0x3fffff) * 16 MiB, 10 tries.  Under TSan
 * most of that window is shadow or metadata memory: the mmap fails and the
 * runner aborts ("Could not initialize inheritable arena").  This rand_r
 * answers Criterion's calls with offsets inside TSan's application range
 * 0x550000000000-0x5a0000000000 (x86_64); every other caller (UCX uses
 * rand_r) gets glibc's.  The distribution stays uniform over that range, so
 * BoxFort's retries still find a free spot.  Criterion's calls are told by
 * their seed, a static of libcriterion: the return address would name TSan's
 * own rand_r interceptor, which calls this one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "shim-next.h"

typedef int (*rand_r_fn)(unsigned int *);

#define ARENA_FIRST 0x350000u   /* (0x550000000000 - 0x200000000000) / 16 MiB */
#define ARENA_SLOTS 0x4fff0u    /* up to 0x5a0000000000, less 256 MiB of slack */

static int in_criterion(const void *addr)
{
    Dl_info info;
    return dladdr(addr, &info) && info.dli_fname && strstr(info.dli_fname, "libcriterion");
}

int rand_r(unsigned int *seed)
{
    static _Atomic(void *) real;
    rand_r_fn f = (rand_r_fn)shim_next(&real, "rand_r");
    int r = f(seed);
    if (in_criterion(seed))
        return (int)(ARENA_FIRST + (unsigned)r % ARENA_SLOTS);
    return r;
}
