#!/bin/sh
# Blocking MPI in OpenMP tasks under contrun, 2 ranks x 2 threads (deadlock-check.sh).
exec "${srcdir:-.}/contrun/deadlock-check.sh" 2
