/* Ownership and persistence of MPI request handles, as two lock-free bitmaps.
 *
 * MPICH request handles are ints: bits 31-30 the kind (1 builtin, 2 direct,
 * 3 indirect), bits 29-26 the object type, bits 25-0 the index.  Live
 * direct/indirect handles are unique, so (kind bit 30, index) is a 27-bit
 * key.  Builtin request handles name shared, already-complete requests: they
 * are never claimed (testing them from two threads is harmless).
 *
 * The maps are 16 MiB of address space each (MAP_NORESERVE); only the pages
 * of handles actually used become resident.  Claiming is one atomic
 * fetch_or: wait-free double-registration detection. */
#include "cont-internal.h"

#include <sys/mman.h>

#define KEY_BITS 27
#define MAP_WORDS ((size_t)1 << (KEY_BITS - 6))

static _Atomic uint64_t *owned_map, *persistent_map;

static int key_of(MPI_Request h, size_t *word, uint64_t *bit)
{
    unsigned u = (unsigned)h;
    if ((u >> 30) < 2)
        return 0;   /* MPI_REQUEST_NULL, builtin, or not an MPICH request */
    unsigned key = ((u >> 30) & 1u) << 26 | (u & 0x3ffffffu);
    *word = key >> 6;
    *bit = (uint64_t)1 << (key & 63);
    return 1;
}

static _Atomic uint64_t *map_alloc(void)
{
    void *p = mmap(NULL, MAP_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int cont_reqmap_init(void)
{
    if (!owned_map)
        owned_map = map_alloc();
    if (!persistent_map)
        persistent_map = map_alloc();
    return owned_map && persistent_map ? 0 : 1;
}

void cont_reqmap_fini(void)
{
    /* Keep the persistent map: persistent requests made before MPI_Init of a
     * later library instance do not exist (MPI cannot be re-initialised). */
    if (owned_map)
        munmap((void *)owned_map, MAP_WORDS * sizeof(uint64_t));
    owned_map = NULL;
}

int cont_req_claim(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if (!key_of(h, &w, &b))
        return 1;
    return !(atomic_fetch_or_explicit(&owned_map[w], b, memory_order_acq_rel) & b);
}

void cont_req_release(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if (key_of(h, &w, &b))
        atomic_fetch_and_explicit(&owned_map[w], ~b, memory_order_release);
}

int cont_req_owned(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if (!owned_map || !key_of(h, &w, &b))
        return 0;
    return (atomic_load_explicit(&owned_map[w], memory_order_acquire) & b) != 0;
}

void cont_req_set_persistent(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if ((persistent_map || !cont_reqmap_init()) && key_of(h, &w, &b))
        atomic_fetch_or_explicit(&persistent_map[w], b, memory_order_release);
}

void cont_req_clear_persistent(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if (persistent_map && key_of(h, &w, &b))
        atomic_fetch_and_explicit(&persistent_map[w], ~b, memory_order_release);
}

int cont_req_is_persistent(MPI_Request h)
{
    size_t w;
    uint64_t b;
    if (!persistent_map || !key_of(h, &w, &b))
        return 0;
    return (atomic_load_explicit(&persistent_map[w], memory_order_acquire) & b) != 0;
}
