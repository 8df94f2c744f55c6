/* Intrusive lock-free stack: many producers push, one consumer at a time
 * takes the whole content at once (an atomic exchange, so no ABA problem)
 * and gets it back in push order.  Used for every hand-off queue of libcont:
 * registration -> engine, engine -> POLL_ONLY testers, held continuations. */
#ifndef CONT_LFSTACK_H
#define CONT_LFSTACK_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct lf_node {
    struct lf_node *next;
} lf_node_t;

typedef struct {
    _Atomic(lf_node_t *) head;
} lf_stack_t;

static inline void lf_push(lf_stack_t *s, lf_node_t *n)
{
    lf_node_t *old = atomic_load_explicit(&s->head, memory_order_relaxed);
    do {
        n->next = old;
    } while (!atomic_compare_exchange_weak_explicit(&s->head, &old, n, memory_order_seq_cst,
                                                    memory_order_relaxed));
}

static inline int lf_empty(lf_stack_t *s)
{
    return atomic_load_explicit(&s->head, memory_order_acquire) == NULL;
}

/* Take everything, oldest first (the list is reversed once, O(n)). */
static inline lf_node_t *lf_take_all_fifo(lf_stack_t *s)
{
    lf_node_t *n = atomic_exchange_explicit(&s->head, NULL, memory_order_acq_rel), *rev = NULL;
    while (n) {
        lf_node_t *next = n->next;
        n->next = rev;
        rev = n;
        n = next;
    }
    return rev;
}

/* A consumer-private FIFO, refilled from an lf_stack_t. */
typedef struct {
    lf_node_t *head, *tail;
} fifo_t;

static inline void fifo_append(fifo_t *q, lf_node_t *n)
{
    n->next = NULL;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
}

static inline void fifo_append_list(fifo_t *q, lf_node_t *list)
{
    while (list) {
        lf_node_t *next = list->next;
        fifo_append(q, list);
        list = next;
    }
}

static inline lf_node_t *fifo_pop(fifo_t *q)
{
    lf_node_t *n = q->head;
    if (n) {
        q->head = n->next;
        if (!q->head)
            q->tail = NULL;
    }
    return n;
}

#endif
