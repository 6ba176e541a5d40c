# What submit, show, list and template print and write, as the contract promises: the submit
# report (IDs, serial, thumbprint, SANs, files, Exchange commands), default output names and
# formats, no overwrite without --force, every way to name a certificate in `show`, the decoded
# Windows request attributes, the list table and JSON, --attrib, template choice, custom and broken
# templates, and {"error": …} on stdout with --json.
source "$(dirname "$0")/lib.sh"
need openssl
use_python

need_request_fixtures

thumbprint_of() { openssl x509 -inform DER -in "$1" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d ':'; }
serial_of() { openssl x509 -inform "${2:-DER}" -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }

mkdir -p "$WORK/reqs" "$WORK/out"
cp "$REQS/windows-exchange.pem" "$WORK/reqs/mail.contoso.lab.req"
cp "$REQS/rsa2048.pem" "$WORK/reqs/web01.contoso.lab.req"
cp "$REQS/ec-p256.pem" "$WORK/reqs/ec.req"

step "init (EC root and issuing CA)"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256 -q
cd "$WORK/out" || fail "no out folder"

# =============================================================================================
step "submit the Exchange request: template from the request, default file names in the current folder"
expect_exit 0 pcah submit ../reqs/mail.contoso.lab.req
cp "$OUT" submit-mail.txt
[[ -f mail.contoso.lab.cer && -f mail.contoso.lab.p7b ]] || fail "submit did not write mail.contoso.lab.cer/.p7b in the current folder"
[[ ! -e ../reqs/mail.contoso.lab.cer && ! -e ../reqs/mail.contoso.lab.p7b ]] || fail "submit wrote next to the request, not in the current folder"

step "default format is DER: the .cer is a DER certificate, the .p7b a DER PKCS#7 with the chain"
expect_exit 0 openssl x509 -inform DER -in mail.contoso.lab.cer -noout -subject -ext subjectAltName,extendedKeyUsage
assert_contains "$OUT" "CN = mail.contoso.lab"
assert_contains "$OUT" "DNS:mail.contoso.lab, DNS:autodiscover.contoso.lab, DNS:owa.contoso.lab"
assert_contains "$OUT" "TLS Web Server Authentication"
expect_exit 0 openssl pkcs7 -inform DER -in mail.contoso.lab.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 3 "certificates in mail.contoso.lab.p7b"
assert_contains "$OUT" "CN = mail.contoso.lab"
assert_contains "$OUT" "subject=CN = Contoso Lab Issuing CA"
assert_contains "$OUT" "subject=CN = Contoso Lab Root CA"

MAIL_SERIAL=$(serial_of mail.contoso.lab.cer)
MAIL_THUMB=$(thumbprint_of mail.contoso.lab.cer)
[[ "$MAIL_THUMB" =~ ^[0-9A-F]{40}$ ]] || fail "cannot compute the thumbprint of mail.contoso.lab.cer"
[[ "$MAIL_SERIAL" =~ ^[0-9a-f]{38}$ ]] || fail "serial $MAIL_SERIAL is not 19 bytes"
[[ "$MAIL_SERIAL" == *000200000003 ]] || fail "serial $MAIL_SERIAL does not end in CA index 2, request 3"

step "submit's report: request ID, serial, thumbprint, SANs, template, files, Exchange commands"
grep -qE '^ *request ID +3$' submit-mail.txt || fail "submit output has no 'request ID  3' line: $(cat submit-mail.txt)"
assert_contains submit-mail.txt "$MAIL_SERIAL"
assert_contains submit-mail.txt "$MAIL_THUMB"
assert_contains submit-mail.txt "DNS:mail.contoso.lab, DNS:autodiscover.contoso.lab, DNS:owa.contoso.lab"
grep -qE '^ *template +WebServer$' submit-mail.txt || fail "submit output does not say template WebServer"
grep -E '^ *files ' submit-mail.txt | grep -F mail.contoso.lab.cer | grep -qF mail.contoso.lab.p7b \
  || fail "submit output does not list the files written"

step "a request made on Windows (it carries Windows attributes): import the .p7b where the key is, with -FileData"
assert_contains submit-mail.txt 'copy mail.contoso.lab.p7b to C:\certs\ on the server that made the request'
assert_contains submit-mail.txt "Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certs\mail.contoso.lab.p7b')) | Enable-ExchangeCertificate -Services IIS,SMTP"
assert_contains submit-mail.txt "Get-ExchangeCertificate -Thumbprint $MAIL_THUMB"
assert_not_contains submit-mail.txt '-Path'  # Exchange 2007's only
assert_not_contains submit-mail.txt '.pfx'
assert_not_contains submit-mail.txt 'error'

# =============================================================================================
step "an existing .cer: exit 1, the error names the file and --force, no certificate, files untouched"
before_count=$(cert_count)
cer_sum=$(sha256sum < mail.contoso.lab.cer)
p7b_sum=$(sha256sum < mail.contoso.lab.p7b)
expect_exit 1 pcah submit ../reqs/mail.contoso.lab.req
assert_error_line
grep '^error: ' "$ERR" | grep -F 'mail.contoso.lab.cer' | grep -qF -- '--force' || fail "the error does not name mail.contoso.lab.cer and --force"
assert_eq "$(cert_count)" "$before_count" "certificates after a refused overwrite"
assert_eq "$(sha256sum < mail.contoso.lab.cer)" "$cer_sum" "mail.contoso.lab.cer after a refused overwrite"
assert_eq "$(sha256sum < mail.contoso.lab.p7b)" "$p7b_sum" "mail.contoso.lab.p7b after a refused overwrite"
expect_json_error pcah submit ../reqs/mail.contoso.lab.req --json
assert_contains "$OUT" "mail.contoso.lab.cer"
assert_eq "$(cert_count)" "$before_count" "certificates after a refused overwrite (--json)"

step "an existing .p7b alone: refused too, and the .cer is not written either"
echo "keep me" > only.p7b
expect_exit 1 pcah submit ../reqs/mail.contoso.lab.req --out only.cer --chain only.p7b
assert_error_line
grep '^error: ' "$ERR" | grep -F 'only.p7b' | grep -qF -- '--force' || fail "the error does not name only.p7b and --force"
[[ ! -e only.cer ]] || fail "only.cer was written although only.p7b exists"
assert_eq "$(cat only.p7b)" "keep me" "only.p7b after a refused overwrite"
assert_eq "$(cert_count)" "$before_count" "certificates after a refused overwrite of the chain"

step "--force overwrites both files with a new certificate"
expect_exit 0 pcah submit ../reqs/mail.contoso.lab.req --force -q
assert_eq "$(cert_count)" "$((before_count + 1))" "certificates after --force"
[[ "$(sha256sum < mail.contoso.lab.cer)" != "$cer_sum" ]] || fail "--force did not overwrite mail.contoso.lab.cer"
[[ "$(sha256sum < mail.contoso.lab.p7b)" != "$p7b_sum" ]] || fail "--force did not overwrite mail.contoso.lab.p7b"
forced_serial=$(serial_of mail.contoso.lab.cer)
[[ "$forced_serial" != "$MAIL_SERIAL" ]] || fail "--force rewrote the old certificate instead of issuing a new one"
expect_exit 0 pcah list --json
assert_eq "$(jget "$OUT" 'd[0]["serial"]')" "$forced_serial" "newest certificate in list --json after --force"
expect_exit 0 openssl pkcs7 -inform DER -in mail.contoso.lab.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 3 "certificates in the overwritten .p7b"

# =============================================================================================
step "--format base64 with default names: PEM .cer and -----BEGIN PKCS7----- .p7b; --json report"
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --format base64 --json
cp "$OUT" submit-web01.json
head -1 web01.contoso.lab.cer | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "web01.contoso.lab.cer is not PEM"
head -1 web01.contoso.lab.p7b | grep -q -- '-----BEGIN PKCS7-----' || fail "web01.contoso.lab.p7b does not start with -----BEGIN PKCS7-----"
expect_exit 0 openssl pkcs7 -in web01.contoso.lab.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 3 "certificates in web01.contoso.lab.p7b"
openssl x509 -in web01.contoso.lab.cer -outform DER -out web01.der || fail "web01.contoso.lab.cer is not a PEM certificate"
WEB_SERIAL=$(serial_of web01.der)
WEB_THUMB=$(thumbprint_of web01.der)
WEB_SHA256=$(openssl x509 -inform DER -in web01.der -noout -fingerprint -sha256 | cut -d= -f2 | tr -d ':' | tr 'A-F' 'a-f')
"$PY" - submit-web01.json "$WEB_SERIAL" "$WEB_THUMB" "$WEB_SHA256" "$H" << 'EOF' || fail "submit --json is not as the contract says: $(cat submit-web01.json)"
import json, re, sys
d = json.load(open(sys.argv[1]))
serial, thumb, sha256 = sys.argv[2:5]
assert type(d["request_id"]) is int and d["request_id"] == int(serial, 16) % 2**32, d["request_id"]
assert d["disposition"] == "issued" and d["status"] == "valid"
assert d["serial"] == serial and d["thumbprint"] == thumb and d["sha256"] == sha256
assert d["subject"] == "CN=mail.contoso.lab", d["subject"]
assert d["sans"] == ["DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"], d["sans"]
for k in ("not_before", "not_after"):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d[k]), (k, d[k])
assert d["template"] == "WebServer" and d["ca"] == "Contoso Lab Issuing CA"
assert d["files"] == {"cer": "web01.contoso.lab.cer", "p7b": "web01.contoso.lab.p7b"}, d["files"]
assert isinstance(d["warnings"], list)
# Made by openssl: no Windows attributes, so its key is here and goes over in a PFX.
# With the --home it was given, so that the command acts on the same CA home.
assert "pocketca --home " + sys.argv[5] + " export " + serial + " --format pfx --key KEYFILE --out web01.contoso.lab.pfx\n" in d["exchange"], d["exchange"]
assert "ReadAllBytes('C:\\certs\\web01.contoso.lab.pfx')) -Password (Read-Host -AsSecureString) | Enable-ExchangeCertificate" in d["exchange"], d["exchange"]
assert "-Path" not in d["exchange"] and ".p7b" not in d["exchange"], d["exchange"]
EOF

step "--out and --chain are honoured (DER by default), and the report names those files"
mkdir -p files
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --out files/leaf.cer --chain files/chain.p7b
[[ -f files/leaf.cer && -f files/chain.p7b ]] || fail "--out/--chain files missing"
expect_exit 0 openssl x509 -inform DER -in files/leaf.cer -noout
expect_exit 0 openssl pkcs7 -inform DER -in files/chain.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 3 "certificates in files/chain.p7b"
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --out files/leaf2.cer --chain files/chain2.p7b
assert_contains "$OUT" "files/leaf2.cer"
step "a request without Windows attributes (openssl's): the PFX route, named after the chain file"
assert_contains "$OUT" 'the request carries no Windows attributes'
grep -qE "^  pocketca --home $H export [0-9a-f]{38} --format pfx --key KEYFILE --out files/chain2\\.pfx\$" "$OUT" \
  || fail "submit does not print the export --format pfx command for files/chain2.pfx"
assert_contains "$OUT" 'copy chain2.pfx to C:\certs\ on the Exchange server'
assert_contains "$OUT" "Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certs\chain2.pfx')) -Password (Read-Host -AsSecureString) | Enable-ExchangeCertificate -Services IIS,SMTP"
assert_not_contains "$OUT" 'server that made the request'
assert_not_contains "$OUT" '-Path'

# =============================================================================================
step "show: request ID, serial in any case and with separators, thumbprint in any case, --id/--serial/--thumbprint"
colons=$(echo "$MAIL_SERIAL" | sed 's/../&:/g; s/:$//')
spaces=$(echo "$MAIL_SERIAL" | sed 's/../& /g; s/ $//')
upper_colons=$(echo "$colons" | tr 'a-f' 'A-F')
forms=(3 "$MAIL_SERIAL" "$(echo "$MAIL_SERIAL" | tr 'a-f' 'A-F')" "$colons" "$upper_colons" "$spaces"
       "$MAIL_THUMB" "$(echo "$MAIL_THUMB" | tr 'A-F' 'a-f')")
for form in "${forms[@]}"; do
  expect_exit 0 pcah show "$form" --json
  assert_eq "$(jget "$OUT" 'd["serial"]')" "$MAIL_SERIAL" "show '$form' --json serial"
  assert_eq "$(jget "$OUT" 'd["thumbprint"]')" "$MAIL_THUMB" "show '$form' --json thumbprint"
  assert_eq "$(jget "$OUT" 'd["request_id"]')" 3 "show '$form' --json request_id"
done
for args in "--id 3" "--serial $(echo "$MAIL_SERIAL" | tr 'a-f' 'A-F')" "--serial $colons" "--thumbprint $(echo "$MAIL_THUMB" | tr 'A-F' 'a-f')" "--thumbprint $MAIL_THUMB"; do
  # shellcheck disable=SC2086
  expect_exit 0 pcah show $args --json
  assert_eq "$(jget "$OUT" 'd["serial"]')" "$MAIL_SERIAL" "show $args --json serial"
done
expect_exit 0 pcah show --serial "$spaces" --json
assert_eq "$(jget "$OUT" 'd["serial"]')" "$MAIL_SERIAL" "show --serial with spaces"
expect_exit 0 pcah show "$upper_colons"
assert_contains "$OUT" "$MAIL_SERIAL"
assert_contains "$OUT" "$MAIL_THUMB"

step "show of the Windows request: the decoded Windows attributes, in text and JSON"
expect_exit 0 pcah show 3
cp "$OUT" show-3.txt
for v in 10.0.20348.2 EXCH01.contoso.lab 'CONTOSO\administrator' powershell.exe 'Microsoft RSA SChannel Cryptographic Provider'; do
  assert_contains show-3.txt "$v"
done
grep -qE '^ *OS version +10\.0\.20348\.2$' show-3.txt || fail "show 3 has no 'OS version  10.0.20348.2' line"
grep -qE '^ *CSP +Microsoft RSA SChannel Cryptographic Provider$' show-3.txt || fail "show 3 has no CSP line"
expect_exit 0 pcah show 3 --json
"$PY" - "$OUT" << 'EOF' || fail "show 3 --json lacks the Windows attributes"
import json, sys
d = json.load(open(sys.argv[1]))
values = []
def walk(x):
    if isinstance(x, dict):
        for v in x.values(): walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
    else:
        values.append(x)
walk(d)
for want in ("10.0.20348.2", "EXCH01.contoso.lab", "CONTOSO\\administrator", "powershell.exe",
             "Microsoft RSA SChannel Cryptographic Provider"):
    assert want in values, (want, d)
assert d["request_id"] == 3 and d["disposition"] == "issued"
EOF

step "show of something that is not there: exit 1 with one error line; --json error object"
expect_exit 1 pcah show 999
assert_error_line
assert_contains "$ERR" "999"
expect_json_error pcah show 999 --json
expect_json_error pcah show --serial 0123456789abcdef --json
expect_json_error pcah show --thumbprint 0000000000000000000000000000000000000000 --json

# =============================================================================================
step "--attrib SAN adds names after the requested ones"
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --out attrib.cer --chain attrib.p7b \
  --attrib "SAN:dns=extra.contoso.lab&ipaddress=10.0.0.5" --json
assert_eq "$(jget "$OUT" 'd["sans"]')" \
  "['DNS:mail.contoso.lab', 'DNS:autodiscover.contoso.lab', 'DNS:extra.contoso.lab', 'IP:10.0.0.5']" "SANs with --attrib"
expect_exit 0 openssl x509 -inform DER -in attrib.cer -noout -ext subjectAltName
assert_contains "$OUT" "DNS:mail.contoso.lab, DNS:autodiscover.contoso.lab, DNS:extra.contoso.lab, IP Address:10.0.0.5"

step "--attrib CertificateTemplate chooses the template; --template takes display names and any case"
expect_exit 0 pcah submit ../reqs/ec.req --attrib "CertificateTemplate:WebServer" --out t1.cer --chain t1.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" WebServer "template from --attrib CertificateTemplate"
expect_exit 0 pcah submit ../reqs/ec.req --template "Web Server" --out t2.cer --chain t2.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" WebServer "template from --template 'Web Server'"
expect_exit 0 pcah submit ../reqs/ec.req --template webserver --out t3.cer --chain t3.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" WebServer "template from --template webserver"
expect_exit 0 pcah submit ../reqs/ec.req --template COMPUTER --out t4.cer --chain t4.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" Computer "template from --template COMPUTER"
expect_exit 0 openssl x509 -inform DER -in t4.cer -noout -ext extendedKeyUsage
assert_contains "$OUT" "TLS Web Client Authentication"
expect_exit 0 pcah submit ../reqs/ec.req --template "Web Server" --attrib "certificatetemplate:WebServer" --out t5.cer \
  --chain t5.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" WebServer "template from --template and --attrib CertificateTemplate that agree"

step "--template and --attrib CertificateTemplate naming different templates: a usage error, nothing recorded"
requests=$(pcah list --requests --json | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))')
expect_usage_error "--template WebServer and --attrib CertificateTemplate:Computer name different templates; give one" \
  pcah submit ../reqs/ec.req --template WebServer --attrib CertificateTemplate:Computer --out t6.cer --chain t6.p7b
expect_usage_error "--template WebServer and --attrib CertificateTemplate:NoSuch name different templates; give one" \
  pcah submit --batch ../reqs/ec.req --template WebServer --attrib CertificateTemplate:NoSuch --out-dir t7
[[ ! -e t6.cer && ! -e t6.p7b && ! -e t7 ]] || fail "contradicting template options wrote files"
assert_eq "$(pcah list --requests --json | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))')" "$requests" \
  "requests after contradicting template options"

step "no template named and no --template: denied with a row, the error points at --template"
expect_exit 1 pcah submit ../reqs/ec.req --out none.cer --chain none.p7b --json
assert_error_line
assert_contains "$ERR" "--template"
NONE_ID=$(jget "$OUT" 'd["request_id"]')
[[ "$NONE_ID" =~ ^[0-9]+$ ]] || fail "a denied request's --json error has no request_id"
[[ ! -e none.cer && ! -e none.p7b ]] || fail "a denied request wrote files"

step "--template SubCA on a leaf request: denied, no CA certificate"
count=$(cert_count)
expect_exit 1 pcah submit ../reqs/mail.contoso.lab.req --template SubCA --out subca.cer --chain subca.p7b
assert_error_line
assert_contains "$ERR" "SubCA"
[[ ! -e subca.cer ]] || fail "--template SubCA on a leaf request wrote a certificate"
assert_eq "$(cert_count)" "$count" "certificates after --template SubCA on a leaf request"

step "a request that names SubCA inside is never issued as a CA by that name alone"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout sub.key -subj "/CN=Lab Sub CA" \
  -addext "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:SubCA" -out ../reqs/named-subca.req 2> /dev/null \
  || fail "openssl could not make a request naming SubCA"
expect_exit 1 pcah submit ../reqs/named-subca.req --out named.cer --chain named.p7b
assert_error_line
assert_contains "$ERR" "SubCA"
[[ ! -e named.cer ]] || fail "a request naming SubCA got a certificate"
assert_eq "$(cert_count)" "$count" "certificates after a request naming SubCA"

step "a non-host-name CN with non-ASCII letters (kept with a warning, for the table below)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout zh.key -utf8 -subj "/CN=Zürich Mail Gateway" \
  -addext subjectAltName=DNS:zh.contoso.lab -out ../reqs/zh.req 2> /dev/null || fail "openssl could not make the request"
expect_exit 0 pcah submit ../reqs/zh.req --template WebServer --json
assert_eq "$(jget "$OUT" 'd["subject"]')" "CN=Zürich Mail Gateway" "subject with non-ASCII CN"
assert_eq "$(jget "$OUT" 'len(d["warnings"]) >= 1')" True "a warning for a CN that is not a host name"

# =============================================================================================
step "list: newest first, an aligned table with the columns of the contract"
expect_exit 0 pcah list --json
cp "$OUT" list.json
expect_exit 0 pcah list
cp "$OUT" list.txt
"$PY" - list.txt list.json << 'EOF' || fail "list table is not as expected: $(cat list.txt)"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
certs = json.load(open(sys.argv[2], encoding="utf-8"))
header, rows = lines[0], lines[1:]
assert len(rows) == len(certs), (len(rows), len(certs))
cols = ["ID", "SERIAL", "COMMON NAME", "TEMPLATE", "STATUS", "NOT AFTER"]
offsets = []
for c in cols:
    assert c in header, ("column missing", c, header)
    offsets.append(header.index(c))
assert offsets == sorted(offsets), ("column order", header)
ids = []
for row, cert in zip(rows, certs):
    for c, o in zip(cols, offsets):
        # Every value starts exactly under its header (character offsets, not bytes).
        assert len(row) > o and row[o] != " " and (o == 0 or row[o - 1] == " "), ("misaligned", c, row)
    serial = row[offsets[1]:].split()[0]
    assert serial == cert["serial"], (serial, cert["serial"])
    assert row[offsets[3]:].split()[0] == cert["template"], row
    assert row[offsets[4]:].split()[0] == cert["status"], row
    assert row[offsets[5]:].split()[0] == cert["not_after"][:10], row
    ids.append(int(row[:offsets[1]].split()[0]))
assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), ("not newest first", ids)
assert ids == [c["request_id"] for c in certs], ids
EOF

step "list --json: an array of objects with the contract keys"
"$PY" - list.json << 'EOF' || fail "list --json is not as the contract says"
import json, re, sys
certs = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(certs, list) and len(certs) >= 10, len(certs)
ids = [c["request_id"] for c in certs]
assert ids == sorted(ids, reverse=True), ids
for c in certs:
    assert type(c["request_id"]) is int
    assert c["disposition"] == "issued" and c["status"] == "valid", c
    assert re.fullmatch(r"[0-9a-f]{38}", c["serial"]), c["serial"]
    assert int(c["serial"], 16) % 2**32 == c["request_id"], c["serial"]
    assert re.fullmatch(r"[0-9A-F]{40}", c["thumbprint"]), c["thumbprint"]
    assert re.fullmatch(r"[0-9a-f]{64}", c["sha256"]), c["sha256"]
    assert isinstance(c["subject"], str) and c["subject"].startswith("CN="), c["subject"]
    assert isinstance(c["sans"], list) and all(re.match(r"(DNS|IP):.", s) for s in c["sans"]), c["sans"]
    for k in ("not_before", "not_after"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c[k]), (k, c[k])
    assert c["not_before"] < c["not_after"]
    assert isinstance(c["template"], str) and c["template"], c
    assert c["ca"] in ("Contoso Lab Issuing CA", "Contoso Lab Root CA"), c["ca"]
web = [c for c in certs if c["template"] == "WebServer"]
assert web and all(c["ca"] == "Contoso Lab Issuing CA" for c in web)
EOF
assert_eq "$(jget list.json '[c["thumbprint"] for c in d if c["serial"] == "'"$MAIL_SERIAL"'"]')" "['$MAIL_THUMB']" \
  "thumbprint of the first Exchange certificate in list --json"

step "list --requests shows the denied request with its message"
expect_exit 0 pcah list --requests
cp "$OUT" requests.txt
grep -E "^$NONE_ID +denied " requests.txt | grep -qF -- "--template" || fail "list --requests does not show request $NONE_ID denied with its message"
head -1 requests.txt | grep -q 'MESSAGE' || fail "list --requests has no MESSAGE column"
expect_exit 0 pcah list --requests --json
"$PY" - "$OUT" "$NONE_ID" << 'EOF' || fail "list --requests --json does not show the denied request"
import json, sys
reqs = json.load(open(sys.argv[1]))
r = [x for x in reqs if x["request_id"] == int(sys.argv[2])]
assert len(r) == 1 and r[0]["disposition"] == "denied", r
assert "--template" in r[0]["message"], r[0]
EOF
expect_exit 0 pcah show "$NONE_ID"
assert_contains "$OUT" "denied"
assert_contains "$OUT" "--template"

# =============================================================================================
step "template list: the five built-ins with their display names"
expect_exit 0 pcah template list
cp "$OUT" templates.txt
for pair in "WebServer:Web Server" "Computer:Computer" "User:User" \
            "SubCA:Subordinate Certification Authority" "OCSPResponder:OCSP Response Signing"; do
  name=${pair%%:*}
  display=${pair#*:}
  grep -E "^$name " templates.txt | grep -qF "$display" || fail "template list has no line for $name ($display)"
done
expect_exit 0 pcah template list --json
assert_eq "$(jget "$OUT" 'sorted(t["name"] for t in d)')" "['Computer', 'OCSPResponder', 'SubCA', 'User', 'WebServer']" "template names"

step "template show WebServer: serverAuth, key usage, 2 years, RSA 2048 minimum"
expect_exit 0 pcah template show WebServer
for v in serverAuth digitalSignature keyEncipherment "2 years" 2048 "Web Server"; do
  assert_contains "$OUT" "$v"
done
expect_exit 0 pcah template show "web server"
assert_contains "$OUT" "WebServer"
assert_contains "$OUT" "SANs: dns, ip; a host-name CN is added to the SAN, first"
expect_exit 0 pcah template show User  # email SANs only: no CN goes into its SAN
assert_contains "$OUT" "SANs: email"
assert_not_contains "$OUT" "host-name CN"
expect_exit 1 pcah template show nosuch
assert_error_line
assert_contains "$ERR" "nosuch"
expect_json_error pcah template show nosuch --json

step "a custom template in <home>/templates is listed, shown and used"
mkdir -p "$H/templates"
sed -e 's/^name = "WebServer"/name = "ShortWeb"/' -e 's/^display_name = "Web Server"/display_name = "Short Web"/' \
  -e 's/^validity = "2y"/validity = "1y"/' "$POCKETCA_SOURCE_DIR/templates/webserver.toml" > "$H/templates/shortweb.toml"
if ! grep -q '^name = "ShortWeb"' "$H/templates/shortweb.toml" || ! grep -q '^validity = "1y"' "$H/templates/shortweb.toml"; then
  fail "could not derive shortweb.toml from templates/webserver.toml"
fi
expect_exit 0 pcah template list
grep -E '^ShortWeb ' "$OUT" | grep -qF "Short Web" || fail "template list does not show ShortWeb (Short Web)"
assert_contains "$OUT" "WebServer"
expect_exit 0 pcah template show "short web"
assert_contains "$OUT" "ShortWeb"
assert_contains "$OUT" "1 year"
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template ShortWeb --out short.cer --chain short.p7b --json
assert_eq "$(jget "$OUT" 'd["template"]')" ShortWeb "template of a certificate from the custom template"
days=$(jget "$OUT" '(__import__("datetime").datetime.fromisoformat(d["not_after"][:-1]) - __import__("datetime").datetime.fromisoformat(d["not_before"][:-1])).days')
[[ "$days" == 365 || "$days" == 366 ]] || fail "a 1y template gave a certificate valid for $days days"
"$PY" -c 'import sys; sys.exit(0 if "ShortWeb".encode("utf-16-be") in open(sys.argv[1], "rb").read() else 1)' short.cer \
  || fail "short.cer does not carry the template name ShortWeb"

step "a home template wins over a built-in of the same name"
sed -e 's/^validity = "2y"/validity = "1y"/' "$POCKETCA_SOURCE_DIR/templates/webserver.toml" > "$H/templates/webserver.toml"
expect_exit 0 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --out own.cer --chain own.p7b --json
days=$(jget "$OUT" '(__import__("datetime").datetime.fromisoformat(d["not_after"][:-1]) - __import__("datetime").datetime.fromisoformat(d["not_before"][:-1])).days')
[[ "$days" == 365 || "$days" == 366 ]] || fail "the home's WebServer template (1y) was not used: $days days"
rm "$H/templates/webserver.toml"

step "a broken custom template (unknown key): commands fail naming the file and the key"
{
  echo 'colour = "blue"'
  sed -e 's/^name = "WebServer"/name = "Broken"/' -e 's/^display_name = "Web Server"/display_name = "Broken"/' \
    "$POCKETCA_SOURCE_DIR/templates/webserver.toml"
} > "$H/templates/broken.toml"
count=$(cert_count)
expect_exit 1 pcah template list
assert_error_line
grep '^error: ' "$ERR" | grep -F 'broken.toml' | grep -qF 'colour' || fail "the error does not name broken.toml and the key colour"
expect_exit 1 pcah submit ../reqs/web01.contoso.lab.req --template WebServer --out broken.cer --chain broken.p7b
assert_error_line
grep '^error: ' "$ERR" | grep -F 'broken.toml' | grep -qF 'colour' || fail "submit's error does not name broken.toml and the key colour"
[[ ! -e broken.cer ]] || fail "submit wrote a certificate with a broken template in the home"
expect_json_error pcah template show WebServer --json
assert_contains "$OUT" "broken.toml"
assert_eq "$(cert_count)" "$count" "certificates after submits with a broken template"
rm "$H/templates/broken.toml"
expect_exit 0 pcah template list

# =============================================================================================
step "--json on failing commands: {\"error\": …} on stdout"
expect_json_error pcah submit ../reqs/no-such-file.req --template WebServer --json
expect_json_error pcah submit ../reqs/web01.contoso.lab.req --template nosuch --out x.cer --chain x.p7b --json
expect_json_error pcah submit ../reqs/web01.contoso.lab.req --out x.cer --chain x.p7b --json
[[ ! -e x.cer ]] || fail "a failed submit wrote x.cer"

# Last, so that everything above runs even while this one fails.
step "show with nothing to show is a usage error (exit 2), as submit without REQUEST is"
expect_exit 2 pcah submit
expect_exit 2 pcah show
assert_error_line

echo "PASS"
