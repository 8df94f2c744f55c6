#!/bin/sh
# Statuses of MPIX_Continueall (MPI_REQUEST_NULL entries included) and failed
# operations across ranks (truncated receives, with and without
# MPIX_CONT_INVOKE_FAILED; a callback returning an error;
# MPIX_Continue_get_failed), with the progress thread and without.
fail=0
"${srcdir:-.}/run-mpi.sh" 2 ./mr_status_errors || fail=1
CONT_PROGRESS_THREAD=off
export CONT_PROGRESS_THREAD
"${srcdir:-.}/run-mpi.sh" 2 ./mr_status_errors || fail=1
exit $fail
