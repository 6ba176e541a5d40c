# CRLs as tools we did not write read them: on an RSA home (as a lab AD CS would have), init
# publishes a first empty CRL per CA; three WebServer certificates from openssl requests, one
# revoked for keyCompromise; `openssl verify -crl_check` (and -crl_check_all with the root's CRL)
# rejects that one with "certificate revoked" and accepts the others; `openssl crl -text`, gnutls
# `certtool --crl-info` / `--verify-crl` and pyca/cryptography (check_crl.py) agree on the shape:
# v2, CRL number, reason codes (none for unspecified, RFC 5280 5.3.1), issuer byte-identical to the
# CA subject, AKI = CA SKI, thisUpdate back-dated 10 minutes, nextUpdate 7 days (issuing) / 180
# days (root), Next CRL Publish 1.3.6.1.4.1.311.21.4, no issuingDistributionPoint, sha256WithRSA.
# A tampered CRL fails every verifier. A revoked intermediate lands on the ROOT's CRL and
# `openssl verify -crl_check_all` then rejects the leaf under it.
source "$(dirname "$0")/lib.sh"
need openssl
use_python cryptography
HAVE_CERTTOOL=0
command -v certtool > /dev/null 2>&1 && HAVE_CERTTOOL=1

PUB="$H/public"
check_crl() { "$PY" "$E2E_DIR/check_crl.py" "$@"; }
# DER CRL/certificate -> PEM next to the work folder.
crl_pem() { openssl crl -inform DER -in "$1" -out "$2" || fail "openssl cannot read the CRL $1"; }
# verify_ok LEAF ARGS… / verify_revoked LEAF ARGS…: openssl verify with the given trust and CRLs.
verify_ok() {
  local leaf=$1
  shift
  LAST_CMD="openssl verify $* $leaf"
  openssl verify "$@" "$leaf" > "$OUT" 2> "$ERR" || fail "openssl verify rejects $leaf"
  assert_contains "$OUT" "$leaf: OK"
}
verify_revoked() {
  local leaf=$1
  shift
  LAST_CMD="openssl verify $* $leaf"
  if openssl verify "$@" "$leaf" > "$OUT" 2> "$ERR"; then fail "openssl verify accepts the revoked $leaf"; fi
  grep -q 'certificate revoked' "$OUT" "$ERR" || fail "openssl verify does not say 'certificate revoked' for $leaf"
}
# Seconds between two openssl dates ("Nov 23 11:23:03 2026 GMT").
secs_between() { echo $(($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s))); }

step "init an RSA home (RSA 2048 root and issuing CA, --base-url)"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --root-key rsa:2048 --key rsa:2048 -q
openssl x509 -inform DER -in "$PUB/contoso-lab-root-ca.crt" -out root.pem || fail "no root certificate"
openssl x509 -inform DER -in "$PUB/contoso-lab-issuing-ca.crt" -out issuing.pem || fail "no issuing certificate"
ROOT_CRL="$PUB/contoso-lab-root-ca.crl"
ISS_CRL="$PUB/contoso-lab-issuing-ca.crl"

step "init published a first, empty, signed CRL for each CA (number 1; 180 days root, 7 days issuing)"
[[ -f "$ROOT_CRL" && -f "$ISS_CRL" ]] || fail "init did not publish public/<ca>.crl for both CAs: $(ls "$PUB")"
LAST_CMD="check_crl.py (first CRLs)"
check_crl "$ROOT_CRL" --ca root.pem --number 1 --days 180 --entries 0 || fail "the root's first CRL"
check_crl "$ISS_CRL" --ca issuing.pem --number 1 --days 7 --entries 0 || fail "the issuing CA's first CRL"
expect_exit 0 pcah ca list --json
assert_eq "$(jget "$OUT" '[(c["slug"], c["crl_number"], c["crl_state"]) for c in d]')" \
  "[('contoso-lab-root-ca', 1, 'ok'), ('contoso-lab-issuing-ca', 1, 'ok')]" "ca list --json CRL keys after init"

step "three WebServer certificates from openssl requests"
declare -a SERIAL
for i in 1 2 3; do
  openssl req -new -newkey rsa:2048 -nodes -keyout "web$i.key" -subj "/CN=web$i.contoso.lab" -out "web$i.req" 2> /dev/null \
    || fail "openssl could not make request $i"
  expect_exit 0 pcah submit "web$i.req" --template WebServer --format base64 --json
  SERIAL[i]=$(jget "$OUT" 'd["serial"]')
  [[ -f "web$i.cer" ]] || fail "submit did not write web$i.cer"
  head -1 "web$i.cer" | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "web$i.cer is not PEM"
done
crl_pem "$ISS_CRL" issuing-1.crl.pem
crl_pem "$ROOT_CRL" root-1.crl.pem
for i in 1 2 3; do
  verify_ok "web$i.cer" -crl_check -CAfile root.pem -untrusted issuing.pem -CRLfile issuing-1.crl.pem
done

step "revoke web1 for keyCompromise: the issuing CA's CRL 2 is published at once"
cp "$ROOT_CRL" root-before.crl
expect_exit 0 pcah revoke "${SERIAL[1]}" --reason keyCompromise
assert_contains "$OUT" "${SERIAL[1]}"
assert_contains "$OUT" "keyCompromise"
LAST_CMD="check_crl.py $ISS_CRL (after revoke)"
check_crl "$ISS_CRL" --ca issuing.pem --number 2 --days 7 --entries 1 \
  --revoked "${SERIAL[1]}=keyCompromise" --absent "${SERIAL[2]}" --absent "${SERIAL[3]}" || fail "the CRL after revoke"
cmp -s "$ROOT_CRL" root-before.crl || fail "revoking a leaf re-published the root's CRL (only the issuer's is due)"
crl_pem "$ISS_CRL" issuing.crl.pem

step "openssl verify -crl_check: web1 'certificate revoked', web2 and web3 OK"
VERIFY=(-crl_check -CAfile root.pem -untrusted issuing.pem -CRLfile issuing.crl.pem)
verify_revoked web1.cer "${VERIFY[@]}"
verify_ok web2.cer "${VERIFY[@]}"
verify_ok web3.cer "${VERIFY[@]}"

step "openssl verify -crl_check_all with the root's CRL too: the same verdicts"
VERIFY_ALL=(-crl_check_all -CAfile root.pem -untrusted issuing.pem -CRLfile issuing.crl.pem -CRLfile root-1.crl.pem)
verify_revoked web1.cer "${VERIFY_ALL[@]}"
verify_ok web2.cer "${VERIFY_ALL[@]}"
verify_ok web3.cer "${VERIFY_ALL[@]}"
# Without the root's CRL the whole-chain check cannot pass: the root's CRL is really used above.
LAST_CMD="openssl verify -crl_check_all without the root CRL"
if openssl verify -crl_check_all -CAfile root.pem -untrusted issuing.pem -CRLfile issuing.crl.pem web2.cer > "$OUT" 2> "$ERR"; then
  fail "openssl verify -crl_check_all passes without the root's CRL (the check above proves nothing)"
fi

step "openssl crl -text: v2, number 2, Key Compromise, sha256WithRSAEncryption, Next CRL Publish, no IDP"
expect_exit 0 openssl crl -inform DER -in "$ISS_CRL" -noout -text
cp "$OUT" crl-text.txt
assert_contains crl-text.txt "Version 2 (0x1)"
assert_contains crl-text.txt "Issuer: CN = Contoso Lab Issuing CA"
grep -A1 'X509v3 CRL Number' crl-text.txt | tail -1 | grep -qE '^ +2$' || fail "openssl does not show CRL number 2"
assert_contains crl-text.txt "Key Compromise"
assert_contains crl-text.txt "Serial Number: $(echo "${SERIAL[1]}" | tr 'a-f' 'A-F')"
assert_contains crl-text.txt "Signature Algorithm: sha256WithRSAEncryption"
assert_contains crl-text.txt "1.3.6.1.4.1.311.21.4"
assert_not_contains crl-text.txt "Issuing Distribution Point"
assert_not_contains crl-text.txt "Delta CRL Indicator"
assert_not_contains crl-text.txt "Freshest CRL"
expect_exit 0 openssl crl -inform DER -in "$ISS_CRL" -noout -crlnumber
assert_eq "$(cat "$OUT")" "crlNumber=0x02" "openssl crl -crlnumber"
# AKI = the issuing CA's SKI, as openssl prints both.
aki=$(grep -A1 'Authority Key Identifier' crl-text.txt | tail -1 | tr -d ' ' | sed 's/^keyid://')
ski=$(openssl x509 -in issuing.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
[[ -n "$ski" && "$aki" == "$ski" ]] || fail "CRL AKI [$aki] is not the issuing CA's SKI [$ski]"
# thisUpdate 10 minutes back, nextUpdate 7 days after now.
last=$(openssl crl -inform DER -in "$ISS_CRL" -noout -lastupdate | cut -d= -f2)
next=$(openssl crl -inform DER -in "$ISS_CRL" -noout -nextupdate | cut -d= -f2)
assert_eq "$(secs_between "$last" "$next")" $((7 * 86400 + 600)) "nextUpdate - thisUpdate of the issuing CRL (seconds)"
back=$(secs_between "$last" "$(date -u)")
((back >= 600 && back < 720)) || fail "thisUpdate of the issuing CRL is $back s ago, expected 10 minutes back-dating"
rlast=$(openssl crl -inform DER -in "$ROOT_CRL" -noout -lastupdate | cut -d= -f2)
rnext=$(openssl crl -inform DER -in "$ROOT_CRL" -noout -nextupdate | cut -d= -f2)
assert_eq "$(secs_between "$rlast" "$rnext")" $((180 * 86400 + 600)) "nextUpdate - thisUpdate of the root CRL (seconds)"
LAST_CMD="openssl crl -CAfile issuing.pem -in issuing.crl.pem -noout"
openssl crl -CAfile issuing.pem -in issuing.crl.pem -noout > "$OUT" 2>&1 || fail "openssl crl cannot verify the CRL signature"
assert_contains "$OUT" "verify OK"

step "the CRL issuer is byte-identical (DER) to the CA subject; the entry looked up by serial (cryptography)"
"$PY" - "$ISS_CRL" issuing.pem "${SERIAL[1]}" "${SERIAL[2]}" << 'EOF' || fail "pyca/cryptography does not read the CRL as expected"
import sys
from cryptography import x509
crl = x509.load_der_x509_crl(open(sys.argv[1], "rb").read())
ca = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
assert crl.issuer.public_bytes() == ca.subject.public_bytes(), (crl.issuer, ca.subject)
assert crl.is_signature_valid(ca.public_key())
e = crl.get_revoked_certificate_by_serial_number(int(sys.argv[3], 16))
assert e is not None and e.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
assert crl.get_revoked_certificate_by_serial_number(int(sys.argv[4], 16)) is None
EOF

if ((HAVE_CERTTOOL)); then
  step "gnutls certtool --crl-info parses it; --verify-crl checks its signature (and fails with the wrong CA)"
  expect_exit 0 certtool --crl-info --inder --infile "$ISS_CRL"
  assert_contains "$OUT" "Issuer: CN=Contoso Lab Issuing CA"
  assert_contains "$OUT" "CRL Number (not critical): 02"
  assert_contains "$OUT" "Revoked certificates (1)"
  assert_contains "$OUT" "Serial Number (hex): ${SERIAL[1]}"
  assert_contains "$OUT" "Signature Algorithm: RSA-SHA256"
  assert_contains "$OUT" "1.3.6.1.4.1.311.21.4 (not critical)"
  expect_exit 0 certtool --verify-crl --load-ca-certificate issuing.pem --infile issuing.crl.pem
  assert_contains "$OUT" "Verified"
  LAST_CMD="certtool --verify-crl --load-ca-certificate root.pem"
  if certtool --verify-crl --load-ca-certificate root.pem --infile issuing.crl.pem > "$OUT" 2> "$ERR"; then
    fail "certtool verifies the issuing CA's CRL with the root's certificate"
  fi
  crl_pem "$ROOT_CRL" root.crl.pem
  expect_exit 0 certtool --verify-crl --load-ca-certificate root.pem --infile root.crl.pem
else
  echo "    (certtool not installed: gnutls checks skipped)"
fi

step "a CRL with one signature byte flipped fails cryptography, openssl and certtool"
"$PY" - "$ISS_CRL" tampered.crl << 'EOF' || fail "could not make the tampered CRL"
import sys
der = bytearray(open(sys.argv[1], "rb").read())
der[-10] ^= 0x01  # inside the RSA signature value, the last field of the CRL
open(sys.argv[2], "wb").write(der)
EOF
LAST_CMD="check_crl.py tampered.crl"
if check_crl tampered.crl --ca issuing.pem > "$OUT" 2>&1; then fail "check_crl.py accepts a tampered CRL"; fi
assert_contains "$OUT" "signature does not verify"
crl_pem tampered.crl tampered.crl.pem
if openssl crl -CAfile issuing.pem -in tampered.crl.pem -noout > "$OUT" 2>&1 && ! grep -q 'verify fail' "$OUT"; then
  fail "openssl crl verifies a tampered CRL"
fi
verify_ok web2.cer -CAfile root.pem -untrusted issuing.pem
LAST_CMD="openssl verify -crl_check with a tampered CRL"
if openssl verify -crl_check -CAfile root.pem -untrusted issuing.pem -CRLfile tampered.crl.pem web2.cer > "$OUT" 2>&1; then
  fail "openssl verify accepts a certificate against a tampered CRL"
fi
if ((HAVE_CERTTOOL)); then
  LAST_CMD="certtool --verify-crl tampered.crl.pem"
  if certtool --verify-crl --load-ca-certificate issuing.pem --infile tampered.crl.pem > "$OUT" 2> "$ERR"; then
    fail "certtool verifies a tampered CRL"
  fi
fi

# =============================================================================================
step "ca new \"Contoso Lab Web CA\" under the root: its own first CRL; a leaf from it verifies with both CRLs"
expect_exit 0 pcah ca new --name "Contoso Lab Web CA" --key rsa:2048
expect_exit 0 pcah ca show "Contoso Lab Web CA" --json
WEBCA=$(jget "$OUT" 'd["serial"]')
assert_eq "$(jget "$OUT" '(d["slug"], d["parent"], d["crl_number"])')" \
  "('contoso-lab-web-ca', 'Contoso Lab Root CA', 1)" "ca show of the new CA"
WEB_CRL="$PUB/contoso-lab-web-ca.crl"
openssl x509 -inform DER -in "$PUB/contoso-lab-web-ca.crt" -out webca.pem || fail "no web CA certificate"
LAST_CMD="check_crl.py $WEB_CRL"
check_crl "$WEB_CRL" --ca webca.pem --number 1 --days 7 --entries 0 || fail "the new CA's first CRL"
openssl req -new -newkey rsa:2048 -nodes -keyout portal.key -subj "/CN=portal.contoso.lab" -out portal.req 2> /dev/null \
  || fail "openssl could not make the portal request"
expect_exit 0 pcah submit portal.req --ca "Contoso Lab Web CA" --template WebServer --format base64 --json
assert_eq "$(jget "$OUT" 'd["ca"]')" "Contoso Lab Web CA" "issuer of the portal certificate"
crl_pem "$WEB_CRL" webca.crl.pem
crl_pem "$ROOT_CRL" root.crl.pem
CHAIN_ALL=(-crl_check_all -CAfile root.pem -untrusted webca.pem -CRLfile root.crl.pem -CRLfile webca.crl.pem)
verify_ok portal.cer "${CHAIN_ALL[@]}"

step "revoke the Web CA (reason unspecified): it lands on the ROOT's CRL 2, as an entry without reasonCode"
cp "$ISS_CRL" issuing-before.crl
expect_exit 0 pcah revoke "$WEBCA" --reason unspecified
assert_contains "$OUT" "Contoso Lab Root CA"
LAST_CMD="check_crl.py $ROOT_CRL (after revoking the Web CA)"
check_crl "$ROOT_CRL" --ca root.pem --number 2 --days 180 --entries 1 --revoked "$WEBCA=unspecified" || fail "the root's CRL after revoking the Web CA"
cmp -s "$ISS_CRL" issuing-before.crl || fail "revoking the Web CA re-published the issuing CA's CRL"
expect_exit 0 openssl crl -inform DER -in "$ROOT_CRL" -noout -text
assert_contains "$OUT" "Serial Number: $(echo "$WEBCA" | tr 'a-f' 'A-F')"
assert_not_contains "$OUT" "CRL Reason Code"
assert_not_contains "$OUT" "CRL entry extensions"
crl_pem "$ROOT_CRL" root.crl.pem

step "openssl verify -crl_check_all rejects the leaf under the revoked Web CA; leaves of the issuing CA still pass"
verify_revoked portal.cer "${CHAIN_ALL[@]}"
grep -q 'at 1 depth' "$OUT" "$ERR" || fail "openssl does not blame depth 1 (the Web CA)"
verify_ok web2.cer -crl_check_all -CAfile root.pem -untrusted issuing.pem -CRLfile issuing.crl.pem -CRLfile root.crl.pem
if ((HAVE_CERTTOOL)); then
  expect_exit 0 certtool --verify-crl --load-ca-certificate root.pem --infile root.crl.pem
  expect_exit 0 certtool --crl-info --inder --infile "$ROOT_CRL"
  assert_contains "$OUT" "Serial Number (hex): $WEBCA"
fi

step "show of the revoked CA certificate: status revoked, reason unspecified"
expect_exit 0 pcah show "$WEBCA" --json
assert_eq "$(jget "$OUT" '(d["status"], d["revocation_reason"])')" "('revoked', 'unspecified')" "show of the Web CA"

# =============================================================================================
# Last, so that everything above runs even while these fail (known bugs, see the report).
KNOWN=()
known_bug() { echo "    KNOWN BUG: $*" >&2; KNOWN+=("$*"); }

step "a revoked CA does not go on issuing silently (refused, or at least a warning that names the revocation)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout late.key -subj "/CN=late.contoso.lab" \
  -out late.req 2> /dev/null || fail "openssl could not make the late request"
rc=0
pcah submit late.req --ca "Contoso Lab Web CA" --template WebServer --json > "$OUT" 2> "$ERR" || rc=$?
if [[ $rc == 0 ]]; then
  if ! grep -qi 'revoked' "$ERR" && [[ "$(jget "$OUT" 'any("revoked" in w.lower() for w in d["warnings"])')" != True ]]; then
    known_bug "submit --ca \"Contoso Lab Web CA\" (revoked on the root's CRL) issues a certificate every client rejects, with no error or warning"
  fi
fi

if ((${#KNOWN[@]})); then
  printf 'FAIL: %s\n' "${KNOWN[@]}" >&2
  exit 1
fi
echo "PASS"
