# CRL numbers (Durability rules): allocated inside a transaction, strictly increasing. 50 `crl`
# runs in separate processes give 2, 3, … 51, the same in --json, in the published file and in the
# database; then concurrent writers — one process revoking 20 certificates one by one (each revoke
# publishes), another running `crl` 20 times, then `crl` against `crl --all` — never share or reorder
# a number, the published file ends with the highest one and every revocation, readers polling
# public/<ca>.crl never see half a CRL, no temporary file is left behind, and the database passes
# PRAGMA integrity_check.
source "$(dirname "$0")/lib.sh"
need openssl
use_python cryptography

DB="$H/pocketca.db"
CRL="$H/public/contoso-lab-issuing-ca.crl"
ROOT_CRL="$H/public/contoso-lab-root-ca.crl"
# sql STATEMENT: rows of a query on the home's database (python's sqlite3: no sqlite3 CLI needed).
sql() {
  "$PY" -c '
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
' "$DB" "$1" || fail "sql failed: $1"
}
# crl_number FILE: the CRL number openssl reads from a DER CRL, in decimal.
crl_number() {
  local n
  n=$(openssl crl -inform DER -in "$1" -noout -crlnumber) || fail "openssl cannot read $1"
  echo $((16#${n#crlNumber=0x}))
}
# check_sequence CA_INDEX COUNT: the CA's CRL numbers in the order the rows were written are strictly
# increasing, without duplicates, COUNT of them; prints the highest.
check_sequence() {
  "$PY" - "$DB" "$1" "$2" << 'EOF' || fail "the CRL numbers of CA $1 in the database are not as they must be"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
ca, count = int(sys.argv[2]), int(sys.argv[3])
nums = [n for (n,) in con.execute("select number from crls where ca_index = ? order by rowid", (ca,))]
assert len(nums) == count, f"{len(nums)} CRL rows for CA {ca}, expected {count}"
assert len(set(nums)) == len(nums), f"duplicate CRL numbers: {sorted(n for n in set(nums) if nums.count(n) > 1)}"
bad = [(a, b) for a, b in zip(nums, nums[1:]) if b <= a]
assert not bad, f"CRL numbers not strictly increasing in write order: {bad[:5]} in {nums}"
print(max(nums))
EOF
}

step "init (EC root and issuing CA): CRL number 1 for each"
expect_exit 0 pcah init --name "Contoso Lab" --key ec:p256 --root-key ec:p256 -q
assert_eq "$(crl_number "$CRL")" 1 "first issuing CA CRL number"
assert_eq "$(crl_number "$ROOT_CRL")" 1 "first root CRL number"

# =============================================================================================
step "50 crl runs in separate processes: 2, 3, … 51 in --json, in the published file and in the database"
start=$SECONDS
prev=1
for i in $(seq 1 50); do
  LAST_CMD="pocketca crl --json (run $i)"
  pcah crl --json > "$OUT" 2> "$ERR" || fail "crl run $i failed"
  num=$(sed -n 's/^  "number": \([0-9]*\),$/\1/p' "$OUT")
  [[ "$num" =~ ^[0-9]+$ ]] || fail "no number in crl --json (run $i)"
  assert_eq "$num" "$((prev + 1))" "CRL number of run $i"
  assert_eq "$(crl_number "$CRL")" "$num" "number in public/contoso-lab-issuing-ca.crl after run $i"
  prev=$num
done
echo "    (50 crl runs: $((SECONDS - start)) s)"
assert_eq "$(check_sequence 2 51)" 51 "highest CRL number after 50 runs"
assert_eq "$(sql "select count(*) from audit where action = 'crl-published'")" 52 "crl-published audit rows (2 from init + 50)"
expect_exit 0 pcah ca list --json
grep -q '"crl_number": 51,' "$OUT" || fail "ca list --json does not say crl_number 51"

# =============================================================================================
step "20 certificates to revoke"
declare -a SERIALS
for i in $(seq 1 20); do
  openssl_req=$WORK/web.req
  if [[ ! -f "$openssl_req" ]]; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout web.key -subj "/CN=web.contoso.lab" \
      -out "$openssl_req" 2> /dev/null || fail "openssl could not make a request"
  fi
  LAST_CMD="submit (certificate $i)"
  pcah submit "$openssl_req" --template WebServer --out "c$i.cer" --chain "c$i.p7b" --json > "$OUT" 2> "$ERR" || fail "submit $i failed"
  SERIALS[i]=$(sed -n 's/^  "serial": "\([0-9a-f]*\)",$/\1/p' "$OUT")
  [[ "${SERIALS[i]}" =~ ^[0-9a-f]{38}$ ]] || fail "no serial for certificate $i"
done

# poll FILE…: reads each file with openssl until $WORK/.stop exists; counts reads and failures.
poll() {
  local reads=0 bad=0 f
  while [[ ! -e "$WORK/.stop" ]]; do
    for f in "$@"; do
      reads=$((reads + 1))
      if ! openssl crl -inform DER -in "$f" -noout 2> /dev/null; then
        # A rename between the open and the read cannot make a half file; a missing file can only
        # be a moment without any CRL, which must not happen either.
        bad=$((bad + 1))
        cp "$f" "$WORK/broken-$bad.crl" 2> /dev/null
      fi
    done
    sleep 0.02
  done
  echo "$reads $bad" > "$WORK/poll.txt"
}

step "concurrently: one process revokes 20 certificates one by one, another runs crl 20 times, a third reads the CRL"
rm -f "$WORK/.stop"
poll "$CRL" &
poller=$!
start=$SECONDS
(
  for i in $(seq 1 20); do
    pca --home "$H" --passphrase-file "$PW" revoke "${SERIALS[i]}" --reason keyCompromise -q > /dev/null 2>> "$WORK/revoke.err" \
      || echo "revoke $i failed" >> "$WORK/failures.txt"
  done
) &
revoker=$!
(
  for i in $(seq 1 20); do
    pca --home "$H" --passphrase-file "$PW" crl -q > /dev/null 2>> "$WORK/crl.err" \
      || echo "crl $i failed" >> "$WORK/failures.txt"
  done
) &
publisher=$!
wait "$revoker"
wait "$publisher"
touch "$WORK/.stop"
wait "$poller"
echo "    (concurrent revoke + crl: $((SECONDS - start)) s; reader: $(cat "$WORK/poll.txt") reads/failures)"
if [[ -s "$WORK/failures.txt" ]]; then
  LAST_CMD=""
  fail "concurrent commands failed: $(tr '\n' ';' < "$WORK/failures.txt") stderr: $(cat "$WORK/revoke.err" "$WORK/crl.err" | head -5)"
fi
read -r reads bad < "$WORK/poll.txt"
((reads > 0)) || fail "the reader never read the CRL"
assert_eq "$bad" 0 "unreadable CRLs seen by the reader while two processes published (half a CRL?)"

step "afterwards: 91 numbers, strictly increasing, no duplicates; the file holds the highest with all 20 revocations"
top=$(check_sequence 2 91)
assert_eq "$top" 91 "highest issuing CA CRL number"
assert_eq "$(crl_number "$CRL")" "$top" "number in public/contoso-lab-issuing-ca.crl after the concurrent runs"
"$PY" - "$DB" "$CRL" "${SERIALS[@]}" << 'EOF' || fail "the published CRL is not the newest one with every revocation"
import sqlite3, sys
from cryptography import x509
con = sqlite3.connect(sys.argv[1], timeout=10)
der = open(sys.argv[2], "rb").read()
newest = con.execute("select d.der, c.entries from crls c join crl_der d using (ca_index, number)"
                     " where ca_index = 2 order by number desc limit 1").fetchone()
assert bytes(newest[0]) == der, "public/contoso-lab-issuing-ca.crl is not the newest CRL in the database"
assert newest[1] == 20, newest[1]
crl = x509.load_der_x509_crl(der)
missing = [s for s in sys.argv[3:] if crl.get_revoked_certificate_by_serial_number(int(s, 16)) is None]
assert not missing, f"not on the final CRL: {missing}"
assert len(crl) == 20, len(crl)
EOF
expect_exit 0 pcah list --status revoked --json
assert_eq "$(grep -c '"status": "revoked"' "$OUT")" 20 "revoked certificates in list --json"
assert_eq "$(sql "select count(*) from audit where action = 'revoked'")" 20 "revoked audit rows"
assert_eq "$(sql "select count(*) from audit where action = 'crl-published'")" \
  "$(sql "select count(*) from crls")" "crl-published audit rows = CRL rows"

step "concurrently: crl (issuing CA) 10 times against crl --all 10 times"
(
  for i in $(seq 1 10); do
    pca --home "$H" --passphrase-file "$PW" crl -q > /dev/null 2>> "$WORK/crl.err" || echo "crl $i failed" >> "$WORK/failures.txt"
  done
) &
p1=$!
(
  for i in $(seq 1 10); do
    pca --home "$H" --passphrase-file "$PW" crl --all -q > /dev/null 2>> "$WORK/crl.err" || echo "crl --all $i failed" >> "$WORK/failures.txt"
  done
) &
p2=$!
wait "$p1"
wait "$p2"
[[ ! -s "$WORK/failures.txt" ]] || fail "concurrent crl runs failed: $(tr '\n' ';' < "$WORK/failures.txt") $(head -3 "$WORK/crl.err")"
assert_eq "$(check_sequence 2 111)" 111 "highest issuing CA CRL number after crl vs crl --all"
assert_eq "$(check_sequence 1 11)" 11 "highest root CRL number after 10 crl --all"
assert_eq "$(crl_number "$CRL")" 111 "number in the issuing CA's published CRL"
assert_eq "$(crl_number "$ROOT_CRL")" 11 "number in the root's published CRL"

step "the database is sound and public/ holds no temporary files"
assert_eq "$(sql "PRAGMA integrity_check")" ok "PRAGMA integrity_check"
assert_eq "$(sql "PRAGMA foreign_key_check" | wc -l)" 0 "PRAGMA foreign_key_check rows"
assert_eq "$(cd "$H/public" && ls -A | LC_ALL=C sort | tr '\n' ' ')" \
  "contoso-lab-issuing-ca.crl contoso-lab-issuing-ca.crt contoso-lab-root-ca.crl contoso-lab-root-ca.crt " "files in public/"

# =============================================================================================
# Last, so that everything above runs even while these fail (known bugs, see the report).
KNOWN=()
known_bug() { echo "    KNOWN BUG: $*" >&2; KNOWN+=("$*"); }

step "two processes revoking the same certificate at once: one wins, the other says it is already revoked"
races=0
for trial in 1 2 3; do
  LAST_CMD="submit (race $trial)"
  pcah submit "$WORK/web.req" --template WebServer --out "race$trial.cer" --chain "race$trial.p7b" --json > "$OUT" 2> "$ERR" || fail "submit failed"
  s=$(sed -n 's/^  "serial": "\([0-9a-f]*\)",$/\1/p' "$OUT")
  pca --home "$H" --passphrase-file "$PW" revoke "$s" --reason keyCompromise -q > /dev/null 2> "$WORK/race-a.err" &
  a=$!
  pca --home "$H" --passphrase-file "$PW" revoke "$s" --reason certificateHold -q > /dev/null 2> "$WORK/race-b.err" &
  b=$!
  ra=0 rb=0
  wait "$a" || ra=$?
  wait "$b" || rb=$?
  rows=$(sql "select count(*) from audit where action = 'revoked' and serial = '$s'")
  if [[ "$ra$rb" != 01 && "$ra$rb" != 10 ]] || [[ "$rows" != 1 ]]; then
    races=$((races + 1))
    last_race="$s: exits $ra/$rb, $rows 'revoked' audit rows, now $(sql "select revocation_reason from certificates where serial = '$s'")"
  fi
done
((races == 0)) || known_bug "concurrent revokes of one certificate both succeed in $races of 3 trials (e.g. $last_race): a keyCompromise can be silently replaced by a liftable certificateHold"

if ((${#KNOWN[@]})); then
  printf 'FAIL: %s\n' "${KNOWN[@]}" >&2
  exit 1
fi
echo "PASS"
