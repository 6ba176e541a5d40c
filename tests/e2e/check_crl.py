#!/usr/bin/env python3
"""Checks one CRL that pocketca published against its CA certificate with pyca/cryptography.

    check_crl.py CRL --ca CA_CERT [--number N] [--days D] [--delta-of N] [--freshest URL]
                 [--revoked SERIAL=REASON[@ISO-TIME]]... [--absent SERIAL]... [--entries N]

CRL and CA_CERT may be DER or PEM. Always checked (the AD CS shape the contract asks for):
  - a v2 CRL whose signature verifies with the CA's public key (is_signature_valid), signed with
    sha256WithRSAEncryption for an RSA CA and ecdsa-with-SHA256 for an EC CA;
  - issuer name byte-identical (DER) to the CA certificate's subject; AKI keyid = the CA's SKI;
  - thisUpdate back-dated 10 minutes (within a couple of minutes of now - 10 min), nextUpdate =
    thisUpdate + 10 minutes + D days (when --days is given);
  - the Next CRL Publish hint 1.3.6.1.4.1.311.21.4 (UTCTime, non-critical), between thisUpdate and
    nextUpdate;
  - no issuingDistributionPoint; a critical Delta CRL Indicator only with --delta-of (= the base
    number); a Freshest CRL extension only with --freshest (and pointing at that URL).
Entries: --revoked SERIAL=REASON checks the entry by get_revoked_certificate_by_serial_number with
that reason (RFC 5280 name; `unspecified` means NO reasonCode extension, RFC 5280 5.3.1), and
the revocation date when @ISO-TIME is given; --absent SERIAL checks there is no entry.

Prints `crl number N, E entries` and exits 0 when all is well; prints every failure and exits 1;
exits 77 when cryptography is not installed.
"""

import argparse
import datetime as dt
import sys

try:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtensionOID, SignatureAlgorithmOID
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: python cryptography not available ({e})")
    sys.exit(77)

NEXT_CRL_PUBLISH = x509.ObjectIdentifier("1.3.6.1.4.1.311.21.4")
BACKDATE = dt.timedelta(minutes=10)
# How long ago the CRL may have been signed when this runs, and clock rounding.
SLACK = dt.timedelta(seconds=120)
EXACT = dt.timedelta(seconds=2)

REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "caCompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "certificateHold": x509.ReasonFlags.certificate_hold,
    "removeFromCRL": x509.ReasonFlags.remove_from_crl,
}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def load(path, der_loader, pem_loader):
    data = open(path, "rb").read()
    if data.lstrip().startswith(b"-----BEGIN"):
        return pem_loader(data)
    return der_loader(data)


def ext(obj, oid):
    try:
        return obj.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None


def utc(obj, name):
    value = getattr(obj, name + "_utc", None)
    if value is None:  # cryptography < 42
        value = getattr(obj, name).replace(tzinfo=dt.timezone.utc)
    return value


def parse_time(text):
    if len(text) == 10:
        text += "T00:00:00Z"
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def parse_utctime(der):
    """The DER of a UTCTime (tag 0x17) -> aware datetime."""
    if len(der) < 2 or der[0] != 0x17 or der[1] != len(der) - 2:
        raise ValueError(f"not a DER UTCTime: {der.hex()}")
    text = der[2:].decode("ascii")
    if len(text) != 13 or not text.endswith("Z"):
        raise ValueError(f"UTCTime not in YYMMDDHHMMSSZ form: {text}")
    year = int(text[:2])
    year += 2000 if year < 50 else 1900
    return dt.datetime.strptime(f"{year}{text[2:12]}", "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)


def serial_int(text):
    return int(text.replace(":", "").replace(" ", ""), 16)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("crl")
    ap.add_argument("--ca", required=True, help="the CA certificate that signed the CRL")
    ap.add_argument("--number", type=int)
    ap.add_argument("--days", type=int, help="expected lifetime: nextUpdate = thisUpdate + 10 min + DAYS")
    ap.add_argument("--delta-of", type=int, help="a delta CRL: Delta CRL Indicator = this base number")
    ap.add_argument("--freshest", help="the Freshest CRL URL a base CRL must carry")
    ap.add_argument("--revoked", action="append", default=[], metavar="SERIAL=REASON[@TIME]")
    ap.add_argument("--absent", action="append", default=[], metavar="SERIAL")
    ap.add_argument("--entries", type=int)
    args = ap.parse_args()

    crl = load(args.crl, x509.load_der_x509_crl, x509.load_pem_x509_crl)
    ca = load(args.ca, x509.load_der_x509_certificate, x509.load_pem_x509_certificate)
    now = dt.datetime.now(dt.timezone.utc)
    key = ca.public_key()

    # --- the signature, the algorithm, the version --------------------------------------------
    check(crl.is_signature_valid(key), "the CRL signature does not verify with the CA's public key")
    if isinstance(key, rsa.RSAPublicKey):
        want_alg = SignatureAlgorithmOID.RSA_WITH_SHA256
    elif isinstance(key, ec.EllipticCurvePublicKey):
        want_alg = SignatureAlgorithmOID.ECDSA_WITH_SHA256
    else:
        want_alg = None
    check(crl.signature_algorithm_oid == want_alg,
          f"signature algorithm {crl.signature_algorithm_oid.dotted_string}, expected {want_alg and want_alg.dotted_string}")
    tbs = crl.tbs_certlist_bytes
    # SEQUENCE (long or short length) then INTEGER 1 (v2).
    hdr = 2 + (tbs[1] & 0x7F if tbs[1] & 0x80 else 0)
    check(tbs[hdr:hdr + 3] == b"\x02\x01\x01", "not a v2 CRL (version INTEGER 1 missing)")

    # --- issuer and AKI -------------------------------------------------------------------------
    check(crl.issuer.public_bytes() == ca.subject.public_bytes(),
          f"issuer {crl.issuer.rfc4514_string()} is not byte-identical to the CA subject {ca.subject.rfc4514_string()}")
    aki = ext(crl, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    ski = ext(ca, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    if check(aki is not None, "no Authority Key Identifier") and check(ski is not None, "the CA certificate has no SKI"):
        check(aki.value.key_identifier == ski.value.digest,
              f"AKI {aki.value.key_identifier and aki.value.key_identifier.hex()} != CA SKI {ski.value.digest.hex()}")
        check(not aki.critical, "the AKI is critical")

    # --- times ----------------------------------------------------------------------------------
    this_update = utc(crl, "last_update")
    next_update = utc(crl, "next_update")
    check(next_update is not None, "no nextUpdate")
    check(now - BACKDATE - SLACK <= this_update <= now - BACKDATE + EXACT,
          f"thisUpdate {this_update} is not now - 10 minutes (now {now:%Y-%m-%dT%H:%M:%SZ})")
    if args.days is not None and next_update is not None:
        want = this_update + BACKDATE + dt.timedelta(days=args.days)
        check(abs(next_update - want) <= EXACT,
              f"nextUpdate {next_update}, expected thisUpdate + 10 min + {args.days} days = {want}")

    # --- CRL extensions ---------------------------------------------------------------------------
    number = ext(crl, ExtensionOID.CRL_NUMBER)
    if check(number is not None, "no CRL Number"):
        check(not number.critical, "the CRL Number is critical")
        if args.number is not None:
            check(number.value.crl_number == args.number, f"CRL number {number.value.crl_number}, expected {args.number}")

    publish = ext(crl, NEXT_CRL_PUBLISH)
    if check(publish is not None, "no Next CRL Publish extension 1.3.6.1.4.1.311.21.4"):
        check(not publish.critical, "Next CRL Publish is critical")
        try:
            when = parse_utctime(publish.value.value)
            check(this_update < when <= next_update,
                  f"Next CRL Publish {when} is not between thisUpdate {this_update} and nextUpdate {next_update}")
        except ValueError as e:
            failures.append(f"Next CRL Publish: {e}")

    check(ext(crl, ExtensionOID.ISSUING_DISTRIBUTION_POINT) is None,
          "the CRL carries an issuingDistributionPoint (AD CS-style CRLs have none)")

    delta = ext(crl, ExtensionOID.DELTA_CRL_INDICATOR)
    if args.delta_of is None:
        check(delta is None, "a base CRL carries a Delta CRL Indicator")
    elif check(delta is not None, "no Delta CRL Indicator on a delta CRL"):
        check(delta.critical, "the Delta CRL Indicator is not critical (RFC 5280 5.2.4)")
        check(delta.value.crl_number == args.delta_of,
              f"Delta CRL Indicator (base CRL number) {delta.value.crl_number}, expected {args.delta_of}")
        if number is not None:
            check(number.value.crl_number > delta.value.crl_number,
                  f"delta CRL number {number.value.crl_number} is not above its base {delta.value.crl_number}")

    freshest = ext(crl, ExtensionOID.FRESHEST_CRL)
    if args.freshest is None:
        check(freshest is None, "the CRL carries a Freshest CRL extension")
    elif check(freshest is not None, "no Freshest CRL extension on the base CRL of a delta-publishing CA"):
        check(not freshest.critical, "Freshest CRL is critical")
        urls = [n.value for dp in freshest.value for n in (dp.full_name or [])
                if isinstance(n, x509.UniformResourceIdentifier)]
        check(urls == [args.freshest], f"Freshest CRL points at {urls}, expected [{args.freshest}]")

    # --- entries ------------------------------------------------------------------------------
    if args.entries is not None:
        check(len(crl) == args.entries, f"{len(crl)} entries, expected {args.entries}")
    for spec in args.revoked:
        serial, _, rest = spec.partition("=")
        reason, _, when = rest.partition("@")
        if reason not in REASONS:
            sys.exit(f"check_crl.py: unknown reason {reason}")
        entry = crl.get_revoked_certificate_by_serial_number(serial_int(serial))
        if not check(entry is not None, f"{serial} is not on the CRL"):
            continue
        try:
            code = entry.extensions.get_extension_for_class(x509.CRLReason)
        except x509.ExtensionNotFound:
            code = None
        if reason == "unspecified":
            check(code is None, f"{serial}: reason unspecified must be an entry without reasonCode (RFC 5280 5.3.1), found {code and code.value.reason}")
        elif check(code is not None, f"{serial}: no reasonCode, expected {reason}"):
            check(code.value.reason == REASONS[reason], f"{serial}: reason {code.value.reason.value}, expected {reason}")
            check(not code.critical, f"{serial}: the reasonCode is critical")
        if when:
            got = utc(entry, "revocation_date")
            check(got == parse_time(when), f"{serial}: revocation date {got}, expected {when}")
    for serial in args.absent:
        check(crl.get_revoked_certificate_by_serial_number(serial_int(serial)) is None, f"{serial} is on the CRL, but must not be")

    if failures:
        for f in failures:
            print(f"FAIL: {args.crl}: {f}")
        return 1
    print(f"crl number {number.value.crl_number if number else '?'}, {len(crl)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
