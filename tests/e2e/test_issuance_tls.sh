# Issued certificates at work: openssl s_server presents an issued leaf with its issuing CA, and
# curl, trusting only the pocketca root, accepts every name in the SAN and refuses any other name
# and any other root. Once with an RSA leaf (DNS and IP SANs), once with an EC P-256 leaf.
source "$(dirname "$0")/lib.sh"
need openssl
need curl
use_python

source "$E2E_DIR/tls_server.sh"


step "a CA home with an EC root and issuing CA"
expect_exit 0 pcah init --name "Contoso Lab" --base-url http://pki.contoso.lab --key ec:p256 --root-key ec:p256

step "the root and issuing certificates from ca export --format pem-bundle (issuing first, root last)"
expect_exit 0 pcah ca export --format pem-bundle --out bundle.pem
n=$(grep -c -- '-----BEGIN CERTIFICATE-----' bundle.pem)
assert_eq "$n" 2 "certificates in the pem-bundle"
awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 1' bundle.pem > issuing.pem
awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 2' bundle.pem > root.pem
openssl x509 -in root.pem -outform DER -out root.der || fail "the last certificate of the bundle is not a certificate"
cmp -s root.der "$H/public/contoso-lab-root-ca.crt" || fail "the last certificate of the pem-bundle is not public/contoso-lab-root-ca.crt"
openssl x509 -in issuing.pem -outform DER -out issuing.der || fail "the first certificate of the bundle is not a certificate"
cmp -s issuing.der "$H/public/contoso-lab-issuing-ca.crt" || fail "the first certificate of the pem-bundle is not public/contoso-lab-issuing-ca.crt"

step "another root, for the negative control"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-root.key \
  -subj "/CN=Contoso Lab Root CA" -days 30 -out other-root.pem 2> /dev/null || fail "openssl could not make another root"

# ---------------------------------------------------------------------------------------------
step "RSA 2048 request with DNS and IP SANs, submitted as WebServer in base64"
openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -subj /CN=mail.contoso.lab \
  -addext subjectAltName=DNS:mail.contoso.lab,DNS:autodiscover.contoso.lab,IP:127.0.0.1 \
  -out rsa.req 2> /dev/null || fail "openssl could not make the RSA request"
expect_exit 0 pcah submit rsa.req --template WebServer --format base64 --out rsa-leaf.pem --chain rsa-chain.p7b
head -1 rsa-leaf.pem | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "--format base64 did not write a PEM certificate"
expect_exit 0 openssl x509 -in rsa-leaf.pem -noout -ext subjectAltName
assert_contains "$OUT" "DNS:mail.contoso.lab, DNS:autodiscover.contoso.lab, IP Address:127.0.0.1"
expect_exit 0 openssl verify -CAfile root.pem -untrusted issuing.pem -purpose sslserver rsa-leaf.pem
# The chain file holds the same issuing CA as ca export.
openssl pkcs7 -in rsa-chain.p7b -print_certs -out rsa-chain-certs.pem || fail "the base64 .p7b is not PKCS#7"
grep -qF -- "$(sed -n 2p issuing.pem)" rsa-chain-certs.pem || fail "the .p7b does not carry the issuing CA"

step "s_server with the RSA leaf and the issuing CA"
start_server rsa-leaf.pem rsa.key issuing.pem

step "curl trusting the root: every SAN works (mail, autodiscover, 127.0.0.1)"
for name in mail.contoso.lab autodiscover.contoso.lab 127.0.0.1; do
  expect_exit 0 https_get "$name"
  assert_contains "$OUT" "s_server"
done

step "curl: a name not in the SAN is refused"
expect_name_refused owa.contoso.lab
expect_name_refused contoso.lab

step "curl: another root is refused, for a name in the SAN too"
expect_name_refused mail.contoso.lab "$WORK/other-root.pem"
expect_name_refused 127.0.0.1 "$WORK/other-root.pem"
stop_servers

# ---------------------------------------------------------------------------------------------
step "EC P-256 request with one name (CN only, no SAN extension): the CN goes into the SAN"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -subj /CN=web01.contoso.lab \
  -out ec.req 2> /dev/null || fail "openssl could not make the EC request"
expect_exit 0 pcah submit ec.req --template WebServer --format base64
[[ -f ec.cer && -f ec.p7b ]] || fail "submit did not write ec.cer and ec.p7b"
expect_exit 0 openssl x509 -in ec.cer -noout -ext subjectAltName,keyUsage
assert_contains "$OUT" "DNS:web01.contoso.lab"
assert_contains "$OUT" "Digital Signature"
assert_not_contains "$OUT" "Key Encipherment"

step "s_server with the EC leaf"
start_server ec.cer ec.key issuing.pem
expect_exit 0 https_get web01.contoso.lab
assert_contains "$OUT" "s_server"
expect_name_refused web02.contoso.lab
expect_name_refused 127.0.0.1
expect_name_refused web01.contoso.lab "$WORK/other-root.pem"
stop_servers

echo "PASS"
