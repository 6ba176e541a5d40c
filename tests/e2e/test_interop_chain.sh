# A default `init` (RSA 4096 root, RSA 2048 issuing CA) and every `ca export` format, checked by
# tools we did not write: openssl, GnuTLS certtool, NSS certutil and pyca/cryptography.
source "$(dirname "$0")/lib.sh"
need openssl


step "init with the default key types"
started=$(date +%s)
expect_exit 0 pca --home "$H" init --name "Contoso Lab" --base-url http://pki.contoso.lab --passphrase-file "$PW"
finished=$(date +%s)
ROOT_CRT="$H/public/contoso-lab-root-ca.crt"
ISSUING_CRT="$H/public/contoso-lab-issuing-ca.crt"
[[ -f "$ROOT_CRT" && -f "$ISSUING_CRT" ]] || fail "init did not publish public/<slug>.crt for both CAs"

step "ca export in every format"
for format in pem-bundle p7b p7b-b64 cer cer-b64; do
  expect_exit 0 pca --home "$H" ca export --format "$format" --out "export.$format"
  [[ -s "export.$format" ]] || fail "ca export --format $format wrote nothing"
done

openssl x509 -inform DER -in "$ROOT_CRT" -out root.pem || fail "openssl cannot read $ROOT_CRT as DER"
openssl x509 -inform DER -in "$ISSUING_CRT" -out issuing.pem || fail "openssl cannot read $ISSUING_CRT as DER"

step "public/*.crt are DER and cer/cer-b64 are the issuing CA's certificate"
cmp -s export.cer "$ISSUING_CRT" || fail "ca export --format cer differs from public/contoso-lab-issuing-ca.crt"
cmp -s export.cer-b64 issuing.pem || {
  # Line endings or wrapping may differ from openssl's; the certificate must not.
  openssl x509 -in export.cer-b64 -outform DER -out cer-b64.der || fail "cer-b64 is not a PEM certificate"
  cmp -s cer-b64.der "$ISSUING_CRT" || fail "cer-b64 is not the issuing CA's certificate"
}
head -1 export.cer-b64 | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "cer-b64 has no PEM header"

step "openssl verify -x509_strict: the root, the issuing CA, and the bundle as untrusted chain"
expect_exit 0 openssl verify -x509_strict -CAfile root.pem root.pem
expect_exit 0 openssl verify -x509_strict -CAfile root.pem issuing.pem
assert_contains "$OUT" "issuing.pem: OK"
expect_exit 0 openssl verify -x509_strict -CAfile root.pem -untrusted export.pem-bundle issuing.pem
expect_exit 0 openssl verify -x509_strict -CAfile root.pem -purpose crlsign issuing.pem
# Negative control: without the root as trust anchor the same check must fail.
expect_exit 2 openssl verify -x509_strict -CAfile issuing.pem issuing.pem

step "pem-bundle: issuing CA first, then the root"
subjects=$(openssl crl2pkcs7 -nocrl -certfile export.pem-bundle | openssl pkcs7 -print_certs -noout | grep '^subject=')
assert_eq "$subjects" $'subject=CN = Contoso Lab Issuing CA\nsubject=CN = Contoso Lab Root CA' "pem-bundle subjects"

step "p7b (DER) and p7b-b64 (PEM) list both certificates"
expect_exit 0 openssl pkcs7 -inform DER -in export.p7b -print_certs -noout
assert_contains "$OUT" "subject=CN = Contoso Lab Root CA"
assert_contains "$OUT" "subject=CN = Contoso Lab Issuing CA"
assert_eq "$(grep -c '^subject=' "$OUT")" 2 "certificates in the p7b"
head -1 export.p7b-b64 | grep -q -- '-----BEGIN PKCS7-----' || fail "p7b-b64 must start with -----BEGIN PKCS7-----"
expect_exit 0 openssl pkcs7 -inform PEM -in export.p7b-b64 -print_certs -noout
assert_contains "$OUT" "subject=CN = Contoso Lab Root CA"
assert_contains "$OUT" "subject=CN = Contoso Lab Issuing CA"
assert_eq "$(grep -c '^subject=' "$OUT")" 2 "certificates in the p7b-b64"
# Both PKCS#7 forms carry the same content.
openssl pkcs7 -inform PEM -in export.p7b-b64 -outform DER -out p7b-b64.der || fail "cannot convert p7b-b64"
cmp -s p7b-b64.der export.p7b || fail "p7b-b64 decodes to something else than the p7b"

step "openssl x509 -text: what a human would check"
expect_exit 0 openssl x509 -in issuing.pem -noout -text
assert_contains "$OUT" "CA:TRUE, pathlen:0"
assert_contains "$OUT" "URI:http://pki.contoso.lab/pki/contoso-lab-root-ca.crl"
assert_contains "$OUT" "CA Issuers - URI:http://pki.contoso.lab/pki/contoso-lab-root-ca.crt"
assert_contains "$OUT" "Signature Algorithm: sha256WithRSAEncryption"
assert_contains "$OUT" "Public-Key: (2048 bit)"
expect_exit 0 openssl x509 -in root.pem -noout -text
assert_contains "$OUT" "Public-Key: (4096 bit)"
assert_not_contains "$OUT" "CRL Distribution Points"
assert_not_contains "$OUT" "Authority Information Access"

if command -v certtool > /dev/null 2>&1; then
  step "GnuTLS certtool --verify-chain on the pem-bundle, and --verify against the root"
  expect_exit 0 certtool --verify-chain --infile export.pem-bundle
  assert_contains "$OUT" "Chain verification output: Verified"
  assert_not_contains "$OUT" "Not verified"
  expect_exit 0 certtool --verify --load-ca-certificate root.pem --infile issuing.pem
  assert_contains "$OUT" "Chain verification output: Verified"
else
  echo "SKIP part: certtool (gnutls-bin) is not installed"
fi

if command -v certutil > /dev/null 2>&1; then
  step "NSS certutil: the issuing CA is valid once the root is trusted, and only then"
  mkdir nssdb
  expect_exit 0 certutil -N -d sql:nssdb --empty-password
  expect_exit 0 certutil -A -d sql:nssdb -n issuing -t ",," -i "$ISSUING_CRT"
  expect_exit 255 certutil -V -d sql:nssdb -n issuing -u L
  assert_not_contains "$OUT" "certificate is valid"
  expect_exit 0 certutil -A -d sql:nssdb -n root -t "CT,C,C" -i "$ROOT_CRT"
  expect_exit 0 certutil -V -d sql:nssdb -n issuing -u L
  assert_contains "$OUT" "certificate is valid"
  expect_exit 0 certutil -V -d sql:nssdb -n root -u L
  assert_contains "$OUT" "certificate is valid"
else
  echo "SKIP part: certutil (libnss3-tools) is not installed"
fi

if have_python_cryptography; then
  step "pyca/cryptography parses every export and checks extensions, serials and validity"
  expect_exit 0 python3 "$E2E_DIR/parse_with_cryptography.py" \
    --pem-bundle export.pem-bundle --p7b export.p7b --p7b-b64 export.p7b-b64 \
    --cer export.cer --cer-b64 export.cer-b64 \
    --root-crt "$ROOT_CRT" --issuing-crt "$ISSUING_CRT" \
    --started "$started" --finished "$finished"
  cat "$OUT"
else
  echo "SKIP part: python3 cryptography is not installed"
fi

step "ca list --json agrees with the certificates"
expect_exit 0 pca --home "$H" ca list --json
root_serial=$(openssl x509 -in root.pem -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
issuing_serial=$(openssl x509 -in issuing.pem -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
assert_contains "$OUT" "\"serial\": \"$root_serial\""
assert_contains "$OUT" "\"serial\": \"$issuing_serial\""
assert_eq "${#root_serial}" 38 "root serial length in hex (19 bytes)"
assert_eq "${root_serial: -12}" "000100000001" "root serial tail (CA index 1, request 1)"
assert_eq "${issuing_serial: -12}" "000100000002" "issuing serial tail (CA index 1, request 2)"

echo "PASS"
