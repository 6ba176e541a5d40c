# A certificate issued while a CRL its chain is checked against is past its nextUpdate fails
# revocation checks until that CRL is published again: submit (and approve) still issue it, but
# warn on stderr and in --json `warnings`, naming the date and `pocketca crl --ca NAME`; a batch
# warns once, not per request; the root's CRL counts too (the issuing CA's certificate is checked
# against it); a fresh CRL, or no certificate issued, means no warning. CRLs are made to expire by
# moving their dates in the database, as test_revocation.sh does.
source "$(dirname "$0")/lib.sh"
need openssl
use_python

# sql DB STATEMENT: runs SQL on a home's database with python's sqlite3 (no sqlite3 CLI needed).
sql() {
  "$PY" -c '
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
con.execute(sys.argv[2])
con.commit()
' "$1" "$2" || fail "sql failed: $2"
}
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# crl_warnings: the `warning: …` lines on stderr about an expired CRL.
crl_warnings() { grep -c '^warning: the CRL of CA .* expired at ' "$ERR" || true; }

ISSUING='Contoso Lab Issuing CA'
ROOT='Contoso Lab Root CA'
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout web.key -subj "/CN=web.contoso.lab" \
  -out web.req 2> /dev/null || fail "openssl could not make a request"

step "init (EC root and issuing CA, --base-url): both publish a first CRL"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256 -q

step "current CRLs: submit warns about nothing"
expect_exit 0 pcah submit web.req --template WebServer --out fresh.cer --chain fresh.p7b
assert_not_contains "$ERR" "warning"

# =============================================================================================
step "the issuing CA's CRL past its nextUpdate: submit issues, and warns once with the date and the fix"
EXPIRED=$(iso "-1 hour")
sql "$H/pocketca.db" "update crls set this_update = '$(iso "-25 hours")', next_update = '$EXPIRED' where ca_index = 2"
expect_exit 0 pcah submit web.req --template WebServer --out late.cer --chain late.p7b
[[ -f late.cer && -f late.p7b ]] || fail "submit with an expired CRL wrote no files"
assert_contains "$OUT" "request ID"
assert_eq "$(crl_warnings)" 1 "CRL warnings of one submit"
grep '^warning: ' "$ERR" | grep -F "CA \"$ISSUING\" expired at $EXPIRED" | grep -qF "run \`pocketca crl --ca \"$ISSUING\"\`" \
  || fail "the warning does not give the date and \`pocketca crl --ca \"$ISSUING\"\`"
assert_not_contains "$ERR" "$ROOT"

step "submit --json: the same warning in \"warnings\" and on stderr"
expect_exit 0 pcah submit web.req --template WebServer --out late2.cer --chain late2.p7b --json
assert_eq "$(jget "$OUT" 'd["disposition"]')" issued "disposition with an expired CRL"
assert_eq "$(jget "$OUT" 'len([w for w in d["warnings"] if "expired at '"$EXPIRED"'" in w and "pocketca crl --ca" in w])')" 1 \
  "CRL warnings in submit --json"
assert_eq "$(crl_warnings)" 1 "CRL warnings on stderr with --json"

step "submit --batch of three: one warning for the batch, not one per request (text and --json)"
mkdir -p in
for n in 1 2 3; do cp web.req "in/web$n.req"; done
expect_exit 0 pcah submit --batch in --template WebServer --out-dir out
assert_contains "$OUT" "3 issued"
assert_eq "$(crl_warnings)" 1 "CRL warnings of a batch of three"
expect_exit 0 pcah submit --batch in --template WebServer --no-files --json
assert_eq "$(jget "$OUT" 'len(d)')" 3 "outcomes of submit --batch --json"
assert_eq "$(crl_warnings)" 1 "CRL warnings of a batch of three with --json"

step "a held request issues nothing, so no warning; approving it issues, and warns"
expect_exit 3 pcah submit web.req --template WebServer --pending -q
PENDING_ID=$(cat "$OUT")
assert_eq "$(crl_warnings)" 0 "CRL warnings of submit --pending"
expect_exit 0 pcah approve "$PENDING_ID" --json
assert_eq "$(jget "$OUT" 'len([w for w in d["warnings"] if "expired at '"$EXPIRED"'" in w])')" 1 "CRL warnings in approve --json"
assert_eq "$(crl_warnings)" 1 "CRL warnings of approve"

# =============================================================================================
step "the root's CRL expired as well: the issuing CA's certificate fails its check too, so both are named"
sql "$H/pocketca.db" "update crls set this_update = '$(iso "-181 days")', next_update = '$EXPIRED' where ca_index = 1"
expect_exit 0 pcah submit web.req --template WebServer --out both.cer --chain both.p7b
assert_eq "$(crl_warnings)" 2 "CRL warnings with the issuing and root CRLs expired"
grep '^warning: ' "$ERR" | grep -qF "run \`pocketca crl --ca \"$ROOT\"\`" || fail "no warning names the root's CRL"

step "fresh CRLs (crl --all): no warning again"
expect_exit 0 pcah crl --all -q
expect_exit 0 pcah submit web.req --template WebServer --out after.cer --chain after.p7b --json
assert_eq "$(jget "$OUT" 'd["warnings"]')" "[]" "warnings after fresh CRLs"
assert_not_contains "$ERR" "warning"

echo "PASS"
