#!/usr/bin/env python3
"""Writes the PKCS#10 fixtures of the request-intake and CSR tests into tests/data/requests/.

Run from anywhere: python3 tests/data/make-requests.py  (needs Python 3 and `cryptography`).
Keys are fresh on every run, so the bytes change but every property the tests check stays.
Requests `cryptography` cannot express (the Windows attributes, an explicit EC curve) are
assembled here as DER and signed with the key, as Windows' own encoder would do it.
"""

import ipaddress
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

OUT = pathlib.Path(__file__).resolve().parent / "requests"

# ---- a tiny DER writer ----


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(items)))  # DER sorts SET OF by encoding


def integer(n: int) -> bytes:
    body = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big")
    return tlv(0x02, body)


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1]] + arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def utf8(s: str) -> bytes:
    return tlv(0x0C, s.encode("utf-8"))


def ia5(s: str) -> bytes:
    return tlv(0x16, s.encode("ascii"))


def bmp(s: str) -> bytes:
    return tlv(0x1E, s.encode("utf-16-be"))


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def bits(b: bytes) -> bytes:
    return tlv(0x03, b"\x00" + b)


NULL = b"\x05\x00"
TRUE = b"\x01\x01\xff"

# ---- requests assembled by hand ----

SIG_ALGS = {  # (key kind, hash) -> AlgorithmIdentifier
    ("rsa", "sha1"): seq(oid("1.2.840.113549.1.1.5"), NULL),
    ("rsa", "sha256"): seq(oid("1.2.840.113549.1.1.11"), NULL),
    ("ec", "sha256"): seq(oid("1.2.840.10045.4.3.2")),
}


def attribute(type_oid: str, *values: bytes) -> bytes:
    return seq(oid(type_oid), set_of(*values))


def extension(ext_oid: str, value: bytes, critical: bool = False) -> bytes:
    return seq(oid(ext_oid), TRUE if critical else b"", octets(value))


def extension_request(*extensions: bytes) -> bytes:
    return attribute("1.2.840.113549.1.9.14", seq(*extensions))


def signed_request(subject: x509.Name, spki: bytes, attributes: list, key, digest: str, sort=True) -> bytes:
    attrs = b"".join(sorted(attributes) if sort else attributes)
    info = seq(integer(0), subject.public_bytes(), spki, tlv(0xA0, attrs))
    if isinstance(key, rsa.RSAPrivateKey):
        algo = hashes.SHA1() if digest == "sha1" else hashes.SHA256()
        signature = key.sign(info, padding.PKCS1v15(), algo)
        kind = "rsa"
    else:
        signature = key.sign(info, ec.ECDSA(hashes.SHA256()))
        kind = "ec"
    return seq(info, SIG_ALGS[(kind, digest)], bits(signature))


def spki_of(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- output forms ----


def base64_lines(der: bytes, eol: str) -> str:
    import base64

    text = base64.b64encode(der).decode()
    return "".join(text[i : i + 64] + eol for i in range(0, len(text), 64))


def pem(der: bytes, label: str = "CERTIFICATE REQUEST", eol: str = "\n") -> str:
    return f"-----BEGIN {label}-----{eol}{base64_lines(der, eol)}-----END {label}-----{eol}"


def write(name: str, data) -> None:
    path = OUT / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def built(builder: x509.CertificateSigningRequestBuilder, key, algorithm=hashes.SHA256()) -> bytes:
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.DER)


def cn(name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])


def with_dns(names, subject="mail.contoso.lab") -> x509.CertificateSigningRequestBuilder:
    san = x509.SubjectAlternativeName([x509.DNSName(n) for n in names])
    return x509.CertificateSigningRequestBuilder().subject_name(cn(subject)).add_extension(san, critical=False)


# ---- the fixtures ----

CONTOSO = ["mail.contoso.lab", "autodiscover.contoso.lab"]


def windows_exchange() -> bytes:
    """As New-ExchangeCertificate -GenerateRequest makes it: SHA-1, Microsoft attributes, CRLF PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "WA"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Redmond"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "IT"),
        x509.NameAttribute(NameOID.COMMON_NAME, "mail.contoso.lab"),
    ])
    san = x509.SubjectAlternativeName([x509.DNSName(n) for n in CONTOSO + ["owa.contoso.lab"]])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    attributes = [
        attribute("1.3.6.1.4.1.311.13.2.3", ia5("10.0.20348.2")),
        attribute("1.3.6.1.4.1.311.21.20",
                  seq(integer(5), utf8("EXCH01.contoso.lab"), utf8("CONTOSO\\administrator"), utf8("powershell.exe"))),
        attribute("1.3.6.1.4.1.311.13.2.2",
                  seq(integer(1), bmp("Microsoft RSA SChannel Cryptographic Provider"), bits(b""))),
        extension_request(
            extension("2.5.29.17", san.public_bytes()),
            extension("2.5.29.15", usage.public_bytes(), critical=True),
            extension("2.5.29.19", x509.BasicConstraints(ca=False, path_length=None).public_bytes()),
            extension("2.5.29.14", ski.public_bytes()),
            extension("1.3.6.1.4.1.311.20.2", bmp("WebServer")),
        ),
    ]
    # Windows writes its attributes in this order, not sorted.
    return signed_request(subject, spki_of(key), attributes, key, "sha1", sort=False)


P256 = dict(
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)


def ec_explicit() -> bytes:
    """A P-256 key whose SubjectPublicKeyInfo spells the curve out instead of naming it."""
    key = ec.generate_private_key(ec.SECP256R1())
    c = P256
    be32 = lambda v: v.to_bytes(32, "big")  # noqa: E731
    parameters = seq(
        integer(1),
        seq(oid("1.2.840.10045.1.1"), integer(c["p"])),
        seq(octets(be32(c["p"] - 3)), octets(be32(c["b"]))),
        octets(b"\x04" + be32(c["gx"]) + be32(c["gy"])),
        integer(c["n"]),
        integer(1),
    )
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    spki = seq(seq(oid("1.2.840.10045.2.1"), parameters), bits(point))
    return signed_request(cn("explicit.contoso.lab"), spki, [], key, "sha256")


def mixed_sans(key) -> bytes:
    upn = x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), utf8("administrator@contoso.lab"))
    other = x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.25.1"), octets(b"\x01\x02"))
    names = [
        x509.DNSName("mail.contoso.lab"),
        x509.IPAddress(ipaddress.ip_address("192.0.2.10")),
        x509.IPAddress(ipaddress.ip_address("2001:db8:0:0:0:0:0:1")),
        x509.RFC822Name("administrator@contoso.lab"),
        x509.UniformResourceIdentifier("https://mail.contoso.lab/owa"),
        upn,
        other,
        x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Mail")])),
        x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4")),
    ]
    builder = x509.CertificateSigningRequestBuilder().subject_name(cn("mail.contoso.lab"))
    return built(builder.add_extension(x509.SubjectAlternativeName(names), critical=False), key)


def dns_with_nul(key) -> bytes:
    san = extension("2.5.29.17", seq(tlv(0x82, b"mail.contoso.lab\x00.evil.example")))
    return signed_request(cn("mail.contoso.lab"), spki_of(key), [extension_request(san)], key, "sha256")


def self_signed_certificate(key) -> bytes:
    import datetime

    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(cn("not-a-request.contoso.lab")).issuer_name(cn("not-a-request.contoso.lab"))
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())

    # What `openssl req -new -newkey rsa:2048 -subj /CN=mail.contoso.lab -addext subjectAltName=…` writes.
    rsa2048 = built(with_dns(CONTOSO), rsa_key)
    write("rsa2048.pem", pem(rsa2048))
    write("ec-p256.pem", pem(built(with_dns(CONTOSO), ec_key)))

    windows = windows_exchange()
    write("windows-exchange.pem", pem(windows, "NEW CERTIFICATE REQUEST", "\r\n"))
    write("windows-exchange-utf16le.req", b"\xff\xfe" + pem(windows, "NEW CERTIFICATE REQUEST", "\r\n").encode("utf-16-le"))
    write("windows-exchange.b64", base64_lines(windows, "\r\n"))
    write("windows-exchange.der", windows)

    # Hostile or refused by policy.
    write("ec-explicit-curve.pem", pem(ec_explicit()))
    tampered = bytearray(rsa2048)
    tampered[-10] ^= 0x01  # inside the signature BIT STRING, the request's last field
    write("rsa2048-tampered-signature.pem", pem(bytes(tampered)))
    write("sans-101.pem", pem(built(with_dns([f"host{i}.contoso.lab" for i in range(101)]), ec_key)))
    write("sans-100.pem", pem(built(with_dns([f"host{i}.contoso.lab" for i in range(100)]), ec_key)))
    write("sans-mixed.pem", pem(mixed_sans(ec_key)))
    write("san-dns-nul.pem", pem(dns_with_nul(ec_key)))
    write("dsa2048.pem", pem(built(with_dns(CONTOSO), dsa.generate_private_key(key_size=2048))))
    write("ed25519.pem", pem(built(with_dns(CONTOSO), ed25519.Ed25519PrivateKey.generate(), None)))
    write("rsa3072-e3.pem", pem(built(with_dns(CONTOSO), rsa.generate_private_key(public_exponent=3, key_size=3072))))
    write("rsa1024.pem", pem(built(with_dns(CONTOSO), rsa.generate_private_key(public_exponent=65537, key_size=1024))))
    write("certificate.der", self_signed_certificate(ec_key))
    write("certificate.pem", pem(self_signed_certificate(ec_key), "CERTIFICATE"))


if __name__ == "__main__":
    main()
