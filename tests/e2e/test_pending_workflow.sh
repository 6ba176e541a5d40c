# The pending-request workflow, as certutil -resubmit / -deny and certreq -retrieve: submit
# --pending and a template with requires_approval hold a request (exit 3, an ID, no serial, no
# files); retrieve says "still pending" with exit 3; approve issues after running every check
# again (a request that no longer fits its template is denied on approval, a wrong CA passphrase
# leaves it pending); retrieve writes the same bytes as export; deny keeps its reason, and a
# denied request can be neither approved nor retrieved; a SubCA request signed by the root is a
# CA; the audit log names who did each step; --json documents carry the contract keys.
source "$(dirname "$0")/lib.sh"
need openssl
use_python

need_request_fixtures

# No certificate or chain file at all in the current folder.
assert_no_cert_files() {
  local f
  for f in *.cer *.p7b *.pem; do
    [[ -e "$f" ]] && fail "$1: a file was written: $f"
  done
  return 0
}
# The disposition of request ID in `list --requests --json`.
disposition_of() {
  pcah list --requests --json > "$WORK/.reqs.json" || fail "list --requests --json failed"
  jget "$WORK/.reqs.json" "[r['disposition'] for r in d if r['request_id'] == $1]"
}

mkdir -p "$WORK/reqs" "$WORK/out"
cp "$REQS/windows-exchange.pem" "$WORK/reqs/mail.contoso.lab.req"
cp "$REQS/rsa2048.pem" "$WORK/reqs/web01.req"

step "init (EC root and issuing CA)"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256 -q
openssl x509 -inform DER -in "$H/public/contoso-lab-root-ca.crt" -out "$WORK/root.pem" || fail "no root certificate"
openssl x509 -inform DER -in "$H/public/contoso-lab-issuing-ca.crt" -out "$WORK/issuing.pem" || fail "no issuing certificate"
cd "$WORK/out" || fail "no out folder"
CERTS0=$(cert_count)

# =============================================================================================
step "submit --pending: exit 3, the request ID in words, no serial, no files, no certificate"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending --requester alice
cp "$OUT" pending-3.txt
grep -qE '(^|[^0-9])3([^0-9]|$)' pending-3.txt || fail "submit --pending does not print the request ID 3"
assert_contains pending-3.txt "pending"
assert_contains pending-3.txt "approve 3"
if grep -qiE 'serial|[0-9a-f]{38}' pending-3.txt; then fail "submit --pending printed a serial"; fi
assert_not_contains "$ERR" "error"
assert_no_cert_files "submit --pending"
[[ ! -e ../reqs/mail.contoso.lab.cer ]] || fail "submit --pending wrote next to the request"
assert_eq "$(cert_count)" "$CERTS0" "certificates after submit --pending"

step "submit --pending --json: request_id, disposition pending, no serial or thumbprint, no files"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending --requester alice --json
"$PY" - "$OUT" << 'EOF' || fail "submit --pending --json is not as the contract says: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert type(d["request_id"]) is int and d["request_id"] == 4, d.get("request_id")
assert d["disposition"] == "pending", d["disposition"]
for k in ("serial", "thumbprint", "sha256", "status"):
    assert d.get(k) in (None, ""), (k, d.get(k))
assert d.get("files") in (None, {}), d.get("files")
assert d["template"] == "WebServer" and d["ca"] == "Contoso Lab Issuing CA", d
assert d["subject"].startswith("CN=mail.contoso.lab"), d["subject"]
assert isinstance(d["warnings"], list)
EOF
assert_no_cert_files "submit --pending --json"

step "submit --pending -q: exit 3; stdout is empty or just the ID (the contract does not say which)"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending -q
quiet_out=$(cat "$OUT")
[[ -z "$quiet_out" || "$quiet_out" == 5 ]] || fail "submit --pending -q printed more than the request ID: [$quiet_out]"
echo "    (submit --pending -q prints: [${quiet_out}])"
assert_no_cert_files "submit --pending -q"
assert_eq "$(cert_count)" "$CERTS0" "certificates after three pending submissions"

step "list --requests shows the three as pending (text, --json, --status pending)"
expect_exit 0 pcah list --requests
for id in 3 4 5; do
  grep -qE "^$id +pending " "$OUT" || fail "list --requests has no pending row for request $id"
done
expect_exit 0 pcah list --requests --status pending --json
assert_eq "$(jget "$OUT" 'sorted((r["request_id"], r["disposition"]) for r in d)')" \
  "[(3, 'pending'), (4, 'pending'), (5, 'pending')]" "list --requests --status pending --json"
assert_eq "$(jget "$OUT" '[r["requester"] for r in d if r["request_id"] in (3, 4)]')" "['alice', 'alice']" "--requester on submit"
expect_exit 0 pcah list
assert_not_contains "$OUT" "mail.contoso.lab"

# =============================================================================================
step "retrieve while pending: exit 3, says so, writes nothing (text and --json)"
expect_exit 3 pcah retrieve 3
assert_contains "$OUT" "pending"
assert_no_cert_files "retrieve of a pending request"
expect_exit 3 pcah retrieve 3 --json
assert_eq "$(jget "$OUT" '(d["request_id"], d["disposition"])')" "(3, 'pending')" "retrieve 3 --json while pending"
assert_no_cert_files "retrieve --json of a pending request"

# =============================================================================================
step "approve 3: issues the certificate (text), as carol"
expect_exit 0 pcah approve 3 --requester carol
cp "$OUT" approve-3.txt
SERIAL3=$(grep -oE '[0-9a-f]{38}' approve-3.txt | head -1)
[[ "$SERIAL3" =~ ^[0-9a-f]{38}$ ]] || fail "approve does not print a serial: $(cat approve-3.txt)"
[[ "$SERIAL3" == *000200000003 ]] || fail "serial $SERIAL3 does not end in CA index 2, request 3"
assert_contains approve-3.txt "DNS:mail.contoso.lab"
assert_no_cert_files "approve (files come from retrieve)"
assert_eq "$(cert_count)" "$((CERTS0 + 1))" "certificates after approve"
assert_eq "$(disposition_of 3)" "['issued']" "disposition of request 3 after approve"

step "approve 4 --json: the certificate object with the contract keys"
expect_exit 0 pcah approve 4 --json
cp "$OUT" approve-4.json
"$PY" - approve-4.json << 'EOF' || fail "approve --json is not as the contract says: $(cat approve-4.json)"
import json, re, sys
d = json.load(open(sys.argv[1]))
assert type(d["request_id"]) is int and d["request_id"] == 4
assert d["disposition"] == "issued" and d["status"] == "valid", d
assert re.fullmatch(r"[0-9a-f]{38}", d["serial"]) and int(d["serial"], 16) % 2**32 == 4, d["serial"]
assert re.fullmatch(r"[0-9A-F]{40}", d["thumbprint"]), d["thumbprint"]
assert re.fullmatch(r"[0-9a-f]{64}", d["sha256"]), d["sha256"]
assert d["subject"] == "CN=mail.contoso.lab,OU=IT,O=Contoso,L=Redmond,ST=WA,C=US", d["subject"]
assert d["sans"] == ["DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab", "DNS:owa.contoso.lab"], d["sans"]
for k in ("not_before", "not_after"):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d[k]), (k, d[k])
assert d["template"] == "WebServer" and d["ca"] == "Contoso Lab Issuing CA", d
assert isinstance(d["files"], dict) and isinstance(d["warnings"], list), d
EOF
SERIAL4=$(jget approve-4.json 'd["serial"]')
THUMB4=$(jget approve-4.json 'd["thumbprint"]')
assert_no_cert_files "approve --json"

step "approve of an issued request: exit 1, the error says it was issued"
expect_exit 1 pcah approve 3
assert_error_line
grep '^error: ' "$ERR" | grep -q 'issued' || fail "the error does not say request 3 was issued"
assert_eq "$(cert_count)" "$((CERTS0 + 2))" "certificates after approving an issued request"

# =============================================================================================
step "retrieve 3: request-3.cer and request-3.p7b (DER), the same bytes as export cer / p7b"
expect_exit 0 pcah retrieve 3
assert_contains "$OUT" "request-3.cer"
assert_contains "$OUT" "request-3.p7b"
assert_contains "$OUT" "$SERIAL3"
[[ -f request-3.cer && -f request-3.p7b ]] || fail "retrieve 3 did not write request-3.cer/.p7b"
# Request 3 came from New-ExchangeCertificate: the .p7b completes it on that server.
assert_contains "$OUT" 'copy request-3.p7b to C:\certs\ on the server that made the request'
assert_contains "$OUT" "Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certs\request-3.p7b')) | Enable-ExchangeCertificate -Services IIS,SMTP"
expect_exit 0 openssl x509 -inform DER -in request-3.cer -noout -serial -subject
assert_contains "$OUT" "serial=$(echo "$SERIAL3" | tr 'a-f' 'A-F')"
expect_exit 0 openssl pkcs7 -inform DER -in request-3.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 3 "certificates in request-3.p7b"
pcah export "$SERIAL3" --format cer > export-3.cer || fail "export $SERIAL3 --format cer failed"
pcah export "$SERIAL3" --format p7b > export-3.p7b || fail "export $SERIAL3 --format p7b failed"
cmp -s request-3.cer export-3.cer || fail "retrieve's .cer differs from export --format cer"
cmp -s request-3.p7b export-3.p7b || fail "retrieve's .p7b differs from export --format p7b"
expect_exit 0 openssl verify -CAfile ../root.pem -untrusted ../issuing.pem -purpose sslserver <(openssl x509 -inform DER -in request-3.cer)

step "retrieve again: no overwrite without --force (exit 1, names the file); --force overwrites"
echo "keep me" > request-3.cer
expect_exit 1 pcah retrieve 3
assert_error_line
grep '^error: ' "$ERR" | grep -F 'request-3.cer' | grep -qF -- '--force' || fail "the error does not name request-3.cer and --force"
assert_eq "$(cat request-3.cer)" "keep me" "request-3.cer after a refused overwrite"
expect_exit 0 pcah retrieve 3 --force -q
expect_exit 0 pcah retrieve 3 --force --json
assert_eq "$(jget "$OUT" 'd["serial"]')" "$SERIAL3" "retrieve 3 --json serial"
[[ "$(jget "$OUT" 'd["exchange"]')" == *"ReadAllBytes('C:\certs\request-3.p7b'))"* ]] || fail "retrieve --json has no exchange commands"
cmp -s request-3.cer export-3.cer || fail "retrieve --force did not rewrite request-3.cer"

step "retrieve 4 --out --chain --format base64 --json: PEM files equal to export cer-b64 / p7b-b64"
expect_exit 0 pcah retrieve 4 --out four.pem --chain four-chain.p7b --format base64 --json
cp "$OUT" retrieve-4.json
"$PY" - retrieve-4.json "$SERIAL4" "$THUMB4" << 'EOF' || fail "retrieve --json is not as the contract says: $(cat retrieve-4.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["request_id"] == 4 and d["disposition"] == "issued" and d["status"] == "valid", d
assert d["serial"] == sys.argv[2] and d["thumbprint"] == sys.argv[3], d
assert d["files"] == {"cer": "four.pem", "p7b": "four-chain.p7b"}, d["files"]
for k in ("sha256", "subject", "sans", "not_before", "not_after", "template", "ca", "warnings"):
    assert k in d, k
EOF
head -1 four.pem | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "retrieve --format base64 did not write a PEM certificate"
head -1 four-chain.p7b | grep -q -- '-----BEGIN PKCS7-----' || fail "retrieve --format base64 did not write -----BEGIN PKCS7-----"
pcah export "$SERIAL4" --format cer-b64 > export-4.pem || fail "export --format cer-b64 failed"
pcah export "$SERIAL4" --format p7b-b64 > export-4.p7b || fail "export --format p7b-b64 failed"
cmp -s four.pem export-4.pem || fail "retrieve --format base64 .cer differs from export --format cer-b64"
cmp -s four-chain.p7b export-4.p7b || fail "retrieve --format base64 .p7b differs from export --format p7b-b64"
rm -f four.pem four-chain.p7b export-4.pem export-4.p7b request-3.cer request-3.p7b export-3.cer export-3.p7b

# =============================================================================================
step "deny 5 --reason: exit 0, the reason is kept and shown (text, --json, --csv, show)"
expect_exit 0 pcah deny 5 --reason "not in change ticket" --requester dave
assert_contains "$OUT" "not in change ticket"
assert_eq "$(disposition_of 5)" "['denied']" "disposition of request 5 after deny"
expect_exit 0 pcah list --requests
grep -E '^5 +denied ' "$OUT" | grep -qF "not in change ticket" || fail "list --requests does not show request 5 denied with its reason"
expect_exit 0 pcah list --requests --status denied --json
"$PY" - "$OUT" << 'EOF' || fail "list --requests --status denied --json does not show request 5 with its reason"
import json, re, sys
reqs = json.load(open(sys.argv[1]))
assert [r["request_id"] for r in reqs] == [5], reqs
r = reqs[0]
assert r["disposition"] == "denied" and r["message"] == "not in change ticket", r
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["resolved_at"] or ""), r.get("resolved_at")
EOF
expect_exit 0 pcah list --requests --csv
"$PY" - "$OUT" << 'EOF' || fail "list --requests --csv does not carry the reason of request 5"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
r = [x for x in rows if x["RequestID"] == "5"]
assert len(r) == 1 and r[0]["Request.DispositionMessage"] == "not in change ticket", r
assert "denied" in r[0]["Request.Disposition"].lower() and r[0]["SerialNumber"] == "", r
EOF
expect_exit 0 pcah show 5
assert_contains "$OUT" "denied"
assert_contains "$OUT" "not in change ticket"

step "approve of the denied request: exit 1, the error says denied and why; --json error"
count=$(cert_count)
expect_exit 1 pcah approve 5
assert_error_line
grep '^error: ' "$ERR" | grep -F 'denied' | grep -qF 'not in change ticket' || fail "the error does not say request 5 was denied for 'not in change ticket'"
expect_json_error pcah approve 5 --json
assert_contains "$OUT" "not in change ticket"
assert_eq "$(disposition_of 5)" "['denied']" "disposition of request 5 after approve attempts"
assert_eq "$(cert_count)" "$count" "certificates after approving a denied request"

step "retrieve of the denied request: exit 1 with the reason, no files; deny again: exit 1"
expect_exit 1 pcah retrieve 5
assert_error_line
grep '^error: ' "$ERR" | grep -qF 'denied' || fail "retrieve's error does not say request 5 was denied"
expect_json_error pcah retrieve 5 --json
assert_no_cert_files "retrieve of a denied request"
expect_exit 1 pcah deny 5 --reason "twice"
assert_error_line
expect_exit 0 pcah list --requests --status denied --json
assert_eq "$(jget "$OUT" 'd[0]["message"]')" "not in change ticket" "reason of request 5 after a second deny"

step "deny of an issued request: exit 1, it stays issued"
expect_exit 1 pcah deny 3 --reason "too late"
assert_error_line
grep '^error: ' "$ERR" | grep -qF 'issued' || fail "the error does not say request 3 is issued"
expect_json_error pcah deny 4 --json
assert_eq "$(disposition_of 3)" "['issued']" "disposition of request 3 after deny"

step "approve / deny / retrieve of a request that does not exist: exit 1, the error names it"
for cmd in approve deny retrieve; do
  expect_exit 1 pcah "$cmd" 999
  assert_error_line
  assert_contains "$ERR" "999"
done
expect_json_error pcah approve 999 --json
expect_exit 2 pcah approve
expect_exit 2 pcah approve notanumber
for cmd in approve deny retrieve; do
  expect_usage_error 'ID: "0" is not a whole number of 1 or more' pcah "$cmd" 0
done

step "deny --json without --reason: a denied request object with a default reason"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending -q
expect_exit 0 pcah deny 6 --requester dave --json
"$PY" - "$OUT" << 'EOF' || fail "deny --json is not a denied request object: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["request_id"] == 6 and d["disposition"] == "denied", d
assert isinstance(d["message"], str) and d["message"], d
for k in ("serial", "thumbprint"):
    assert d.get(k) in (None, ""), (k, d[k])
EOF

# =============================================================================================
step "approve with a wrong CA passphrase: exit 1, the request stays pending (not denied)"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending -q
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" approve 7
assert_error_line
assert_contains "$ERR" "passphrase"
assert_eq "$(disposition_of 7)" "['pending']" "disposition of request 7 after a wrong passphrase"
expect_exit 0 pcah approve 7 -q
assert_eq "$(disposition_of 7)" "['issued']" "disposition of request 7 after approve"

# =============================================================================================
step "SubCA (requires_approval) with --ca root: pending without --pending, exit 3, no files"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout webca.key -subj "/CN=Contoso Lab Web CA" \
  -out ../reqs/webca.req 2> /dev/null || fail "openssl could not make the CA request"
count=$(cert_count)
expect_exit 3 pcah submit ../reqs/webca.req --template SubCA --ca "Contoso Lab Root CA" --json
assert_eq "$(jget "$OUT" '(d["request_id"], d["disposition"], d["template"], d["ca"])')" \
  "(8, 'pending', 'SubCA', 'Contoso Lab Root CA')" "submit --template SubCA --json"
assert_no_cert_files "a SubCA submission"
assert_eq "$(cert_count)" "$count" "certificates after a SubCA submission"
expect_exit 0 pcah list --requests --status pending
grep -E '^8 +pending ' "$OUT" | grep -qF 'SubCA' || fail "list --requests does not show the SubCA request pending"

step "approve 8 (the CA was chosen at submit): a CA certificate signed by the root"
expect_exit 0 pcah approve 8 --json
assert_eq "$(jget "$OUT" '(d["template"], d["ca"], d["subject"], d["sans"])')" \
  "('SubCA', 'Contoso Lab Root CA', 'CN=Contoso Lab Web CA', [])" "approve 8 --json"
expect_exit 0 pcah retrieve 8 --out webca.cer --chain webca.p7b -q
expect_exit 0 openssl x509 -inform DER -in webca.cer -noout -text
assert_contains "$OUT" "CA:TRUE"
assert_contains "$OUT" "Certificate Sign"
assert_contains "$OUT" "Issuer: CN = Contoso Lab Root CA"
expect_exit 0 openssl verify -CAfile ../root.pem <(openssl x509 -inform DER -in webca.cer)
expect_exit 0 openssl pkcs7 -inform DER -in webca.p7b -print_certs -noout
assert_eq "$(grep -c '^subject=' "$OUT")" 2 "certificates in the SubCA chain (web CA, root)"
rm -f webca.cer webca.p7b

# =============================================================================================
step "approve re-runs the checks: a home template raised to RSA 4096 after submission denies the RSA 2048 request"
mkdir -p "$H/templates"
sed -e 's/^name = "WebServer"/name = "LabWeb"/' -e 's/^display_name = "Web Server"/display_name = "Lab Web"/' \
  "$TEMPLATES/webserver.toml" > "$H/templates/labweb.toml"
grep -q '^rsa_min_bits = 2048' "$H/templates/labweb.toml" || fail "templates/webserver.toml has no rsa_min_bits = 2048 line"
expect_exit 3 pcah submit ../reqs/web01.req --template LabWeb --pending --json
assert_eq "$(jget "$OUT" '(d["request_id"], d["template"])')" "(9, 'LabWeb')" "pending request with the home template"
sed -i 's/^rsa_min_bits = 2048/rsa_min_bits = 4096/' "$H/templates/labweb.toml"
count=$(cert_count)
expect_exit 1 pcah approve 9
assert_error_line
grep '^error: ' "$ERR" | grep -F '2048' | grep -qF '4096' || fail "the error does not name the 2048-bit key and the 4096-bit minimum"
KEYSIZE_ERR=$(grep '^error: ' "$ERR")
assert_eq "$(cert_count)" "$count" "certificates after an approval that failed the checks"
assert_eq "$(disposition_of 9)" "['denied']" "disposition of request 9 after a failed approval"
expect_exit 0 pcah list --requests --status denied --json
assert_eq "$(jget "$OUT" '"4096" in [r["message"] for r in d if r["request_id"] == 9][0]')" True "reason of request 9 names 4096"
expect_json_error pcah approve 9 --json
assert_contains "$OUT" "denied"

step "approve re-runs the checks: a template removed after submission denies the request"
sed -i 's/^rsa_min_bits = 4096/rsa_min_bits = 2048/' "$H/templates/labweb.toml"
expect_exit 3 pcah submit ../reqs/web01.req --template LabWeb --pending -q
rm "$H/templates/labweb.toml"
expect_exit 1 pcah approve 10 --json
assert_error_line
assert_eq "$(jget "$OUT" 'd.get("request_id")')" 10 "request_id in approve --json's error object (a row was written)"
assert_contains "$ERR" "LabWeb"
assert_eq "$(disposition_of 10)" "['denied']" "disposition of request 10 after its template went away"
assert_no_cert_files "failed approvals"

# =============================================================================================
step "audit: submitted, pending, approved, issued, denied with their actors (text and --json)"
expect_exit 0 pcah audit --json
cp "$OUT" audit.json
"$PY" - audit.json "$SERIAL3" << 'EOF' || fail "the audit log does not record the workflow: $(cat audit.json)"
import json, sys
log = json.load(open(sys.argv[1]))
serial3 = sys.argv[2]
for e in log:
    assert set(e) >= {"at", "actor", "action", "request_id", "serial", "details"}, e
ats = [e["at"] for e in log]
assert ats == sorted(ats), "not oldest first"
def entries(rid, action):
    return [e for e in log if e["request_id"] == rid and e["action"] == action]
def one(rid, action):
    got = entries(rid, action)
    assert len(got) == 1, (rid, action, got)
    return got[0]
assert one(3, "submitted")["actor"] == "alice"
assert one(3, "pending")["actor"] == "alice"
assert one(3, "approved")["actor"] == "carol"
issued3 = one(3, "issued")
assert issued3["actor"] == "carol" and issued3["serial"] == serial3, issued3
assert not entries(3, "denied")
d5 = one(5, "denied")
assert d5["actor"] == "dave" and "not in change ticket" in d5["details"], d5
assert one(6, "denied")["actor"] == "dave"
# Submission, pending and issue come in that order for each approved request.
for rid in (3, 4, 7, 8):
    idx = [log.index(one(rid, a)) for a in ("submitted", "pending", "approved", "issued")]
    assert idx == sorted(idx), (rid, idx)
assert not entries(7, "denied"), "a wrong passphrase must not deny"
assert one(8, "pending")["details"], "the SubCA pending entry says why"
d9 = one(9, "denied")
assert "4096" in d9["details"], d9
assert one(10, "denied")
assert not entries(9, "issued") and not entries(10, "issued")
EOF
expect_exit 0 pcah audit
grep -E ' carol +approved +3 ' "$OUT" > /dev/null || fail "audit text has no 'carol approved 3' row"
grep -E ' dave +denied +5 ' "$OUT" | grep -qF 'not in change ticket' || fail "audit text has no 'dave denied 5' row with the reason"
grep -E ' alice +pending +3 ' "$OUT" > /dev/null || fail "audit text has no 'alice pending 3' row"

# =============================================================================================
step "an approver sees what a pending request asks for: its SANs, those --attrib adds, its key"
expect_exit 0 pca request --subject "CN=p4.contoso.lab" --dns p4.contoso.lab --out p4.req --key-out p4.key
expect_exit 3 pcah -q submit p4.req --template WebServer --pending --attrib "SAN:dns=extra.contoso.lab&ipaddress=10.0.0.5"
P4=$(cat "$OUT")
expect_exit 0 pcah show "$P4"
assert_contains "$OUT" "SANs asked for  DNS:p4.contoso.lab, DNS:extra.contoso.lab, IP:10.0.0.5"
assert_contains "$OUT" "--attrib        'SAN:dns=extra.contoso.lab&ipaddress=10.0.0.5'"
assert_contains "$OUT" "key             RSA 2048"
expect_exit 0 pcah show "$P4" --json
assert_eq "$(jget "$OUT" '(d["sans"], d["key"], d["serial"], d["attributes"])')" \
  "(['DNS:p4.contoso.lab', 'DNS:extra.contoso.lab', 'IP:10.0.0.5'], 'RSA 2048', None, ['SAN:dns=extra.contoso.lab&ipaddress=10.0.0.5'])" \
  "show --json of a pending request"
expect_exit 0 pcah list --requests --status pending --json
assert_eq "$(jget "$OUT" '[r["sans"] for r in d if r["request_id"] == '"$P4"']')" \
  "[['DNS:p4.contoso.lab', 'DNS:extra.contoso.lab', 'IP:10.0.0.5']]" "list --requests --json"

step "a broken template file of the home stops submit and approve, not deny or list"
expect_exit 3 pcah -q submit p4.req --template WebServer --pending
P5=$(cat "$OUT")
printf 'x = [\n' > "$H/templates/broken.toml"
expect_exit 1 pcah approve "$P5"
assert_contains "$ERR" "broken.toml"
expect_exit 0 pcah deny "$P5" --reason "names not in the change ticket"
expect_exit 0 pcah list --template WebServer
expect_exit 0 pcah show "$P5" --json
assert_eq "$(jget "$OUT" 'd["disposition"]')" "denied" "the request denied while a template file was broken"
rm "$H/templates/broken.toml"

# Last, so that everything above runs even while these fail (known bugs, see the report).
KNOWN=()
known_bug() { echo "    KNOWN BUG: $*" >&2; KNOWN+=("$*"); }

step "submit --pending with --out/--chain: still no files"
expect_exit 3 pcah submit ../reqs/mail.contoso.lab.req --pending --out held.cer --chain held.p7b --format base64 -q
[[ ! -e held.cer && ! -e held.p7b ]] || fail "submit --pending --out/--chain wrote files"

step "retrieve --json of a pending request names the CA chosen at submit (as submit and list do)"
expect_exit 3 pcah retrieve 11 --json
got=$(jget "$OUT" 'd["ca"]')
[[ "$got" == "Contoso Lab Issuing CA" ]] || known_bug "retrieve 11 --json (pending) says ca [$got], expected [Contoso Lab Issuing CA]"

step "the RSA-size error suggests a size the template accepts (not -KeySize 2048 when 4096 is the minimum)"
[[ "$KEYSIZE_ERR" != *"KeySize 2048 or larger"* ]] || known_bug "the error suggests a key size the template rejects: $KEYSIZE_ERR"

if ((${#KNOWN[@]})); then
  printf 'FAIL: %s\n' "${KNOWN[@]}" >&2
  exit 1
fi
echo "PASS"
