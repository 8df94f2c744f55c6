/* Shared by the TAMPI layer's sources (TAMPI.h says what the API does). */
#ifndef CONT_TAMPI_INTERNAL_H
#define CONT_TAMPI_INTERNAL_H

#include "TAMPI.h"

/* The modes, set at start-up (init.c), and the continuation request of the
 * bound operations (bind.c's continuations). */
extern int tampi_nonblocking, tampi_blocking;
extern MPI_Request tampi_cr;

/* Bind the calling task to *request (status written on completion), or
 * wait for it where no binding is possible (bind.c). */
int tampi_bind_one(const char *fn, MPI_Request *request, MPI_Status *status);

#endif
