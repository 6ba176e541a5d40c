# revoke / unrevoke / crl as the contract says, on fast EC homes: the seven RFC 5280 reason names
# and AD CS's codes 0-6 (unspecified = no reasonCode); a bad reason lists the names; revoking twice
# says when and why; --date in the past is the CRL's revocation date, in the future an error; the
# self-signed root cannot be revoked; --no-publish leaves the CRL file alone until the next `crl`;
# certificateHold -> unrevoke -> gone from the next CRL, while other reasons cannot be lifted; a
# wrong passphrase changes nothing; list --status revoked/expired, show (text and --json); audit
# rows with reasons and actors; an expired revoked certificate drops off the CRL; crl --out --format
# pem; crl --all; CRL health in `ca list` (ok / due / expired with a loud 0x80092012 warning); bulk
# revocation (--all-from-template, --requester) with and without --yes and without a terminal;
# delta CRLs (Freshest CRL, Delta CRL Indicator, removeFromCRL).
source "$(dirname "$0")/lib.sh"
need openssl
use_python cryptography

PUB="$H/public"
ISS_CRL="$PUB/contoso-lab-issuing-ca.crl"
ROOT_CRL="$PUB/contoso-lab-root-ca.crl"
BASE_URL=http://pki.contoso.lab
NAMES=(unspecified keyCompromise caCompromise affiliationChanged superseded cessationOfOperation certificateHold)
ME=$(id -un)

check_crl() { "$PY" "$E2E_DIR/check_crl.py" "$@"; }
# sql DB STATEMENT: runs SQL on a home's database (python's sqlite3: no sqlite3 CLI needed) and
# prints the rows, one per line, columns separated by '|'.
sql() {
  "$PY" -c '
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
con.commit()
' "$1" "$2" || fail "sql failed: $2"
}
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# issue VAR [HOME_FUNCTION] [submit args…]: issues a certificate from $REQ (template WebServer unless
# --template is given), stores its serial in VAR.
NISSUED=0
issue() {
  local var=$1 fn=pcah
  shift
  if [[ "${1:-}" == pca? ]]; then fn=$1; shift; fi
  NISSUED=$((NISSUED + 1))
  [[ " $* " == *" --template "* ]] || set -- --template WebServer "$@"
  LAST_CMD="$fn submit $REQ $*"
  "$fn" submit "$REQ" --out "c$NISSUED.cer" --chain "c$NISSUED.p7b" --json "$@" > "$OUT" 2> "$ERR" || fail "submit failed"
  local s
  s=$(sed -n 's/^  "serial": "\([0-9a-f]*\)",$/\1/p' "$OUT")
  [[ "$s" =~ ^[0-9a-f]{38}$ ]] || fail "no serial in submit --json"
  printf -v "$var" '%s' "$s"
}
# crl_number FILE: the CRL number openssl reads from a DER CRL, in decimal.
crl_number() {
  local n
  n=$(openssl crl -inform DER -in "$1" -noout -crlnumber) || fail "openssl cannot read $1"
  echo $((16#${n#crlNumber=0x}))
}
# status_of SERIAL [HOME_FUNCTION]: "status reason revoked_at" from show --json.
status_of() {
  "${2:-pcah}" show "$1" --json > "$WORK/.show.json" 2> /dev/null || fail "show $1 --json failed"
  jget "$WORK/.show.json" '" ".join([d["status"], d.get("revocation_reason") or "-", d.get("revoked_at") or "-"])'
}
# statuses HOME_FUNCTION SERIAL…: "status/reason" of each certificate, from one `list --json`.
statuses() {
  local fn=$1
  shift
  "$fn" list --json > "$WORK/.list.json" 2> /dev/null || fail "list --json failed"
  "$PY" -c '
import json, sys
d = {c["serial"]: c for c in json.load(open(sys.argv[1], encoding="utf-8"))}
print(" ".join(d[s]["status"] + "/" + (d[s].get("revocation_reason") or "-") if s in d else "missing" for s in sys.argv[2:]))
' "$WORK/.list.json" "$@" || fail "cannot read list --json"
}
# ca_json FUNCTION EXPR: evaluates EXPR on `ca list --json` of a home.
ca_json() {
  "$1" ca list --json > "$WORK/.ca.json" 2> "$WORK/.ca.err" || fail "ca list --json failed"
  jget "$WORK/.ca.json" "$2"
}

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout web.key -subj "/CN=web.contoso.lab" \
  -out web.req 2> /dev/null || fail "openssl could not make a request"
REQ="$WORK/web.req"

step "init (EC root and issuing CA, --base-url)"
expect_exit 0 pcah init --name "Contoso Lab" --base-url "$BASE_URL" --key ec:p256 --root-key ec:p256 -q
openssl x509 -inform DER -in "$PUB/contoso-lab-root-ca.crt" -out root.pem || fail "no root certificate"
openssl x509 -inform DER -in "$PUB/contoso-lab-issuing-ca.crt" -out issuing.pem || fail "no issuing certificate"
ROOT_SERIAL=$(ca_json pcah 'd[0]["serial"]')
[[ -f "$ISS_CRL" ]] || fail "init published no issuing CA CRL"
assert_eq "$(crl_number "$ISS_CRL")" 1 "number of the first CRL"

# =============================================================================================
step "the seven reason names with --no-publish: the CRL file is unchanged, says so, and the next crl lists them"
declare -A BYNAME
cp "$ISS_CRL" crl-1.der
for r in "${NAMES[@]}"; do
  issue "BYNAME[$r]"
  expect_exit 0 pcah revoke "${BYNAME[$r]}" --reason "$r" --no-publish
  assert_contains "$OUT" "${BYNAME[$r]}"
  grep -qi 'no crl' "$OUT" "$ERR" || fail "revoke --no-publish does not say that no CRL was published"
done
want=""
serials=()
for r in "${NAMES[@]}"; do want+=" revoked/$r"; serials+=("${BYNAME[$r]}"); done
assert_eq "$(statuses pcah "${serials[@]}")" "${want# }" "status/reason of the certificates revoked by name"
cmp -s "$ISS_CRL" crl-1.der || fail "revoke --no-publish changed public/contoso-lab-issuing-ca.crl"
assert_eq "$(ca_json pcah 'd[1]["crl_number"]')" 1 "crl_number after revoke --no-publish"
expect_exit 0 pcah crl
assert_eq "$(crl_number "$ISS_CRL")" 2 "number of the CRL after crl"
args=()
for r in "${NAMES[@]}"; do args+=(--revoked "${BYNAME[$r]}=$r"); done
LAST_CMD="check_crl.py after seven reasons"
check_crl "$ISS_CRL" --ca issuing.pem --number 2 --days 7 --entries 7 "${args[@]}" || fail "the CRL with the seven reasons"

step "AD CS's numeric codes 0-6: the same reasons; each revoke publishes a CRL at once (number +1)"
declare -a BYCODE
n=2
for code in 0 1 2 3 4 5 6; do
  issue "BYCODE[$code]"
  expect_exit 0 pcah revoke "${BYCODE[$code]}" --reason "$code"
  n=$((n + 1))
  assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after revoke --reason $code"
done
assert_eq "$(statuses pcah "${BYCODE[@]}")" \
  "$(for code in 0 1 2 3 4 5 6; do printf 'revoked/%s ' "${NAMES[code]}"; done | sed 's/ $//')" "status/reason of revoke --reason 0-6"
args=()
for code in 0 1 2 3 4 5 6; do args+=(--revoked "${BYCODE[$code]}=${NAMES[code]}"); done
LAST_CMD="check_crl.py after codes 0-6"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --days 7 --entries 14 "${args[@]}" || fail "the CRL with codes 0-6"

step "a bad reason: an error that lists the seven names; nothing revoked"
issue V1
for bad in bogus 7 -1 key-compromise; do
  LAST_CMD="revoke --reason $bad"
  rc=0
  pcah revoke "$V1" --reason "$bad" > "$OUT" 2> "$ERR" || rc=$?
  [[ $rc == 1 || $rc == 2 ]] || fail "revoke --reason $bad exited $rc"
  assert_error_line
  for r in "${NAMES[@]}"; do grep '^error: ' "$ERR" | grep -qF "$r" || fail "the error for --reason $bad does not list $r"; done
done
assert_eq "$(status_of "$V1")" "valid - -" "status after bad reasons"
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after bad reasons"

step "revoking twice: exit 1, the error says when and why; the first revocation stands"
first_at=$(status_of "${BYNAME[superseded]}" | cut -d' ' -f3)
expect_exit 1 pcah revoke "${BYNAME[superseded]}" --reason keyCompromise
assert_error_line
grep '^error: ' "$ERR" | grep -F "$first_at" | grep -qF superseded || fail "the error does not say when ($first_at) and why (superseded)"
expect_exit 1 pcah revoke "${BYNAME[superseded]}" --json
assert_contains "$OUT" '"error"'
assert_eq "$(status_of "${BYNAME[superseded]}")" "revoked superseded $first_at" "status after a second revoke"
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after a refused revoke"

step "serials in any case with ':' separators; an unknown serial: exit 1 naming it"
issue V2
colon=$(echo "$V2" | tr 'a-f' 'A-F' | sed 's/../&:/g; s/:$//')
expect_exit 0 pcah revoke "$colon" --reason superseded -q
n=$((n + 1))
assert_eq "$(status_of "$V2" | cut -d' ' -f1-2)" "revoked superseded" "revoke by an upper-case, colon-separated serial"
expect_exit 1 pcah revoke 0123456789abcdef
assert_error_line
assert_contains "$ERR" "0123456789abcdef"

step "--date in the past is the revocation date (show and CRL); in the future an error, not a time a usage error"
PAST=2026-01-01
(($(date -u +%s) > $(date -u -d "$PAST" +%s))) || PAST=$(date -u -d yesterday +%F)
issue D1
# As if issued before $PAST: a revocation date before notBefore is refused (below).
sql "$H/pocketca.db" "update certificates set not_before = '2025-12-01T00:00:00Z' where serial = '$D1'" > /dev/null
expect_exit 0 pcah revoke "$D1" --reason keyCompromise --date "$PAST"
n=$((n + 1))
assert_eq "$(status_of "$D1")" "revoked keyCompromise ${PAST}T00:00:00Z" "show after --date $PAST"
issue D2
T2=$(iso "-5 minutes")
expect_exit 0 pcah revoke "$D2" --reason cessationOfOperation --date "$T2"
n=$((n + 1))
assert_eq "$(status_of "$D2")" "revoked cessationOfOperation $T2" "show after --date $T2"
LAST_CMD="check_crl.py after --date"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --days 7 \
  --revoked "$D1=keyCompromise@${PAST}T00:00:00Z" --revoked "$D2=cessationOfOperation@$T2" || fail "revocation dates on the CRL"
issue D3
for when in "$(iso "+1 day")" "$(date -u -d "+2 days" +%F)"; do
  expect_exit 1 pcah revoke "$D3" --date "$when"
  assert_error_line
  assert_contains "$ERR" "future"
done
expect_exit 1 pcah revoke "$D3" --date "$(iso "-1 day")"
assert_error_line
assert_contains "$ERR" "before certificate $D3 was valid"
# Not a time at all: a usage error (in the future above: a time the CA refuses, exit 1).
for when in "last tuesday" yesterday 2026-13-01 "$(iso "-1 day") UTC"; do
  expect_usage_error "--date: \"$when\" is not a time; use ISO 8601 UTC like 2026-11-23T08:30:00Z or 2026-11-23" \
    pcah revoke "$D3" --date "$when"
done
assert_eq "$(status_of "$D3")" "valid - -" "status after refused --date values"
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after refused --date values"

step "revoking the self-signed root: exit 1, a clear error; the root's CRL is untouched"
cp "$ROOT_CRL" root-crl.der
expect_exit 1 pcah revoke "$ROOT_SERIAL"
assert_error_line
grep '^error: ' "$ERR" | grep -qi 'root' || fail "the error does not say it is the root"
cmp -s "$ROOT_CRL" root-crl.der || fail "a refused root revocation re-published the root's CRL"
assert_eq "$(status_of "$ROOT_SERIAL" | cut -d' ' -f1)" valid "root status"

step "certificateHold -> on the CRL -> unrevoke (as bob) -> the next base CRL does not list it; then a real revocation"
issue HOLD
expect_exit 0 pcah revoke "$HOLD" --reason certificateHold
n=$((n + 1))
LAST_CMD="check_crl.py with a hold"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --revoked "$HOLD=certificateHold" || fail "the hold on the CRL"
expect_exit 0 pcah unrevoke "$HOLD" --actor bob
n=$((n + 1))
assert_contains "$OUT" "$HOLD"
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after unrevoke"
LAST_CMD="check_crl.py after unrevoke"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --days 7 --absent "$HOLD" --revoked "${BYNAME[keyCompromise]}=keyCompromise" \
  || fail "the CRL after unrevoke"
assert_eq "$(status_of "$HOLD")" "valid - -" "status after unrevoke"
expect_exit 0 pcah list --status valid --json
assert_eq "$(jget "$OUT" "'$HOLD' in [c['serial'] for c in d]")" True "the lifted hold in list --status valid"
expect_exit 1 pcah unrevoke "$HOLD"
assert_error_line
assert_contains "$ERR" "not revoked"
expect_exit 0 pcah revoke "$HOLD" --reason keyCompromise -q
n=$((n + 1))
expect_exit 1 pcah unrevoke "$HOLD"
assert_error_line
assert_contains "$ERR" "certificateHold"
assert_eq "$(status_of "$HOLD" | cut -d' ' -f1-2)" "revoked keyCompromise" "status after refusing to lift keyCompromise"

step "unrevoke of other reasons, of a valid certificate and of an unknown serial: exit 1"
expect_exit 1 pcah unrevoke "${BYNAME[keyCompromise]}"
assert_error_line
expect_exit 1 pcah unrevoke "${BYNAME[unspecified]}"
assert_error_line
expect_exit 1 pcah unrevoke "$D3"
assert_error_line
assert_contains "$ERR" "not revoked"
expect_exit 1 pcah unrevoke 0123456789abcdef
assert_error_line
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after refused unrevokes"

step "a wrong passphrase on revoke / unrevoke: exit 1 and nothing changes (the key is loaded first)"
issue W1
issue W2
expect_exit 0 pcah revoke "$W2" --reason certificateHold -q
n=$((n + 1))
cp "$ISS_CRL" before-wrong.der
AUDIT_CHANGES="select count(*) from audit where action in ('revoked', 'unrevoked', 'crl-published')"
AUDIT_ROWS=$(sql "$H/pocketca.db" "$AUDIT_CHANGES")
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" revoke "$W1" --reason keyCompromise
assert_error_line
assert_contains "$ERR" "passphrase"
assert_eq "$(status_of "$W1")" "valid - -" "status after revoke with a wrong passphrase"
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" unrevoke "$W2"
assert_error_line
assert_contains "$ERR" "passphrase"
assert_eq "$(status_of "$W2" | cut -d' ' -f1-2)" "revoked certificateHold" "status after unrevoke with a wrong passphrase"
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" crl
assert_error_line
cmp -s "$ISS_CRL" before-wrong.der || fail "a wrong passphrase changed the published CRL"
assert_eq "$(sql "$H/pocketca.db" "$AUDIT_CHANGES")" "$AUDIT_ROWS" "revoked/unrevoked/crl-published audit rows after wrong passphrases"

step "list --status revoked shows exactly the revoked certificates (text and --json); show says revoked, when, why"
REVOKED=("${BYNAME[@]}" "${BYCODE[@]}" "$V2" "$D1" "$D2" "$HOLD" "$W2")
want=$(printf '%s\n' "${REVOKED[@]}" | LC_ALL=C sort | tr '\n' ' ')
expect_exit 0 pcah list --status revoked --json
got=$(jget "$OUT" '" ".join(sorted(c["serial"] for c in d)) + " "')
assert_eq "$got" "$want" "list --status revoked --json"
assert_eq "$(jget "$OUT" 'sorted(set(c["status"] for c in d))')" "['revoked']" "statuses in list --status revoked"
expect_exit 0 pcah list --status revoked
for s in "${REVOKED[@]}"; do grep -E "^[0-9]+ +$s " "$OUT" | grep -q revoked || fail "list --status revoked has no row for $s"; done
assert_eq "$(grep -cE '^[0-9]+ ' "$OUT")" "${#REVOKED[@]}" "rows of list --status revoked"
expect_exit 0 pcah list --status valid --json
assert_eq "$(jget "$OUT" "sorted(set(c['serial'] for c in d) & set('$want'.split()))")" "[]" "revoked certificates in list --status valid"
expect_exit 0 pcah show "$D1"
assert_contains "$OUT" "revoked"
assert_contains "$OUT" "${PAST}T00:00:00Z"
assert_contains "$OUT" "keyCompromise"
expect_exit 0 pcah show "$D1" --json
assert_eq "$(jget "$OUT" '(d["status"], d["revoked_at"], d["revocation_reason"])')" \
  "('revoked', '${PAST}T00:00:00Z', 'keyCompromise')" "show --json of a revoked certificate"

step "audit: revoked (with the reason), unrevoked (bob), crl-published with actors; revoke --actor"
issue AC
expect_exit 0 pcah revoke "$AC" --reason affiliationChanged --actor carol -q
n=$((n + 1))
REVOKED+=("$AC")
expect_exit 0 pcah audit --json
"$PY" - "$OUT" "$ME" "$HOLD" "$AC" "${BYNAME[keyCompromise]}" "$n" << 'EOF' || fail "the audit log does not record revocations as expected"
import json, sys
log = json.load(open(sys.argv[1]))
me, hold, ac, kc, n = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
def rows(action, serial=None):
    return [e for e in log if e["action"] == action and (serial is None or e["serial"] == serial)]
r = rows("revoked", kc)
assert len(r) == 1 and r[0]["actor"] == me and "keyCompromise" in r[0]["details"], r
h = rows("revoked", hold)
assert [("certificateHold" in e["details"], "keyCompromise" in e["details"]) for e in h] == [(True, False), (False, True)], h
u = rows("unrevoked", hold)
assert len(u) == 1 and u[0]["actor"] == "bob", u
# The unrevoke's CRL is published by bob right after.
i = log.index(u[0])
assert log[i + 1]["action"] == "crl-published" and log[i + 1]["actor"] == "bob", log[i + 1]
c = rows("revoked", ac)
assert len(c) == 1 and c[0]["actor"] == "carol" and "affiliationChanged" in c[0]["details"], c
j = log.index(c[0])
assert log[j + 1]["action"] == "crl-published" and log[j + 1]["actor"] == "carol", log[j + 1]
pubs = rows("crl-published")
assert all(p["actor"] for p in pubs)
assert any(f"CRL {n} " in p["details"] for p in pubs), [p["details"] for p in pubs[-3:]]
# One revoked row per revocation, each naming its serial and request.
for e in rows("revoked"):
    assert e["serial"] and e["request_id"], e
EOF
expect_exit 0 pcah audit
grep -E " carol +revoked " "$OUT" | grep -qF "$AC" || fail "audit text has no 'carol revoked' row"
grep -E " bob +unrevoked " "$OUT" | grep -qF "$HOLD" || fail "audit text has no 'bob unrevoked' row"

step "crl --out FILE --format pem: a PEM CRL equal to the published one; no overwrite without --force"
expect_exit 0 pcah crl --out latest.pem --format pem --json
n=$((n + 1))
assert_eq "$(jget "$OUT" '(d["ca"], d["number"], d["delta"], d["entries"])')" "('Contoso Lab Issuing CA', $n, False, ${#REVOKED[@]})" "crl --json"
assert_eq "$(jget "$OUT" 'd["files"]["crl"].endswith("public/contoso-lab-issuing-ca.crl")')" True "crl --json files.crl"
head -1 latest.pem | grep -qx -- '-----BEGIN X509 CRL-----' || fail "crl --format pem did not write -----BEGIN X509 CRL-----"
openssl crl -in latest.pem -outform DER -out latest.der || fail "openssl cannot read latest.pem"
cmp -s latest.der "$ISS_CRL" || fail "crl --out latest.pem differs from public/contoso-lab-issuing-ca.crl"
expect_exit 1 pcah crl --out latest.pem --format pem
assert_error_line
assert_contains "$ERR" "--force"
expect_exit 0 pcah crl --out latest.pem --format pem --force -q
n=$((n + 1))
assert_eq "$(openssl crl -in latest.pem -noout -crlnumber)" "crlNumber=$(printf '0x%02X' "$n")" "crl --force --out number"

step "crl --all: every CA's CRL re-signed, each number +1"
before=$(ca_json pcah '[c["crl_number"] for c in d]')
expect_exit 0 pcah crl --all
after=$(ca_json pcah '[c["crl_number"] for c in d]')
assert_eq "$after" "$("$PY" -c "print([x + 1 for x in $before])")" "CRL numbers after crl --all"
n=$((n + 1))
assert_eq "$(crl_number "$ROOT_CRL")" "$("$PY" -c "print(${before}[0] + 1)")" "root CRL number after crl --all"
expect_exit 1 pcah crl --delta
assert_error_line

# =============================================================================================
step "expiry: a certificate past notAfter is 'expired'; an expired revoked one drops off the next CRL"
issue E1
sql "$H/pocketca.db" "update certificates set not_after = '$(iso "-2 days")' where serial = '$E1'" > /dev/null
expect_exit 0 pcah list --status expired --json
assert_eq "$(jget "$OUT" '[c["serial"] for c in d]')" "['$E1']" "list --status expired"
assert_eq "$(jget "$OUT" 'd[0]["status"]')" expired "status in list --status expired"
assert_eq "$(status_of "$E1" | cut -d' ' -f1)" expired "show of an expired certificate"
expect_exit 0 pcah list --status valid --json
assert_eq "$(jget "$OUT" "'$E1' in [c['serial'] for c in d]")" False "an expired certificate in list --status valid"
# Revoking it is recorded, with a warning that no CRL will carry it (checked on the next CRL below).
expect_exit 0 pcah revoke "$E1" --reason superseded --no-publish --json
assert_eq "$(jget "$OUT" 'd["certificates"][0]["status"]')" revoked "revoking an expired certificate"
[[ "$(jget "$OUT" 'd["warnings"][0]')" == *"expired on"* ]] || fail "revoke --json has no warning for an expired certificate"
grep -q "^warning: certificate $E1 .*expired on .*no client will see it" "$ERR" || fail "no warning when revoking an expired certificate"
sql "$H/pocketca.db" "update certificates set not_after = '$(iso "-1 day")' where serial = '${BYNAME[caCompromise]}'" > /dev/null
expect_exit 0 pcah crl
n=$((n + 1))
LAST_CMD="check_crl.py after expiry"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --days 7 --entries "$((${#REVOKED[@]} - 1))" \
  --absent "${BYNAME[caCompromise]}" --absent "$E1" --revoked "${BYNAME[keyCompromise]}=keyCompromise" --revoked "$AC=affiliationChanged" \
  || fail "an expired revoked certificate is still on the CRL (or another one went missing)"

# =============================================================================================
step "crl --days outside 1 to 3650: a usage error, no CRL signed"
for days in 0 -1 3651; do
  expect_usage_error "--days: \"$days\" is not a whole number from 1 to 3650" pcah crl --days "$days"
done
assert_eq "$(crl_number "$ISS_CRL")" "$n" "CRL number after a bad crl --days"

step "CRL health: crl --days 1 is ok; in its last quarter 'due' with a warning; past nextUpdate 'expired' with 0x80092012"
expect_exit 0 pcah crl --days 1
n=$((n + 1))
LAST_CMD="check_crl.py --days 1"
check_crl "$ISS_CRL" --ca issuing.pem --number "$n" --days 1 || fail "crl --days 1"
expect_exit 0 pcah ca list --json
assert_eq "$(jget "$OUT" '(d[1]["crl_number"], d[1]["crl_state"])')" "($n, 'ok')" "ca list --json after crl --days 1"
assert_eq "$(jget "$OUT" 'd[1]["crl_next_update"]')" "$(openssl crl -inform DER -in "$ISS_CRL" -noout -nextupdate | cut -d= -f2 | xargs -I{} date -u -d {} +%Y-%m-%dT%H:%M:%SZ)" "crl_next_update"
assert_not_contains "$ERR" "warning"
sql "$H/pocketca.db" "update crls set this_update = '$(iso "-20 hours")', next_update = '$(iso "+4 hours")' where ca_index = 2 and number = $n" > /dev/null
expect_exit 0 pcah ca list --json
assert_eq "$(jget "$OUT" 'd[1]["crl_state"]')" due "crl_state in the last quarter"
grep -q '^warning: .*Contoso Lab Issuing CA' "$ERR" || fail "ca list gives no warning for a CRL that is due"
sql "$H/pocketca.db" "update crls set this_update = '$(iso "-25 hours")', next_update = '$(iso "-1 hour")' where ca_index = 2 and number = $n" > /dev/null
expect_exit 0 pcah ca list --json
assert_eq "$(jget "$OUT" '(d[0]["crl_state"], d[1]["crl_state"])')" "('ok', 'expired')" "crl_state past nextUpdate"
grep '^warning: ' "$ERR" | grep -F 'Contoso Lab Issuing CA' | grep -qF 0x80092012 || fail "ca list gives no loud warning with 0x80092012 for an expired CRL"
expect_exit 0 pcah ca list
grep -F 'Contoso Lab Issuing CA' "$OUT" | grep -qi expired || fail "ca list (text) does not show the CRL as expired"
grep -q '^warning: .*0x80092012' "$ERR" || fail "ca list (text) gives no warning for an expired CRL"
expect_exit 0 pcah crl -q
n=$((n + 1))
expect_exit 0 pcah ca list --json
assert_eq "$(jget "$OUT" 'd[1]["crl_state"]')" ok "crl_state after a fresh crl"
assert_not_contains "$ERR" "warning"

# =============================================================================================
step "bulk: --all-from-template / --requester without --yes and without a terminal: exit 1, nothing revoked"
B="$WORK/bulk"
pcab() { pca --home "$B" --passphrase-file "$PW" "$@"; }
expect_exit 0 pcab init --name "Bulk Lab" --key ec:p256 --root-key ec:p256 -q
B_CRL="$B/public/bulk-lab-issuing-ca.crl"
issue BA1 pcab --template WebServer --requester alice
issue BA2 pcab --template WebServer --requester alice
issue BA3 pcab --template Computer --requester alice
issue BB1 pcab --template WebServer --requester bob
issue BB2 pcab --template WebServer --requester bob
issue BB3 pcab --template Computer --requester bob
cp "$B_CRL" bulk-before.der
if command -v setsid > /dev/null 2>&1; then
  expect_exit 1 setsid -w "$POCKETCA" --home "$B" --passphrase-file "$PW" revoke --all-from-template WebServer < /dev/null
  assert_error_line
  assert_contains "$ERR" "--yes"
  expect_exit 1 setsid -w "$POCKETCA" --home "$B" --passphrase-file "$PW" revoke --requester alice < /dev/null
  assert_error_line
else
  echo "    (setsid not installed: only stdin </dev/null)"
fi
expect_exit 1 pcab revoke --all-from-template WebServer < /dev/null
assert_error_line
expect_exit 0 pcab list --status revoked --json
assert_eq "$(jget "$OUT" 'len(d)')" 0 "revoked certificates after unconfirmed bulk revokes"
cmp -s "$B_CRL" bulk-before.der || fail "an unconfirmed bulk revoke published a CRL"

step "bulk: --requester alice --yes revokes only alice's valid certificates, one CRL"
expect_exit 0 pcab revoke --requester alice --yes --reason cessationOfOperation
assert_eq "$(statuses pcab "$BA1" "$BA2" "$BA3" "$BB1" "$BB2" "$BB3")" \
  "revoked/cessationOfOperation revoked/cessationOfOperation revoked/cessationOfOperation valid/- valid/- valid/-" \
  "alice's three, then bob's three, after revoke --requester alice --yes"
assert_eq "$(crl_number "$B_CRL")" 2 "CRL number after one bulk revoke"
LAST_CMD="check_crl.py bulk 1"
check_crl "$B_CRL" --ca "$B/public/bulk-lab-issuing-ca.crt" --number 2 --entries 3 \
  --revoked "$BA1=cessationOfOperation" --revoked "$BA2=cessationOfOperation" --revoked "$BA3=cessationOfOperation" \
  || fail "the CRL after revoke --requester alice"

step "bulk: --all-from-template WebServer --yes revokes every valid WebServer certificate, not Computer ones"
BA1_AT=$(status_of "$BA1" pcab)
expect_exit 0 pcab revoke --all-from-template WebServer --yes --reason superseded
assert_eq "$(statuses pcab "$BB1" "$BB2" "$BB3")" "revoked/superseded revoked/superseded valid/-" \
  "bob's two WebServer and one Computer certificates after --all-from-template WebServer --yes"
assert_eq "$(status_of "$BA1" pcab)" "$BA1_AT" "an already revoked certificate after a bulk revoke"
LAST_CMD="check_crl.py bulk 2"
check_crl "$B_CRL" --ca "$B/public/bulk-lab-issuing-ca.crt" --number 3 --entries 5 \
  --revoked "$BB1=superseded" --revoked "$BB2=superseded" --revoked "$BA1=cessationOfOperation" --absent "$BB3" \
  || fail "the CRL after revoke --all-from-template WebServer"
expect_exit 1 pcab revoke --all-from-template WebServer --yes
assert_error_line
expect_exit 0 pcab audit --json
assert_eq "$(jget "$OUT" 'sum(1 for e in d if e["action"] == "revoked")')" 5 "revoked rows after the bulk revokes"

# =============================================================================================
step "delta CRLs: init --delta-crl; the base CRL points at <base-url>/pki/<slug>+.crl (Freshest CRL)"
D="$WORK/delta"
pcad() { pca --home "$D" --passphrase-file "$PW" "$@"; }
expect_exit 0 pcad init --name "Delta Lab" --base-url "$BASE_URL" --key ec:p256 --root-key ec:p256 --delta-crl -q
D_CRL="$D/public/delta-lab-issuing-ca.crl"
D_DELTA="$D/public/delta-lab-issuing-ca+.crl"
D_CA="$D/public/delta-lab-issuing-ca.crt"
FRESHEST="$BASE_URL/pki/delta-lab-issuing-ca+.crl"
LAST_CMD="check_crl.py delta home, first CRLs"
check_crl "$D_CRL" --ca "$D_CA" --number 1 --days 7 --entries 0 --freshest "$FRESHEST" || fail "the first base CRL of a delta CA"
LAST_CMD="check_crl.py delta home, first delta"
check_crl "$D_DELTA" --ca "$D_CA" --number 2 --days 1 --delta-of 1 --entries 0 \
  || fail "the first delta CRL: the base CRL's Freshest CRL must point at a file from the start"
check_crl "$D/public/delta-lab-root-ca.crl" --ca "$D/public/delta-lab-root-ca.crt" --number 1 --days 180 \
  || fail "the root's CRL (the root publishes no deltas, so no Freshest CRL)"
assert_eq "$(ca_json pcad '(d[1]["delta_crl_days"], d[0]["delta_crl_days"])')" "(1, None)" "delta_crl_days in ca list --json"

step "ca new --delta-crl publishes its first delta with its first base CRL"
expect_exit 0 pcad ca new --name "Delta Two" --parent "Delta Lab Root CA" --delta-crl -q
LAST_CMD="check_crl.py ca new --delta-crl"
check_crl "$D/public/delta-two+.crl" --ca "$D/public/delta-two.crt" --number 2 --days 1 --delta-of 1 --entries 0 \
  || fail "the first delta CRL of a CA made by ca new --delta-crl"

step "revoke --no-publish, then crl --delta: a critical Delta CRL Indicator = the base number, the new entry"
issue DL1 pcad --template WebServer
issue DL2 pcad --template WebServer
expect_exit 0 pcad revoke "$DL1" --reason certificateHold
assert_eq "$(crl_number "$D_CRL")" 3 "base CRL number after revoke"
LAST_CMD="check_crl.py delta base 3"
check_crl "$D_CRL" --ca "$D_CA" --number 3 --days 7 --freshest "$FRESHEST" --revoked "$DL1=certificateHold" \
  || fail "the base CRL published by revoke on a delta CA"
LAST_CMD="check_crl.py delta 4, brought by revoke's base CRL"
check_crl "$D_DELTA" --ca "$D_CA" --number 4 --days 1 --delta-of 3 --entries 0 \
  || fail "revoke's base CRL on a delta CA brings a fresh, empty delta on it (as certutil -crl)"
cp "$D_CRL" base-2.der
expect_exit 0 pcad revoke "$DL2" --reason keyCompromise --no-publish
expect_exit 0 pcad unrevoke "$DL1" --no-publish
cmp -s "$D_CRL" base-2.der || fail "revoke/unrevoke --no-publish changed the base CRL"
expect_exit 0 pcad crl --delta --json
assert_eq "$(jget "$OUT" '(d["number"], d["delta"], d["entries"])')" "(5, True, 2)" "crl --delta --json"
[[ -f "$D_DELTA" ]] || fail "crl --delta did not write public/delta-lab-issuing-ca+.crl"
cmp -s "$D_CRL" base-2.der || fail "crl --delta changed the base CRL"
LAST_CMD="check_crl.py delta 5"
check_crl "$D_DELTA" --ca "$D_CA" --number 5 --days 1 --delta-of 3 --entries 2 \
  --revoked "$DL2=keyCompromise" --revoked "$DL1=removeFromCRL" || fail "the delta CRL"
expect_exit 0 openssl crl -inform DER -in "$D_DELTA" -noout -text
grep -A1 'Delta CRL Indicator: critical' "$OUT" | tail -1 | grep -qE '^ +3$' || fail "openssl does not show a critical Delta CRL Indicator 3"
assert_contains "$OUT" "Remove From CRL"

step "the next base CRL: the new revocation, not the lifted hold; crl --delta on a CA without deltas: exit 1"
expect_exit 0 pcad crl --json
assert_eq "$(jget "$OUT" '(d["number"], d["delta"], d["delta_crl"]["number"], d["delta_crl"]["delta"])')" \
  "(6, False, 7, True)" "crl --json on a delta CA: the base, and the delta it brought"
LAST_CMD="check_crl.py delta base 6"
check_crl "$D_CRL" --ca "$D_CA" --number 6 --days 7 --entries 1 --freshest "$FRESHEST" --revoked "$DL2=keyCompromise" --absent "$DL1" \
  || fail "the base CRL after the delta"
expect_exit 0 pcad crl --delta -q
LAST_CMD="check_crl.py delta 8"
check_crl "$D_DELTA" --ca "$D_CA" --number 8 --days 1 --delta-of 6 --entries 0 || fail "an empty delta after a fresh base"
expect_exit 1 pcad crl --delta --ca "Delta Lab Root CA"
assert_error_line
grep '^error: ' "$ERR" | grep -qF 'Delta Lab Root CA' || fail "the error does not name the CA without deltas"
[[ ! -e "$D/public/delta-lab-root-ca+.crl" ]] || fail "crl --delta wrote a delta for the root"

# =============================================================================================
# Last, so that everything above runs even while these fail (known bugs, see the report).
KNOWN=()
known_bug() { echo "    KNOWN BUG: $*" >&2; KNOWN+=("$*"); }

step "an expired delta CRL is warned about like a base CRL (clients follow the base's Freshest CRL to it)"
sql "$D/pocketca.db" "update crls set this_update = '$(iso "-25 hours")', next_update = '$(iso "-1 hour")' where ca_index = 2 and is_delta = 1 and number = (select max(number) from crls where ca_index = 2 and is_delta = 1)" > /dev/null
expect_exit 0 pcad ca list --json
grep -q '^warning: ' "$ERR" || known_bug "ca list gives no warning when the published delta CRL (public/<ca>+.crl) is past its nextUpdate"

if ((${#KNOWN[@]})); then
  printf 'FAIL: %s\n' "${KNOWN[@]}" >&2
  exit 1
fi
echo "PASS"
