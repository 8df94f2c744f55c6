/* configure: can $CC build (and, for host devices, run) OpenMP offload code
 * the way samples/halo3d-offload uses it: a target teams kernel with nowait
 * and depend, awaited by taskwait. */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    double a[64];
    char dep;
#pragma omp target teams distribute parallel for map(from: a) nowait depend(out: dep)
    for (int i = 0; i < 64; i++)
        a[i] = 0.5 * i;
#pragma omp taskwait
    printf("%d offload devices\n", omp_get_num_devices());
    return a[63] != 31.5;
}
