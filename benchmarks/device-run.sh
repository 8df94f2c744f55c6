#!/bin/sh
# device-run.sh: the libcont benchmarks on a many-core node (16 cores, an
# NVIDIA GPU), from the bundle made by benchmarks/device-bundle, with no MPICH
# or LLVM installed there.  Run from anywhere: sh _device/device-run.sh
# Writes $OUT/device.json (JSON records, one per line), $OUT/machine.txt,
# $OUT/probe.txt (the GPU probe) and $OUT/log.txt.  Total wall time stays
# under DEVICE_BUDGET seconds (default 420): every step has its own timeout,
# cut to the time left, so a hang loses only that step.  Order: the GPU
# probe, halo3d-offload on the GPU, the real codes (bench-tasks, the
# wavefront, bench6's heat solver if bundled, libomp's assertions in halo2d
# detach at 16x1), then the rest.  DEVICE_TINY=1: tiny sizes (to test the
# bundle); DEVICE_SECTIONS: which of "probe gpu real rest" to run (default
# all; gpu needs probe); DEVICE_CORES: the layouts' core count (default
# nproc).
B=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
json=$OUT/device.json log=$OUT/log.txt probe=$OUT/probe.txt
: >"$json"
: >"$log"
start=$(date +%s)
tmp=$(mktemp -d /tmp/device-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
budget=${DEVICE_BUDGET:-420}
tiny=${DEVICE_TINY:-}
sections=${DEVICE_SECTIONS:-probe gpu real rest}

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
# libomptarget's JIT (halo3d-offload-jit) runs ptxas from PATH: the
# machine's own (it matches the driver), else the bundle's.
if ! command -v ptxas >/dev/null 2>&1; then
    for d in /usr/local/cuda/bin /usr/local/cuda-*/bin "$B/lib/cuda"; do
        [ -x "$d/ptxas" ] && { PATH="$PATH:$d"; break; }
    done
fi
echo "ptxas: $(command -v ptxas || echo not found)" >>"$log"

# left: seconds of the budget left.
left() { echo $((budget - ($(date +%s) - start))); }

# capture SECONDS CMD...: run with a timeout cut to the budget left; the output
# goes to stdout and the log.
capture() {
    t=$1
    shift
    [ "$t" -gt "$(left)" ] && t=$(left)
    if [ "$t" -lt 3 ]; then echo "skipped (out of time): $*" >>"$log"; return 1; fi
    echo "== $* (timeout $t s, at $(($(date +%s) - start)) s)" >>"$log"
    timeout -k 2 "$t" "$@" 2>>"$log" | tee -a "$log"
}

# step SECONDS CMD...: capture, keeping the records.
step() {
    capture "$@" | grep '^{"bench"' >>"$json"
}

# samplep BENCH VARIANT CFG UNIT SED REPS SECONDS CMD...: CMD run REPS
# times; the number SED prints from each run's output becomes one record
# (median, min, max; "runs": the runs tried, "reps": those that gave one).
# $extra: more JSON fields (", ..."), if set.
samplep() {
    bench=$1 variant=$2 cfg=$3 unit=$4 sed=$5 reps=$6 t=$7
    shift 7
    i=0
    vals=
    while [ $i -lt "$reps" ]; do
        tt=$t
        [ "$tt" -gt "$(left)" ] && tt=$(left)
        [ "$tt" -lt 3 ] && { echo "skipped (out of time): $*" >>"$log"; break; }
        i=$((i + 1))
        echo "== $* (timeout $tt s, at $(($(date +%s) - start)) s)" >>"$log"
        v=$(timeout -k 2 "$tt" "$@" 2>>"$log" | tee -a "$log" | sed -n "$sed")
        vals="$vals $v"
    done
    printf '%s\n' $vals | awk -f "$B/median.awk" -v bench="$bench" -v variant="$variant" \
        -v cfg="$cfg" -v unit="$unit" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
        -v extra=", \"runs\": $i${extra:-}" >>"$json"
}

# sample BENCH VARIANT CFG REPS SECONDS CMD...: a sample program's
# "N updates/s".
sample() {
    b_=$1 v_=$2 c_=$3
    shift 3
    samplep "$b_" "$v_" "$c_" updates/s 's/.* \([0-9.e+]*\) updates\/s.*/\1/p' "$@"
}

{
    echo "# device run $(date -u +%Y-%m-%dT%H:%MZ)"
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|NUMA node\(s\))'
    echo "nproc: $(nproc)"
    echo "kernel: $(uname -r)"   # gVisor says 4.4.0
    timeout 10 nvidia-smi -L 2>&1 || echo "nvidia-smi: not available"
    timeout 10 nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | sed 's/^/driver: /'
    echo "MPI: MPICH $("$B/bin/mpiexec.hydra" --version 2>/dev/null | sed -n 's/^ *Version: *//p' | head -1) (bundled)"
} >"$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt" >>"$log"

MPIEXEC="mpiexec.hydra -launcher fork"
q=--quick
cores=${DEVICE_CORES:-$(nproc)}
[ -n "$tiny" ] && q="--quick --reps 1 --iters 200"
# section NAME: whether to run it; the previous one's time goes to the log.
sect=
t_sect=$start
section() {
    [ -n "$sect" ] && echo "section $sect: $(($(date +%s) - t_sect)) s" >>"$log"
    sect=
    case " $sections " in *" $1 "*) ;; *) return 1 ;; esac
    sect=$1 t_sect=$(date +%s)
}

# 1. The GPU probe (probe.txt): the driver API step by step, the embedded
# device images and whether libomptarget 19 takes them, libomptarget's
# own view (LIBOMPTARGET_INFO; LIBOMPTARGET_DEBUG prints only in a debug
# build of it), and which libraries it loads (LD_DEBUG=libs: a CUDA plugin
# that initialises opens libcuda.so).  Then which halo3d-offload build
# sees the GPU: the cubin one, else the JIT one.
# ldfilter: LD_DEBUG=libs output without the search steps.
ldfilter() {
    grep -v -E 'trying file=|search path=|search cache=|calling fini:|^ *[0-9]+:[[:space:]]*$' | head -120
}
h3=
if section probe; then
    if [ -x "$B/bin/gpu-probe" ] && [ "$(left)" -ge 60 ]; then
        {
            echo "# GPU probe $(date -u +%Y-%m-%dT%H:%MZ)"
            echo "kernel: $(uname -r) $(uname -v)"
            echo "libcuda.so.1: ${cudalib:-not found}${cudalib:+ -> $(readlink -f "$cudalib")}"
            ls -l /dev/nvidia* 2>&1 | head -8
            echo "ptxas: $(command -v ptxas || echo not found) $(timeout 10 ptxas --version 2>&1 | tail -1)"
            echo "== libomptarget in the bundle"
            ls "$B/lib" | grep -E '^(libomptarget|libcuda|cuda$)' | tr '\n' ' '
            echo
            for f in "$B"/lib/libomptarget.so* "$B"/lib/libomptarget.rtl.*; do
                [ -f "$f" ] && [ ! -L "$f" ] || continue
                cu=no x86=no
                grep -q -a 'Error in cuInit' "$f" && cu=yes
                grep -q -a 'x86_64 fatal error' "$f" && x86=yes
                echo "$(basename "$f"): CUDA plugin inside: $cu, x86_64 host plugin inside: $x86"
                ldd "$f" 2>&1 | sed 's/^/    /'
            done
            echo "== gpu-probe"
            timeout -k 2 20 gpu-probe "$B/bin/omp-offload-check" "$B/bin/omp-offload-check-jit" 2>&1
            echo "gpu-probe: exit $?"
            for v in "" -jit; do
                c=$B/bin/omp-offload-check$v
                [ -x "$c" ] || continue
                echo "== omp-offload-check$v, LIBOMPTARGET_INFO=-1 LIBOMPTARGET_DEBUG=1 LD_DEBUG=libs"
                LIBOMPTARGET_INFO=-1 LIBOMPTARGET_DEBUG=1 LD_DEBUG=libs timeout -k 2 20 "$c" >"$tmp/c" 2>&1
                rc=$?
                ldfilter <"$tmp/c"
                echo "omp-offload-check$v: exit $rc"
                echo "== omp-offload-check$v, OMP_TARGET_OFFLOAD=MANDATORY"
                OMP_TARGET_OFFLOAD=MANDATORY timeout -k 2 20 "$c" >"$tmp/c" 2>&1
                rc=$?
                cat "$tmp/c"
                echo "omp-offload-check$v: exit $rc"
                n=$(sed -n 's/^\([0-9][0-9]*\) offload devices$/\1/p' "$tmp/c")
                if [ -z "$h3" ] && [ $rc -eq 0 ] && [ "${n:-0}" -ge 1 ]; then
                    h3=halo3d-offload$v
                fi
            done
            echo "== halo3d-offload build for the GPU rows: ${h3:-none (no build ran a target region on a device)}"
        } >"$probe" 2>&1
        cat "$probe" >>"$log"
    else
        echo "gpu probe: no gpu-probe in the bundle (or no time): skipped" | tee "$probe" >>"$log"
    fi
fi

# 2. halo3d-offload on the GPU (one rank per GPU; 2 ranks share it): first
# checked bit for bit against a serial CPU run, then timed.  "build" says
# which: "cubin" (halo3d-offload) or "jit" (halo3d-offload-jit).
if section gpu; then
    if [ -n "$h3" ] && timeout 10 nvidia-smi -L >/dev/null 2>&1; then
        build=cubin
        [ "$h3" = halo3d-offload-jit ] && build=jit
        OMP_NUM_THREADS=$cores step 40 $MPIEXEC -n 1 "$h3" --variant detach --n 96 --iters 10 --check
        n3=384 it3=20
        [ -n "$tiny" ] && n3=64 it3=4
        # only runs that used the device count (not "host (no offload device)")
        gpat='s/.* [0-9][0-9]* offload devices*, .* \([0-9.e+]*\) updates\/s.*/\1/p'
        extra=", \"build\": \"$build\""
        for r in 1 2; do
            for v in bsp tasks detach; do
                OMP_NUM_THREADS=$((cores / r)) samplep halo3d "$v" "${r} ranks n=$n3" updates/s \
                    "$gpat" 3 25 $MPIEXEC -n "$r" "$h3" --variant "$v" --n "$n3" --iters "$it3"
            done
        done
        extra=
    else
        echo "halo3d-offload: no GPU, or no build of it ran on one (probe.txt): skipped" >>"$log"
    fi
fi

# 3. Real codes (benchmarks/real-codes on this node's layouts).
if section real; then
    # bench-tasks: ns per task plain, under contrun, under contrun with the
    # task pause off (no task hook); 1 rank x cores threads and x 1 thread.
    nt=100000 reps=3
    [ -n "$tiny" ] && nt=20000 reps=1
    for th in "$cores" 1; do
        for mode in plain contrun off; do
            case $mode in
            plain) set -- bench-tasks "$nt" ;;
            contrun) set -- contrun bench-tasks "$nt" ;;
            off) set -- env CONT_TASK_PAUSE=off contrun bench-tasks "$nt" ;;
            esac
            vm=$mode
            [ $mode = off ] && vm=contrun-pause-off
            : >"$tmp/t"
            i=0
            while [ $i -lt $reps ]; do
                i=$((i + 1))
                OMP_NUM_THREADS=$th capture 30 $MPIEXEC -n 1 "$@" >>"$tmp/t"
            done
            for kind in empty chain work; do
                sed -n "s/^bench-tasks: $kind .* \([0-9.]*\) ns per task$/\1/p" "$tmp/t" |
                    awk -f "$B/median.awk" -v bench=tasks -v variant="$vm" -v cfg="$kind, 1x$th" \
                        -v unit=ns -v load="$(cut -d' ' -f1 /proc/loadavg)" -v extra=", \"runs\": $i" >>"$json"
            done
        done
    done

    # The wavefront (blocking MPI_Send/Recv in dependent tasks, unmodified)
    # under contrun at 16x1, 4x4, 1x16 (scaled to the cores), against the
    # same computation with plain MPI (--plain) on one rank per core; only
    # runs whose result matches the serial sweep count.
    wa="4096 4096 128 20" wc="4096x4096 block 128, 20 steps"
    [ -n "$tiny" ] && wa="512 512 16 4" wc="512x512 block 16, 4 steps"
    okpat='s/^wavefront: OK: .* \([0-9.e+]*\) updates\/s$/\1/p'
    for rt in "$cores:1" "4:$((cores / 4))" "1:$cores"; do
        r=${rt%:*} th=${rt#*:}
        [ "$th" -ge 1 ] || continue
        OMP_NUM_THREADS=$th samplep wavefront "contrun-${r}x$th" "$wc" updates/s "$okpat" $reps 30 \
            $MPIEXEC -n "$r" contrun wavefront $wa
    done
    samplep wavefront "plain-${cores}x1" "$wc" updates/s "$okpat" $reps 30 \
        $MPIEXEC -n "$cores" wavefront --plain $wa

    # bench6's heat solver (blocking MPI in dependent tasks, MPI_THREAD_SINGLE
    # asked) under contrun at 4x4, 16x1, 2x8, 1x16 (scaled), its image compared
    # byte for byte with b6_heat_seq's.  One run each; seconds: the solver's
    # own time (first number of its result line), "wall": the whole run.
    # heat VARIANT CMD...: one run writing $hd/out; record its time and image.
    heat() {
        hv=$1
        shift
        tt=60
        [ "$tt" -gt "$(left)" ] && tt=$(left)
        [ "$tt" -lt 3 ] && { echo "skipped (out of time): $*" >>"$log"; return 1; }
        echo "== $* (timeout $tt s, at $(($(date +%s) - start)) s)" >>"$log"
        rm -f "$hd/out"
        t0=$(date +%s.%N)
        timeout -k 2 "$tt" "$@" -o "$hd/out" >"$hd/log" 2>&1
        rc=$?
        t1=$(date +%s.%N)
        cat "$hd/log" >>"$log"
        s=$(awk '$NF ~ /^b6_heat/ && $1 ~ /^[0-9.e+-]+$/ { print $1 }' "$hd/log" | tail -1)
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then img="timeout"
        elif [ $rc -ne 0 ]; then img="failed (exit $rc)"
        elif [ ! -s "$hd/out" ]; then img="no image"
        elif [ "$hv" = seq ]; then img="reference"; mv "$hd/out" "$hd/ref"
        elif cmp -s "$hd/ref" "$hd/out"; then img="same"
        else img="differs"
        fi
        awk -v b="$hv" -v c="$ha" -v s="${s:-}" -v t0="$t0" -v t1="$t1" -v i="$img" \
            -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
            w = t1 - t0; m = s == "" ? w : s
            printf "{\"bench\": \"heat\", \"variant\": \"%s\", \"param\": \"config\", \"value\": \"%s\", " \
                   "\"unit\": \"s\", \"median\": %.4g, \"min\": %.4g, \"max\": %.4g, \"reps\": 1, " \
                   "\"load\": %s, \"wall\": %.3f, \"image\": \"%s\"}\n", b, c, m, m, m, l, w, i }' >>"$json"
    }
    if [ -x "$B/bin/b6_heat_seq" ] && [ -x "$B/bin/b6_heat_mpi_omp" ]; then
        ha="-s 2048 -b 128 -t 300"
        [ -n "$tiny" ] && ha="-s 512 -b 32 -t 20"
        hd=$tmp/heat
        mkdir -p "$hd"
        heat seq b6_heat_seq $ha
        if [ -s "$hd/ref" ]; then
            for rt in "4:$((cores / 4))" "$cores:1" "2:$((cores / 2))" "1:$cores"; do
                r=${rt%:*} th=${rt#*:}
                [ "$th" -ge 1 ] || continue
                OMP_NUM_THREADS=$th heat "contrun-${r}x$th" $MPIEXEC -n "$r" contrun b6_heat_mpi_omp $ha
            done
        fi
    else
        echo "bench6 heat: not in the bundle (BENCH6_DIR unset at device-bundle): skipped" >>"$log"
    fi

    # libomp 19's assertions (README: one-thread teams whose detach events
    # another thread fulfils): halo2d detach at cores x 1 thread, 10 runs
    # (10 s each: a pass takes about 2); each passes, ends in one of the two
    # known assertions, hangs, or fails otherwise.
    n=8192 iters=20 runs=10
    [ -n "$tiny" ] && n=256 iters=4 runs=3
    pass=0 children=0 taskteam=0 other=0 hang=0 i=0
    while [ $i -lt $runs ]; do
        tt=10
        [ "$tt" -gt "$(left)" ] && tt=$(left)
        [ "$tt" -lt 3 ] && { echo "skipped (out of time): halo2d detach runs" >>"$log"; break; }
        i=$((i + 1))
        echo "== halo2d --variant detach, ${cores}x1, run $i (timeout $tt s, at $(($(date +%s) - start)) s)" >>"$log"
        o=$(OMP_NUM_THREADS=1 timeout -k 2 "$tt" $MPIEXEC -n "$cores" halo2d --variant detach --n $n \
            --tile 512 --iters $iters 2>&1)
        rc=$?
        printf '%s\n' "$o" | tail -5 >>"$log"
        if [ $rc -eq 0 ] && printf '%s\n' "$o" | grep -q 'updates/s'; then pass=$((pass + 1))
        elif printf '%s\n' "$o" | grep -q 'kmp_tasking.cpp.*children >= 0'; then children=$((children + 1))
        elif printf '%s\n' "$o" | grep -q 'kmp_tasking.cpp.*task_team != NULL'; then taskteam=$((taskteam + 1))
        elif [ $rc -eq 124 ] || [ $rc -eq 137 ] || printf '%s\n' "$o" | grep -q 'APPLICATION TIMED OUT'; then
            hang=$((hang + 1))
        else other=$((other + 1))
        fi
    done
    {
        printf '{"bench": "libomp-asserts", "variant": "halo2d detach", "param": "config", '
        printf '"value": "%sx1 n=%s tile=512", "unit": "runs", "runs": %d, "pass": %d, ' \
            "$cores" $n $i $pass
        printf '"children": %d, "task_team": %d, "hang": %d, "other": %d, "load": %s}\n' \
            $children $taskteam $hang $other "$(cut -d' ' -f1 /proc/loadavg)"
    } | tee -a "$log" >>"$json"
fi

# 4. The rest: scaling with cores, halo2d on 16 cores, then the
# small-machine benchmarks again.
if section rest; then
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
fi
section end

echo "done in $(($(date +%s) - start)) s, $(wc -l <"$json") records" | tee -a "$log"
