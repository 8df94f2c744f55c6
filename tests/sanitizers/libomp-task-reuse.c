/* Part of tsan-preload.so (ThreadSanitizer builds only, tests/sanitizers.am):
 * show TSan that libomp reuses a task's memory only after its body ended.
 *
 * libomp keeps freed task descriptors (with the task's firstprivate copies
 * and its shareds block) in per-thread pools and hands them to the next
 * __kmpc_omp_task_alloc.  The free happens inside libomp, which is not
 * instrumented, often on another thread than the next allocation, so TSan
 * saw the old task body's last read and the new task's initialisation as a
 * race on the same bytes.  Archer orders tasks, not this reuse (its
 * TsanNewMemory is AnnotateNewMemory, a no-op in LLVM 19's TSan).
 *
 * The fix is the edge libomp really has: the task entry is wrapped so that
 * the end of every body releases the task's address, and the allocation that
 * gets that address acquires it.  Nothing else is ordered.  Wrappers are
 * per task construct (the entry function), from a fixed set of 256 slots;
 * the tasks of any further construct run unwrapped (TSan may then report
 * this reuse for them, never miss a race). */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stddef.h>

#include "shim-next.h"

typedef int (*entry_fn)(int gtid, void *task);

/* The head of libomp's kmp_task_t (kmp.h): shareds, then the entry. */
typedef struct {
    void *shareds;
    entry_fn routine;
} task_head_t;

typedef task_head_t *(*task_alloc_fn)(void *loc, int gtid, int flags, size_t sizeof_task,
                                      size_t sizeof_shareds, entry_fn entry);

/* TSan's interface (exported by instrumented programs); weak, so that this
 * library also loads into mpiexec and other uninstrumented processes. */
void __tsan_acquire(void *addr) __attribute__((weak));
void __tsan_release(void *addr) __attribute__((weak));

#define NSLOTS 256
static _Atomic(entry_fn) slot_entry[NSLOTS];

/* wrap_<name> runs the entry of slot i; the W macros stamp out 256 of them
 * (names in base 4, so that token pasting can build them). */
#define WRAPPER(name, i)                                                                   \
    static int wrap_##name(int gtid, void *task)                                           \
    {                                                                                      \
        int rc = atomic_load_explicit(&slot_entry[i], memory_order_acquire)(gtid, task);   \
        __tsan_release(task);                                                              \
        return rc;                                                                         \
    }
#define W4(n, i) WRAPPER(n##0, 4 * (i)) WRAPPER(n##1, 4 * (i) + 1) \
    WRAPPER(n##2, 4 * (i) + 2) WRAPPER(n##3, 4 * (i) + 3)
#define W16(n, i) W4(n##0, 4 * (i)) W4(n##1, 4 * (i) + 1) W4(n##2, 4 * (i) + 2) W4(n##3, 4 * (i) + 3)
#define W64(n, i) W16(n##0, 4 * (i)) W16(n##1, 4 * (i) + 1) W16(n##2, 4 * (i) + 2) W16(n##3, 4 * (i) + 3)
W64(0, 0) W64(1, 1) W64(2, 2) W64(3, 3)
#define R4(n) wrap_##n##0, wrap_##n##1, wrap_##n##2, wrap_##n##3
#define R16(n) R4(n##0), R4(n##1), R4(n##2), R4(n##3)
#define R64(n) R16(n##0), R16(n##1), R16(n##2), R16(n##3)
static const entry_fn wrapper[NSLOTS] = {R64(0), R64(1), R64(2), R64(3)};
_Static_assert(sizeof wrapper / sizeof wrapper[0] == NSLOTS, "one wrapper per slot");

/* The wrapper of entry, taking a free slot the first time; NULL when all
 * slots are taken.  Slots are claimed with a CAS, never released. */
static entry_fn wrapper_of(entry_fn entry)
{
    for (int k = 0; k < NSLOTS; k++) {
        entry_fn e = atomic_load_explicit(&slot_entry[k], memory_order_acquire);
        if (!e) {
            entry_fn expected = NULL;
            if (atomic_compare_exchange_strong(&slot_entry[k], &expected, entry))
                return wrapper[k];
            e = expected;
        }
        if (e == entry)
            return wrapper[k];
    }
    return NULL;
}

task_head_t *__kmpc_omp_task_alloc(void *loc, int gtid, int flags, size_t sizeof_task,
                                   size_t sizeof_shareds, entry_fn entry)
{
    static _Atomic(void *) real;
    task_alloc_fn f = (task_alloc_fn)shim_next(&real, "__kmpc_omp_task_alloc");
    task_head_t *t = f(loc, gtid, flags, sizeof_task, sizeof_shareds, entry);
    /* wrap the routine the task got, which a later interposer (the task
     * hook, linked by a TAMPI program) may have replaced */
    if (t && __tsan_acquire && __tsan_release && t->routine) {
        entry_fn w = wrapper_of(t->routine);
        if (w) {
            __tsan_acquire(t);
            t->routine = w;
        }
    }
    return t;
}
