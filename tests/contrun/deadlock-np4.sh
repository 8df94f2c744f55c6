#!/bin/sh
# Blocking MPI in OpenMP tasks under contrun, 4 ranks x 2 threads (deadlock-check.sh).
exec "${srcdir:-.}/contrun/deadlock-check.sh" 4
