#!/usr/bin/env bash
# check-tour-json.sh: the tour's JSON against docs/tour.schema.json (JSON Schema 2020-12).
#
#   scripts/check-tour-json.sh ARCH          run `memscope.exe tour --json --file ...` under
#                                            Wine (scripts/wine-run.sh) and validate it
#   scripts/check-tour-json.sh --quiet FILE...   validate saved documents (the tests save
#                                            every tour they run); silent when all are valid
#
# The validator is Debian's python3-jsonschema (scripts/install-deps.sh installs it).  Any
# document that does not match, or does not parse, fails with the schema's own message and
# the path of the offending value; so does a missing validator.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
schema="$top/docs/tour.schema.json"

say() { printf 'check-tour-json: %s\n' "$*" >&2; }

# Debian's package serves /usr/bin/python3; a python3 earlier on PATH may lack it.
python=
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null &&
       "$p" -c 'from jsonschema import Draft202012Validator' 2>/dev/null; then
        python=$p
        break
    fi
done
[ -n "$python" ] ||
    { say "no python3 with jsonschema (Draft 2020-12): run scripts/install-deps.sh"; exit 1; }

validate() {   # validate [--quiet] FILE...
    "$python" - "$schema" "$@" <<'PY'
import json, sys
from jsonschema import Draft202012Validator

schema_path, args = sys.argv[1], sys.argv[2:]
quiet = bool(args) and args[0] == "--quiet"
files = args[1:] if quiet else args
with open(schema_path) as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
bad = 0
for path in files:
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check-tour-json: {path}: not JSON: {e}", file=sys.stderr)
        bad += 1
        continue
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        where = "/".join(str(p) for p in e.absolute_path) or "(the document)"
        print(f"check-tour-json: {path}: at {where}: {e.message}", file=sys.stderr)
    bad += bool(errors)
    if not errors and not quiet:
        steps = doc["steps"]
        print(f"check-tour-json: {path}: valid ({len(steps)} steps, "
              f"{sum(len(t['rows']) for s in steps for t in s['tables'])} rows)")
sys.exit(1 if bad else 0)
PY
}

if [ "${1:-}" = --quiet ]; then
    shift
    files=()
    for f in "$@"; do [ -f "$f" ] && files+=("$f"); done
    [ ${#files[@]} -gt 0 ] || exit 0        # no tour ran (the tests were skipped)
    validate --quiet "${files[@]}"
    exit
fi

arch=${1:-x86_64}
dir="$top/build/$arch"
if [ "$arch" = i686 ] && ! why=$("$top/scripts/can-run-i686.sh"); then
    echo "check-tour-json: SKIP: the i686 tour: a 32-bit program cannot run here: $why"
    exit 0
fi
[ -f "$dir/memscope.exe" ] || { say "$dir/memscope.exe is not built (make ARCH=$arch)"; exit 1; }
# A block name of its own, as the tests use: a memscope the user runs is never touched.
cd "$dir" && MEMSCOPE_NAME="Local\\memscope-check-json-$$" \
    "$top/scripts/wine-run.sh" --timeout 180 ./memscope.exe tour --json --file tour-check.bin \
    > tour-check.json
rc=$?
# A tour whose claims did not all hold still writes a valid document: validate it either way.
validate "$dir/tour-check.json" || exit 1
[ $rc -eq 0 ] || { say "memscope.exe tour --json exited $rc (build/$arch/tour-check.json)"; exit 1; }
