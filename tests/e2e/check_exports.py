#!/usr/bin/env python3
"""Re-reads what `pocketca export SERIAL --format …` wrote with pyca/cryptography (a parser we did
not write) and checks that each file holds the right certificate and, where it should, the chain
in the order leaf, issuing CA, root.

    check_exports.py --leaf X.cer --issuing issuing.der --root root.der \
        [--format FORMAT FILE]… [--pfx FILE PASSWORD_FILE KEY_FILE CN]…  [--key-passphrase-file F]

--leaf, --issuing and --root are DER certificates (the expected ones). FORMAT is one of cer,
cer-b64, pem, pem-chain, p7b, p7b-b64. For --pfx, PASSWORD_FILE's first line is the password,
KEY_FILE the private key the PFX must carry (PEM; encrypted ones need --key-passphrase-file) and
CN the friendlyName the certificate bag must have.

Exit 0: all good; 1: a check failed (each failure printed); 77: cryptography not installed.
"""

import argparse
import sys
import warnings

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: python cryptography not available ({e})")
    sys.exit(77)

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def first_line(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n", 1)[0].rstrip(b"\r")


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def spki(key_or_cert):
    pub = key_or_cert.public_key()
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def names(certs):
    return [c.subject.rfc4514_string() for c in certs]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leaf", required=True)
    ap.add_argument("--issuing", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--format", nargs=2, action="append", default=[], metavar=("FORMAT", "FILE"))
    ap.add_argument("--pfx", nargs=4, action="append", default=[], metavar=("FILE", "PASSWORD_FILE", "KEY_FILE", "CN"))
    ap.add_argument("--key-passphrase-file")
    a = ap.parse_args()

    def load(path):
        with open(path, "rb") as f:
            return x509.load_der_x509_certificate(f.read())

    leaf, issuing, root = load(a.leaf), load(a.issuing), load(a.root)
    chain = [der(leaf), der(issuing), der(root)]

    for fmt, path in a.format:
        data = open(path, "rb").read()
        caught = []
        try:
            if fmt == "cer":
                got = [x509.load_der_x509_certificate(data)]
                want = chain[:1]
            elif fmt in ("cer-b64", "pem"):
                check(data.startswith(b"-----BEGIN CERTIFICATE-----"), f"{fmt}: does not start with BEGIN CERTIFICATE")
                got = x509.load_pem_x509_certificates(data)
                want = chain[:1]
            elif fmt == "pem-chain":
                got = x509.load_pem_x509_certificates(data)
                want = chain
            elif fmt == "p7b":
                # A DER SET OF is sorted by encoding, so a strictly DER p7b cannot keep the chain
                # order; Windows and openssl write it in chain order (BER). cryptography parses
                # that with a warning: shown here, not a failure.
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    got = pkcs7.load_der_pkcs7_certificates(data)
                want = chain
            elif fmt == "p7b-b64":
                check(data.startswith(b"-----BEGIN PKCS7-----"), f"{fmt}: does not start with BEGIN PKCS7")
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    got = pkcs7.load_pem_pkcs7_certificates(data)
                want = chain
            else:
                failures.append(f"unknown format {fmt}")
                continue
        except Exception as e:  # noqa: BLE001 - any parse error is a failure
            failures.append(f"{fmt}: cryptography cannot read {path}: {e}")
            continue
        for w in caught:
            print(f"NOTE: {fmt} ({path}): cryptography warns: {str(w.message).splitlines()[0][:200]}")
        check([der(c) for c in got] == want, f"{fmt}: holds {names(got)}, expected leaf, issuing, root up to {len(want)}")

    key_pass = first_line(a.key_passphrase_file) if a.key_passphrase_file else None
    for path, pw_file, key_file, cn in a.pfx:
        data = open(path, "rb").read()
        try:
            p = pkcs12.load_pkcs12(data, first_line(pw_file))
        except Exception as e:  # noqa: BLE001
            failures.append(f"{path}: load_pkcs12 with the first line of {pw_file} fails: {e}")
            continue
        with open(key_file, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), key_pass if b"ENCRYPTED" in open(key_file, "rb").read() else None)
        if not check(p.cert is not None and p.key is not None, f"{path}: no certificate or no key"):
            continue
        check(der(p.cert.certificate) == chain[0], f"{path}: the certificate is {names([p.cert.certificate])}, not the leaf")
        check(spki(p.key) == spki(p.cert.certificate), f"{path}: the key does not match the certificate")
        check(spki(p.key) == spki(key), f"{path}: the key is not the one in {key_file}")
        check(p.cert.friendly_name == cn.encode(), f"{path}: friendlyName {p.cert.friendly_name!r}, expected {cn!r}")
        extra = [c.certificate for c in p.additional_certs]
        check([der(c) for c in extra] == chain[1:], f"{path}: additional certificates {names(extra)}, expected issuing, root")

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
