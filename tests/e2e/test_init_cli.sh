# `pocketca init` and the CLI around it: refusing to touch what exists, cleaning up after itself,
# usage errors, --json errors, where the home is, --root-only, EC keys, global option placement.
source "$(dirname "$0")/lib.sh"
need openssl
need python3

FAST=(--root-key ec:p384 --key ec:p256)

step "a fresh init"
expect_exit 0 pca --home "$H" init --name "Contoso Lab" "${FAST[@]}" --passphrase-file "$PW"
assert_contains "$OUT" "Contoso Lab Root CA"
assert_contains "$OUT" "Contoso Lab Issuing CA"
[[ ! -s "$ERR" ]] || fail "a clean init wrote to stderr"
for f in pocketca.db private/contoso-lab-root-ca.key private/contoso-lab-issuing-ca.key \
  public/contoso-lab-root-ca.crt public/contoso-lab-issuing-ca.crt; do
  [[ -f "$H/$f" ]] || fail "init did not create $f"
done
assert_eq "$(mode_of "$H/private")" 700 "mode of private/"

step "init on an existing home: exit 1, an error line, and the home byte-identical"
before=$(tree_digest "$H")
expect_exit 1 pca --home "$H" init --name "Other Lab" "${FAST[@]}" --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "already a CA home"
after=$(tree_digest "$H")
[[ "$before" == "$after" ]] || fail "a refused init changed the existing home:
$(diff <(echo "$before") <(echo "$after"))"
# Same with --json (and with the very same name): still refused, still untouched, error as JSON.
expect_exit 1 pca --home "$H" init --name "Contoso Lab" "${FAST[@]}" --passphrase-file "$PW" --json
python3 - "$OUT" << 'EOF' || fail "--json failure output is not {\"error\": \"...\"}"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, dict) and isinstance(doc.get("error"), str) and "already a CA home" in doc["error"], doc
EOF
[[ "$before" == "$(tree_digest "$H")" ]] || fail "a refused init --json changed the existing home"
expect_exit 0 pca --home "$H" ca list --json
assert_contains "$OUT" '"name": "Contoso Lab Root CA"'

step "init into a non-empty folder fails and leaves its content alone"
mkdir "$WORK/busy"
echo "precious" > "$WORK/busy/notes.txt"
expect_exit 1 pca --home "$WORK/busy" init --name "Busy Lab" "${FAST[@]}" --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "not empty"
[[ -f "$WORK/busy/notes.txt" ]] || fail "a refused init deleted a file of the non-empty folder $WORK/busy"
assert_eq "$(cat "$WORK/busy/notes.txt" 2> /dev/null)" "precious" "content of the unrelated file"
assert_eq "$(ls -A "$WORK/busy" | tr '\n' ' ')" "notes.txt " "content of the non-empty folder"

step "init into an existing empty folder works"
mkdir "$WORK/empty"
expect_exit 0 pca --home "$WORK/empty" init --name "Empty Lab" "${FAST[@]}" --passphrase-file "$PW" -q
[[ -f "$WORK/empty/pocketca.db" ]] || fail "init into an empty folder made no database"

step "a failed init leaves no folder behind"
# Refused before anything is made: an unsupported key type is a usage error that lists the supported ones.
expect_usage_error '--key: key type "rsa:1024" is not supported; use rsa:2048, rsa:3072, rsa:4096, ec:p256 or ec:p384' \
  pca --home "$WORK/weak" init --name "Weak Lab" --key rsa:1024 --passphrase-file "$PW"
[[ ! -e "$WORK/weak" ]] || fail "init with --key rsa:1024 left $WORK/weak behind"
expect_usage_error '--root-key: key type "dsa:2048" is not supported; use rsa:2048, rsa:3072, rsa:4096, ec:p256 or ec:p384' \
  pca --home "$WORK/weak" init --name "Weak Lab" --root-key dsa:2048 --passphrase-file "$PW"
[[ ! -e "$WORK/weak" ]] || fail "init with --root-key dsa:2048 left $WORK/weak behind"
expect_exit 1 pca --home "$WORK/weak" init --name "Weak Lab" "${FAST[@]}" --base-url "ftp://pki.contoso.lab" --passphrase-file "$PW"
assert_error_line
[[ ! -e "$WORK/weak" ]] || fail "init with a bad --base-url left $WORK/weak behind"
# Failing after the folder was made: the passphrase source turns out to be unusable.
: > "$WORK/empty-passphrase.txt"
expect_exit 1 pca --home "$WORK/late" init --name "Late Lab" "${FAST[@]}" --passphrase-file "$WORK/empty-passphrase.txt"
assert_error_line
[[ ! -e "$WORK/late" ]] || fail "init that failed on an empty passphrase file left $WORK/late behind"
expect_exit 1 pca --home "$WORK/late" init --name "Late Lab" "${FAST[@]}" --passphrase-file "$WORK/no-such-file.txt"
assert_error_line
assert_contains "$ERR" "no-such-file.txt"
[[ ! -e "$WORK/late" ]] || fail "init that failed on a missing passphrase file left $WORK/late behind"
# In a folder that existed (empty) before, a failed init leaves it as it was: there and empty.
mkdir "$WORK/was-empty"
expect_exit 1 pca --home "$WORK/was-empty" init --name "Late Lab" "${FAST[@]}" --passphrase-file "$WORK/empty-passphrase.txt"
[[ -d "$WORK/was-empty" ]] || fail "a failed init removed a folder it did not create"
assert_eq "$(ls -A "$WORK/was-empty" | wc -l)" 0 "entries left in the pre-existing empty folder"

step "usage errors exit 2 with an error line on stderr and create nothing"
expect_exit 2 pca --home "$WORK/usage" init --name "Usage Lab" --bogus-option --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "--bogus-option"
expect_exit 2 pca --home "$WORK/usage" init --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "--name"
expect_exit 2 pca --home "$WORK/usage" init --name "Usage Lab" --root-only --days 30 --passphrase-file "$PW"
assert_error_line
expect_usage_error "--delta-crl: gives the issuing CA delta CRLs; with --root-only there is none" \
  pca --home "$WORK/usage" init --name "Usage Lab" --root-only --delta-crl --passphrase-file "$PW"
[[ ! -e "$WORK/usage" ]] || fail "init --root-only --delta-crl left a home behind"
expect_exit 2 pca --home "$WORK/usage"
assert_error_line
expect_usage_error 'unknown command "frobnicate" (see pocketca --help)' pca --home "$WORK/usage" frobnicate
expect_usage_error 'unknown command "frobnicate" (see pocketca --help)' pca --home "$WORK/usage" frobnicate --help
expect_usage_error 'unknown command "ca frobnicate" (see pocketca ca --help)' pca --home "$WORK/usage" ca frobnicate
# serve is planned (design.md), not built: it says so, with or without --help, instead of printing the help.
for args in "" --help "--listen 127.0.0.1:8080"; do
  # shellcheck disable=SC2086 # $args is split on purpose
  expect_usage_error '`pocketca serve` is not available in this version' pca --home "$WORK/usage" serve $args
  [[ ! -s "$OUT" ]] || fail "pocketca serve $args printed to stdout"
done
expect_exit 2 pca --home "$H" ca
assert_error_line
expect_exit 2 pca --home "$H" ca export --format zip
assert_error_line
# Lifetimes are 1 to 36525 days; anything else is a usage error naming the option.
for days in 0 -5 36526 ten; do
  expect_usage_error "--days: \"$days\" is not a whole number from 1 to 36525" \
    pca --home "$WORK/usage" init --name "Usage Lab" --days "$days" --passphrase-file "$PW"
done
expect_usage_error '--root-days: "0" is not a whole number from 1 to 36525' \
  pca --home "$WORK/usage" init --name "Usage Lab" --root-days 0 --passphrase-file "$PW"
# An empty or blank --name would make CAs named " Root CA".
for name in "" "   " $'\t'; do
  expect_usage_error "--name: must not be empty or only blanks" pca --home "$WORK/usage" init --name "$name" --passphrase-file "$PW"
done
[[ ! -e "$WORK/usage" ]] || fail "a usage error created $WORK/usage"

step "--json failures print {\"error\": …} on stdout as well as the error line on stderr"
expect_exit 2 pca --json --home "$WORK/usage" init --passphrase-file "$PW"
assert_error_line
python3 - "$OUT" "$ERR" << 'EOF' || fail "--json usage error is not one JSON document {\"error\": <the stderr message>}"
import json, sys
doc = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read().strip()
assert list(doc) == ["error"], doc
assert err == "error: " + doc["error"], (err, doc)
EOF
expect_exit 1 pca --home "$WORK/nowhere" ca list --json
assert_error_line
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "no CA home" in d["error"], d' "$OUT" \
  || fail "--json 'no home' error is not {\"error\": ...}"
expect_exit 1 pca --home "$WORK/nowhere" ca list
[[ ! -s "$OUT" ]] || fail "without --json a failure must leave stdout empty"
[[ ! -e "$WORK/nowhere" ]] || fail "ca list created a home"

step "--home beats POCKETCA_HOME, which beats ./pki"
mkdir "$WORK/cwd" && cd "$WORK/cwd" || fail "cannot enter $WORK/cwd"
POCKETCA_HOME="$WORK/env-home" expect_exit 0 pca init --name "Env Lab" --root-only --root-key ec:p256 --passphrase-file "$PW" -q
[[ -f "$WORK/env-home/pocketca.db" ]] || fail "POCKETCA_HOME was not used"
[[ ! -e "$WORK/cwd/pki" ]] || fail "./pki was used although POCKETCA_HOME is set"
expect_exit 0 pca init --name "Default Lab" --root-only --root-key ec:p256 --passphrase-file "$PW" -q
[[ -f "$WORK/cwd/pki/pocketca.db" ]] || fail "./pki is not the default home"
POCKETCA_HOME="$WORK/env-home" expect_exit 0 pca --home "$H" ca list
assert_contains "$OUT" "Contoso Lab Root CA"
assert_not_contains "$OUT" "Env Lab"
POCKETCA_HOME="$WORK/env-home" expect_exit 0 pca ca list
assert_contains "$OUT" "Env Lab Root CA"
expect_exit 0 pca ca list
assert_contains "$OUT" "Default Lab Root CA"
POCKETCA_HOME="" expect_exit 0 pca ca list
assert_contains "$OUT" "Default Lab Root CA"
cd "$WORK" || fail "cannot return to $WORK"

step "--root-only makes a single self-signed root that is the default issuer"
expect_exit 0 pca --home "$WORK/root-only" init --name "Solo Lab" --root-only --root-key ec:p256 --passphrase-file "$PW" --json
python3 - "$OUT" << 'EOF' || fail "init --root-only --json does not describe one default root"
import json, sys
doc = json.load(open(sys.argv[1]))
cas = doc["cas"]
assert len(cas) == 1, cas
assert cas[0]["name"] == "Solo Lab Root CA" and cas[0]["parent"] is None and cas[0]["default"] is True, cas
EOF
assert_eq "$(ls "$WORK/root-only/public" | tr '\n' ' ')" "solo-lab-root-ca.crl solo-lab-root-ca.crt " "public/ of a --root-only home"
assert_eq "$(ls "$WORK/root-only/private" | tr '\n' ' ')" "solo-lab-root-ca.key " "private/ of a --root-only home"
expect_exit 0 openssl x509 -inform DER -in "$WORK/root-only/public/solo-lab-root-ca.crt" -noout -subject -issuer -text
assert_contains "$OUT" "subject=CN = Solo Lab Root CA"
assert_contains "$OUT" "issuer=CN = Solo Lab Root CA"
assert_contains "$OUT" "CA:TRUE"
expect_exit 0 pca --home "$WORK/root-only" ca show --json
assert_contains "$OUT" '"name": "Solo Lab Root CA"'
assert_contains "$OUT" '"default": true'

step "--subject: ';' separates RDNs as ',' does (RFC 2253), an escaped '\\;' is a literal"
expect_exit 0 pca --home "$WORK/semicolon" init --name "Semi Lab" --root-only --root-key ec:p256 --passphrase-file "$PW" \
  --subject 'O=Contoso\; Fabrikam Ltd; C=US'
expect_exit 0 openssl x509 -inform DER -in "$WORK/semicolon/public/semi-lab-root-ca.crt" -noout -subject -nameopt RFC2253
assert_eq "$(cat "$OUT")" 'subject=CN=Semi Lab Root CA,O=Contoso\; Fabrikam Ltd,C=US' "subject of a root made with --subject using ';'"

step "--key ec:p256 --root-key ec:p384: EC keys, issuing CA signed with ecdsa-with-SHA384"
expect_exit 0 openssl pkey -in "$H/private/contoso-lab-root-ca.key" -passin "file:$PW" -noout -text
assert_contains "$OUT" "ASN1 OID: secp384r1"
expect_exit 0 openssl pkey -in "$H/private/contoso-lab-issuing-ca.key" -passin "file:$PW" -noout -text
assert_contains "$OUT" "ASN1 OID: prime256v1"
openssl x509 -inform DER -in "$H/public/contoso-lab-root-ca.crt" -out root.pem || fail "root certificate is not DER"
openssl x509 -inform DER -in "$H/public/contoso-lab-issuing-ca.crt" -out issuing.pem || fail "issuing certificate is not DER"
expect_exit 0 openssl x509 -in issuing.pem -noout -text
assert_contains "$OUT" "Signature Algorithm: ecdsa-with-SHA384"
assert_contains "$OUT" "NIST CURVE: P-256"
expect_exit 0 openssl x509 -in root.pem -noout -text
assert_contains "$OUT" "Signature Algorithm: ecdsa-with-SHA384"
assert_contains "$OUT" "NIST CURVE: P-384"
expect_exit 0 openssl verify -x509_strict -CAfile root.pem issuing.pem
expect_exit 0 pca --home "$H" ca list --json
python3 -c '
import json, sys
keys = {c["name"]: c["key"] for c in json.load(open(sys.argv[1]))}
assert keys == {"Contoso Lab Root CA": "ec:p384", "Contoso Lab Issuing CA": "ec:p256"}, keys
' "$OUT" || fail "ca list --json does not report the EC key types"

step "global options before and after the subcommand"
expect_exit 0 pca --json --home "$H" ca list
cp "$OUT" list-before.json
expect_exit 0 pca ca list --json --home "$H"
cmp -s "$OUT" list-before.json || fail "'--json ca list' and 'ca list --json' differ"
expect_exit 0 pca --home "$H" ca list --json
cmp -s "$OUT" list-before.json || fail "'--home H ca list --json' differs"
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 2' list-before.json \
  || fail "ca list --json is not an array of the 2 CAs"
expect_exit 1 pca ca show nosuch --home "$H" --json
python3 -c 'import json,sys; assert "error" in json.load(open(sys.argv[1]))' "$OUT" \
  || fail "--json after the subcommand is not honoured on failure"
expect_exit 0 pca -q --home "$H" ca list
[[ ! -s "$OUT" ]] || fail "-q before the subcommand printed to stdout"
expect_exit 0 pca ca list --home "$H" -q
[[ ! -s "$OUT" ]] || fail "-q after the subcommand printed to stdout"
expect_exit 0 pca --version
assert_contains "$OUT" "pocketca"

echo "PASS"
