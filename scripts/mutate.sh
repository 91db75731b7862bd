#!/usr/bin/env bash
# mutate.sh: does the test suite catch the bugs it claims to?  (`make mutate`)
#
#   scripts/mutate.sh [-j N] [--check | --table] [--list FILE] [NAME...]
#
# For each mutation of mutations/list (or only those NAMEd): copy the tree (the files git
# knows, tracked or not ignored) into build/mutate/, plant the mutation (each original
# snippet must occur exactly once, or the run stops before building anything), build, run
# the whole suite under Wine (scripts/run-tests.sh, the driver of tests/main.c) and record
# which tests failed: the driver prints each failure the way Check does,
# file:line:F:case:test:iteration: message (E for an error, a hang or a crash included).
# Then a table: each mutation killed by which tests, or SURVIVED, or BUILD-FAILED / ERROR
# (not run: the list needs fixing; never counted as a kill), and the kill ratio.
#
# Exit status: 0 only if every mutation not marked `equivalent:` was killed and none
# failed to build or run.  First the unmutated tree is built and run: it must pass, or the
# kills would mean nothing.  --check only checks the list against the code (a second);
# --table prints the table of the last run again, from build/mutate/m/*.result.
#
# -j N runs N mutations at once, each with its own copy and its own Wine prefix
# (build/mutate/wineprefix-<slot>; the first use of each creates it, ~10 s and ~700 MB).
# Default 1: the suite has timing-sensitive tests (contention must overlap) and two suites
# at once on two cores slow each other down.  Per-test limits are Check's, times
# MUTATE_TIMEOUT_MULTIPLIER (default 0.4: a mutant that hangs a test costs minutes less).
# The last table is written to build/mutate/table.md.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
list=$top/mutations/list
jobs=1
check_only=0
table_only=0
only=()
while [ $# -gt 0 ]; do
    case "$1" in
        -j) jobs=$2; shift 2 ;;
        -j*) jobs=${1#-j}; shift ;;
        --check) check_only=1; shift ;;
        --table) table_only=1; shift ;;
        --list) list=$2; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        -*) echo "mutate: unknown option $1" >&2; exit 2 ;;
        *) only+=("$1"); shift ;;
    esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "mutate: -j wants a positive number" >&2; exit 2; }
work=$top/build/mutate
spec=$work/spec
die() { echo "mutate: error: $*" >&2; exit 2; }

# ---- 1. read the list into $spec/<n>/: name, why, expect, equivalent, hunk<k>.{file,orig,repl}
rm -rf "$spec" && mkdir -p "$spec" || die "cannot make $spec"
n=0; state=out; hunk=0; file=""; lineno=0; names=()
dir=""
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $state in
        orig|repl)
            case "$line" in
                "@@ replacement")
                    [ $state = orig ] || die "$list:$lineno: '@@ replacement' twice"
                    state=repl ;;
                "@@ end")
                    [ $state = repl ] || die "$list:$lineno: '@@ end' before '@@ replacement'"
                    state=out ;;
                "@@ "*) die "$list:$lineno: unexpected '$line' inside a snippet" ;;
                *) printf '%s\n' "$line" >> "$dir/hunk$hunk.$state" ;;
            esac
            continue ;;
    esac
    case "$line" in
        ""|"#"*) ;;
        "mutation: "*)
            n=$((n + 1)); hunk=0; file=""
            dir=$spec/$n; mkdir -p "$dir"
            name=${line#mutation: }
            [[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "$list:$lineno: bad mutation name '$name'"
            for other in "${names[@]}"; do
                [ "$other" != "$name" ] || die "$list:$lineno: mutation '$name' listed twice"
            done
            names+=("$name")
            printf '%s' "$name" > "$dir/name"; : > "$dir/why"; : > "$dir/expect" ;;
        "why: "*|"expect: "*|"equivalent: "*|"file: "*)
            [ $n -gt 0 ] || die "$list:$lineno: '$line' before any 'mutation:'"
            key=${line%%: *}; val=${line#*: }
            if [ "$key" = file ]; then
                file=$val
                [ -f "$top/$file" ] || die "$list:$lineno: no file $file"
            else
                printf '%s' "$val" > "$dir/$key"
            fi ;;
        "@@ original")
            [ $n -gt 0 ] && [ -n "$file" ] || die "$list:$lineno: a snippet needs 'mutation:' and 'file:' first"
            hunk=$((hunk + 1)); state=orig
            printf '%s' "$file" > "$dir/hunk$hunk.file"
            : > "$dir/hunk$hunk.orig"; : > "$dir/hunk$hunk.repl" ;;
        *) die "$list:$lineno: cannot read '$line'" ;;
    esac
done < "$list"
[ $state = out ] || die "$list: ends inside a snippet"
[ $n -gt 0 ] || die "$list holds no mutation"
for ((i = 1; i <= n; i++)); do
    [ -f "$spec/$i/hunk1.file" ] || die "mutation '$(cat "$spec/$i/name")' has no snippet"
    [ -s "$spec/$i/hunk1.orig" ] || die "mutation '$(cat "$spec/$i/name")' has an empty original"
done

# apply ROOT N: plants mutation N into the tree at ROOT (or, with ROOT=-, only checks that
# every original occurs exactly once in the worktree).  Says why and fails otherwise.
apply() {
    local root=$1 d=$spec/$2 h f
    for h in "$d"/hunk*.file; do
        h=${h%.file}; f=$(cat "$h.file")
        perl -e '
            my ($target, $orig, $repl, $write, $what) = @ARGV;
            sub slurp { local $/; open(my $fh, "<", $_[0]) or die "$_[0]: $!\n"; my $s = <$fh>; $s }
            my ($text, $o, $r) = (slurp($target), slurp($orig), slurp($repl));
            chomp $o; chomp $r;
            my ($count, $at, $pos) = (0, -1, 0);
            while (($pos = index($text, $o, $pos)) >= 0) { $count++; $at = $pos; $pos++; }
            if ($count != 1) {
                print STDERR "mutate: error: $what: its original snippet occurs $count times in ",
                    "the file, not once:\n$o\n";
                exit 1;
            }
            exit 0 unless $write;
            substr($text, $at, length $o) = $r;
            open(my $fh, ">", $target) or die "$target: $!\n";
            print $fh $text;
            close $fh or die "$target: $!\n";
        ' "${root/#-/$top}/$f" "$h.orig" "$h.repl" "$([ "$root" = - ] && echo 0 || echo 1)" \
            "mutation '$(cat "$d/name")' (${h##*/}, $f)" || return 1
    done
}

selected=()
for ((i = 1; i <= n; i++)); do
    name=$(cat "$spec/$i/name")
    apply - "$i" || exit 2
    if [ ${#only[@]} -eq 0 ]; then
        selected+=("$i")
    else
        for o in "${only[@]}"; do [ "$o" = "$name" ] && selected+=("$i"); done
    fi
done
for o in "${only[@]}"; do
    printf '%s\n' "${names[@]}" | grep -qx -- "$o" || die "no mutation named '$o' in $list"
done
if [ $check_only -eq 1 ]; then
    echo "mutate: $n mutations in ${list#"$top"/}, every original snippet found exactly once"
    exit 0
fi

start_all=$(date +%s)
if [ $table_only -eq 0 ]; then
# ---- 2. the unmutated copy, built once; each mutant starts from a copy of it ------------
deps=$(readlink -f "$top/build/deps") || die "build/deps is missing (make deps)"
base=$work/base
echo "mutate: ${#selected[@]} of $n mutations, $jobs at a time; copies in ${work#"$top"/}/"
rm -rf "$base" "$work/m" && mkdir -p "$base/build" "$work/m" || die "cannot make $base"
(cd "$top" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf -) | tar -xf - -C "$base" || die "copying the tree failed"
ln -s "$deps" "$base/build/deps"
echo "mutate: building the unmutated tree"
make -C "$base" -j2 all > "$work/base-build.log" 2>&1 \
    || { tail -20 "$work/base-build.log"; die "the unmutated tree does not build"; }

export CK_TIMEOUT_MULTIPLIER=${MUTATE_TIMEOUT_MULTIPLIER:-0.4}
export MEMSCOPE_TEST_TIMEOUT=${MUTATE_RUN_TIMEOUT:-900}
unset CK_RUN_SUITE CK_RUN_CASE

# suite ROOT SLOT LOG: runs the suite of the tree at ROOT; prints the failing tests' names.
suite() {
    local root=$1 slot=$2 log=$3 rc
    MEMSCOPE_WINEPREFIX=$work/wineprefix-$slot "$root/scripts/run-tests.sh" x86_64 > "$log" 2>&1
    rc=$?
    tr -d '\r' < "$log" | sed -nE 's/^[^:]+:[0-9]+:[FE]:[^:]*:([^:]+):-?[0-9]+:.*/\1/p' \
        | sort -u | tr '\n' ' ' | sed 's/ $//'
    return $rc
}

t0=$(date +%s)
base_failed=$(suite "$base" 1 "$work/base-run.log"); base_rc=$?
if [ $base_rc -ne 0 ] || [ -n "$base_failed" ]; then
    tail -30 "$work/base-run.log"
    die "the unmutated tree fails its own suite (rc $base_rc: ${base_failed:-no test named}): fix that first"
fi
echo "mutate: the unmutated tree passes ($(tail -1 "$work/base-run.log" | tr -d '\r'), $(( $(date +%s) - t0 )) s)"

# ---- 3. the mutants ----------------------------------------------------------------------
# run_one N SLOT: writes $work/m/<name>/result: "STATUS<TAB>KILLERS<TAB>SECONDS".
run_one() {
    local i=$1 slot=$2 name d status killers rc t
    name=$(cat "$spec/$i/name"); d=$work/m/$name; t=$(date +%s)
    rm -rf "$d" && cp -a "$base" "$d" && rm -rf "$d/build/x86_64/test-results"
    if ! apply "$d" "$i" 2> "$d.apply.log"; then
        status=ERROR; killers="the mutation did not apply: $(head -1 "$d.apply.log")"
    elif ! make -C "$d" -j2 all > "$d.build.log" 2>&1; then
        status=BUILD-FAILED; killers="$(grep -m1 'error' "$d.build.log")"
    else
        killers=$(suite "$d" "$slot" "$d.run.log"); rc=$?
        if [ -n "$killers" ]; then
            status=KILLED
            [ $rc -eq 124 ] && status=KILLED-TIMEOUT
        elif [ $rc -ne 0 ]; then
            status=ERROR; killers="the run ended with status $rc and no test failing: see ${d#"$top"/}.run.log"
        else
            status=SURVIVED
        fi
    fi
    rm -rf "$d"                       # the logs beside it stay
    printf '%s\t%s\t%s\n' "$status" "${killers:--}" "$(( $(date +%s) - t ))" > "$d.result"
    echo "mutate: $name: $status${killers:+ ($killers)} [$(( $(date +%s) - t )) s]"
}

for ((s = 1; s <= jobs; s++)); do
    (
        k=0
        for i in "${selected[@]}"; do
            [ $((k % jobs + 1)) -eq $s ] && run_one "$i" "$s"
            k=$((k + 1))
        done
    ) &
done
wait
fi

# ---- 4. the table ------------------------------------------------------------------------
table=$work/table.md
killed=0; survived=0; equivalent=0; errors=0; counted=0
{
    echo "| mutation | result | killed by | s |"
    echo "| --- | --- | --- | --- |"
    for i in "${selected[@]}"; do
        name=$(cat "$spec/$i/name")
        [ -f "$work/m/$name.result" ] || die "mutation '$name' has no result: run it first"
        IFS=$'\t' read -r status killers secs < "$work/m/$name.result"
        eq=$(cat "$spec/$i/equivalent" 2>/dev/null || true)
        expect=$(cat "$spec/$i/expect")
        note=""
        case $status in
            KILLED*)
                killed=$((killed + 1)); counted=$((counted + 1))
                [ -n "$eq" ] && note=" (marked equivalent, yet killed: drop the marker)"
                if [ -n "$expect" ]; then
                    hit=0
                    for e in $expect; do [[ " $killers " == *" $e "* ]] && hit=1; done
                    [ $hit -eq 1 ] || note="$note (not by the expected $expect)"
                fi ;;
            SURVIVED)
                if [ -n "$eq" ]; then
                    status="survived, equivalent"; equivalent=$((equivalent + 1)); killers="$eq"
                else
                    survived=$((survived + 1)); counted=$((counted + 1))
                    killers="-${expect:+ (expected: $expect)}"
                fi ;;
            *) errors=$((errors + 1)) ;;
        esac
        echo "| $name | $status | $killers$note | $secs |"
    done
} > "$table"
ratio="0"
[ $counted -gt 0 ] && ratio=$((100 * killed / counted))
summary="kill ratio: $killed of $counted mutations ($ratio%); $survived survived, $equivalent equivalent, $errors not run (build failed or error)"
[ $table_only -eq 1 ] || summary="$summary; $(( $(date +%s) - start_all )) s"
echo "$summary" >> "$table"
echo
sed '1,2d; $d' "$table" | while IFS='|' read -r _ name status killers secs _; do
    printf '%-32s %-16s %4s  %s\n' "$(xargs <<<"$name")" "$(xargs <<<"$status")" \
        "$(xargs <<<"$secs")" "$(sed 's/^ *//; s/ *$//' <<<"$killers")"
done
echo "$summary"
echo "(table: ${table#"$top"/})"
[ $survived -eq 0 ] && [ $errors -eq 0 ]
