#!/usr/bin/env python3
"""Parses every `pocketca ca export` format with pyca/cryptography and checks the two CA
certificates of a default `init --name "Contoso Lab" --base-url http://pki.contoso.lab` home.

Exit 0: all good; 1: a check failed (each failure printed); 77: cryptography not installed.
"""

import argparse
import datetime as dt
import sys

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: python cryptography not available ({e})")
    sys.exit(77)

ROOT_CN = "Contoso Lab Root CA"
ISSUING_CN = "Contoso Lab Issuing CA"
CDP_URL = "http://pki.contoso.lab/pki/contoso-lab-root-ca.crl"
AIA_URL = "http://pki.contoso.lab/pki/contoso-lab-root-ca.crt"
BACKDATE = dt.timedelta(minutes=10)
SLACK = dt.timedelta(seconds=5)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cn(cert):
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return values[0].value if values else None


def not_before(cert):
    return getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before.replace(tzinfo=dt.timezone.utc)


def not_after(cert):
    return getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=dt.timezone.utc)


def ext(cert, oid):
    try:
        return cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def add_years(t, years):
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)


def check_serial(cert, who, request_id, issuer_index):
    serial = cert.serial_number
    if not check(serial > 0, f"{who}: serial must be positive"):
        return
    raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    check(len(raw) == 19, f"{who}: serial is {len(raw)} bytes, expected 19 ({raw.hex()})")
    check(0x01 <= raw[0] <= 0x7F, f"{who}: first serial byte {raw[0]:#04x} not in 0x01-0x7F")
    check(int.from_bytes(raw[-4:], "big") == request_id,
          f"{who}: last 4 serial bytes {raw[-4:].hex()} != request id {request_id}")
    check(serial % 2**32 == request_id, f"{who}: serial mod 2^32 != request id {request_id}")
    check(int.from_bytes(raw[13:15], "big") == issuer_index,
          f"{who}: serial bytes 13-14 {raw[13:15].hex()} != issuer CA index {issuer_index}")


def check_ca_basics(cert, who, path_len):
    bc = ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    if check(bc is not None, f"{who}: no basicConstraints"):
        check(bc.critical, f"{who}: basicConstraints must be critical")
        check(bc.value.ca is True, f"{who}: basicConstraints CA must be TRUE")
        check(bc.value.path_length == path_len,
              f"{who}: pathLen {bc.value.path_length}, expected {path_len}")
    ku = ext(cert, ExtensionOID.KEY_USAGE)
    if check(ku is not None, f"{who}: no keyUsage"):
        check(ku.critical, f"{who}: keyUsage must be critical")
        check(ku.value.key_cert_sign, f"{who}: keyUsage lacks keyCertSign")
        check(ku.value.crl_sign, f"{who}: keyUsage lacks cRLSign")
        check(not ku.value.key_encipherment, f"{who}: a CA key must not have keyEncipherment")
    ski = ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    if check(ski is not None, f"{who}: no subjectKeyIdentifier"):
        check(not ski.critical, f"{who}: SKI must not be critical")
        expected = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
        check(len(ski.value.digest) > 0, f"{who}: empty SKI")
        # RFC 5280 method 1 is what openssl and AD CS use; say so if it ever changes.
        check(ski.value.digest == expected, f"{who}: SKI is not the SHA-1 of the public key (RFC 5280 4.2.1.2 (1))")
    check(cert.version == x509.Version.v3, f"{who}: not an X.509 v3 certificate")
    check(cert.signature_hash_algorithm is not None and
          cert.signature_hash_algorithm.name in ("sha256", "sha384", "sha512"),
          f"{who}: signature hash {cert.signature_hash_algorithm} is not SHA-2")
    return ski.value.digest if ski else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pem-bundle", required=True)
    p.add_argument("--p7b", required=True)
    p.add_argument("--p7b-b64", required=True)
    p.add_argument("--cer", required=True)
    p.add_argument("--cer-b64", required=True)
    p.add_argument("--root-crt", required=True, help="public/<root>.crt (DER)")
    p.add_argument("--issuing-crt", required=True, help="public/<issuing>.crt (DER)")
    p.add_argument("--started", type=int, required=True, help="epoch seconds just before init")
    p.add_argument("--finished", type=int, required=True, help="epoch seconds just after init")
    p.add_argument("--root-rsa-bits", type=int, default=4096)
    p.add_argument("--issuing-rsa-bits", type=int, default=2048)
    a = p.parse_args()

    # 1. Every format parses, and every one of them carries the same certificates.
    root = x509.load_der_x509_certificate(read(a.root_crt))
    issuing = x509.load_der_x509_certificate(read(a.issuing_crt))
    check(cn(root) == ROOT_CN, f"root CN is {cn(root)!r}")
    check(cn(issuing) == ISSUING_CN, f"issuing CN is {cn(issuing)!r}")

    cer = x509.load_der_x509_certificate(read(a.cer))
    check(der(cer) == der(issuing), "cer export is not the issuing CA's certificate")

    cer_b64_bytes = read(a.cer_b64)
    check(cer_b64_bytes.startswith(b"-----BEGIN CERTIFICATE-----"), "cer-b64 does not start with a PEM header")
    cer_b64 = x509.load_pem_x509_certificate(cer_b64_bytes)
    check(der(cer_b64) == der(issuing), "cer-b64 export is not the issuing CA's certificate")

    bundle = x509.load_pem_x509_certificates(read(a.pem_bundle))
    check([der(c) for c in bundle] == [der(issuing), der(root)],
          f"pem-bundle must be [issuing, root] (leaf first), got {[cn(c) for c in bundle]}")

    p7b = pkcs7.load_der_pkcs7_certificates(read(a.p7b))
    check(sorted(der(c) for c in p7b) == sorted([der(issuing), der(root)]),
          f"p7b must hold exactly the issuing CA and the root, got {[cn(c) for c in p7b]}")

    p7b_b64_bytes = read(a.p7b_b64)
    check(p7b_b64_bytes.startswith(b"-----BEGIN PKCS7-----"), "p7b-b64 does not start with -----BEGIN PKCS7-----")
    p7b_b64 = pkcs7.load_pem_pkcs7_certificates(p7b_b64_bytes)
    check(sorted(der(c) for c in p7b_b64) == sorted([der(issuing), der(root)]),
          f"p7b-b64 must hold exactly the issuing CA and the root, got {[cn(c) for c in p7b_b64]}")

    # 2. The root.
    check(root.subject == root.issuer, "root is not self-issued")
    try:
        root.verify_directly_issued_by(root)
    except Exception as e:  # noqa: BLE001
        check(False, f"root self-signature does not verify: {e!r}")
    root_ski = check_ca_basics(root, "root", None)
    check(ext(root, ExtensionOID.CRL_DISTRIBUTION_POINTS) is None, "root must not carry a CRL distribution point")
    check(ext(root, ExtensionOID.AUTHORITY_INFORMATION_ACCESS) is None, "root must not carry AIA")
    check_serial(root, "root", request_id=1, issuer_index=1)
    check(isinstance(root.public_key(), rsa.RSAPublicKey) and root.public_key().key_size == a.root_rsa_bits,
          f"root key is not RSA {a.root_rsa_bits}")

    # 3. The issuing CA.
    check(issuing.issuer == root.subject, "issuing CA's issuer is not the root's subject")
    try:
        issuing.verify_directly_issued_by(root)
    except Exception as e:  # noqa: BLE001
        check(False, f"issuing CA's signature does not verify with the root key: {e!r}")
    check_ca_basics(issuing, "issuing", 0)
    aki = ext(issuing, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    if check(aki is not None, "issuing: no authorityKeyIdentifier"):
        check(not aki.critical, "issuing: AKI must not be critical")
        check(aki.value.key_identifier == root_ski, "issuing: AKI keyid != root SKI")
    cdp = ext(issuing, ExtensionOID.CRL_DISTRIBUTION_POINTS)
    if check(cdp is not None, "issuing: no CRL distribution point"):
        urls = [n.value for dp in cdp.value for n in (dp.full_name or [])
                if isinstance(n, x509.UniformResourceIdentifier)]
        check(urls == [CDP_URL], f"issuing: CDP {urls} != [{CDP_URL}]")
    aia = ext(issuing, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    if check(aia is not None, "issuing: no AIA"):
        issuers = [d.access_location.value for d in aia.value
                   if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS]
        ocsp = [d for d in aia.value if d.access_method == AuthorityInformationAccessOID.OCSP]
        check(issuers == [AIA_URL], f"issuing: AIA caIssuers {issuers} != [{AIA_URL}]")
        check(not ocsp, "issuing: AIA must not carry OCSP until OCSP is enabled")
    check_serial(issuing, "issuing", request_id=2, issuer_index=1)
    check(isinstance(issuing.public_key(), rsa.RSAPublicKey) and issuing.public_key().key_size == a.issuing_rsa_bits,
          f"issuing key is not RSA {a.issuing_rsa_bits}")
    check(root.serial_number != issuing.serial_number, "root and issuing CA share a serial")

    # 4. Validity: notBefore back-dated 10 minutes; root 20 years, issuing 10 years from "now".
    started = dt.datetime.fromtimestamp(a.started, dt.timezone.utc)
    finished = dt.datetime.fromtimestamp(a.finished, dt.timezone.utc)
    for who, cert, years in (("root", root, 20), ("issuing", issuing, 10)):
        nb, na = not_before(cert), not_after(cert)
        check(started - BACKDATE - SLACK <= nb <= finished - BACKDATE + SLACK,
              f"{who}: notBefore {nb} is not init time ({started}..{finished}) minus 10 minutes")
        issued_at = nb + BACKDATE
        expected_na = add_years(issued_at, years)
        check(abs(na - expected_na) <= dt.timedelta(days=1),
              f"{who}: notAfter {na} is not ~{years} years after issuance ({expected_na})")
        span = (na - nb).days
        check(365 * years <= span <= 366 * years + 1, f"{who}: lifetime {span} days is not ~{years} years")
    check(not_after(issuing) <= not_after(root), "issuing CA outlives its root")

    if failures:
        for f in failures:
            print(f"cryptography check failed: {f}")
        return 1
    print("cryptography: all exports parse; root and issuing CA extensions, serials and validity as specified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
