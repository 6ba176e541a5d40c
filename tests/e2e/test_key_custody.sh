# CA private keys: where they live, who may read them, how they are encrypted, and how the
# passphrase reaches pocketca (file, environment, never from nowhere).
source "$(dirname "$0")/lib.sh"
need openssl
need setsid

ROOT_KEY="$H/private/contoso-lab-root-ca.key"
ISSUING_KEY="$H/private/contoso-lab-issuing-ca.key"

step "init with an encrypted key store"
expect_exit 0 pca --home "$H" init --name "Contoso Lab" --root-key ec:p384 --key ec:p256 --passphrase-file "$PW"
assert_not_contains "$ERR" "unencrypted"

step "private/ is 0700 and holds only 0600 key files"
assert_eq "$(mode_of "$H/private")" 700 "mode of private/"
keys=$(cd "$H/private" && ls -A | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$keys" "contoso-lab-issuing-ca.key contoso-lab-root-ca.key " "files in private/"
for key in "$ROOT_KEY" "$ISSUING_KEY"; do
  assert_eq "$(mode_of "$key")" 600 "mode of $(basename "$key")"
done
# No key material anywhere else.
if grep -rlE -- '-----BEGIN( ENCRYPTED)? PRIVATE KEY-----' "$H" | grep -v "^$H/private/"; then
  fail "a private key lies outside private/"
fi

step "keys are encrypted PKCS#8: PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC"
for key in "$ROOT_KEY" "$ISSUING_KEY"; do
  assert_eq "$(head -1 "$key")" "-----BEGIN ENCRYPTED PRIVATE KEY-----" "first line of $(basename "$key")"
  expect_exit 0 openssl asn1parse -in "$key"
  for oid in ":PBES2" ":PBKDF2" ":hmacWithSHA256" ":aes-256-cbc"; do
    assert_contains "$OUT" "OBJECT            $oid"
  done
done

step "openssl opens the keys with the passphrase (first line of the file) and not without it"
expect_exit 0 openssl pkey -in "$ROOT_KEY" -passin "file:$PW" -noout -text
assert_contains "$OUT" "ASN1 OID: secp384r1"
expect_exit 0 openssl pkey -in "$ISSUING_KEY" -passin "file:$PW" -noout -text
assert_contains "$OUT" "ASN1 OID: prime256v1"
expect_exit 1 openssl pkey -in "$ISSUING_KEY" -passin "file:$WRONG_PW" -noout
# The key matches the published certificate.
k=$(openssl pkey -in "$ISSUING_KEY" -passin "file:$PW" -pubout | openssl sha256)
c=$(openssl x509 -inform DER -in "$H/public/contoso-lab-issuing-ca.crt" -noout -pubkey | openssl sha256)
assert_eq "$k" "$c" "issuing key vs certificate public key"

step "the passphrase is stored nowhere in the home (database included)"
if grep -rlaF -- "$PASSPHRASE" "$H"; then fail "the passphrase appears in the home"; fi

step "a key file readable by others stops the CA from using it"
chmod 0644 "$ROOT_KEY"
expect_exit 1 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "0644"
assert_contains "$ERR" "chmod 600"
assert_contains "$ERR" "$ROOT_KEY"
[[ ! -e "$H/private/contoso-lab-web-ca.key" ]] || fail "a refused ca new left a key behind"
chmod 0600 "$ROOT_KEY"

step "a wrong passphrase: exit 1, one exact error line, nothing created"
expect_exit 1 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$WRONG_PW"
assert_eq "$(cat "$ERR")" 'error: wrong passphrase for the key of CA "Contoso Lab Root CA"' "stderr"
[[ ! -s "$OUT" ]] || fail "a failing command wrote to stdout without --json"
[[ ! -e "$H/private/contoso-lab-web-ca.key" ]] || fail "a refused ca new left a key behind"
[[ ! -e "$H/public/contoso-lab-web-ca.crt" ]] || fail "a refused ca new left a certificate behind"

step "an empty passphrase file is refused"
: > empty.txt
expect_exit 1 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file empty.txt
assert_error_line
assert_contains "$ERR" "empty"

step "POCKETCA_PASSPHRASE works instead of --passphrase-file"
POCKETCA_PASSPHRASE="$PASSPHRASE" expect_exit 0 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256
WEB_KEY="$H/private/contoso-lab-web-ca.key"
assert_eq "$(mode_of "$WEB_KEY")" 600 "mode of a ca new key"
assert_eq "$(head -1 "$WEB_KEY")" "-----BEGIN ENCRYPTED PRIVATE KEY-----" "ca new key header"
expect_exit 0 openssl pkey -in "$WEB_KEY" -passin "file:$PW" -noout
POCKETCA_PASSPHRASE="not the passphrase" expect_exit 1 pca --home "$H" ca new --name "Other CA" --key ec:p256
assert_eq "$(cat "$ERR")" 'error: wrong passphrase for the key of CA "Contoso Lab Root CA"' "stderr (env)"

step "--passphrase-file wins over POCKETCA_PASSPHRASE"
POCKETCA_PASSPHRASE="not the passphrase" expect_exit 0 pca --home "$H" ca new --name "Third CA" --key ec:p256 \
  --passphrase-file "$PW"

step "no passphrase source and no terminal: init fails, names --passphrase-file, leaves nothing"
expect_exit 1 setsid -w "$POCKETCA" --home "$WORK/tty-less" init --name "No TTY" --root-key ec:p256 --key ec:p256 < /dev/null
assert_error_line
assert_contains "$ERR" "--passphrase-file"
assert_contains "$ERR" "POCKETCA_PASSPHRASE"
[[ ! -e "$WORK/tty-less" ]] || fail "a failed init left $WORK/tty-less behind"
# And the same for a command that needs an existing key.
expect_exit 1 setsid -w "$POCKETCA" --home "$H" ca new --name "No TTY CA" --key ec:p256 < /dev/null
assert_contains "$ERR" "--passphrase-file"

step "init --no-passphrase: plain PKCS#8 keys, still 0600, with a warning"
expect_exit 0 pca --home "$WORK/plain" init --name "Throwaway" --root-key ec:p256 --key ec:p256 --no-passphrase
assert_contains "$ERR" "warning:"
assert_contains "$ERR" "unencrypted"
assert_eq "$(mode_of "$WORK/plain/private")" 700 "mode of private/ (no passphrase)"
for key in "$WORK"/plain/private/*.key; do
  assert_eq "$(head -1 "$key")" "-----BEGIN PRIVATE KEY-----" "first line of $(basename "$key")"
  assert_eq "$(mode_of "$key")" 600 "mode of $(basename "$key") (no passphrase)"
  expect_exit 0 openssl pkey -in "$key" -noout
done
assert_eq "$(ls "$WORK"/plain/private/*.key | wc -l)" 2 "keys in an unencrypted home"
# -q does not silence the warning: it says something is wrong.
expect_exit 0 pca --home "$WORK/plain-q" init --name "Throwaway" --root-key ec:p256 --key ec:p256 --no-passphrase -q
assert_contains "$ERR" "warning:"
[[ ! -s "$OUT" ]] || fail "-q printed to stdout"
# Such a home works without any passphrase source, even with no terminal.
expect_exit 0 setsid -w "$POCKETCA" --home "$WORK/plain" ca new --name "Throwaway Web CA" --key ec:p256 < /dev/null
assert_eq "$(head -1 "$WORK/plain/private/throwaway-web-ca.key")" "-----BEGIN PRIVATE KEY-----" "key under an unencrypted parent"

echo "PASS"
