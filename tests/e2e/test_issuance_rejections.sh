# `pocketca submit` refusing what policy and intake refuse (design.md: Words, Durability rules,
# Request intake, Policy): one case per rule, plus hostile inputs that are not requests at all.
#
# Each refusal must: exit 1; write exactly one `error: …` line naming the rule; with --json print
# {"error": …} (and "request_id" when a row was written) on stdout; write no .cer/.p7b; add no
# certificate row; take well under a second. A request that parses gets a `denied` row with the
# reason and `submitted`/`denied` audit entries; input that is not a request gets no row but an
# audit entry. Afterwards the database is intact, only the CA certificates exist, and the next
# good request's serial still ends in its request ID: refusals burn request IDs, never serials.
#
# Cases run in subshells and a failing case does not stop the others; the failures are listed
# at the end. The requests are made by make_hostile_requests.py (a fresh key per run).
source "$(dirname "$0")/lib.sh"
need sqlite3
need python3
have_python_cryptography || { echo "SKIP: python3 cryptography is not installed" >&2; exit 77; }

SRC="${POCKETCA_SOURCE_DIR:-$E2E_DIR/../..}"
FIXTURES="$SRC/tests/data/requests"
DB="$H/pocketca.db"
REQ="$WORK/requests"   # the requests to submit
RUN="$WORK/cwd"        # submit runs here: the default <request basename>.cer/.p7b would land here
TIMES="$WORK/times"    # "<ms> <case>" per refusal
FAILED="$WORK/failed"  # one line per failed case
JSON_DIR="$WORK/json"  # each refusal's --json stdout (<case>.json) and what it must say (<case>.expect)
MAX_MS=1000
: > "$TIMES"
: > "$FAILED"
mkdir -p "$REQ" "$RUN" "$JSON_DIR"

q() { sqlite3 -batch -noheader "$DB" "$1" || fail "sqlite3 failed on: $1"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

expect_exit 0 pca --home "$H" init --name "Contoso Lab" --base-url http://pki.contoso.lab \
  --key ec:p256 --root-key ec:p256 --passphrase-file "$PW" -q
for f in ec-p256.pem windows-exchange.pem windows-exchange.der certificate.der; do
  [[ -f "$FIXTURES/$f" ]] || fail "fixture $FIXTURES/$f is missing (run tests/data/make-requests.py)"
done
python3 "$E2E_DIR/make_hostile_requests.py" "$REQ" "$FIXTURES/windows-exchange.pem" \
  "$FIXTURES/windows-exchange.der" "$FIXTURES/certificate.der" || fail "make_hostile_requests.py failed"
for f in rsa1024 rsa3072-e3 dsa2048 ed25519 ec-explicit-curve rsa2048-tampered-signature sans-100 sans-101 \
         sans-mixed san-dns-nul certificate ec-p256; do
  cp "$FIXTURES/$f.pem" "$REQ/$f.req" || fail "fixture $f.pem is missing"
done
cp "$FIXTURES/certificate.der" "$REQ/certificate-der-fixture.req"

CERTS_BEFORE=$(q 'SELECT count(*) FROM certificates')
assert_eq "$CERTS_BEFORE" 2 "certificates after init (the two CA certificates)"
FIRST_ID=$(( $(q 'SELECT ifnull(max(id), 0) FROM requests') + 1 ))

# run_case NAME KIND FILE [SUBSTRING…] -- [SUBMIT ARGS…]
#   KIND: request   parses as a request: a `denied` row with the reason
#         input     not a request (or over the size cap): no row, an audit entry
#         either    parses as PKCS#10 but is refused while decoding it (101 SANs, a huge exponent, a
#                   5-byte IP SAN). design.md gives every parsed request a row, yet lists "≤ 100 SANs"
#                   among the input caps before parsing; until that is settled, a denied row or an
#                   audit-only entry both pass, and everything else is checked as for the others
#   SUBSTRING: each must appear in the error text (case-insensitive): it names the rule.
run_case() {
  local name=$1 kind=$2 file=$3
  shift 3
  local -a want=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do want+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  if ! ( check_refusal "$name" "$kind" "$file" "${want[@]}" -- "$@" ); then
    echo "$name" >> "$FAILED"
  fi
  # A wrongly issued certificate must not spoil the next case's "no file written" check.
  find "$RUN" -mindepth 1 -delete
}

# The numbers a refusal must leave alone, and what it wrote, in one sqlite3 run each (fields split on \x1f).
snapshot() {
  sqlite3 -batch -noheader -separator $'\x1f' "$DB" "
    SELECT (SELECT ifnull(max(id), 0) FROM requests), (SELECT count(*) FROM requests),
           (SELECT count(*) FROM certificates), (SELECT count(*) FROM audit WHERE request_id IS NULL)" ||
    fail "sqlite3 failed"
}
newest_rows() {
  sqlite3 -batch -noheader -separator $'\x1f' "$DB" "
    SELECT r.disposition, r.resolved_at IS NOT NULL, replace(r.disposition_message, char(10), ' '),
           (SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE request_id = r.id ORDER BY id)),
           (SELECT replace(details, char(10), ' ') FROM audit WHERE request_id = r.id AND action = 'denied'),
           (SELECT replace(details, char(10), ' ') FROM audit WHERE request_id IS NULL ORDER BY id DESC LIMIT 1)
    FROM requests r WHERE r.id = (SELECT max(id) FROM requests)" || fail "sqlite3 failed"
}

check_refusal() {
  local name=$1 kind=$2 file=$3
  shift 3
  local -a want=()
  while [[ "$1" != "--" ]]; do want+=("$1"); shift; done
  shift
  step "refused: $name ($kind)"
  cd "$RUN" || fail "cd $RUN"

  local max_id requests certs input_audits
  IFS=$'\x1f' read -r max_id requests certs input_audits < <(snapshot)
  [[ -n "$input_audits" ]] || fail "could not read the database"

  local start end ms
  start=$(now_us)
  expect_exit 1 pca --home "$H" --json --passphrase-file "$PW" submit "$file" "$@"
  end=$(now_us)
  ms=$(( (end - start) / 1000 ))
  echo "$ms $name" >> "$TIMES"

  assert_error_line
  local message
  message=$(sed -n 's/^error: //p' "$ERR")
  local w
  for w in "${want[@]}"; do
    grep -qiF -- "$w" <<< "$message" || fail "the error does not name the rule: no \"$w\" in: $message"
  done
  [[ -z "$(ls -A "$RUN")" ]] || fail "a refused request left files behind: $(ls -A "$RUN" | tr '\n' ' ')"
  (( ms < MAX_MS )) || fail "the refusal took ${ms} ms (limit ${MAX_MS} ms)"

  local max_id2 requests2 certs2 input_audits2
  IFS=$'\x1f' read -r max_id2 requests2 certs2 input_audits2 < <(snapshot)
  assert_eq "$certs2" "$certs" "certificate rows after a refusal"
  local new_rows=$(( requests2 - requests )) id=""
  (( new_rows == 1 )) && id=$max_id2
  # --json is checked in one python3 run at the end (python3 starts slowly): keep what it needs.
  cp "$OUT" "$JSON_DIR/$name.json"
  printf '%s\n%s\n' "$id" "$message" > "$JSON_DIR/$name.expect"

  if [[ "$kind" == either ]]; then
    kind=$([[ -n "$id" ]] && echo request || echo input)
    echo "    (refused $([[ "$kind" == request ]] && echo 'with a denied row' || echo 'as input: no row'))"
  fi
  local disposition resolved reason actions audit_reason input_details
  IFS=$'\x1f' read -r disposition resolved reason actions audit_reason input_details < <(newest_rows)
  if [[ "$kind" == request ]]; then
    assert_eq "$new_rows" 1 "new request rows"
    (( id > max_id )) || fail "request ID $id is not new (the highest before was $max_id)"
    assert_eq "$disposition" denied "disposition of request $id"
    [[ -n "$reason" ]] || fail "request $id is denied without a reason"
    assert_eq "$message" "request $id denied: $reason" "the error line against the stored reason"
    assert_eq "$resolved" 1 "resolved_at of request $id is set"
    assert_eq "$actions" "submitted denied" "audit entries of request $id"
    assert_eq "$audit_reason" "$reason" "the reason in the denied audit entry of request $id"
    echo "$id" >> "$WORK/denied-ids"
  else
    assert_eq "$new_rows" 0 "new request rows for input that is not a request"
    assert_eq "$max_id2" "$max_id" "highest request ID"
    assert_eq "$(( input_audits2 - input_audits ))" 1 "new audit entries for refused input"
    [[ "$input_details" == *"$message"* ]] || fail "the audit entry does not say why: [$input_details]"
  fi
}

# ---- Policy: every rule, with a request that breaks only it ----
P="$REQ/policy"
WS=(--template WebServer)

# Proof of possession.
run_case tampered-signature request "$REQ/rsa2048-tampered-signature.req" "proof of possession" -- "${WS[@]}"
# Keys: RSA size and exponent, EC named curves only, nothing else.
run_case rsa-1024 request "$REQ/rsa1024.req" "RSA 1024-bit" "at least 2048" -- "${WS[@]}"
run_case rsa-8200 request "$P/rsa-8200-bits.req" "8200-bit" "at most 8192" -- "${WS[@]}"
run_case rsa-exponent-3 request "$REQ/rsa3072-e3.req" "exponent is 3" "65537" -- "${WS[@]}"
run_case rsa-exponent-17 request "$P/rsa-exponent-17.req" "exponent is 17" "65537" -- "${WS[@]}"
run_case rsa-even-exponent request "$P/rsa-even-exponent.req" "exponent is 65538" "odd" -- "${WS[@]}"
run_case ec-explicit-curve request "$REQ/ec-explicit-curve.req" "curve parameters" "named curve" -- "${WS[@]}"
run_case ec-secp256k1 request "$P/ec-secp256k1.req" "secp256k1" "P-256" -- "${WS[@]}"
run_case dsa request "$REQ/dsa2048.req" "DSA key" "template WebServer accepts" -- "${WS[@]}"
run_case ed25519 request "$REQ/ed25519.req" "ED25519 key" "template WebServer accepts" -- "${WS[@]}"
# SAN count: the cap counts --attrib SANs too (ec-p256 has 2 SANs; 99 more make 101).
many=""
for i in $(seq 1 99); do many+="dns=host$i.contoso.lab&"; done
run_case attrib-101-sans request "$REQ/ec-p256.req" "101 SANs" "at most 100" -- "${WS[@]}" --attrib "SAN:$many"
# SAN types: WebServer takes DNS and IP only; a UPN is the AD logon-abuse pattern.
run_case san-mixed request "$REQ/sans-mixed.req" "email:administrator@contoso.lab" "template WebServer" -- "${WS[@]}"
run_case san-email request "$P/san-email.req" "SAN email:administrator@contoso.lab" "template WebServer" -- "${WS[@]}"
run_case san-uri request "$P/san-uri.req" "SAN URI:https://mail.contoso.lab/owa" "template WebServer" -- "${WS[@]}"
run_case san-upn request "$P/san-upn.req" "UPN:administrator@contoso.lab" "ESC" -- "${WS[@]}"
run_case attrib-upn request "$REQ/ec-p256.req" "UPN:administrator@contoso.lab" "ESC" -- "${WS[@]}" \
  --attrib "SAN:upn=administrator@contoso.lab"
# DNS names: LDH, A-labels, wildcards, length, no NUL/control bytes.
run_case dns-nul request "$REQ/san-dns-nul.req" "control character" '\x00' -- "${WS[@]}"
run_case dns-escape-byte request "$P/dns-control-byte.req" "control character" '\x1b' -- "${WS[@]}"
run_case dns-u-label request "$P/dns-u-label.req" "U-label" "xn--bcher-kva.contoso.lab" -- "${WS[@]}"
run_case attrib-u-label request "$REQ/ec-p256.req" "U-label" "xn--bcher-kva.contoso.lab" -- "${WS[@]}" \
  --attrib "SAN:dns=bücher.contoso.lab"
run_case dns-partial-wildcard request "$P/dns-partial-wildcard.req" "partial wildcard" "left-most label" -- "${WS[@]}"
run_case dns-wildcard-not-leftmost request "$P/dns-wildcard-not-leftmost.req" "2nd label" "left-most label" -- "${WS[@]}"
run_case dns-wildcard-over-tld request "$P/dns-wildcard-over-tld.req" '"*.lab"' "top-level domain" -- "${WS[@]}"
run_case dns-254-chars request "$P/dns-254-chars.req" "254 characters" "at most 253" -- "${WS[@]}"
run_case dns-underscore request "$P/dns-underscore.req" "underscore" "mail-server.contoso.lab" -- "${WS[@]}"
# IP SANs.
run_case attrib-bad-ip request "$REQ/ec-p256.req" "10.0.0.256" "not an IP address" -- "${WS[@]}" \
  --attrib "SAN:ipaddress=10.0.0.256"
# CN: ≤ 64 characters (say where the long name goes), look-alikes, control bytes.
run_case cn-65-chars request "$P/cn-65-chars.req" "65 characters" "SAN" -- "${WS[@]}"
run_case cn-cyrillic-lookalike request "$P/cn-cyrillic-lookalike.req" "look-alike" "U+0430" -- "${WS[@]}"
run_case cn-control-byte request "$P/cn-control-byte.req" "CN" "control character" -- "${WS[@]}"
# "No NUL or control bytes anywhere": in the subject outside the CN too.
run_case subject-control-byte request "$P/subject-control-byte.req" "control character" -- "${WS[@]}"
run_case subject-nul-byte request "$P/subject-nul-byte.req" "control character" -- "${WS[@]}"
# A name the certificate would match: a non-host CN needs SANs; no CN and no SAN is refused.
run_case cn-not-host-no-san request "$P/cn-not-host-no-san.req" "Contoso Mail" "not a host name" "no SAN" -- "${WS[@]}"
run_case no-cn-no-san request "$P/no-cn-no-san.req" "neither a CN nor a SAN" -- "${WS[@]}"
# Templates: the request may name an end-entity template, never a CA template.
run_case names-subca-template request "$P/names-subca-template.req" "CA template SubCA" "--template SubCA" --
run_case names-unknown-template request "$P/names-unknown-template.req" "NoSuchTemplate" "templates:" --
run_case no-template request "$REQ/ec-p256.req" "no template chosen" "--template" --

step "the request naming SubCA was not taken under SubCA"
subca_id=$(q "SELECT max(id) FROM requests WHERE disposition_message LIKE '%CA template SubCA%'")
[[ -n "$subca_id" ]] || echo "names-subca-template (no row)" >> "$FAILED"
[[ -z "$subca_id" || "$(q "SELECT template_name FROM requests WHERE id = $subca_id")" != SubCA ]] ||
  { echo "FAIL: request $subca_id is recorded under SubCA" >&2; echo "names-subca-template (template)" >> "$FAILED"; }

# Refused while decoding, though they parse as PKCS#10: a row or an audit-only entry both pass (see run_case).
run_case sans-101 either "$REQ/sans-101.req" "101 SANs" "at most 100" -- "${WS[@]}"
run_case rsa-exponent-81-bits either "$P/rsa-exponent-81-bits.req" "exponent" "81 bits" -- "${WS[@]}"
run_case san-ip-5-octets either "$P/san-ip-5-octets.req" "IP address" "5 octets" -- "${WS[@]}"

# ---- Intake: input that is not a request ----
X="$REQ/hostile"
run_case empty-file input "$X/empty.req" "empty" -- "${WS[@]}"
run_case blank-lines input "$X/blank-lines.req" "blank" -- "${WS[@]}"
run_case random-1k input "$X/random-1k.req" "no certificate request found" -- "${WS[@]}"
run_case random-1k-der-tag input "$X/random-1k-der-tag.req" "not a PKCS#10 request" -- "${WS[@]}"
run_case truncated-pem-no-end input "$X/truncated-pem-no-end.req" "no matching -----END" -- "${WS[@]}"
run_case truncated-pem-body input "$X/truncated-pem-body.req" "not a PKCS#10 request" -- "${WS[@]}"
run_case truncated-der input "$X/truncated-der.req" "not a PKCS#10 request" -- "${WS[@]}"
run_case der-trailing-data input "$X/der-trailing-data.req" "trailing data" -- "${WS[@]}"
run_case random-5mib input "$X/random-5m.req" "at most 64 KiB" -- "${WS[@]}"
run_case pem-5mib input "$X/pem-5m.req" "at most 64 KiB" -- "${WS[@]}"
run_case nested-indefinite-100000 input "$X/nested-indefinite-100000.req" "at most 64 KiB" -- "${WS[@]}"
run_case nested-indefinite-32000 input "$X/nested-indefinite-32000.req" "request" -- "${WS[@]}"
run_case nested-definite-13000 input "$X/nested-definite-13000.req" "not a PKCS#10 request" -- "${WS[@]}"
run_case certificate-pem-fixture input "$REQ/certificate.req" "certificate, not a certificate request" -- "${WS[@]}"
run_case certificate-der-fixture input "$REQ/certificate-der-fixture.req" "certificate, not a certificate request" -- "${WS[@]}"
run_case certificate-pem input "$X/certificate-pem.req" "certificate, not a certificate request" -- "${WS[@]}"
run_case certificate-der input "$X/certificate-der.req" "certificate, not a certificate request" -- "${WS[@]}"
run_case garbage-base64 input "$X/garbage-base64.req" "no certificate request found" -- "${WS[@]}"
run_case garbage-base64-sequence input "$X/garbage-base64-sequence.req" "not a PKCS#10 request" -- "${WS[@]}"
run_case plain-text input "$X/not-base64-text.req" "no certificate request found" -- "${WS[@]}"
run_case utf16le-bom-junk input "$X/utf16le-bom-junk.req" "no certificate request found" -- "${WS[@]}"
run_case utf16be-bom-junk input "$X/utf16be-bom-junk.req" "no certificate request found" -- "${WS[@]}"
run_case utf16-odd-length input "$X/utf16le-bom-odd-length.req" "UTF-16" "odd number of bytes" -- "${WS[@]}"
run_case utf16-lone-surrogate input "$X/utf16le-bom-lone-surrogate.req" "UTF-16" "surrogate" -- "${WS[@]}"
run_case private-key-next-to-request input "$X/private-key-pem.req" "private key" -- "${WS[@]}"
run_case pkcs7-pem input "$X/pkcs7-pem.req" "PKCS#7 certificate chain (.p7b)" -- "${WS[@]}"

step "without --json: the same one error line, nothing on stdout"
for f in "$REQ/rsa1024.req" "$X/random-1k.req"; do
  cd "$RUN" || fail "cd $RUN"
  if ! ( expect_exit 1 pca --home "$H" --passphrase-file "$PW" submit "$f" "${WS[@]}"
         assert_error_line
         [[ ! -s "$OUT" ]] || fail "stdout is not empty without --json"
         [[ -z "$(ls -A "$RUN")" ]] || fail "files left behind" ); then
    echo "plain output: $(basename "$f")" >> "$FAILED"
  fi
  find "$RUN" -mindepth 1 -delete
done

# ---- Limits that are not refusals: the boundaries pass policy (held as pending: no certificate) ----
for c in "cn-64-chars:$P/cn-64-chars.req" "dns-253-chars:$P/dns-253-chars.req" "sans-100:$REQ/sans-100.req"; do
  step "accepted at the limit: ${c%%:*}"
  cd "$RUN" || fail "cd $RUN"
  if ! ( expect_exit 3 pca --home "$H" --json --passphrase-file "$PW" submit "${c#*:}" "${WS[@]}" --pending
         id=$(q 'SELECT max(id) FROM requests')
         assert_eq "$(q "SELECT disposition FROM requests WHERE id = $id")" pending "disposition of request $id"
         assert_contains "$OUT" "\"request_id\": $id" ); then
    echo "boundary ${c%%:*}" >> "$FAILED"
  fi
  find "$RUN" -mindepth 1 -delete
done

# ---- After the refusals ----
step "the database is intact and holds no certificate but the CAs'"
assert_eq "$(q 'PRAGMA integrity_check')" ok "integrity_check"
if [[ "$(q 'SELECT count(*) FROM certificates')" != "$CERTS_BEFORE" ]]; then
  echo "FAIL: $(( $(q 'SELECT count(*) FROM certificates') - CERTS_BEFORE )) certificate(s) were issued during the refusals:" >&2
  q "SELECT request_id, subject FROM certificates WHERE request_id >= $FIRST_ID" >&2
  echo "certificates issued during the refusals" >> "$FAILED"
fi

step "a good request afterwards: its serial ends in its request ID; refusals burnt IDs, not serials"
cd "$RUN" || fail "cd $RUN"
[[ -s "$WORK/denied-ids" ]] || fail "no request was denied with a row"
last_id=$(q 'SELECT max(id) FROM requests')
expect_exit 0 pca --home "$H" --json --passphrase-file "$PW" submit "$REQ/ec-p256.req" "${WS[@]}"
cp "$OUT" "$WORK/good.json"
[[ -f "$RUN/ec-p256.cer" && -f "$RUN/ec-p256.p7b" ]] || fail "the good request's ec-p256.cer/.p7b are missing"
good_id=$(q 'SELECT max(id) FROM requests')
assert_eq "$good_id" "$(( last_id + 1 ))" "request ID of the good request (IDs keep counting past denied rows)"
(( good_id >= FIRST_ID + $(wc -l < "$WORK/denied-ids") )) || fail "request ID $good_id: the denied rows did not take IDs"
assert_eq "$(q "SELECT disposition FROM requests WHERE id = $good_id")" issued "disposition of the good request"
good_serial=$(q "SELECT serial FROM certificates WHERE request_id = $good_id")
[[ "$good_serial" =~ ^[0-9a-f]{38}$ ]] || fail "serial [$good_serial] is not 19 bytes of lower-case hex"
assert_eq "$(( 16#${good_serial: -8} ))" "$good_id" "serial mod 2^32 (the serial's last 4 bytes)"
assert_eq "$(q "SELECT count(*) FROM requests r LEFT JOIN certificates c ON c.request_id = r.id
               WHERE (r.disposition = 'issued') <> (c.request_id IS NOT NULL)")" 0 \
  "requests whose disposition disagrees with their certificate row"
assert_eq "$(q "SELECT count(*) FROM certificates c JOIN requests r ON r.id = c.request_id
               WHERE substr(c.serial, -8) <> printf('%08x', r.id)")" 0 "certificates whose serial does not end in their request ID"
assert_eq "$(q 'PRAGMA integrity_check')" ok "integrity_check at the end"

step "--json of every refusal, of the good request, and list --requests --json"
expect_exit 0 pca --home "$H" list --requests --json
python3 - "$JSON_DIR" "$WORK/good.json" "$good_id" "$good_serial" "$OUT" "$WORK/denied-ids" << 'EOF' >> "$FAILED"
import json, pathlib, sys

json_dir, good_json, good_id, good_serial, listed, denied_ids = sys.argv[1:]


def problem(case, why):
    print(f"FAIL: {case}: {why}", file=sys.stderr)
    print(f"{case} (--json)")


# A refusal: {"error": <the stderr text>}, plus "request_id" exactly when a row was written.
for expect in sorted(pathlib.Path(json_dir).glob("*.expect")):
    case = expect.stem
    want_id, message = expect.read_text().split("\n")[:2]
    try:
        doc = json.loads(expect.with_suffix(".json").read_text())
    except ValueError as e:
        problem(case, f"stdout is not one JSON document ({e})")
        continue
    if not isinstance(doc, dict):
        problem(case, f"stdout is not a JSON object: {doc!r}")
    elif set(doc) != ({"error", "request_id"} if want_id else {"error"}):
        problem(case, f"keys {sorted(doc)}, expected {['error', 'request_id'] if want_id else ['error']}")
    elif doc["error"] != message:
        problem(case, f"JSON error {doc['error']!r} differs from the stderr line {message!r}")
    elif want_id and (type(doc["request_id"]) is not int or doc["request_id"] != int(want_id)):
        problem(case, f"request_id {doc['request_id']!r}, but the new row is {want_id}")

good = json.loads(pathlib.Path(good_json).read_text())
if good.get("request_id") != int(good_id) or good.get("serial") != good_serial or good.get("disposition") != "issued":
    problem("good request", f"--json says {good.get('request_id')!r}/{good.get('serial')!r}/{good.get('disposition')!r}, "
                            f"the database {good_id}/{good_serial}/issued")

rows = {r["request_id"]: r for r in json.loads(pathlib.Path(listed).read_text())}
for line in open(denied_ids):
    r = rows.get(int(line))
    if r is None:
        problem("list --requests", f"request {line.strip()} is missing")
    elif r["disposition"] != "denied" or not r.get("message"):
        problem("list --requests", f"request {r['request_id']} is listed as {r['disposition']!r}, reason {r.get('message')!r}")
    elif r.get("serial", "absent") is not None:
        problem("list --requests", f"denied request {r['request_id']} has serial {r.get('serial', 'absent')!r}, not null")
if rows.get(int(good_id), {}).get("serial") != good_serial:
    problem("list --requests", f"issued request {good_id} lists serial {rows.get(int(good_id), {}).get('serial')!r}, "
                               f"the database {good_serial}")
EOF

step "timings"
sort -n "$TIMES" | tail -3 | awk '{ printf "    %5d ms  %s\n", $1, $2 }'
echo "    $(wc -l < "$TIMES") refusals; the slowest took $(sort -n "$TIMES" | tail -1 | awk '{ print $1 " ms (" $2 ")" }')"

if [[ -s "$FAILED" ]]; then
  echo "FAIL: $(wc -l < "$FAILED") case(s) failed:" >&2
  sed 's/^/  - /' "$FAILED" >&2
  exit 1
fi
echo "PASS"
