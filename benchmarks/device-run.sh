#!/bin/sh
# device-run.sh: the libcont benchmarks on a many-core node (16 cores, an
# NVIDIA GPU), from the bundle made by benchmarks/device-bundle, with no MPICH
# or LLVM installed there.  Run from anywhere: sh _device/device-run.sh
# Writes $OUT/device.json (JSON records, one per line), $OUT/machine.txt and
# $OUT/log.txt.  Total wall time stays under DEVICE_BUDGET seconds (default
# 140): every step has its own timeout, cut to the time left, so a hang
# loses only that step.  DEVICE_TINY=1: tiny sizes (to test the bundle).
B=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
json=$OUT/device.json log=$OUT/log.txt
: >"$json"
: >"$log"
start=$(date +%s)
budget=${DEVICE_BUDGET:-140}
tiny=${DEVICE_TINY:-}

export PATH="$B/bin:$PATH" LD_LIBRARY_PATH="$B/lib" UCX_MODULE_DIR="$B/lib/ucx"
export MPIEXEC_TIMEOUT=60 CONT_VERBOSE=0 HYDRA_LAUNCHER=fork
if [ ! -f "$B/lib/.unpacked" ]; then
    "$B/bin/xz" -dc "$B/lib.tar.xz" | tar -xf - -C "$B/lib" && touch "$B/lib/.unpacked"
fi

# libomptarget's CUDA plugin dlopens "libcuda.so", which a driver-only
# machine may lack (it has libcuda.so.1): link it into the bundle.
cudalib=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 / { print $NF; exit }')
for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64; do
    [ -z "$cudalib" ] && [ -e "$d/libcuda.so.1" ] && cudalib=$d/libcuda.so.1
done
[ -n "$cudalib" ] && ln -sf "$cudalib" "$B/lib/libcuda.so"
echo "libcuda: ${cudalib:-not found}" >>"$log"

# step SECONDS CMD...: run with a timeout cut to the budget left; keep records.
step() {
    left=$((budget - ($(date +%s) - start)))
    t=$1
    shift
    [ "$t" -gt "$left" ] && t=$left
    if [ "$t" -lt 3 ]; then echo "skipped (out of time): $*" >>"$log"; return 1; fi
    echo "== $* (timeout $t s)" >>"$log"
    timeout -k 2 "$t" "$@" 2>>"$log" | tee -a "$log" | grep '^{"bench"' >>"$json"
    rc=$?
    return $rc
}

# sample BENCH VARIANT CFG REPS SECONDS CMD...: a sample program run REPS
# times; its "N updates/s" becomes one record (median, min, max).
sample() {
    bench=$1 variant=$2 cfg=$3 reps=$4 t=$5
    shift 5
    i=0
    vals=
    while [ $i -lt "$reps" ]; do
        i=$((i + 1))
        left=$((budget - ($(date +%s) - start)))
        tt=$t
        [ "$tt" -gt "$left" ] && tt=$left
        [ "$tt" -lt 3 ] && { echo "skipped (out of time): $*" >>"$log"; break; }
        echo "== $* (timeout $tt s)" >>"$log"
        v=$(timeout -k 2 "$tt" "$@" 2>>"$log" | tee -a "$log" | sed -n 's/.* \([0-9.e+]*\) updates\/s.*/\1/p')
        vals="$vals $v"
    done
    printf '%s\n' $vals | awk -f "$B/median.awk" -v bench="$bench" -v variant="$variant" \
        -v cfg="$cfg" -v unit=updates/s -v load="$(cut -d' ' -f1 /proc/loadavg)" -v extra= >>"$json"
}

{
    echo "# device run $(date -u +%Y-%m-%dT%H:%MZ)"
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|NUMA node\(s\))'
    echo "nproc: $(nproc)"
    timeout 10 nvidia-smi -L 2>&1 || echo "nvidia-smi: not available"
    echo "MPI: MPICH $("$B/bin/mpiexec.hydra" --version 2>/dev/null | sed -n 's/^ *Version: *//p' | head -1) (bundled)"
} >"$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt" >>"$log"

MPIEXEC="mpiexec.hydra -launcher fork"
q=--quick
cores=$(nproc)
[ -n "$tiny" ] && q="--quick --reps 1 --iters 200"
# Ordered by what only this machine can tell (a run cut short by its
# budget still brings those back): the GPU, scaling with cores, halo2d on
# 16 cores, then the small-machine benchmarks again.
# First the offload sample, checked bit for bit against a serial CPU run on
# the GPU, then timed: the rows only a GPU node can give.
# halo3d-offload on the GPU (one rank per GPU; 2 ranks share it).
if [ -x "$B/bin/halo3d-offload" ] && timeout 10 nvidia-smi -L >/dev/null 2>&1; then
    OMP_NUM_THREADS=$cores step 40 $MPIEXEC -n 1 halo3d-offload --variant detach --n 96 --iters 10 --check
    n3=384 it3=20
    [ -n "$tiny" ] && n3=64 it3=4
    for r in 1 2; do
        for v in bsp tasks detach; do
            OMP_NUM_THREADS=$((cores / r)) sample halo3d "$v" "${r} ranks n=$n3" 3 25 \
                $MPIEXEC -n "$r" halo3d-offload --variant "$v" --n "$n3" --iters "$it3"
        done
    done
else
    echo "halo3d-offload: no GPU or no NVIDIA build: skipped" >>"$log"
fi

step 30 bench-scale $q
step 20 bench-register $q --threads "$cores"

# halo2d: 1x16, 4x4, 16x1 ranks x threads (scaled to the cores present).
n=8192 iters=20 reps=3
[ -n "$tiny" ] && n=256 iters=4 reps=1
for rt in "1:$cores" "4:$((cores / 4))" "$cores:1"; do
    r=${rt%:*} th=${rt#*:}
    [ "$th" -ge 1 ] || continue
    for v in bsp tasks detach; do
        OMP_NUM_THREADS=$th sample halo "$v" "${r}x$th n=$n tile=512" $reps 20 \
            $MPIEXEC -n "$r" halo2d --variant "$v" --n "$n" --tile 512 --iters "$iters"
    done
    OMP_NUM_THREADS=$th sample halo contrun-tasks "${r}x$th n=$n tile=512" $reps 20 \
        $MPIEXEC -n "$r" contrun halo2d --variant tasks --n "$n" --tile 512 --iters "$iters"
done

step 20 bench-overhead $q
OMP_NUM_THREADS=1 step 40 $MPIEXEC -n 2 bench-latency $q --variants wait,cont-chain,omp-detach
OMP_NUM_THREADS=1 step 20 $MPIEXEC -n 2 contrun bench-latency $q --variants tasks --label contrun-
MPIR_CVAR_ASYNC_PROGRESS=1 CONT_PROGRESS_THREAD=off OMP_NUM_THREADS=1 \
    step 20 $MPIEXEC -n 2 bench-latency $q --variants wait --label mpich-async-
OMP_NUM_THREADS=1 step 15 bench-hop $q
step 10 bench-idle --reps 1 --iters 1000
MPIR_CVAR_ASYNC_PROGRESS=1 CONT_PROGRESS_THREAD=off step 10 bench-idle --reps 1 --iters 1000 --label mpich-async-

echo "done in $(($(date +%s) - start)) s, $(wc -l <"$json") records" | tee -a "$log"
