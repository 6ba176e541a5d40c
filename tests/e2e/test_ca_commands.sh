# `pocketca ca list|show|new|export` on a small EC hierarchy.
source "$(dirname "$0")/lib.sh"
need openssl
need python3

ca() { pca --home "$H" ca "$@"; }

expect_exit 0 pca --home "$H" init --name "Contoso Lab" --root-key ec:p384 --key ec:p256 \
  --base-url http://pki.contoso.lab --passphrase-file "$PW" -q
openssl x509 -inform DER -in "$H/public/contoso-lab-root-ca.crt" -out root.pem || fail "root certificate is not DER"

step "ca list --json: an array of CAs with exactly-typed keys"
expect_exit 0 ca list --json
cp "$OUT" list.json
python3 - list.json << 'EOF' || fail "ca list --json is not as the contract says"
import json, re, sys
cas = json.load(open(sys.argv[1]))
assert isinstance(cas, list) and len(cas) == 2, cas
types = {"name": str, "slug": str, "subject": str, "serial": str, "not_after": str, "default": bool}
for ca in cas:
    for key, t in types.items():
        assert key in ca, f"{key} missing in {ca}"
        assert type(ca[key]) is t, f"{key} is {type(ca[key]).__name__}, expected {t.__name__}"
    assert "parent" in ca and (ca["parent"] is None or type(ca["parent"]) is str), ca
    assert re.fullmatch(r"[0-9a-f]{38}", ca["serial"]), ca["serial"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ca["not_after"]), ca["not_after"]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ca["slug"]), ca["slug"]
root, issuing = cas
assert root["name"] == "Contoso Lab Root CA" and root["slug"] == "contoso-lab-root-ca", root
assert root["subject"] == "CN=Contoso Lab Root CA", root
assert root["parent"] is None and root["default"] is False, root
assert issuing["name"] == "Contoso Lab Issuing CA" and issuing["slug"] == "contoso-lab-issuing-ca", issuing
assert issuing["parent"] == "Contoso Lab Root CA" and issuing["default"] is True, issuing
assert sum(ca["default"] for ca in cas) == 1
EOF
expect_exit 0 ca list
assert_contains "$OUT" "Contoso Lab Root CA"
assert_contains "$OUT" "Contoso Lab Issuing CA"
# The default marker sits on the issuing CA's row.
grep -E '^\*.*Contoso Lab Issuing CA' "$OUT" > /dev/null || fail "ca list does not mark the issuing CA as default"

step "ca show by name, slug (any case) and index give the same CA; no argument gives the default"
expect_exit 0 ca show --json "Contoso Lab Root CA"
cp "$OUT" show-root.json
for selector in contoso-lab-root-ca CONTOSO-LAB-ROOT-CA "contoso lab root ca" 1; do
  expect_exit 0 ca show --json "$selector"
  cmp -s "$OUT" show-root.json || fail "ca show --json '$selector' is not the root"
done
python3 - show-root.json list.json << 'EOF' || fail "ca show --json disagrees with ca list --json"
import json, sys
shown = json.load(open(sys.argv[1]))
listed = json.load(open(sys.argv[2]))[0]
assert shown == listed, (shown, listed)
EOF
expect_exit 0 ca show
assert_contains "$OUT" "Contoso Lab Issuing CA"
assert_contains "$OUT" "default issuer"
expect_exit 0 ca show contoso-lab-root-ca
assert_contains "$OUT" "Contoso Lab Root CA"
assert_contains "$OUT" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' show-root.json)"
expect_exit 0 ca show 2 --json
assert_contains "$OUT" '"name": "Contoso Lab Issuing CA"'

step "ca show of an unknown CA: exit 1 with an error line"
expect_exit 1 ca show nosuch
assert_error_line
assert_contains "$ERR" "nosuch"
expect_exit 1 ca show 9
assert_error_line
expect_exit 1 ca show nosuch --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "nosuch" in d["error"]' "$OUT" \
  || fail "ca show nosuch --json has no {\"error\"}"

step "ca new under the root verifies against the root"
expect_exit 0 ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$PW" --json
python3 - "$OUT" << 'EOF' || fail "ca new --json does not describe the new CA"
import json, sys
ca = json.load(open(sys.argv[1]))
assert ca["name"] == "Contoso Lab Web CA" and ca["slug"] == "contoso-lab-web-ca", ca
assert ca["parent"] == "Contoso Lab Root CA" and ca["default"] is False, ca
assert ca["serial"].endswith("000100000003"), ca["serial"]  # signed by CA 1, request 3
EOF
WEB_CRT="$H/public/contoso-lab-web-ca.crt"
[[ -f "$WEB_CRT" && -f "$H/private/contoso-lab-web-ca.key" ]] || fail "ca new did not write the certificate and key"
openssl x509 -inform DER -in "$WEB_CRT" -out web.pem || fail "the new CA certificate is not DER"
expect_exit 0 openssl verify -x509_strict -CAfile root.pem web.pem
expect_exit 0 openssl x509 -in web.pem -noout -text
assert_contains "$OUT" "CA:TRUE, pathlen:0"
assert_contains "$OUT" "URI:http://pki.contoso.lab/pki/contoso-lab-root-ca.crl"
# The default issuer does not move.
expect_exit 0 ca show --json
assert_contains "$OUT" '"name": "Contoso Lab Issuing CA"'

step "no CA under a pathLen 0 CA; no duplicate names"
expect_exit 1 ca new --name "Too Deep CA" --parent "Contoso Lab Issuing CA" --key ec:p256 --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "pathLen"
[[ ! -e "$H/private/too-deep-ca.key" && ! -e "$H/public/too-deep-ca.crt" ]] || fail "a refused ca new left files"
expect_exit 1 ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$PW"
assert_error_line
assert_contains "$ERR" "exists"
expect_exit 1 ca new --name "contoso lab web ca" --key ec:p256 --passphrase-file "$PW"
assert_error_line
expect_exit 1 ca new --name "Orphan CA" --parent nosuch --key ec:p256 --passphrase-file "$PW"
assert_error_line
for days in 0 -1 36526; do
  expect_usage_error "--days: \"$days\" is not a whole number from 1 to 36525" \
    ca new --name "Short CA" --days "$days" --key ec:p256 --passphrase-file "$PW"
done
for name in "" "  "; do
  expect_usage_error "--name: must not be empty or only blanks" ca new --name "$name" --key ec:p256 --passphrase-file "$PW"
done
expect_usage_error '--key: key type "rsa:1024" is not supported; use rsa:2048, rsa:3072, rsa:4096, ec:p256 or ec:p384' \
  ca new --name "Short CA" --key rsa:1024 --passphrase-file "$PW"
[[ ! -e "$H/private/short-ca.key" && ! -e "$H/public/short-ca.crt" ]] || fail "ca new with a bad --days or --key left files"
expect_exit 0 ca list --json
assert_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$OUT")" 3 "CAs after refused ca new"

step "a deeper hierarchy with --path-len"
expect_exit 0 ca new --name "Contoso Lab Policy CA" --path-len 1 --key ec:p256 --passphrase-file "$PW"
expect_exit 0 ca new --name "Contoso Lab Leaf Issuing CA" --parent contoso-lab-policy-ca --key ec:p256 --passphrase-file "$PW"
expect_exit 1 ca new --name "Contoso Lab Unlimited CA" --parent contoso-lab-policy-ca --path-len -1 --key ec:p256 \
  --passphrase-file "$PW"
assert_error_line
expect_exit 0 ca export --ca "Contoso Lab Leaf Issuing CA" --format pem-bundle --out leaf-chain.pem
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' leaf-chain.pem)" 3 "certificates in a 3-level pem-bundle"
openssl x509 -inform DER -in "$H/public/contoso-lab-leaf-issuing-ca.crt" -out leaf.pem
expect_exit 0 openssl verify -x509_strict -CAfile root.pem -untrusted leaf-chain.pem leaf.pem
expect_exit 0 openssl x509 -in leaf.pem -noout -issuer
assert_contains "$OUT" "CN = Contoso Lab Policy CA"

step "ca export without --out writes to stdout"
expect_exit 0 ca export --format pem-bundle
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$OUT")" 2 "certificates in the default issuer's bundle on stdout"
cp "$OUT" stdout-bundle.pem
expect_exit 0 openssl verify -x509_strict -CAfile root.pem -untrusted stdout-bundle.pem stdout-bundle.pem
expect_exit 0 ca export --format cer --ca 1
cmp -s "$OUT" "$H/public/contoso-lab-root-ca.crt" || fail "ca export --format cer to stdout is not the DER certificate"
expect_exit 0 ca export --format pem-bundle --ca contoso-lab-root-ca
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$OUT")" 1 "certificates in the root's bundle"
expect_exit 0 ca export --format cer-b64 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ca"] == "Contoso Lab Issuing CA" and "BEGIN CERTIFICATE" in d["content"], d
' "$OUT" || fail "ca export --json without --out has no content"

step "ca export --out: never overwrites without --force"
expect_exit 0 ca export --ca "Contoso Lab Web CA" --format pem-bundle --out web-chain.pem
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' web-chain.pem)" 2 "certificates in the new CA's pem-bundle"
subjects=$(openssl crl2pkcs7 -nocrl -certfile web-chain.pem | openssl pkcs7 -print_certs -noout | grep '^subject=')
assert_eq "$subjects" $'subject=CN = Contoso Lab Web CA\nsubject=CN = Contoso Lab Root CA' "new CA bundle subjects"
expect_exit 0 openssl verify -x509_strict -CAfile root.pem -untrusted web-chain.pem web.pem
echo "keep me" > existing.p7b
expect_exit 1 ca export --format p7b --out existing.p7b
assert_error_line
assert_contains "$ERR" "--force"
assert_eq "$(cat existing.p7b)" "keep me" "a file that export refused to overwrite"
expect_exit 0 ca export --format p7b --out existing.p7b --force
expect_exit 0 openssl pkcs7 -inform DER -in existing.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 2 "certificates in the p7b written with --force"
expect_exit 1 ca export --ca nosuch --format p7b --out nosuch.p7b
assert_error_line
[[ ! -e nosuch.p7b ]] || fail "a failed export left a file"
expect_exit 2 ca export --out missing-format.pem
assert_error_line

step "ca new --path-len outside -1 to 16 is a usage error"
expect_usage_error '--path-len: "-2" is not a whole number from -1 to 16' pca --home "$H" --passphrase-file "$PW" ca new --name "Odd CA" --path-len -2
expect_usage_error '--path-len: "17" is not a whole number from -1 to 16' pca --home "$H" --passphrase-file "$PW" ca new --name "Odd CA" --path-len 17

step "a CA near its end, then past it: ca list/show mark it and warn, crl and ca export warn, submit refuses"
need sqlite3
use_python
X="$WORK/expiring"
pcax() { pca --home "$X" --passphrase-file "$PW" "$@"; }
expect_exit 0 pcax init --name "Short Lab" --key ec:p256 --root-key ec:p256 --days 20 --root-days 400 -q
expect_exit 0 pcax ca list
assert_contains "$ERR" 'warning: CA "Short Lab Issuing CA" expires on'
assert_contains "$ERR" "what it signs ends then too; add another with \`pocketca ca new\`"
assert_not_contains "$ERR" 'Short Lab Root CA'
expect_exit 0 pca request --subject "CN=web.short.lab" --out short.req --key-out short.key
expect_exit 3 pcax -q submit short.req --template WebServer --pending
pending_id=$(cat "$OUT")
sqlite3 "$X/pocketca.db" "update cas set not_after = '2020-01-01T00:00:00Z' where name = 'Short Lab Issuing CA'" || fail "sqlite3 failed"
expect_exit 0 pcax ca list
assert_contains "$ERR" 'warning: CA "Short Lab Issuing CA" expired on 2020-01-01T00:00:00Z: clients reject what it signed'
grep -E '^\* +2 +Short Lab Issuing CA .* 2020-01-01 EXPIRED ' "$OUT" > /dev/null || fail "ca list does not mark the expired default issuer"
expect_exit 0 pcax ca list --json
assert_eq "$(jget "$OUT" '[(c["name"], c["expired"]) for c in d]')" \
  "[('Short Lab Root CA', False), ('Short Lab Issuing CA', True)]" "expired in ca list --json"
expect_exit 0 pcax ca show
assert_contains "$OUT" "to 2020-01-01T00:00:00Z (EXPIRED)"
expect_exit 0 pcax crl
assert_contains "$ERR" 'warning: CA "Short Lab Issuing CA" expired on'
expect_exit 0 pcax ca export --format p7b --out short-chain.p7b
assert_contains "$ERR" 'warning: CA "Short Lab Issuing CA" expired on'
expect_exit 1 pcax submit short.req --template WebServer --json
assert_contains "$ERR" 'denied: CA "Short Lab Issuing CA" expired on 2020-01-01T00:00:00Z; choose another CA with --ca'
denied_id=$(jget "$OUT" 'd["request_id"]')
expect_exit 0 pcax show "$denied_id" --json
assert_eq "$(jget "$OUT" '(d["disposition"], "expired on 2020-01-01" in d["message"])')" "('denied', True)" \
  "a request to an expired CA gets its row, denied with why"
expect_exit 1 pcax approve "$pending_id"
assert_contains "$ERR" "expired on 2020-01-01T00:00:00Z; the request was made for it, so deny it (\`pocketca deny $pending_id\`)"
assert_not_contains "$ERR" "choose another CA"

echo "PASS"
