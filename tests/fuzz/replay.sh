#!/bin/sh
# Replays the fuzz seed corpora and every past finding (tests/fuzz/seeds/,
# tests/fuzz/regressions/) through both targets, built without libFuzzer.
# TARGETS (default: "config launcher") picks which.
dir=${srcdir:-.}/fuzz
status=0
for t in ${TARGETS:-config launcher}; do
    set --
    for f in "$dir/seeds/$t"/* "$dir/regressions/$t"/*; do
        case $f in */README*) continue ;; esac
        [ -f "$f" ] && set -- "$@" "$f"
    done
    [ $# -gt 0 ] || { echo "replay: no inputs for $t in $dir" >&2; status=1; continue; }
    ./fuzz_${t}_replay "$@" || status=1
done
exit $status
