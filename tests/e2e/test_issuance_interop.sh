# Issue 3 acceptance: `submit` takes requests made by tools we did not write (openssl, GnuTLS
# certtool, NSS certutil, pyca/cryptography, and a Windows/Exchange request in every encoding a
# Windows admin hands over), issues WebServer certificates, and every certificate is checked field
# by field with pyca/cryptography and accepted by the verifiers of openssl, GnuTLS, NSS and pyca.
#
# One default home (RSA root and RSA 2048 issuing CA: the Exchange case) serves every request, so
# request IDs run 3, 4, 5 … and the issuing CA is CA index 2.
source "$(dirname "$0")/lib.sh"
need openssl

FIXTURES="${POCKETCA_SOURCE_DIR:-$E2E_DIR/../..}/tests/data/requests"
[[ -f "$FIXTURES/windows-exchange.pem" ]] || fail "request fixtures not found in $FIXTURES (set POCKETCA_SOURCE_DIR)"

# Requests live in their own folder: default output files must land in the current folder
# (<request basename>.cer / .p7b), not next to the request.
REQ="$WORK/requests"
mkdir -p "$REQ"

have() { command -v "$1" > /dev/null 2>&1; }
HAVE_CERTTOOL=0; have certtool && HAVE_CERTTOOL=1
HAVE_CERTUTIL=0; have certutil && HAVE_CERTUTIL=1
HAVE_PYCRYPTO=0; have_python_cryptography && HAVE_PYCRYPTO=1
((HAVE_CERTTOOL)) || echo "SKIP part: certtool (gnutls-bin) is not installed: no GnuTLS request, no GnuTLS verification"
((HAVE_CERTUTIL)) || echo "SKIP part: certutil (libnss3-tools) is not installed: no NSS request, no NSS verification"
((HAVE_PYCRYPTO)) || echo "SKIP part: python3 cryptography is not installed: no pyca request, no field-by-field checks"

# submit_fields JSON — the fields of a `submit --json` document the shell needs, in one call
# (jq, else python3), separated by the unit separator so empty fields survive `read`:
# request_id, disposition, files.cer, files.p7b, thumbprint, serial, template, warnings (joined).
submit_fields() {
  if have jq; then
    jq -j '[.request_id, .disposition, .files.cer, .files.p7b, .thumbprint, .serial, .template,
            (.warnings | join(" | "))] | map(. // "" | tostring) | join("\u001f")' "$1"
  elif have python3; then
    python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
f = j.get("files") or {}
v = [j.get("request_id"), j.get("disposition"), f.get("cer"), f.get("p7b"), j.get("thumbprint"),
     j.get("serial"), j.get("template"), " | ".join(j.get("warnings") or [])]
sys.stdout.write("\x1f".join("" if x is None else str(x) for x in v))' "$1"
  else
    fail "neither jq nor python3 is installed: cannot read submit --json"
  fi
}

step "init: default RSA root and RSA 2048 issuing CA, published under http://pki.contoso.lab"
expect_exit 0 pca --home "$H" init --name "Contoso Lab" --base-url http://pki.contoso.lab --passphrase-file "$PW"
openssl x509 -inform DER -in "$H/public/contoso-lab-root-ca.crt" -out root.pem || fail "root CA certificate is not DER"
openssl x509 -inform DER -in "$H/public/contoso-lab-issuing-ca.crt" -out issuing.pem || fail "issuing CA certificate is not DER"
ROOT_SUBJECT=$(openssl x509 -in root.pem -noout -subject)
ISSUING_SUBJECT=$(openssl x509 -in issuing.pem -noout -subject)

if ((HAVE_CERTUTIL)); then
  # The NSS verification database: root trusted for TLS servers, issuing CA known but not trusted.
  mkdir nssdb
  expect_exit 0 certutil -N -d sql:nssdb --empty-password
  expect_exit 0 certutil -A -d sql:nssdb -n root -t "C,," -i "$H/public/contoso-lab-root-ca.crt"
  expect_exit 0 certutil -A -d sql:nssdb -n issuing -t ",," -i "$H/public/contoso-lab-issuing-ca.crt"
fi

REQUEST_IDS=()
# issue NAME REQUEST [submit options…] — submits with --json and keeps the document in NAME.json;
# sets REQUEST_ID, CER and P7B (the files the JSON names), THUMBPRINT, SERIAL, TEMPLATE, WARNINGS,
# and STARTED/FINISHED (epoch seconds around the submit, to bound notBefore).
issue() {
  local name=$1 request=$2 disposition
  shift 2
  STARTED=$EPOCHSECONDS
  expect_exit 0 pca --home "$H" --json --passphrase-file "$PW" submit "$request" "$@"
  FINISHED=$EPOCHSECONDS
  cp "$OUT" "$name.json"
  IFS=$'\x1f' read -r REQUEST_ID disposition CER P7B THUMBPRINT SERIAL TEMPLATE WARNINGS < <(submit_fields "$name.json")
  assert_eq "$disposition" issued "$name: JSON disposition"
  [[ "$REQUEST_ID" =~ ^[0-9]+$ ]] || fail "$name: request_id [$REQUEST_ID] is not a number"
  REQUEST_IDS+=("$REQUEST_ID")
  [[ -n "$CER" && -s "$CER" ]] || fail "$name: files.cer [$CER] was not written"
  [[ -n "$P7B" && -s "$P7B" ]] || fail "$name: files.p7b [$P7B] was not written"
}

# The pyca checks of every certificate, run once at the end (importing cryptography is slow).
PYCA_CASES=()

# check_issued NAME REQUEST_DER SANS KEY_TYPE [der|base64] — checks the certificate `issue` just
# made with openssl, certtool and certutil now, and queues the pyca field-by-field check.
# SANS is the exact expected list, in order.
check_issued() {
  local name=$1 request=$2 sans=$3 key_type=$4 format=${5:-der}
  local inform=DER
  [[ "$format" == base64 ]] && inform=PEM
  local leaf="$name.leaf.pem"
  expect_exit 0 openssl x509 -inform "$inform" -in "$CER" -out "$leaf"
  local subject fingerprint serial
  { read -r subject; read -r fingerprint; read -r serial; } < <(openssl x509 -in "$leaf" -noout -subject -fingerprint -sha1 -serial)
  fingerprint=${fingerprint#*=}
  serial=${serial#serial=}

  # JSON (point 5): the thumbprint is `openssl x509 -fingerprint -sha1` without colons (as
  # Get-ExchangeCertificate prints it); the serial is openssl's, in lower case.
  assert_eq "$THUMBPRINT" "${fingerprint//:/}" "$name: JSON thumbprint vs openssl -fingerprint -sha1"
  assert_eq "$SERIAL" "${serial,,}" "$name: JSON serial vs openssl -serial, in lower case"
  assert_eq "$TEMPLATE" WebServer "$name: JSON template"

  # The chain file holds exactly leaf, issuing CA, root — in that order.
  expect_exit 0 openssl pkcs7 -inform "$inform" -in "$P7B" -print_certs -noout
  assert_eq "$(grep '^subject=' "$OUT")" "$subject"$'\n'"$ISSUING_SUBJECT"$'\n'"$ROOT_SUBJECT" \
    "$name: p7b subjects (leaf, issuing CA, root)"

  # openssl: strict RFC 5280 checks, TLS server purpose, and every name of the SAN.
  local san san_list names=() ips=()
  IFS=, read -r -a san_list <<< "$sans"
  for san in "${san_list[@]}"; do
    case "$san" in
      DNS:*) names+=("${san#DNS:}") ;;
      IP:*) ips+=("${san#IP:}") ;;
    esac
  done
  local verify=(openssl verify -x509_strict -purpose sslserver -CAfile root.pem -untrusted issuing.pem)
  expect_exit 0 "${verify[@]}" "$leaf"
  assert_contains "$OUT" "$leaf: OK"
  for n in "${names[@]}"; do expect_exit 0 "${verify[@]}" -verify_hostname "$n" "$leaf"; done
  for ip in "${ips[@]}"; do expect_exit 0 "${verify[@]}" -verify_ip "$ip" "$leaf"; done

  if ((HAVE_CERTTOOL)); then
    # GnuTLS wants the chain in one file, leaf first; the medium profile refuses weak keys/hashes.
    cat "$leaf" issuing.pem > "$name.chain.pem"
    expect_exit 0 certtool --verify --verify-profile medium --load-ca-certificate root.pem --infile "$name.chain.pem" \
      --verify-purpose 1.3.6.1.5.5.7.3.1 --verify-hostname "${names[0]}"
    assert_contains "$OUT" "Chain verification output: Verified"
  fi

  if ((HAVE_CERTUTIL)); then
    # -u V = SSL server. Several certificates share a subject and key (the Windows request in every
    # encoding), so each leaf is added, verified and removed again.
    expect_exit 0 certutil -A -d sql:nssdb -n leaf -t ",," -i "$leaf"
    expect_exit 0 certutil -V -d sql:nssdb -n leaf -u V
    assert_contains "$OUT" "certificate is valid"
    expect_exit 0 certutil -D -d sql:nssdb -n leaf
  fi

  ((${#PYCA_CASES[@]})) && PYCA_CASES+=(--and)
  PYCA_CASES+=(--cert "$CER" --chain "$P7B" --root root.pem --issuing issuing.pem --request-id "$REQUEST_ID"
    --sans "$sans" --key-type "$key_type" --request "$request" --json "$name.json" --format "$format"
    --started "$STARTED" --finished "$FINISHED")
}

# to_der REQUEST OUT — the request as plain DER, for pyca's key and subject comparison.
to_der() { openssl req -in "$1" -outform DER -out "$2" || fail "openssl cannot read the request $1"; }

# --- 1. Requests from four independent tools, all submitted with --template WebServer ---------

step "openssl req: RSA 2048, SAN holding the CN (not first) and a case-variant duplicate, plus an IP"
openssl req -new -newkey rsa:2048 -nodes -keyout openssl.key -subj "/O=Contoso/CN=portal.contoso.lab" \
  -addext "subjectAltName=DNS:www.contoso.lab,DNS:Portal.Contoso.Lab,DNS:WWW.contoso.lab,IP:192.0.2.20" \
  -out "$REQ/openssl-rsa.req" 2> /dev/null || fail "openssl req failed"
to_der "$REQ/openssl-rsa.req" openssl-rsa.der
# No --out/--chain: the default names are <request basename>.cer/.p7b in the current folder.
issue openssl "$REQ/openssl-rsa.req" --template WebServer
[[ "$(realpath "$CER")" == "$WORK/openssl-rsa.cer" ]] || fail "default .cer is $CER, expected ./openssl-rsa.cer"
[[ "$(realpath "$P7B")" == "$WORK/openssl-rsa.p7b" ]] || fail "default .p7b is $P7B, expected ./openssl-rsa.p7b"
[[ -z "$WARNINGS" ]] || fail "a clean SHA-256 request must give no warnings, got: $WARNINGS"
# SANs: the CN first, then the requested names in order, case-insensitive duplicates removed
# (pocketca writes DNS names in lower case).
check_issued openssl openssl-rsa.der "DNS:portal.contoso.lab,DNS:www.contoso.lab,IP:192.0.2.20" rsa

if ((HAVE_CERTTOOL)); then
  step "GnuTLS certtool: EC P-256 key, CN missing from the SAN, --format base64 output"
  expect_exit 0 certtool --generate-privkey --key-type ecdsa --curve secp256r1 --outfile gnutls.key
  cat > gnutls.tmpl << 'EOF'
organization = "Contoso"
cn = "gnutls.contoso.lab"
dns_name = "api.contoso.lab"
dns_name = "API.Contoso.lab"
ip_address = "192.0.2.10"
EOF
  expect_exit 0 certtool --generate-request --load-privkey gnutls.key --template gnutls.tmpl --outfile "$REQ/gnutls-ec.req"
  to_der "$REQ/gnutls-ec.req" gnutls-ec.der
  issue gnutls "$REQ/gnutls-ec.req" --template WebServer --format base64
  head -1 "$CER" | grep -q -- '-----BEGIN CERTIFICATE-----' || fail "--format base64: the .cer is not PEM"
  head -1 "$P7B" | grep -q -- '-----BEGIN PKCS7-----' || fail "--format base64: the .p7b must start with -----BEGIN PKCS7-----"
  check_issued gnutls gnutls-ec.der "DNS:gnutls.contoso.lab,DNS:api.contoso.lab,IP:192.0.2.10" ec base64
fi

if ((HAVE_CERTUTIL)); then
  step "NSS certutil -R: RSA 2048, SAN with a case-variant of the CN (the file has text before the PEM block)"
  mkdir nssreq
  expect_exit 0 certutil -N -d sql:nssreq --empty-password
  head -c 2048 /dev/urandom > noise.bin
  expect_exit 0 certutil -R -d sql:nssreq -s "CN=nss.contoso.lab,O=Contoso,C=US" -k rsa -g 2048 \
    -8 "nss.contoso.lab,intranet.contoso.lab,Nss.Contoso.Lab" -z noise.bin -a -o "$REQ/nss-rsa.req"
  to_der "$REQ/nss-rsa.req" nss-rsa.der
  issue nss "$REQ/nss-rsa.req" --template WebServer
  check_issued nss nss-rsa.der "DNS:nss.contoso.lab,DNS:intranet.contoso.lab" rsa
fi

if ((HAVE_PYCRYPTO)); then
  step "pyca/cryptography CertificateSigningRequestBuilder: EC P-384, SHA-384, CN that is not a host name"
  expect_exit 0 python3 - "$REQ/pyca-ec.req" << 'EOF'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

key = ec.generate_private_key(ec.SECP384R1())
csr = (x509.CertificateSigningRequestBuilder()
       .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso"),
                                x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Web Farm")]))
       .add_extension(x509.SubjectAlternativeName([x509.DNSName("farm.contoso.lab"),
                                                   x509.DNSName("www2.contoso.lab")]), critical=False)
       .sign(key, hashes.SHA384()))
with open(sys.argv[1], "wb") as f:
    f.write(csr.public_bytes(serialization.Encoding.PEM))
EOF
  to_der "$REQ/pyca-ec.req" pyca-ec.der
  issue pyca "$REQ/pyca-ec.req" --template WebServer
  # Kept with a warning (the request has SANs); the CN is not put into the SAN.
  [[ "$WARNINGS" == *'"Contoso Web Farm"'* ]] || fail "a CN that is not a host name must give a warning naming it"
  check_issued pyca pyca-ec.der "DNS:farm.contoso.lab,DNS:www2.contoso.lab" ec
fi

# --- 1b. The Windows / Exchange request in every encoding, without --template ------------------

step "Windows fixture: NEW CERTIFICATE REQUEST, CRLF, SHA-1 signature, template WebServer inside"
assert_contains "$FIXTURES/windows-exchange.pem" "-----BEGIN NEW CERTIFICATE REQUEST-----"
grep -q $'\r$' "$FIXTURES/windows-exchange.pem" || fail "the Windows fixture lost its CRLF line endings"
expect_exit 0 openssl req -inform DER -in "$FIXTURES/windows-exchange.der" -noout -text
assert_contains "$OUT" "sha1WithRSAEncryption"
assert_contains "$OUT" "1.3.6.1.4.1.311.20.2"
assert_contains "$OUT" "1.3.6.1.4.1.311.13.2.3"

# The encodings PowerShell, certreq, the Exchange console and a helpful colleague produce.
cp "$FIXTURES/windows-exchange.pem" "$REQ/win-pem.req"
cp "$FIXTURES/windows-exchange-utf16le.req" "$REQ/win-utf16le.req"
cp "$FIXTURES/windows-exchange.b64" "$REQ/win-b64.req"
cp "$FIXTURES/windows-exchange.der" "$REQ/win-der.req"
{ printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE "$FIXTURES/windows-exchange.pem"; } > "$REQ/win-utf16be.req" ||
  fail "iconv cannot make the UTF-16BE request"
{ printf '\xef\xbb\xbf'; cat "$FIXTURES/windows-exchange.pem"; } > "$REQ/win-utf8bom.req"
{
  printf 'Hi, here is the request from EXCH01 (New-ExchangeCertificate -GenerateRequest):\r\n\r\n'
  cat "$FIXTURES/windows-exchange.pem"
  printf '\r\nThanks,\r\nExchange admin\r\n'
} > "$REQ/win-text-around.req"
head -c 2 "$REQ/win-utf16be.req" | od -An -tx1 | grep -q 'fe ff' || fail "UTF-16BE request has no BOM"

WINDOWS_SANS="DNS:mail.contoso.lab,DNS:autodiscover.contoso.lab,DNS:owa.contoso.lab"
for variant in pem utf16le b64 der utf16be utf8bom text-around; do
  step "Windows request ($variant), no --template: the template named in the request is used"
  format=der
  # The Exchange admin may as well ask for Base64 files (what the AD CS web page offers).
  [[ "$variant" == utf16le ]] && format=base64
  issue "win-$variant" "$REQ/win-$variant.req" --out "win-$variant.cer" --chain "win-$variant.p7b" --format "$format"
  assert_eq "$TEMPLATE" WebServer "win-$variant: template taken from the request"
  [[ "$WARNINGS" == *SHA-1* ]] || fail "win-$variant: a SHA-1 signed request must give a warning mentioning SHA-1"
  check_issued "win-$variant" "$FIXTURES/windows-exchange.der" "$WINDOWS_SANS" rsa "$format"
done

# --- 6. Requested extensions are not trusted ------------------------------------------------------

step "a request asking for CA:TRUE, keyCertSign, codeSigning, application policies and its own SKI"
openssl req -new -newkey rsa:2048 -nodes -keyout extra.key -subj "/CN=extra.contoso.lab" \
  -addext "subjectAltName=DNS:extra.contoso.lab" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "extendedKeyUsage=codeSigning" \
  -addext "1.3.6.1.4.1.311.21.10=DER:300C300A06082B06010505070302" \
  -addext "subjectKeyIdentifier=0102030405060708090A" \
  -out "$REQ/extra-ext.req" 2> /dev/null || fail "openssl req with extra extensions failed"
expect_exit 0 openssl req -in "$REQ/extra-ext.req" -noout -text
assert_contains "$OUT" "CA:TRUE"
assert_contains "$OUT" "Code Signing"
to_der "$REQ/extra-ext.req" extra-ext.der
issue extra "$REQ/extra-ext.req" --template WebServer
expect_exit 0 openssl x509 -inform DER -in "$CER" -noout -text
for copied in "CA:TRUE" "Basic Constraints" "Certificate Sign" "Code Signing" "1.3.6.1.4.1.311.21.10" "01:02:03:04:05"; do
  assert_not_contains "$OUT" "$copied"
done
assert_contains "$OUT" "TLS Web Server Authentication"
# The pyca check also requires exactly the template's extensions and an SKI computed from the key.
check_issued extra extra-ext.der "DNS:extra.contoso.lab" rsa

# --- Negative controls: the verifiers above do discriminate ----------------------------------------

step "negative controls: wrong host name, wrong purpose, untrusted root"
leaf=openssl.leaf.pem
expect_exit 2 openssl verify -x509_strict -purpose sslserver -verify_hostname other.contoso.lab -CAfile root.pem -untrusted issuing.pem "$leaf"
expect_exit 2 openssl verify -x509_strict -purpose sslclient -CAfile root.pem -untrusted issuing.pem "$leaf"
expect_exit 2 openssl verify -x509_strict -purpose sslserver -CAfile issuing.pem "$leaf"
if ((HAVE_CERTTOOL)); then
  expect_exit 1 certtool --verify --verify-profile medium --load-ca-certificate root.pem --infile openssl.chain.pem \
    --verify-purpose 1.3.6.1.5.5.7.3.3
  assert_contains "$OUT" "Not verified"
fi
if ((HAVE_CERTUTIL)); then
  expect_exit 0 certutil -A -d sql:nssdb -n leaf -t ",," -i "$leaf"
  # -u C = SSL client: serverAuth only, so NSS must refuse it.
  expect_exit 255 certutil -V -d sql:nssdb -n leaf -u C
  assert_not_contains "$OUT" "certificate is valid"
fi

step "request IDs: one per submission, in order, starting at 3 (the CAs took 1 and 2)"
assert_eq "${REQUEST_IDS[*]}" "$(seq -s ' ' 3 $((${#REQUEST_IDS[@]} + 2)))" "request IDs of the ${#REQUEST_IDS[@]} submissions"

if ((HAVE_PYCRYPTO)); then
  step "pyca/cryptography: every certificate field by field, and its RFC 5280 server verifier"
  expect_exit 0 python3 "$E2E_DIR/check_issued_certificate.py" "${PYCA_CASES[@]}"
  cat "$OUT"

  step "negative control: the pyca check rejects a Computer certificate (serverAuth + clientAuth)"
  issue computer "$REQ/openssl-rsa.req" --template Computer --out computer.cer --chain computer.p7b
  expect_exit 1 python3 "$E2E_DIR/check_issued_certificate.py" --cert computer.cer --chain computer.p7b \
    --root root.pem --issuing issuing.pem --request-id "$REQUEST_ID" --key-type rsa \
    --sans "DNS:portal.contoso.lab,DNS:www.contoso.lab,IP:192.0.2.20"
  assert_contains "$OUT" "expected exactly serverAuth"
fi

echo "PASS"
