#!/bin/sh
# run-fuzz.sh FUZZDIR SECONDS TARGET...: runs each libFuzzer TARGET (built
# in the current directory as ./fuzz_NAME) for SECONDS / (number of
# targets), starting from FUZZDIR/seeds/NAME and FUZZDIR/regressions/NAME
# with FUZZDIR/NAME.dict; the corpus grows in fuzz-out/corpus-NAME, the log
# is fuzz-out/NAME.log.  A finding is saved as fuzz-out/NAME-crash-* (copy it into
# FUZZDIR/regressions/NAME/ once fixed: make check replays it from then on)
# and makes this script fail.  Prints one summary line per target.
set -u
src=$1 seconds=$2
shift 2
each=$((seconds / $#))
[ "$each" -ge 1 ] || each=1
status=0
mkdir -p fuzz-out
for target in "$@"; do
    name=${target#fuzz_}
    mkdir -p "fuzz-out/corpus-$name"
    log=fuzz-out/$name.log
    echo "fuzz: $target for $each s (log: $log)"
    # -timeout: one input taking longer than 30 s is a finding (a hang).
    "./$target" -max_total_time="$each" -timeout=30 -print_final_stats=1 \
        -dict="$src/$name.dict" -artifact_prefix="fuzz-out/$name-" \
        "fuzz-out/corpus-$name" "$src/seeds/$name" "$src/regressions/$name" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1)
    corpus=$(ls "fuzz-out/corpus-$name" | wc -l)
    if [ $rc -eq 0 ]; then
        echo "fuzz: $name: ${runs:-?} inputs in $each s, $cov, $ft, corpus $corpus: no finding"
    else
        echo "fuzz: $name: FINDING (exit $rc) after ${runs:-?} inputs; the end of $log:"
        tail -n 30 "$log"
        ls fuzz-out/"$name"-crash-* fuzz-out/"$name"-timeout-* 2>/dev/null
        status=1
    fi
done
exit $status
