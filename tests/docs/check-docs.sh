#!/bin/sh
# The docs against the code (make check):
#  - every CONT_* variable libcont accepts (libcont/config.c's table) is a row
#    of docs/reference-config.md, and every row there is one it accepts;
#  - every contrun option (contrun/contrun.in's case patterns) is there, and
#    every option listed there exists;
#  - every test docs/guarantees.md names as a proof exists;
#  - every relative link in README.md, BENCHMARKS.md and docs/*.md names a
#    file that exists and, with #anchor, a heading of it.
# Prints what is wrong and exits 1; "docs: OK (...)" otherwise.
top=$(cd "${srcdir:-.}/.." && pwd)
ref=$top/docs/reference-config.md
fail=0
bad() { echo "docs: $*"; fail=1; }

# ---- variables
code_vars=$(sed -n 's/^ *{"\(CONT_[A-Z_]*\)", .*/\1/p' "$top/libcont/config.c" | sort -u)
# the rows above "## Compile-time macros" (macros are not variables)
doc_vars=$(sed '/^## Compile-time macros/,$d' "$ref" |
    sed -n 's/^| `\(CONT_[A-Z_]*\)[`=].*/\1/p; s/^| `--[^|]*| `\(CONT_[A-Z_]*\)[`=].*/\1/p; s/^| *| `\(CONT_[A-Z_]*\)[`=].*/\1/p' |
    sort -u)
[ -n "$code_vars" ] || bad "no CONT_* variable found in libcont/config.c (table format changed?)"
for v in $code_vars; do
    printf '%s\n' "$doc_vars" | grep -qx "$v" || bad "$v is accepted by libcont/config.c but has no row in docs/reference-config.md"
done
for v in $doc_vars; do
    printf '%s\n' "$code_vars" | grep -qx "$v" || bad "$v has a row in docs/reference-config.md but libcont/config.c does not accept it"
done

# ---- contrun options
code_opts=$(sed -n 's/^ *\(--[a-z-]*\)\(=\*\)\{0,1\})[^;]*CONT_.*/\1/p' "$top/contrun/contrun.in" | sort -u)
doc_opts=$(sed -n 's/^| `\(--[a-z-]*\).*/\1/p' "$ref" | sort -u)
[ -n "$code_opts" ] || bad "no option found in contrun/contrun.in (case format changed?)"
for o in $code_opts; do
    printf '%s\n' "$doc_opts" | grep -qx -- "$o" || bad "contrun option $o has no row in docs/reference-config.md"
done
for o in $doc_opts; do
    printf '%s\n' "$code_opts" | grep -qx -- "$o" || bad "docs/reference-config.md lists contrun option $o, which contrun/contrun.in does not take"
done

# ---- tests named in docs/guarantees.md's right-hand column: a path under
# tests/ (globs allowed), a Criterion binary (test_*: tests/*/test_*.c),
# or a test case name (found in tests/, a trailing * as a prefix)
ntests=0
for t in $(sed -n 's/^|.*| \([^|]*\) |$/\1/p' "$top/docs/guarantees.md" | grep -o '`[^` ]*`' | tr -d '`'); do
    [ "$t" = "proved" ] && continue
    ntests=$((ntests + 1))
    case $t in
    tests/* | .ci/*) set -- "$top"/$t ;;
    */* | *.sh) set -- "$top"/tests/$t ;;
    test_*) set -- "$top"/tests/*/"$t.c" ;;
    *[!a-z0-9_*-]*) ntests=$((ntests - 1)); continue ;;   # not a name
    *) grep -rq -- "${t%\*}" "$top/tests" || bad "docs/guarantees.md names test case $t, not found in tests/"
       continue ;;
    esac
    [ -e "$1" ] || bad "docs/guarantees.md names $t: no such test"
done
[ "$ntests" -gt 10 ] || bad "docs/guarantees.md: only $ntests tests named (table format changed?)"

# ---- links
# slug FILE: the GitHub anchors of FILE's headings, one a line
slugs() {
    sed -n 's/^#\{1,6\} \(.*\)/\1/p' "$1" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}
nlinks=0
for f in "$top/README.md" "$top/BENCHMARKS.md" "$top"/docs/*.md; do
    [ -f "$f" ] || continue
    dir=$(dirname "$f")
    for l in $(grep -o '](\([^)( ]*\))' "$f" | sed 's/^](//; s/)$//'); do
        case $l in http://* | https://* | mailto:*) continue ;; esac
        nlinks=$((nlinks + 1))
        path=${l%%#*} anchor=
        case $l in *'#'*) anchor=${l#*#} ;; esac
        target=$f
        if [ -n "$path" ]; then
            target=$dir/$path
            # outside the repository (../shared/...): only when it is there
            case $(cd "$(dirname "$target")" 2>/dev/null && pwd) in
                "$top"*) ;;
                *) continue ;;
            esac
            [ -e "$target" ] || { bad "${f#$top/}: link to $l: no such file"; continue; }
        fi
        if [ -n "$anchor" ] && [ -f "$target" ]; then
            slugs "$target" | grep -qx -- "$anchor" ||
                bad "${f#$top/}: link to $l: no heading with that anchor"
        fi
    done
done

[ $fail -eq 0 ] && echo "docs: OK ($(printf '%s\n' "$code_vars" | wc -l) variables, $(printf '%s\n' "$code_opts" | wc -l) contrun options, $ntests tests named, $nlinks links)"
exit $fail
