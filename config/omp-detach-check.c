/* configure's check that the OpenMP runtime runs detached tasks correctly
 * (see configure.ac).  Exit 0 on success; a broken runtime crashes, hangs
 * (configure runs it under a timeout) or returns 1. */
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#define N 256
static omp_event_handle_t evs[N];
static volatile int posted;
static int done[N];
static void *fulfiller(void *arg) {
  (void)arg;
  while (__atomic_load_n(&posted, __ATOMIC_ACQUIRE) < N) ;
  for (int i = N - 1; i >= 0; i--) { done[i] = 1; omp_fulfill_event(evs[i]); }
  return NULL;
}
int main(void) {
  for (int nt = 1; nt <= 2; nt++) {
    int sum = 0, consumers = 0;
    posted = 0;
    pthread_t th; pthread_create(&th, NULL, fulfiller, NULL);
    #pragma omp parallel num_threads(nt)
    #pragma omp single
    {
      for (int i = 0; i < N; i++) {
        omp_event_handle_t ev;
        #pragma omp task detach(ev) depend(out: done[i]) firstprivate(i)
        { evs[i] = ev; __atomic_add_fetch(&posted, 1, __ATOMIC_RELEASE); }
        #pragma omp task depend(in: done[i]) firstprivate(i) shared(sum, consumers)
        {
          #pragma omp atomic
          sum += done[i];
          #pragma omp atomic
          consumers++;
        }
      }
      #pragma omp taskwait
    }
    pthread_join(th, NULL);
    if (sum != N || consumers != N) { printf("nt=%d sum=%d\n", nt, sum); return 1; }
  }
  return 0;
}
