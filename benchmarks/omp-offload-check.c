/* configure's offload check (config/omp-offload-check.c) as a program of
 * its own: device-run.sh's probe runs it, built as halo3d-offload is (AOT
 * cubin) and in JIT mode, to see whether libomptarget finds the GPU. */
#include "../config/omp-offload-check.c"
