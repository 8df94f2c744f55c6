/* Continuation-request handles: a slot table with generations.
 *
 * A handle is CONT_CR_TAG | generation << 18 | slot (slot >= 1).  Lookup is
 * lock-free: two array reads and a comparison of the stored handle, so a
 * freed handle (its slot reused with a newer generation, or empty) is
 * recognised.  Allocation and release take a mutex: they are rare. */
#include "cont-internal.h"

#include <stdlib.h>

#define SLOT_BITS 18
#define GEN_BITS 8
#define CHUNK_BITS 10
#define CHUNK (1u << CHUNK_BITS)
#define NCHUNKS ((1u << SLOT_BITS) / CHUNK)

typedef struct {
    _Atomic(cr_t *) cr;
    unsigned gen;
} slot_t;

static _Atomic(slot_t *) chunks[NCHUNKS];
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
#define REUSE_AFTER 1024
static unsigned *free_slots;   /* ring of released slot numbers, oldest first */
static unsigned free_head, nfree, freecap, next_slot = 1;

static slot_t *slot_at(unsigned s)
{
    slot_t *ch = atomic_load_explicit(&chunks[s >> CHUNK_BITS], memory_order_acquire);
    return ch ? &ch[s & (CHUNK - 1)] : NULL;
}

int cont_crtable_alloc(cr_t *cr)
{
    pthread_mutex_lock(&mtx);
    /* Fresh slots first, and freed ones oldest first, only once many are
     * free: a freed handle's value comes back only after about
     * REUSE_AFTER * 2^GEN_BITS frees, so a use after free is recognised. */
    unsigned s;
    if (nfree > REUSE_AFTER || (nfree && next_slot >= (1u << SLOT_BITS))) {
        s = free_slots[free_head];
        free_head = (free_head + 1) % freecap;
        nfree--;
    } else if (next_slot < (1u << SLOT_BITS)) {
        s = next_slot++;
    } else {
        pthread_mutex_unlock(&mtx);
        return 1;
    }
    unsigned c = s >> CHUNK_BITS;
    if (!atomic_load_explicit(&chunks[c], memory_order_relaxed)) {
        slot_t *ch = calloc(CHUNK, sizeof(slot_t));
        if (!ch) {
            /* The chunk of s does not exist, so s is a fresh slot. */
            next_slot--;
            pthread_mutex_unlock(&mtx);
            return 1;
        }
        atomic_store_explicit(&chunks[c], ch, memory_order_release);
    }
    slot_t *sl = slot_at(s);
    sl->gen = (sl->gen + 1) & ((1u << GEN_BITS) - 1);
    cr->handle = (MPI_Request)(CONT_CR_TAG | sl->gen << SLOT_BITS | s);
    atomic_store_explicit(&sl->cr, cr, memory_order_release);
    pthread_mutex_unlock(&mtx);
    return 0;
}

void cont_crtable_release(MPI_Request h)
{
    unsigned s = (unsigned)h & ((1u << SLOT_BITS) - 1);
    pthread_mutex_lock(&mtx);
    slot_t *sl = slot_at(s);
    if (sl) {
        atomic_store_explicit(&sl->cr, NULL, memory_order_release);
        if (nfree == freecap) {   /* grow the ring, unrolled into the new array */
            unsigned ncap = freecap ? 2 * freecap : 2048;
            unsigned *n = malloc(ncap * sizeof *n);
            if (!n) {   /* leak the slot rather than fail a free */
                pthread_mutex_unlock(&mtx);
                return;
            }
            for (unsigned k = 0; k < nfree; k++)
                n[k] = free_slots[(free_head + k) % freecap];
            free(free_slots);
            free_slots = n;
            freecap = ncap;
            free_head = 0;
        }
        free_slots[(free_head + nfree++) % freecap] = s;
    }
    pthread_mutex_unlock(&mtx);
}

cr_t *cont_crtable_lookup(MPI_Request h)
{
    if (!cont_is_cr_handle(h))
        return NULL;
    slot_t *sl = slot_at((unsigned)h & ((1u << SLOT_BITS) - 1));
    if (!sl)
        return NULL;
    cr_t *cr = atomic_load_explicit(&sl->cr, memory_order_acquire);
    return cr && cr->handle == h ? cr : NULL;
}

void cont_crtable_fini(void)
{
    pthread_mutex_lock(&mtx);
    for (unsigned c = 0; c < NCHUNKS; c++) {
        slot_t *ch = atomic_exchange(&chunks[c], NULL);
        if (ch) {
            /* Keep generations across a (theoretical) re-initialisation. */
            free(ch);
        }
    }
    free(free_slots);
    free_slots = NULL;
    free_head = nfree = freecap = 0;
    next_slot = 1;
    pthread_mutex_unlock(&mtx);
}
