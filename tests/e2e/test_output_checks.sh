# Output files that cannot be written, and files mixed up with the one a command wants.
#
# An output that cannot be created (a missing folder, a folder where a file was named, the
# request file itself) is refused before anything is signed or recorded: no request row, no
# certificate, no CRL. If the files still fail once the certificate is committed, the error names
# the request and `retrieve`. A chain, PFX or CRL submitted as a request, and a request or
# certificate given as a key, are named for what they are.
source "$(dirname "$0")/lib.sh"
need cc
need openssl
use_python

expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256 -q
expect_exit 0 pca --home "$H" request --subject "CN=mail.contoso.lab" --dns mail.contoso.lab --out mail.req --key-out mail.key
assert_contains "$OUT" "Next: pocketca --home $H submit mail.req --template WebServer, then pocketca --home $H export SERIAL"
request_rows() { pcah list --requests --json > "$WORK/.rows.json" || fail "list --requests failed"; jget "$WORK/.rows.json" 'len(d)'; }
rows_before=$(request_rows)
certs_before=$(cert_count)

nothing_recorded() {
  assert_eq "$(request_rows)" "$rows_before" "no request row after: $1"
  assert_eq "$(cert_count)" "$certs_before" "no certificate after: $1"
}

step "submit --out into a folder that does not exist: refused before anything is recorded"
expect_exit 1 pcah submit mail.req --template WebServer --out nodir/mail.cer
assert_contains "$ERR" "cannot write nodir/mail.cer: the folder nodir does not exist"
nothing_recorded "--out nodir/"
expect_exit 1 pcah submit mail.req --template WebServer --chain nodir/mail.p7b --json
assert_contains "$OUT" '"error"'
assert_contains "$ERR" "the folder nodir does not exist"
nothing_recorded "--chain nodir/"

step "--out and --chain naming one file is a usage error"
expect_usage_error "--out and --chain name the same file" pcah submit mail.req --template WebServer --out same --chain same
nothing_recorded "--out = --chain"

step "submit --out naming a folder (the admin meant a folder for the files)"
mkdir certs
expect_exit 1 pcah submit mail.req --template WebServer --out certs/ --force
assert_contains "$ERR" "cannot write certs/: it is a folder; name a file"
touch plain-file
expect_exit 1 pcah submit mail.req --template WebServer --out plain-file/mail.cer
assert_contains "$ERR" "plain-file is not a folder"
nothing_recorded "--out certs/"

step "a chain submitted back by mistake: never overwritten by its own output, and named as a chain"
expect_exit 0 pcah submit mail.req --template WebServer --out first.cer --chain contoso-chain.p7b --format base64
certs_before=$(cert_count) rows_before=$(request_rows)
chain_sum=$(sha256sum contoso-chain.p7b)
for force in "" --force; do
  expect_exit 1 pcah submit contoso-chain.p7b --template WebServer $force
  assert_contains "$ERR" "the output contoso-chain.p7b is the request file itself"
done
assert_eq "$(sha256sum contoso-chain.p7b)" "$chain_sum" "the chain file is unchanged"
expect_exit 1 pcah submit contoso-chain.p7b --template WebServer --out x.cer --chain x.p7b
assert_contains "$ERR" "this is a PKCS#7 certificate chain (.p7b), not a certificate request"
openssl pkcs7 -in contoso-chain.p7b -outform DER -out chain-der.p7b || fail "openssl pkcs7 failed"
expect_exit 1 pcah submit chain-der.p7b --template WebServer --out x.cer --chain x.p7b
assert_contains "$ERR" "this is a PKCS#7 certificate chain (.p7b)"

step "a batch into an --out-dir that already has the files: the message names --out-dir, not --out/--chain"
mkdir inbox && cp mail.req inbox/
expect_exit 0 pcah submit --batch inbox --template WebServer --out-dir issued -q
expect_exit 1 pcah submit --batch inbox --template WebServer --out-dir issued
assert_contains "$ERR" "issued/mail.cer exists; use --force to overwrite it, or another --out-dir"
assert_not_contains "$ERR" "--out/--chain"
expect_exit 1 pcah submit --batch inbox --template WebServer --out-dir issued --json
assert_contains "$ERR" "error: inbox/mail.req: issued/mail.cer exists"  # stderr says why with --json too
assert_eq "$(jget "$OUT" 'd[0]["error"][:25]')" "issued/mail.cer exists; u" "the refusal in --json"
step "a batch whose input would be its own output is refused for that input, even with --force"
cp mail.req issued/renamed.p7b
expect_exit 1 pcah submit --batch issued/renamed.p7b --template WebServer --out-dir issued --force
assert_contains "$ERR" "the output issued/renamed.p7b is the request file itself; name the output with another --out-dir"
cmp -s mail.req issued/renamed.p7b || fail "the batch overwrote its own input"
certs_before=$(cert_count) rows_before=$(request_rows)

step "a PFX and a CRL submitted as requests"
openssl pkcs12 -export -inkey mail.key -in first.cer -passout pass:secret -out mail.pfx 2>/dev/null ||
  fail "openssl pkcs12 failed"
expect_exit 1 pcah submit mail.pfx --template WebServer --out y.cer --chain y.p7b
assert_contains "$ERR" "this is a PFX (PKCS#12) file, a certificate with its private key — never send it"
expect_exit 1 pcah submit "$H/public/contoso-lab-issuing-ca.crl" --template WebServer --out z.cer --chain z.p7b
assert_contains "$ERR" "this is a CRL, not a certificate request"
nothing_recorded "mixed-up inputs"
step "the audit entry of an input that is not a request names the file, alone and in a batch"
expect_exit 0 pcah audit --json
assert_eq "$(jget "$OUT" 'sum(1 for e in d if e["details"].startswith("input refused: mail.pfx: this is a PFX"))')" \
  1 "the audit entry of the PFX submitted as a request"
mkdir inbox2 && echo "not a request" > inbox2/notes.txt
expect_exit 1 pcah submit --batch inbox2 --template WebServer --no-files
expect_exit 0 pcah audit --json
assert_eq "$(jget "$OUT" 'sum(1 for e in d if e["details"].startswith("input refused: inbox2/notes.txt: no certificate request found"))')" \
  1 "the audit entry of a batch's input that is not a request"

step "export --format pfx with the request or the certificate given as the key"
serial=$(openssl x509 -in first.cer -noout -serial | cut -d= -f2)
printf 'pfx-password\n' > pfxpass.txt
expect_exit 1 pcah export "$serial" --format pfx --key mail.req --password-file pfxpass.txt --out a.pfx
assert_contains "$ERR" "this is a certificate request, not a private key"
expect_exit 1 pcah export "$serial" --format pfx --key first.cer --password-file pfxpass.txt --out a.pfx
assert_contains "$ERR" "this is a certificate, not a private key"
[[ -e a.pfx ]] && fail "a.pfx was written although the key was wrong"
expect_exit 0 pcah export "$serial" --format pfx --key mail.key --password-file pfxpass.txt --out a.pfx

step "show and revoke take a serial or thumbprint as Windows copies it (an invisible U+200E in front)"
thumb=$(openssl x509 -in first.cer -noout -fingerprint -sha1 | cut -d= -f2 | tr -d : | sed 's/../& /g; s/ $//')
expect_exit 0 pcah show $'\u200e'"$thumb" --json
assert_eq "$(jget "$OUT" 'd["serial"]')" "$(tr 'A-F' 'a-f' <<< "$serial")" "show by a thumbprint copied from the Windows dialog"
expect_exit 0 pcah show $'\u200e'"$serial" --json

step "crl --out into a folder that does not exist: no CRL signed or published"
crl_sum=$(sha256sum "$H/public/contoso-lab-issuing-ca.crl")
expect_exit 1 pcah crl --out nodir/issuing.crl
assert_contains "$ERR" "cannot write nodir/issuing.crl: the folder nodir does not exist"
assert_eq "$(sha256sum "$H/public/contoso-lab-issuing-ca.crl")" "$crl_sum" "the published CRL is unchanged"

step "files that fail after the commit: the error names the request and retrieve"
# link(), linkat() and rename() fail for names containing "fail-here", as on a full disk.
cat > fail_here.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
static int refused(const char* path) { return strstr(path, "fail-here") != NULL; }
int link(const char* from, const char* to) {
  if (refused(to)) { errno = ENOSPC; return -1; }
  return ((int (*)(const char*, const char*))dlsym(RTLD_NEXT, "link"))(from, to);
}
int rename(const char* from, const char* to) {
  if (refused(to)) { errno = ENOSPC; return -1; }
  return ((int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename"))(from, to);
}
int linkat(int from_dir, const char* from, int to_dir, const char* to, int flags) {
  if (refused(to)) { errno = ENOSPC; return -1; }
  return ((int (*)(int, const char*, int, const char*, int))dlsym(RTLD_NEXT, "linkat"))(from_dir, from, to_dir, to, flags);
}
C
cc -shared -fPIC -o fail_here.so fail_here.c -ldl || fail "cannot build the LD_PRELOAD shim"
expect_exit 1 env LD_PRELOAD="$WORK/fail_here.so" "$POCKETCA" --home "$H" --passphrase-file "$PW" --json \
  submit mail.req --template WebServer --out fail-here.cer --chain fail-here.p7b
assert_contains "$ERR" "but its files were not written"
id=$(jget "$OUT" 'd["request_id"]')
assert_contains "$ERR" "issued as request $id"
assert_contains "$ERR" "pocketca retrieve $id"
[[ -e fail-here.cer || -e fail-here.p7b ]] && fail "a file appeared although writing it failed"
ls -A | grep -q '\.tmp-' && fail "a temporary file was left behind"
expect_exit 0 pcah retrieve "$id" --out fetched.cer --chain fetched.p7b
openssl x509 -in fetched.cer -inform DER -noout || fail "the retrieved certificate does not parse"
echo "PASS"
