#!/usr/bin/env python3
"""Checks one certificate that `pocketca submit` issued with the WebServer template, field by
field, with pyca/cryptography (a parser and a verifier we did not write).

The CA home is a default `init --name "Contoso Lab" --base-url http://pki.contoso.lab`: the root
is CA index 1, the issuing CA (which signs every request) index 2, RSA, so leaves are signed with
sha256WithRSAEncryption.

    check_issued_certificate.py --cert X.cer --chain X.p7b --root root.pem --issuing issuing.pem \
        --request-id N --sans "DNS:a.example,IP:192.0.2.1" --key-type rsa|ec \
        [--request X.req] [--json submit.json] [--format der|base64] [--started EPOCH]

--sans is the SAN list the certificate must carry, in this exact order. --request (PEM or DER
PKCS#10) binds the certificate to the request's key and subject; --json checks the `submit --json`
document against the certificate; --started/--finished (epoch seconds just before and after
submit) bound notBefore. Several certificates can be checked in one run (importing cryptography
costs a second on a busy machine): separate their argument groups with `--and`.

Exit 0: all good; 1: a check failed (each failure printed); 77: cryptography not installed.
"""

import argparse
import datetime as dt
import hashlib
import ipaddress
import os
import re
import sys
import warnings

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import (AuthorityInformationAccessOID, ExtendedKeyUsageOID, ExtensionOID,
                                       SignatureAlgorithmOID)
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: python cryptography not available ({e})")
    sys.exit(77)
try:  # pyca's RFC 5280 path validation arrived in cryptography 42
    from cryptography.x509.verification import PolicyBuilder, Store
except ImportError:  # pragma: no cover - depends on the machine
    PolicyBuilder = Store = None

ISSUING_CA_NAME = "Contoso Lab Issuing CA"
ISSUING_CA_INDEX = 2
TEMPLATE = "WebServer"
CDP_URL = "http://pki.contoso.lab/pki/contoso-lab-issuing-ca.crl"
AIA_URL = "http://pki.contoso.lab/pki/contoso-lab-issuing-ca.crt"
# 1.3.6.1.4.1.311.20.2 (szOID_ENROLL_CERTTYPE_EXTENSION): what AD CS writes for a v1 template,
# a BMPString holding the template name.
TEMPLATE_NAME_OID = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2")
TEMPLATE_NAME_DER = b"\x1e" + bytes([2 * len(TEMPLATE)]) + TEMPLATE.encode("utf-16-be")
# Everything a WebServer leaf may carry (contract: "Extensions on every issued certificate" plus
# the template-name extension); anything else was copied from the request or invented.
ALLOWED_EXTENSIONS = {
    ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE, ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.CRL_DISTRIBUTION_POINTS, ExtensionOID.AUTHORITY_INFORMATION_ACCESS, TEMPLATE_NAME_OID,
}
BACKDATE = dt.timedelta(minutes=10)
SLACK = dt.timedelta(seconds=5)
# notBefore and notAfter come from one issuance instant; a second of rounding at most.
VALIDITY_SLACK = dt.timedelta(seconds=2)
KU_FLAGS = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
            "key_agreement", "key_cert_sign", "crl_sign")

failures = []
notes = set()
current = ""  # the certificate being checked, to label failures


def check(condition, message):
    if not condition:
        failures.append(f"{current}: {message}")
    return condition


def read(path):
    with open(path, "rb") as f:
        return f.read()


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def spki(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def not_before(cert):
    return getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before.replace(tzinfo=dt.timezone.utc)


def not_after(cert):
    return getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=dt.timezone.utc)


def ext(cert, oid):
    try:
        return cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None


def add_years(t, years):
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)


def san_strings(general_names):
    """SANs the way pocketca's JSON writes them: "DNS:name", "IP:address"."""
    out = []
    for n in general_names:
        if isinstance(n, x509.DNSName):
            out.append(f"DNS:{n.value}")
        elif isinstance(n, x509.IPAddress):
            out.append(f"IP:{n.value}")
        else:
            out.append(f"{type(n).__name__}:{n.value}")
    return out


def load_cert(path, fmt):
    data = read(path)
    is_pem = data.lstrip().startswith(b"-----BEGIN CERTIFICATE-----")
    if fmt == "der":
        check(not is_pem, "expected a DER .cer (default --format der), got PEM")
    else:
        check(data.startswith(b"-----BEGIN CERTIFICATE-----"),
              "--format base64 must write a PEM .cer (-----BEGIN CERTIFICATE-----)")
    return x509.load_pem_x509_certificate(data) if is_pem else x509.load_der_x509_certificate(data)


def load_p7b(path, fmt):
    data = read(path)
    is_pem = data.lstrip().startswith(b"-----BEGIN")
    if fmt == "der":
        check(not is_pem, "expected a DER .p7b (default --format der), got PEM")
    else:
        check(data.startswith(b"-----BEGIN PKCS7-----"),
              "--format base64 must write a .p7b with the header -----BEGIN PKCS7-----")
    # cryptography falls back to BER (with a warning) when the SET OF certificates is not in DER
    # order; that is not a contract point (we want leaf, issuing, root in that order), so it is
    # reported as a note, not a failure.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        certs = (pkcs7.load_pem_pkcs7_certificates(data) if is_pem else pkcs7.load_der_pkcs7_certificates(data))
    for w in caught:
        text = str(w.message)
        details = text[text.find("Error details"):] if "Error details" in text else ""
        notes.add(f"{current} .p7b: cryptography: {text.split('. ')[0]}. {details}".strip())
    return certs


def load_request(path):
    data = read(path)
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_csr(data)
    return x509.load_der_x509_csr(data)


def check_serial(cert, request_id):
    serial = cert.serial_number
    if not check(serial > 0, "serial must be positive"):
        return
    raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    check(len(raw) == 19, f"serial is {len(raw)} bytes, expected 19 ({raw.hex()})")
    check(0x01 <= raw[0] <= 0x7F, f"first serial byte {raw[0]:#04x} not in 0x01-0x7F")
    check(serial % 2**32 == request_id, f"serial mod 2^32 = {serial % 2**32}, expected the request ID {request_id}")
    check(len(raw) == 19 and int.from_bytes(raw[13:15], "big") == ISSUING_CA_INDEX,
          f"serial bytes 13-14 are {raw[13:15].hex()}, expected the issuing CA's index {ISSUING_CA_INDEX}")


def check_key_usage(cert, key_type):
    ku = ext(cert, ExtensionOID.KEY_USAGE)
    if not check(ku is not None, "no keyUsage"):
        return
    check(ku.critical, "keyUsage must be critical")
    # RFC 5480: an EC key cannot encipher, so WebServer gives EC keys digitalSignature alone.
    expected = {"digital_signature", "key_encipherment"} if key_type == "rsa" else {"digital_signature"}
    got = {flag for flag in KU_FLAGS if getattr(ku.value, flag)}
    check(got == expected, f"keyUsage {sorted(got)}, expected exactly {sorted(expected)} for a {key_type} key")


def check_extensions(cert, issuing, key_type, expected_sans):
    oids = [e.oid for e in cert.extensions]
    check(len(oids) == len(set(oids)), f"an extension appears twice: {[o.dotted_string for o in oids]}")
    extra = [o.dotted_string for o in oids if o not in ALLOWED_EXTENSIONS]
    check(not extra, f"extensions the WebServer template does not define (copied from the request?): {extra}")

    check(ext(cert, ExtensionOID.BASIC_CONSTRAINTS) is None,
          "a WebServer certificate carries no basicConstraints (as AD CS), and never CA:TRUE")
    check_key_usage(cert, key_type)

    eku = ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    if check(eku is not None, "no extendedKeyUsage"):
        check(list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH],
              f"EKU {[o.dotted_string for o in eku.value]}, expected exactly serverAuth (1.3.6.1.5.5.7.3.1)")

    san = ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if check(san is not None, "no subjectAltName"):
        check(san_strings(san.value) == expected_sans,
              f"SANs {san_strings(san.value)}, expected {expected_sans} (CN first, requested order, no duplicates)")

    tn = ext(cert, TEMPLATE_NAME_OID)
    if check(tn is not None, "no template-name extension 1.3.6.1.4.1.311.20.2"):
        check(not tn.critical, "template-name extension must not be critical")
        got = getattr(tn.value, "value", b"")
        check(got == TEMPLATE_NAME_DER,
              f"template-name extension holds {got.hex()}, expected BMPString {TEMPLATE!r} ({TEMPLATE_NAME_DER.hex()})")

    ski = ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    if check(ski is not None, "no subjectKeyIdentifier"):
        check(not ski.critical, "SKI must not be critical")
        # Computed from the key (RFC 5280 method 1), never taken from the request's extension.
        expected = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
        check(ski.value.digest == expected,
              f"SKI {ski.value.digest.hex()} is not the SHA-1 of the public key ({expected.hex()}): copied from the request?")

    aki = ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    issuing_ski = ext(issuing, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    if check(aki is not None, "no authorityKeyIdentifier") and issuing_ski is not None:
        check(not aki.critical, "AKI must not be critical")
        check(aki.value.key_identifier == issuing_ski.value.digest,
              f"AKI keyid {aki.value.key_identifier and aki.value.key_identifier.hex()} != issuing CA's SKI "
              f"{issuing_ski.value.digest.hex()}")

    cdp = ext(cert, ExtensionOID.CRL_DISTRIBUTION_POINTS)
    if check(cdp is not None, "no CRL distribution point"):
        urls = [n.value for dp in cdp.value for n in (dp.full_name or [])
                if isinstance(n, x509.UniformResourceIdentifier)]
        check(urls == [CDP_URL], f"CDP {urls}, expected [{CDP_URL}]")

    aia = ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    if check(aia is not None, "no authorityInfoAccess"):
        issuers = [d.access_location.value for d in aia.value
                   if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS]
        ocsp = [d.access_location.value for d in aia.value if d.access_method == AuthorityInformationAccessOID.OCSP]
        check(issuers == [AIA_URL], f"AIA caIssuers {issuers}, expected [{AIA_URL}]")
        check(not ocsp, f"AIA carries OCSP {ocsp}, but OCSP is not enabled (a dead OCSP URL slows Windows clients)")


def check_validity(cert, started, finished):
    nb, na = not_before(cert), not_after(cert)
    now = dt.datetime.now(dt.timezone.utc)
    started = started or now - dt.timedelta(minutes=5)
    finished = finished or now
    check(started - BACKDATE - SLACK <= nb <= finished - BACKDATE + SLACK,
          f"notBefore {nb} is not the issuance time minus 10 minutes "
          f"(expected {started - BACKDATE} .. {finished - BACKDATE})")
    expected_na = add_years(nb + BACKDATE, 2)
    check(abs(na - expected_na) <= VALIDITY_SLACK,
          f"notAfter {na} is not issuance time + 2 calendar years ({expected_na}, the template's validity)")


def check_chain(cert, chain, root, issuing):
    names = [c.subject.rfc4514_string() for c in chain]
    check([der(c) for c in chain] == [der(cert), der(issuing), der(root)],
          f"p7b must hold exactly [leaf, issuing CA, root] in that order, got {names}")


def check_verifier(cert, chain, root, expected_sans):
    """pyca's RFC 5280 / CA-B Forum path builder: strict about extensions, names and EKU."""
    if PolicyBuilder is None:
        notes.add("cryptography.x509.verification is missing (cryptography < 42): server verifier not run")
        return
    intermediates = [c for c in chain if der(c) != der(cert)]
    store = Store([root])
    subjects = []
    for s in expected_sans:
        kind, _, value = s.partition(":")
        subjects.append(x509.DNSName(value) if kind == "DNS" else x509.IPAddress(ipaddress.ip_address(value)))
    for subject in subjects:
        try:
            PolicyBuilder().store(store).build_server_verifier(subject).verify(cert, intermediates)
        except Exception as e:  # noqa: BLE001
            check(False, f"cryptography's server verifier rejects the certificate for {subject.value}: {e}")
    # Negative control: the verifier must actually match names, or the loop above proves nothing.
    try:
        PolicyBuilder().store(store).build_server_verifier(
            x509.DNSName("not-in-the-san.contoso.lab")).verify(cert, intermediates)
        check(False, "cryptography's verifier accepts a name that is not in the SAN (negative control)")
    except Exception:  # noqa: BLE001
        pass


def iso_z(text, what):
    if not check(isinstance(text, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", text or ""),
                 f"JSON {what} {text!r} is not ISO 8601 UTC ending in Z"):
        return None
    return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.timezone.utc)


def check_json(doc, cert, a, expected_sans):
    import json
    try:
        j = json.loads(read(doc))
    except ValueError as e:
        check(False, f"submit --json output is not JSON: {e}")
        return
    check(isinstance(j, dict), "submit --json must print one object")
    if not isinstance(j, dict):
        return
    missing = [k for k in ("request_id", "disposition", "status", "serial", "thumbprint", "sha256", "subject",
                           "sans", "not_before", "not_after", "template", "ca", "files", "warnings") if k not in j]
    check(not missing, f"JSON lacks keys {missing}")
    rid = j.get("request_id")
    check(isinstance(rid, int) and not isinstance(rid, bool), f"JSON request_id {rid!r} is not an integer")
    check(rid == a.request_id, f"JSON request_id {rid!r} != {a.request_id}")
    check(j.get("disposition") == "issued", f"JSON disposition {j.get('disposition')!r}, expected 'issued'")
    check(j.get("status") == "valid", f"JSON status {j.get('status')!r}, expected 'valid'")
    serial = cert.serial_number
    raw_hex = serial.to_bytes((serial.bit_length() + 7) // 8, "big").hex()
    check(j.get("serial") == raw_hex, f"JSON serial {j.get('serial')!r}, expected lower-case hex {raw_hex}")
    sha1 = hashlib.sha1(der(cert)).hexdigest().upper()
    check(j.get("thumbprint") == sha1, f"JSON thumbprint {j.get('thumbprint')!r}, expected upper-case {sha1}")
    sha256 = hashlib.sha256(der(cert)).hexdigest()
    got256 = j.get("sha256")
    check(isinstance(got256, str) and got256.lower() == sha256 and re.fullmatch(r"[0-9a-fA-F]{64}", got256),
          f"JSON sha256 {got256!r}, expected {sha256}")
    check(j.get("subject") == cert.subject.rfc4514_string(),
          f"JSON subject {j.get('subject')!r}, expected RFC 4514 {cert.subject.rfc4514_string()!r}")
    check(j.get("sans") == expected_sans, f"JSON sans {j.get('sans')!r}, expected {expected_sans}")
    nb = iso_z(j.get("not_before"), "not_before")
    na = iso_z(j.get("not_after"), "not_after")
    check(nb is None or nb == not_before(cert), f"JSON not_before {nb} != certificate {not_before(cert)}")
    check(na is None or na == not_after(cert), f"JSON not_after {na} != certificate {not_after(cert)}")
    check(j.get("template") == TEMPLATE, f"JSON template {j.get('template')!r}, expected {TEMPLATE!r}")
    check(j.get("ca") == ISSUING_CA_NAME, f"JSON ca {j.get('ca')!r}, expected {ISSUING_CA_NAME!r}")
    files = j.get("files")
    if check(isinstance(files, dict), f"JSON files {files!r} is not an object"):
        for key, path in (("cer", a.cert), ("p7b", a.chain)):
            got = files.get(key)
            check(isinstance(got, str) and os.path.exists(got) and os.path.samefile(got, path),
                  f"JSON files.{key} {got!r} is not the file written ({path})")
    w = j.get("warnings")
    check(isinstance(w, list) and all(isinstance(x, str) for x in w), f"JSON warnings {w!r} is not a list of strings")


def epoch(seconds):
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc) if seconds is not None else None


def parser():
    p = argparse.ArgumentParser(usage="%(prog)s --cert … [--and --cert …]…")
    p.add_argument("--cert", required=True, help="the issued .cer (DER, or PEM with --format base64)")
    p.add_argument("--chain", required=True, help="the .p7b written with it")
    p.add_argument("--root", required=True, help="root CA certificate, PEM")
    p.add_argument("--issuing", required=True, help="issuing CA certificate, PEM")
    p.add_argument("--request-id", type=int, required=True)
    p.add_argument("--sans", required=True, help='expected SANs in order: "DNS:a,DNS:b,IP:192.0.2.1"')
    p.add_argument("--key-type", choices=("rsa", "ec"), required=True)
    p.add_argument("--request", help="the PKCS#10 request (PEM or DER) the certificate answers")
    p.add_argument("--json", help="what `submit --json` printed")
    p.add_argument("--format", choices=("der", "base64"), default="der")
    p.add_argument("--started", type=int, help="epoch seconds just before submit")
    p.add_argument("--finished", type=int, help="epoch seconds just after submit")
    return p


def check_one(a):
    expected_sans = [s.strip() for s in a.sans.split(",") if s.strip()]
    root = x509.load_pem_x509_certificate(read(a.root))
    issuing = x509.load_pem_x509_certificate(read(a.issuing))
    cert = load_cert(a.cert, a.format)
    chain = load_p7b(a.chain, a.format)

    check(cert.version == x509.Version.v3, "not an X.509 v3 certificate")
    check(cert.issuer == issuing.subject, f"issuer {cert.issuer.rfc4514_string()} is not the issuing CA")
    try:
        issuing.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                                    cert.signature_hash_algorithm)
    except Exception as e:  # noqa: BLE001
        check(False, f"signature does not verify with the issuing CA's key: {e!r}")
    check(cert.signature_algorithm_oid == SignatureAlgorithmOID.RSA_WITH_SHA256,
          f"signature algorithm {cert.signature_algorithm_oid.dotted_string}, expected sha256WithRSAEncryption")

    key = cert.public_key()
    want = rsa.RSAPublicKey if a.key_type == "rsa" else ec.EllipticCurvePublicKey
    check(isinstance(key, want), f"public key is {type(key).__name__}, expected {a.key_type}")
    if a.request:
        csr = load_request(a.request)
        check(spki(key) == spki(csr.public_key()), "the certificate's key is not the request's key")
        check(cert.subject == csr.subject,
              f"subject {cert.subject.rfc4514_string()} != request subject {csr.subject.rfc4514_string()}")

    check_serial(cert, a.request_id)
    check_extensions(cert, issuing, a.key_type, expected_sans)
    check_validity(cert, epoch(a.started), epoch(a.finished))
    check_chain(cert, chain, root, issuing)
    check_verifier(cert, chain, root, expected_sans)
    if a.json:
        check_json(a.json, cert, a, expected_sans)


def main():
    global current
    groups = [[]]
    for arg in sys.argv[1:]:
        if arg == "--and":
            groups.append([])
        else:
            groups[-1].append(arg)
    p = parser()
    cases = [p.parse_args(g) for g in groups]
    checked = []
    for a in cases:
        current = os.path.basename(a.cert)
        before = len(failures)
        try:
            check_one(a)
        except Exception as e:  # noqa: BLE001 - a certificate that does not even parse
            check(False, f"cannot check: {e!r}")
        if len(failures) == before:
            checked.append(f"{current} (request {a.request_id})")

    for n in sorted(notes):
        print(f"note: {n}")
    for c in checked:
        print(f"cryptography: {c} is a WebServer certificate as specified")
    for f in failures:
        print(f"cryptography check failed: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
