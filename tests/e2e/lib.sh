# Shared helpers for the end-to-end tests; each test does `source "$(dirname "$0")/lib.sh"`.
#
# CTest runs every tests/e2e/test_*.sh as `bash script` with POCKETCA (the binary) and
# POCKETCA_SOURCE_DIR (the repository root) in the environment. Exit 0 = pass, 77 = skipped,
# anything else = fail. To run one by hand from the repository root:
#   POCKETCA=build/cli/pocketca bash tests/e2e/test_init_cli.sh
#
# What this gives a test:
#   $E2E_DIR       this folder (for helper scripts such as parse_with_cryptography.py)
#   $WORK          a fresh temporary folder, removed on exit; the test runs inside it
#   $PW            a passphrase file (first line = $PASSPHRASE, then a decoy second line)
#   $OUT / $ERR    stdout / stderr of the last expect_exit
#   pca ARGS…      runs pocketca
#   fail MSG       fails the test with MSG (and the last command's output)
#   expect_exit CODE CMD…   runs CMD, captures its output to $OUT/$ERR, fails unless it exits CODE
#   assert_contains FILE TEXT / assert_not_contains FILE TEXT   (fixed strings)
#   assert_eq ACTUAL EXPECTED MSG
#   need TOOL      exits 77 (skipped) when TOOL is not installed
#   step MSG       prints what the test is about to check (shows in --output-on-failure)
#   $H, pcah ARGS… the test's CA home, and pocketca on it with the passphrase file
#   $REQS, $TEMPLATES  the request fixtures and the built-in templates (need_request_fixtures)
#   expect_json_error CMD…  a failing --json command: exit 1, one error line, {"error": …} on stdout
#   expect_usage_error TEXT CMD…  a usage error: exit 2, one error line, and it contains TEXT
#   cert_count     certificates in $H, as `list --json` counts them

set -u
set -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z "${POCKETCA:-}" ]]; then
  POCKETCA="${POCKETCA_SOURCE_DIR:-$E2E_DIR/../..}/build/cli/pocketca"
fi
POCKETCA=$(realpath "$POCKETCA")
if [[ ! -x "$POCKETCA" ]]; then
  echo "FAIL: pocketca binary not found at $POCKETCA (set POCKETCA)" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pocketca-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# Tests must not pick up the caller's environment.
unset POCKETCA_HOME POCKETCA_PASSPHRASE

# Spaces and shell characters on purpose: the file is read like openssl's file: source (first line only).
PASSPHRASE='Correct horse #battery$ staple'
PW="$WORK/passphrase.txt"
printf '%s\n%s\n' "$PASSPHRASE" "this second line is not part of the passphrase" > "$PW"
WRONG_PW="$WORK/wrong-passphrase.txt"
printf '%s\n' "not the passphrase" > "$WRONG_PW"

H="$WORK/home"
SOURCE_DIR="${POCKETCA_SOURCE_DIR:-$E2E_DIR/../..}"
REQS="$SOURCE_DIR/tests/data/requests"
TEMPLATES="$SOURCE_DIR/templates"

OUT="$WORK/.stdout"
ERR="$WORK/.stderr"
: > "$OUT"
: > "$ERR"
LAST_CMD=""

pca() { "$POCKETCA" "$@"; }
pcah() { pca --home "$H" --passphrase-file "$PW" "$@"; }

step() { echo "--- $*"; }

fail() {
  echo "FAIL: $*" >&2
  if [[ -n "$LAST_CMD" ]]; then
    echo "  last command: $LAST_CMD" >&2
    echo "  ---- stdout ----" >&2
    head -c 4000 "$OUT" >&2
    echo "  ---- stderr ----" >&2
    head -c 4000 "$ERR" >&2
  fi
  exit 1
}

need() {
  if ! command -v "$1" > /dev/null 2>&1; then
    echo "SKIP: $1 is not installed" >&2
    exit 77
  fi
}

# expect_exit CODE CMD… — `pca` works as CMD too.
expect_exit() {
  local want=$1
  shift
  LAST_CMD="$*"
  local got=0
  "$@" > "$OUT" 2> "$ERR" || got=$?
  if [[ "$got" != "$want" ]]; then
    fail "expected exit $want, got $got"
  fi
}

assert_contains() {
  grep -qF -- "$2" "$1" || fail "$(basename "$1") does not contain: $2"
}

assert_not_contains() {
  if grep -qF -- "$2" "$1"; then fail "$(basename "$1") contains, but must not: $2"; fi
}

assert_eq() {
  [[ "$1" == "$2" ]] || fail "${3:-values differ}: got [$1], expected [$2]"
}

# A failing pocketca command: exactly one `error: …` line on stderr that says something.
assert_error_line() {
  local n
  n=$(grep -c '^error: .' "$ERR" || true)
  [[ "$n" == 1 ]] || fail "expected exactly one 'error: …' line on stderr, found $n"
}

# expect_usage_error TEXT CMD…: exit 2 (a usage error) with one `error: …` line that contains TEXT
# (the option it names, what is wrong).
expect_usage_error() {
  local text=$1
  shift
  expect_exit 2 "$@"
  assert_error_line
  assert_contains "$ERR" "$text"
}

# Octal permission bits of a file, e.g. 600.
mode_of() { stat -c '%a' "$1"; }

# sha256 of every file under a folder (names and contents), plus folder modes: a home "fingerprint".
tree_digest() {
  (cd "$1" && find . -printf '%p %y %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

have_python_cryptography() {
  command -v python3 > /dev/null 2>&1 && python3 -c 'import cryptography' > /dev/null 2>&1
}

# use_python [cryptography]: sets PY to the python3 interpreter itself, resolved once (a
# version-manager shim in front of python3 can cost a second per call); with "cryptography",
# skips the test (77) when pyca/cryptography is missing.
use_python() {
  need python3
  PY=$(python3 -c 'import sys; print(sys.executable)') || fail "python3 does not run"
  if [[ "${1:-}" == cryptography ]]; then
    "$PY" -c 'import cryptography' 2> /dev/null || { echo "SKIP: python cryptography is not installed" >&2; exit 77; }
  fi
}

# jget FILE EXPR: evaluates a Python expression on the JSON document `d` in FILE and prints it
# (after use_python).
jget() {
  "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1], encoding="utf-8")); print(eval(sys.argv[2]))' "$1" "$2" \
    || fail "cannot evaluate $2 on $(basename "$1")"
}

need_request_fixtures() {
  [[ -f "$REQS/windows-exchange.pem" ]] || fail "request fixtures not found in $REQS (set POCKETCA_SOURCE_DIR)"
}

# expect_json_error CMD… (after use_python): exit 1, one error line on stderr, {"error": "..."} on stdout.
expect_json_error() {
  expect_exit 1 "$@"
  assert_error_line
  "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, dict) and isinstance(d.get("error"), str) and d["error"], d
' "$OUT" || fail "stdout of a failing --json command is not {\"error\": \"...\"}"
}

# Certificates in $H, as `list --json` counts them (after use_python).
cert_count() {
  pcah list --json > "$WORK/.count.json" || fail "list --json failed"
  jget "$WORK/.count.json" 'len(d)'
}
