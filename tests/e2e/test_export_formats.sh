# `export SERIAL --format …` for an issued certificate, each format read back by openssl and by
# pyca/cryptography (check_exports.py): cer, cer-b64, pem (the leaf), pem-chain, p7b, p7b-b64 (leaf,
# issuing CA, root in that order); serials in any case and with separators; text formats on stdout
# without --out. PFX: the key must match, friendlyName = CN, localKeyID on key and certificate, the
# chain, mode 0600; legacy = 3DES + SHA-1 MAC, modern = PBES2/AES-256-CBC + SHA-256 MAC; an
# encrypted key with --key-passphrase-file; refusals (wrong key, no --key, no --out, existing
# file without --force, unknown serial) write nothing.
source "$(dirname "$0")/lib.sh"
need openssl
use_python
"$PY" -c 'from cryptography.hazmat.primitives.serialization import pkcs12, pkcs7' 2> /dev/null \
  || { echo "SKIP: python cryptography (with pkcs12 and pkcs7) is not installed" >&2; exit 77; }

# subjects FILE: the subject lines of `openssl … -print_certs` output, one per line.
subjects() { grep '^subject=' "$1" | sed 's/^subject= *//'; }
CHAIN_SUBJECTS=$'CN = web.contoso.lab\nCN = Contoso Lab Issuing CA\nCN = Contoso Lab Root CA'

step "init (EC root and issuing CA), an RSA 2048 request made by openssl with its key kept"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256 -q
cp "$H/public/contoso-lab-root-ca.crt" root.der
cp "$H/public/contoso-lab-issuing-ca.crt" issuing.der
openssl req -new -newkey rsa:2048 -nodes -keyout web.key -subj /CN=web.contoso.lab \
  -addext subjectAltName=DNS:web.contoso.lab,IP:192.0.2.10 -out web.req 2> /dev/null || fail "openssl could not make the request"
expect_exit 0 pcah submit web.req --template WebServer --out web.cer --chain web.p7b --json
SERIAL=$(jget "$OUT" 'd["serial"]')
THUMB=$(jget "$OUT" 'd["thumbprint"]')
[[ "$SERIAL" =~ ^[0-9a-f]{38}$ ]] || fail "submit --json gave no serial"
SERIAL_UP=$(echo "$SERIAL" | tr 'a-f' 'A-F')

# =============================================================================================
step "every text and binary format on stdout (no --out), exit 0, nothing on stderr"
for f in cer cer-b64 pem pem-chain p7b p7b-b64; do
  expect_exit 0 pcah export "$SERIAL" --format "$f"
  cp "$OUT" "ex.$f"
  [[ -s "ex.$f" ]] || fail "export --format $f printed nothing"
  [[ ! -s "$ERR" ]] || fail "export --format $f wrote to stderr: $(cat "$ERR")"
done

step "cer: DER, the certificate submit wrote"
cmp -s ex.cer web.cer || fail "export --format cer differs from submit's .cer"
expect_exit 0 openssl x509 -inform DER -in ex.cer -noout -serial -subject
assert_contains "$OUT" "serial=$SERIAL_UP"
assert_contains "$OUT" "subject=CN = web.contoso.lab"

step "cer-b64 and pem: one PEM certificate, the same one"
for f in cer-b64 pem; do
  head -1 "ex.$f" | grep -qx -- '-----BEGIN CERTIFICATE-----' || fail "export --format $f does not start with BEGIN CERTIFICATE"
  assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' "ex.$f")" 1 "certificates in --format $f"
  openssl x509 -in "ex.$f" -outform DER -out "ex.$f.der" || fail "openssl cannot read --format $f"
  cmp -s "ex.$f.der" web.cer || fail "export --format $f is not the issued certificate"
done

step "pem-chain: three PEM certificates, leaf, issuing CA, root (openssl crl2pkcs7)"
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' ex.pem-chain)" 3 "certificates in --format pem-chain"
openssl crl2pkcs7 -nocrl -certfile ex.pem-chain | openssl pkcs7 -print_certs -noout > pem-chain.txt \
  || fail "openssl crl2pkcs7 cannot read --format pem-chain"
assert_eq "$(subjects pem-chain.txt)" "$CHAIN_SUBJECTS" "order in --format pem-chain"
awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 3' ex.pem-chain | openssl x509 -outform DER -out chain3.der \
  || fail "the third certificate of pem-chain is not a certificate"
cmp -s chain3.der root.der || fail "the last certificate of pem-chain is not the root"
expect_exit 0 openssl verify -CAfile <(openssl x509 -inform DER -in root.der) \
  -untrusted <(openssl x509 -inform DER -in issuing.der) -purpose sslserver ex.pem

step "p7b: DER PKCS#7, leaf, issuing CA, root; p7b-b64: the same under -----BEGIN PKCS7-----"
expect_exit 0 openssl pkcs7 -inform DER -in ex.p7b -print_certs -noout
assert_eq "$(subjects "$OUT")" "$CHAIN_SUBJECTS" "order in --format p7b"
head -1 ex.p7b-b64 | grep -qx -- '-----BEGIN PKCS7-----' || fail "export --format p7b-b64 does not start with BEGIN PKCS7"
expect_exit 0 openssl pkcs7 -in ex.p7b-b64 -print_certs -noout
assert_eq "$(subjects "$OUT")" "$CHAIN_SUBJECTS" "order in --format p7b-b64"
openssl pkcs7 -in ex.p7b-b64 -outform DER -out ex.p7b-b64.der || fail "openssl cannot convert p7b-b64"
cmp -s ex.p7b-b64.der ex.p7b || fail "p7b-b64 is not the Base64 of p7b"
expect_exit 0 openssl pkcs7 -inform DER -in web.p7b -print_certs -noout
assert_eq "$(subjects "$OUT")" "$CHAIN_SUBJECTS" "order in submit's .p7b"

step "serial in upper case, with colons, with spaces: the same certificate"
colons=$(echo "$SERIAL" | sed 's/../&:/g; s/:$//')
for form in "$SERIAL_UP" "$colons" "$(echo "$colons" | tr 'a-f' 'A-F')" "$(echo "$SERIAL" | sed 's/../& /g; s/ $//')"; do
  expect_exit 0 pcah export "$form" --format cer
  cmp -s "$OUT" web.cer || fail "export '$form' --format cer is not the certificate"
done

step "--out writes the file (not stdout); --json reports serial, thumbprint and format"
expect_exit 0 pcah export "$SERIAL_UP" --format pem-chain --out out-chain.pem
cmp -s out-chain.pem ex.pem-chain || fail "--out out-chain.pem differs from the stdout export"
assert_not_contains "$OUT" "BEGIN CERTIFICATE"
expect_exit 0 pcah export "$SERIAL" --format p7b --out out.p7b --json
assert_eq "$(jget "$OUT" '(d["serial"], d["thumbprint"], d["format"])')" "('$SERIAL', '$THUMB', 'p7b')" "export --json"
cmp -s out.p7b ex.p7b || fail "--out out.p7b differs from the stdout export"

# =============================================================================================
step "pfx, default legacy: mode 0600, pbeWithSHA1And3-KeyTripleDES-CBC and MAC sha1 (openssl -legacy)"
printf '%s\n%s\n' 'Pfx pass #1 w0rd' 'decoy second line' > pfx-pw
chmod 600 pfx-pw
expect_exit 0 pcah export "$SERIAL" --format pfx --key web.key --password-file pfx-pw --out a.pfx
assert_contains "$OUT" "a.pfx"
[[ -f a.pfx ]] || fail "export --format pfx did not write a.pfx"
assert_eq "$(mode_of a.pfx)" 600 "mode of a.pfx"
expect_exit 0 openssl pkcs12 -legacy -info -in a.pfx -passin file:pfx-pw -noout
cat "$OUT" "$ERR" > a-info.txt
assert_contains a-info.txt "MAC: sha1"
assert_contains a-info.txt "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"
assert_contains a-info.txt "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"
assert_not_contains a-info.txt "PBES2"
assert_not_contains a-info.txt "RC2"
if openssl pkcs12 -info -in a.pfx -passin file:pfx-pw -noout > /dev/null 2>&1; then
  echo "    (legacy pfx opens without -legacy on $(openssl version | cut -d' ' -f1-2): 3DES is in the default provider)"
else
  echo "    (legacy pfx needs -legacy on $(openssl version | cut -d' ' -f1-2))"
fi

step "pfx legacy: friendlyName = CN and one localKeyID on the key and the certificate; openssl -nodes gives the key back"
expect_exit 0 openssl pkcs12 -legacy -in a.pfx -passin file:pfx-pw -nodes -out a-all.pem
assert_eq "$(grep -c 'friendlyName: web.contoso.lab' a-all.pem)" 2 "bags with friendlyName web.contoso.lab (key and leaf)"
assert_eq "$(grep 'localKeyID:' a-all.pem | sort -u | wc -l)" 1 "distinct localKeyIDs"
assert_eq "$(grep -c 'localKeyID:' a-all.pem)" 2 "bags with a localKeyID (key and leaf)"
openssl pkey -in a-all.pem -pubout > a-pub.pem 2> /dev/null || fail "no key in the pfx"
openssl pkey -in web.key -pubout > web-pub.pem || fail "cannot read web.key"
cmp -s a-pub.pem web-pub.pem || fail "the key in a.pfx is not web.key"
expect_exit 0 openssl pkcs12 -legacy -in a.pfx -passin file:pfx-pw -nokeys -cacerts -out a-ca.pem
openssl crl2pkcs7 -nocrl -certfile a-ca.pem | openssl pkcs7 -print_certs -noout > a-ca.txt || fail "no CA certificates in a.pfx"
assert_eq "$(subjects a-ca.txt | sort)" $'CN = Contoso Lab Issuing CA\nCN = Contoso Lab Root CA' "CA certificates in a.pfx"

step "pfx --pfx-compat modern: opens without -legacy, PBES2/PBKDF2/AES-256-CBC and MAC sha256"
expect_exit 0 pcah export "$SERIAL" --format pfx --key web.key --password-file pfx-pw --out m.pfx --pfx-compat modern
assert_eq "$(mode_of m.pfx)" 600 "mode of m.pfx"
expect_exit 0 openssl pkcs12 -info -in m.pfx -passin file:pfx-pw -noout
cat "$OUT" "$ERR" > m-info.txt
assert_contains m-info.txt "MAC: sha256"
assert_contains m-info.txt "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"
assert_contains m-info.txt "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"
assert_not_contains m-info.txt "TripleDES"
assert_not_contains m-info.txt "MAC: sha1"
expect_exit 0 openssl pkcs12 -in m.pfx -passin file:pfx-pw -nodes -out m-all.pem
assert_eq "$(grep -c 'friendlyName: web.contoso.lab' m-all.pem)" 2 "bags with friendlyName web.contoso.lab in m.pfx"
expect_exit 1 openssl pkcs12 -in m.pfx -passin pass:wrong -noout

step "an encrypted key (openssl genpkey -aes256) with --key-passphrase-file"
printf '%s\n%s\n' 'key pass phrase' 'decoy' > key-pw
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes256 -pass file:key-pw -out enc.key 2> /dev/null \
  || fail "openssl could not make an encrypted key"
openssl req -new -key enc.key -passin file:key-pw -subj /CN=enc.contoso.lab -out enc.req || fail "openssl could not make enc.req"
expect_exit 0 pcah submit enc.req --template WebServer --out enc.cer --chain enc.p7b --json
ENC_SERIAL=$(jget "$OUT" 'd["serial"]')
expect_exit 0 pcah export "$ENC_SERIAL" --format pfx --key enc.key --key-passphrase-file key-pw --password-file pfx-pw \
  --out enc.pfx --pfx-compat modern
assert_eq "$(mode_of enc.pfx)" 600 "mode of enc.pfx"

step "python cryptography: load_pkcs12 and every format (check_exports.py)"
expect_exit 0 "$PY" "$E2E_DIR/check_exports.py" --leaf web.cer --issuing issuing.der --root root.der \
  --format cer ex.cer --format cer-b64 ex.cer-b64 --format pem ex.pem --format pem-chain ex.pem-chain \
  --format p7b ex.p7b --format p7b-b64 ex.p7b-b64 --format p7b web.p7b \
  --pfx a.pfx pfx-pw web.key web.contoso.lab --pfx m.pfx pfx-pw web.key web.contoso.lab
sed -n 's/^NOTE: /    (note) /p' "$OUT"
expect_exit 0 "$PY" "$E2E_DIR/check_exports.py" --leaf enc.cer --issuing issuing.der --root root.der \
  --key-passphrase-file key-pw --pfx enc.pfx pfx-pw enc.key enc.contoso.lab

# =============================================================================================
step "pfx with a key that is not the certificate's (RSA, EC): exit 1, a clear error, no file"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other-rsa.key 2> /dev/null || fail "openssl genpkey failed"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other-ec.key 2> /dev/null || fail "openssl genpkey failed"
for k in other-rsa.key other-ec.key; do
  expect_exit 1 pcah export "$SERIAL" --format pfx --key "$k" --password-file pfx-pw --out wrong.pfx
  assert_error_line
  grep '^error: ' "$ERR" | grep -qiE 'does not (belong|match)|mismatch' || fail "the error does not say the key does not match"
  [[ ! -e wrong.pfx ]] || fail "a pfx was written with $k"
done
expect_json_error pcah export "$SERIAL" --format pfx --key other-rsa.key --password-file pfx-pw --out wrong.pfx --json
[[ ! -e wrong.pfx ]] || fail "a pfx was written with a wrong key (--json)"

step "an encrypted key with the wrong passphrase, or none and no terminal: exit 1, no file"
expect_exit 1 pcah export "$ENC_SERIAL" --format pfx --key enc.key --key-passphrase-file pfx-pw --password-file pfx-pw --out enc2.pfx
assert_error_line
assert_contains "$ERR" "passphrase"
expect_exit 1 pcah export "$ENC_SERIAL" --format pfx --key enc.key --password-file pfx-pw --out enc2.pfx < /dev/null
assert_error_line
assert_contains "$ERR" "--key-passphrase-file"
[[ ! -e enc2.pfx ]] || fail "a pfx was written without the key's passphrase"

step "pfx without --key or --out: usage errors (exit 2); without a password and no terminal: exit 1; nothing written"
expect_usage_error "--format pfx needs --key KEYFILE" pcah export "$SERIAL" --format pfx --password-file pfx-pw --out nokey.pfx
[[ ! -e nokey.pfx ]] || fail "a pfx was written without --key"
expect_usage_error "--format pfx needs --out FILE.pfx" pcah export "$SERIAL" --format pfx --key web.key --password-file pfx-pw
[[ ! -s "$OUT" ]] || fail "pfx without --out wrote to stdout"
expect_exit 1 pcah export "$SERIAL" --format pfx --key web.key --out nopw.pfx < /dev/null
assert_error_line
[[ ! -e nopw.pfx ]] || fail "a pfx was written without a password"

step "the pfx options with another format: usage errors (exit 2) naming the option, nothing written"
expect_usage_error "--key only goes with --format pfx" pcah export "$SERIAL" --format pem --key web.key --out k.pem
expect_usage_error "--password-file only goes with --format pfx" pcah export "$SERIAL" --format p7b --password-file pfx-pw --out k.p7b
expect_usage_error "--key-passphrase-file only goes with --format pfx" \
  pcah export "$SERIAL" --format cer --key-passphrase-file pfx-pw --out k.cer
expect_usage_error "--pfx-compat only goes with --format pfx" pcah export "$SERIAL" --format pem-chain --pfx-compat modern
[[ ! -s "$OUT" && ! -e k.pem && ! -e k.p7b && ! -e k.cer ]] || fail "an export with a pfx option and another format wrote something"

step "no overwrite of an existing --out without --force (pfx and text); --force overwrites"
echo "keep me" > a.pfx
expect_exit 1 pcah export "$SERIAL" --format pfx --key web.key --password-file pfx-pw --out a.pfx
assert_error_line
grep '^error: ' "$ERR" | grep -F 'a.pfx' | grep -qF -- '--force' || fail "the error does not name a.pfx and --force"
assert_eq "$(cat a.pfx)" "keep me" "a.pfx after a refused overwrite"
echo "keep me" > out.pem
expect_exit 1 pcah export "$SERIAL" --format pem --out out.pem
assert_error_line
assert_eq "$(cat out.pem)" "keep me" "out.pem after a refused overwrite"
expect_exit 0 pcah export "$SERIAL" --format pfx --key web.key --password-file pfx-pw --out a.pfx --force
expect_exit 0 openssl pkcs12 -legacy -in a.pfx -passin file:pfx-pw -noout
assert_eq "$(mode_of a.pfx)" 600 "mode of a.pfx after --force"
expect_exit 0 pcah export "$SERIAL" --format pem --out out.pem --force
cmp -s out.pem ex.pem || fail "--force did not overwrite out.pem with the certificate"

step "export of an unknown or malformed serial: exit 1, the error names it; --json error object"
expect_exit 1 pcah export 0123456789abcdef0123456789abcdef012345 --format cer
assert_error_line
assert_contains "$ERR" "0123456789abcdef0123456789abcdef012345"
[[ ! -s "$OUT" ]] || fail "export of an unknown serial wrote to stdout"
expect_json_error pcah export 0123456789abcdef --format pem --json
expect_exit 1 pcah export not-a-serial --format cer
assert_error_line
expect_exit 2 pcah export "$SERIAL"
expect_exit 2 pcah export "$SERIAL" --format der

echo "PASS"
