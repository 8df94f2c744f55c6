/* gpu-probe: where CUDA stops working on this machine, in seconds, with no
 * CUDA headers or libraries at build time (device-run.sh runs it first).
 *   1. dlopen libcuda.so.1 (and "libcuda.so", the name libomptarget 19
 *      opens), printing the file each resolved to;
 *   2. cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet,
 *      cuDeviceGetName, the compute capability, cuDevicePrimaryCtxRetain +
 *      cuCtxSetCurrent (what libomptarget does), cuMemAlloc of 1 MiB,
 *      cuMemFree; every return code with cuGetErrorName/cuGetErrorString;
 *   3. for each FILE argument (an OpenMP offload program): the CUDA ELF
 *      images and LLVM bitcode images embedded in it, each ELF image's ABI
 *      version and flags, whether libomptarget 19's image check accepts it
 *      (LLVM 19 knows only ELF ABI version 7 flags: 64-bit address bit
 *      0x400, SM in the low byte; CUDA 13's nvlink writes version 8, SM in
 *      bits 8-15), and, with a context, whether the driver loads it
 *      (cuModuleLoadData), as is and with its header rewritten to version 7.
 * Usage: gpu-probe [--lib PATH] [FILE...]   Exit status 0 if the 1 MiB
 * allocation worked, 1 otherwise. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef unsigned long long CUdeviceptr;

static CUresult (*p_cuGetErrorName)(CUresult, const char **);
static CUresult (*p_cuGetErrorString)(CUresult, const char **);

static void *sym(void *h, const char *name)
{
    void *f = dlsym(h, name);
    if (!f)
        printf("  %s: not in libcuda (%s)\n", name, dlerror());
    return f;
}

/* cuda.h's names of the codes seen when a machine has no usable GPU, for
 * a libcuda whose cuGetErrorName does not answer (the toolkit's stub). */
static const char *known(CUresult rc)
{
    static const struct { int rc; const char *name; } t[] = {
        {2, "CUDA_ERROR_OUT_OF_MEMORY"}, {3, "CUDA_ERROR_NOT_INITIALIZED"},
        {34, "CUDA_ERROR_STUB_LIBRARY"}, {35, "CUDA_ERROR_INSUFFICIENT_DRIVER"},
        {100, "CUDA_ERROR_NO_DEVICE"}, {200, "CUDA_ERROR_INVALID_IMAGE"},
        {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"}, {218, "CUDA_ERROR_INVALID_PTX"},
        {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"}, {304, "CUDA_ERROR_OPERATING_SYSTEM"},
        {999, "CUDA_ERROR_UNKNOWN"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].rc == rc)
            return t[i].name;
    return "?";
}

/* Prints "WHAT RC NAME (text)"; returns 1 if RC is CUDA_SUCCESS. */
static int report(const char *what, CUresult rc)
{
    const char *name = NULL, *text = NULL;
    if (!p_cuGetErrorName || p_cuGetErrorName(rc, &name) != 0 || !name)
        name = rc ? known(rc) : "CUDA_SUCCESS";
    if (p_cuGetErrorString && p_cuGetErrorString(rc, &text) != 0)
        text = NULL;
    printf("  %-28s %d %s (%s)\n", what, rc, name, text ? text : "no text");
    return rc == 0;
}

static const char *path_of(void *h)
{
    struct link_map *lm = NULL;
    if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
        return "?";
    return lm->l_name;
}

static unsigned char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0, k;
    unsigned char *b = malloc(cap);
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0)
        if ((n += k) == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    fclose(f);
    *len = n;
    return b;
}

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p) { return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16; }

/* The embedded images of one file; load them if a context is current. */
static void images(const char *file, int ctx, CUresult (*load)(CUmodule *, const void *),
                   CUresult (*unload)(CUmodule))
{
    size_t len = 0;
    unsigned char *b = slurp(file, &len);
    printf("images in %s:\n", file);
    if (!b) {
        printf("  cannot read it\n");
        return;
    }
    int found = 0;
    for (size_t i = 1; i + 64 <= len; i++) {
        if (!memcmp(b + i, "BC\xc0\xde", 4)) {
            printf("  offset %zu: LLVM bitcode (a JIT image: libomptarget 19 compiles it at run time "
                   "and runs ptxas from PATH)\n", i);
            found++;
            continue;
        }
        if (memcmp(b + i, "\177ELF", 4) || u16(b + i + 18) != 190) /* EM_CUDA */
            continue;
        const unsigned char *h = b + i;
        unsigned abi = h[8], type = u16(h + 16);
        uint32_t flags = u32(h + 48);
        unsigned sm = abi >= 8 ? (flags >> 8) & 0xff : flags & 0xff;
        const char *why = NULL;
        if (h[4] != 2)
            why = "not 64-bit ELF";
        else if (type != 2 && type != 3)
            why = "not an executable (type REL: the object the linker kept, never loaded)";
        else if (!(flags & 0x400))
            why = "\"Invalid CUDA addressing mode\" (flag 0x400 unset)";
        else if ((flags & 0xff) < 35)
            why = "\"Unsupported NVPTX architecture\" (low byte < 35)";
        printf("  offset %zu: CUDA ELF, ABI version %u, type %u, flags 0x%x (sm_%u): %s%s\n", i,
               abi, type, flags, sm, why ? "libomptarget 19 rejects it: " : "libomptarget 19 accepts it",
               why ? why : "");
        found++;
        if (!ctx || !load || (type != 2 && type != 3))
            continue;
        CUmodule m;
        if (report("cuModuleLoadData (as is)", load(&m, h)) && unload)
            unload(m);
        if (abi >= 8) {
            unsigned char *c = malloc(len - i);
            if (!c)
                continue;
            memcpy(c, h, len - i);
            uint32_t v1 = sm | 0x100 | 0x400 | (sm << 16); /* as CUDA 12 writes */
            c[8] = 7;
            memcpy(c + 48, &v1, 4);
            printf("  rewritten to ABI version 7, flags 0x%x:\n", v1);
            if (report("cuModuleLoadData (v7 header)", load(&m, c)) && unload)
                unload(m);
            free(c);
        }
    }
    if (!found)
        printf("  none found\n");
    free(b);
}

int main(int argc, char **argv)
{
    const char *lib = "libcuda.so.1";
    int a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "--lib")) {
        lib = argv[a + 1];
        a += 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    void *h2 = dlopen("libcuda.so", RTLD_NOW | RTLD_LOCAL);
    printf("dlopen(\"libcuda.so\") (libomptarget 19's name): %s\n", h2 ? path_of(h2) : dlerror());
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("dlopen(\"%s\"): %s\nno CUDA driver library: stop\n", lib, dlerror());
        for (int i = a; i < argc; i++)
            images(argv[i], 0, NULL, NULL);
        return 1;
    }
    printf("dlopen(\"%s\"): %s\n", lib, path_of(h));
    p_cuGetErrorName = (CUresult(*)(CUresult, const char **))dlsym(h, "cuGetErrorName");
    p_cuGetErrorString = (CUresult(*)(CUresult, const char **))dlsym(h, "cuGetErrorString");
    CUresult (*cuInit)(unsigned) = (CUresult(*)(unsigned))sym(h, "cuInit");
    CUresult (*cuDriverGetVersion)(int *) = (CUresult(*)(int *))sym(h, "cuDriverGetVersion");
    CUresult (*cuDeviceGetCount)(int *) = (CUresult(*)(int *))sym(h, "cuDeviceGetCount");
    CUresult (*cuDeviceGet)(CUdevice *, int) = (CUresult(*)(CUdevice *, int))sym(h, "cuDeviceGet");
    CUresult (*cuDeviceGetName)(char *, int, CUdevice) =
        (CUresult(*)(char *, int, CUdevice))sym(h, "cuDeviceGetName");
    CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice) =
        (CUresult(*)(int *, int, CUdevice))sym(h, "cuDeviceGetAttribute");
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice) =
        (CUresult(*)(CUcontext *, CUdevice))sym(h, "cuDevicePrimaryCtxRetain");
    CUresult (*cuCtxSetCurrent)(CUcontext) = (CUresult(*)(CUcontext))sym(h, "cuCtxSetCurrent");
    CUresult (*cuMemAlloc)(CUdeviceptr *, size_t) =
        (CUresult(*)(CUdeviceptr *, size_t))sym(h, "cuMemAlloc_v2");
    CUresult (*cuMemFree)(CUdeviceptr) = (CUresult(*)(CUdeviceptr))sym(h, "cuMemFree_v2");
    CUresult (*cuModuleLoadData)(CUmodule *, const void *) =
        (CUresult(*)(CUmodule *, const void *))sym(h, "cuModuleLoadData");
    CUresult (*cuModuleUnload)(CUmodule) = (CUresult(*)(CUmodule))sym(h, "cuModuleUnload");
    CUresult (*cuDevicePrimaryCtxRelease)(CUdevice) =
        (CUresult(*)(CUdevice))dlsym(h, "cuDevicePrimaryCtxRelease_v2");
    int ok = 0, ctx = 0, v = 0, n = 0, ma = 0, mi = 0;
    CUdevice dev = 0;
    CUcontext c = NULL;
    CUdeviceptr p = 0;
    char name[256] = "";
    if (!cuInit || !report("cuInit(0)", cuInit(0)))
        goto files;
    if (cuDriverGetVersion && report("cuDriverGetVersion", cuDriverGetVersion(&v)))
        printf("    driver API %d.%d\n", v / 1000, v % 1000 / 10);
    if (!cuDeviceGetCount || !report("cuDeviceGetCount", cuDeviceGetCount(&n)))
        goto files;
    printf("    %d device%s\n", n, n == 1 ? "" : "s");
    if (n < 1 || !cuDeviceGet || !report("cuDeviceGet(0)", cuDeviceGet(&dev, 0)))
        goto files;
    if (cuDeviceGetName && report("cuDeviceGetName", cuDeviceGetName(name, sizeof name, dev)))
        printf("    %s\n", name);
    /* 75, 76: CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, _MINOR */
    if (cuDeviceGetAttribute && report("cuDeviceGetAttribute(cc)", cuDeviceGetAttribute(&ma, 75, dev)) &&
        cuDeviceGetAttribute(&mi, 76, dev) == 0)
        printf("    compute capability %d.%d\n", ma, mi);
    if (!cuDevicePrimaryCtxRetain || !report("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain(&c, dev)))
        goto files;
    if (!cuCtxSetCurrent || !report("cuCtxSetCurrent", cuCtxSetCurrent(c)))
        goto files;
    ctx = 1;
    if (cuMemAlloc && report("cuMemAlloc(1 MiB)", cuMemAlloc(&p, 1 << 20))) {
        ok = 1;
        if (cuMemFree)
            report("cuMemFree", cuMemFree(p));
    }
files:
    for (int i = a; i < argc; i++)
        images(argv[i], ctx, cuModuleLoadData, cuModuleUnload);
    if (ctx && cuDevicePrimaryCtxRelease)
        cuDevicePrimaryCtxRelease(dev);
    printf("gpu-probe: %s\n", ok ? "a 1 MiB device allocation worked" : "no usable CUDA device");
    return !ok;
}
