#!/usr/bin/env python3
"""Writes the requests and non-requests of test_issuance_rejections.sh into a folder.

    python3 make_hostile_requests.py OUT_DIR VALID_REQUEST.pem VALID_REQUEST.der CERTIFICATE.der

Every file is named after the case it serves (<case>.req); the test submits each one and checks
the refusal. Requests are assembled as DER and signed with a fresh P-256 key, so a request can
carry what `openssl req` and the `cryptography` builder refuse to write (a 65-character CN, a
U-label, a NUL, a control byte in the subject, a Windows template-name extension). Keys whose
size or exponent is what policy refuses are written with a made-up modulus and a junk signature:
the key check comes before the signature check, and making a real 8200-bit key takes minutes.
Random inputs use a fixed seed, so a failure reproduces byte for byte.
"""

import base64
import pathlib
import random
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

warnings.filterwarnings("ignore")  # cryptography warns about a CN over 64 characters: that is the point

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
    return tlv(0x31, b"".join(sorted(items)))


def integer(n: int) -> bytes:
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big"))


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


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def bits(b: bytes) -> bytes:
    return tlv(0x03, b"\x00" + b)


def bmp(s: str) -> bytes:
    return tlv(0x1E, s.encode("utf-16-be"))


def utf8(s: str) -> bytes:
    return tlv(0x0C, s.encode("utf-8"))


NULL = b"\x05\x00"

# ---- names ----


def name(*pairs) -> bytes:
    """An X.501 Name from (oid, text) pairs, each value a UTF8String written as given (no checks)."""
    return seq(*(set_of(seq(oid(o), tlv(0x0C, v.encode("utf-8") if isinstance(v, str) else v))) for o, v in pairs))


CN = "2.5.4.3"
O = "2.5.4.10"


def dns(host) -> bytes:
    return tlv(0x82, host.encode("utf-8") if isinstance(host, str) else host)


def ip(octets_: bytes) -> bytes:
    return tlv(0x87, octets_)


def email(addr: str) -> bytes:
    return tlv(0x81, addr.encode())


def uri(u: str) -> bytes:
    return tlv(0x86, u.encode())


def upn(u: str) -> bytes:
    # otherName [0] { type-id, [0] EXPLICIT UTF8String }
    return tlv(0xA0, oid("1.3.6.1.4.1.311.20.2.3") + tlv(0xA0, utf8(u)))


def extension(ext_oid: str, value: bytes) -> bytes:
    return seq(oid(ext_oid), octets(value))


def extension_request(*extensions: bytes) -> bytes:
    return seq(oid("1.2.840.113549.1.9.14"), set_of(seq(*extensions)))


def san(*general_names: bytes) -> bytes:
    return extension("2.5.29.17", seq(*general_names))


def template_name(t: str) -> bytes:
    return extension("1.3.6.1.4.1.311.20.2", bmp(t))


# ---- requests ----

EC_KEY = ec.generate_private_key(ec.SECP256R1())
ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))
SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), NULL)


def spki_of(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def request(subject: bytes, extensions=(), key=EC_KEY, attributes=()) -> bytes:
    attrs = list(attributes) + ([extension_request(*extensions)] if extensions else [])
    info = seq(integer(0), subject, spki_of(key), tlv(0xA0, b"".join(attrs)))
    return seq(info, ECDSA_SHA256, bits(key.sign(info, ec.ECDSA(hashes.SHA256()))))


def fake_rsa_request(modulus_bits: int, exponent: int) -> bytes:
    """An RSA key that is only a made-up odd modulus of exactly `modulus_bits` bits, and a junk signature."""
    rng = random.Random(modulus_bits * 7 + exponent)
    n = rng.getrandbits(modulus_bits) | (1 << (modulus_bits - 1)) | 1
    rsa_public_key = seq(integer(n), integer(exponent))
    spki = seq(seq(oid("1.2.840.113549.1.1.1"), NULL), bits(rsa_public_key))
    info = seq(integer(0), name((CN, "mail.contoso.lab")), spki, tlv(0xA0, extension_request(san(dns("mail.contoso.lab")))))
    return seq(info, SHA256_RSA, bits(rng.randbytes(modulus_bits // 8)))


def pem(der: bytes, label: str = "CERTIFICATE REQUEST") -> bytes:
    text = base64.b64encode(der).decode()
    lines = "".join(text[i : i + 64] + "\n" for i in range(0, len(text), 64))
    return f"-----BEGIN {label}-----\n{lines}-----END {label}-----\n".encode()


HOST = "mail.contoso.lab"
HOST_SAN = dns(HOST)
SUBJECT = name((CN, HOST))


def long_dns(length: int) -> str:
    """A valid-looking DNS name of exactly `length` characters: 63-character labels, then '.lab'."""
    labels, left = [], length - len(".lab")
    while left > 63:
        labels.append("a" * 63)
        left -= 64
    labels.append("b" * left)
    return ".".join(labels) + ".lab"


def policy_cases() -> dict:
    cn65 = "a" * (65 - len(".contoso.lab")) + ".contoso.lab"
    cn64 = "a" * (64 - len(".contoso.lab")) + ".contoso.lab"
    assert len(cn65) == 65 and len(cn64) == 64 and len(long_dns(254)) == 254 and len(long_dns(253)) == 253
    secp256k1 = ec.generate_private_key(ec.SECP256K1())
    return {
        # names in the subject
        "cn-65-chars": request(name((CN, cn65)), [san(HOST_SAN)]),
        "cn-64-chars": request(name((CN, cn64))),  # the boundary: accepted
        "cn-not-host-no-san": request(name((O, "Contoso"), (CN, "Contoso Mail"))),
        "no-cn-no-san": request(name((O, "Contoso"))),
        "cn-cyrillic-lookalike": request(name((CN, "m\u0430il.contoso.lab")), [san(HOST_SAN)]),  # U+0430
        "cn-control-byte": request(name((CN, "mail.contoso.lab\x07")), [san(HOST_SAN)]),
        "subject-control-byte": request(name((O, "Contoso\x01Lab"), (CN, HOST)), [san(HOST_SAN)]),
        "subject-nul-byte": request(name((O, "Contoso\x00Lab"), (CN, HOST)), [san(HOST_SAN)]),
        # SAN types
        "san-email": request(SUBJECT, [san(HOST_SAN, email("administrator@contoso.lab"))]),
        "san-uri": request(SUBJECT, [san(HOST_SAN, uri("https://mail.contoso.lab/owa"))]),
        "san-upn": request(SUBJECT, [san(HOST_SAN, upn("administrator@contoso.lab"))]),
        # DNS names
        "dns-u-label": request(SUBJECT, [san(HOST_SAN, dns("b\u00fccher.contoso.lab"))]),
        "dns-partial-wildcard": request(SUBJECT, [san(HOST_SAN, dns("mail*.contoso.lab"))]),
        "dns-wildcard-not-leftmost": request(SUBJECT, [san(HOST_SAN, dns("mail.*.contoso.lab"))]),
        "dns-wildcard-over-tld": request(SUBJECT, [san(HOST_SAN, dns("*.lab"))]),
        "dns-254-chars": request(SUBJECT, [san(HOST_SAN, dns(long_dns(254)))]),
        "dns-253-chars": request(SUBJECT, [san(HOST_SAN, dns(long_dns(253)))]),  # the boundary: accepted
        "dns-underscore": request(SUBJECT, [san(HOST_SAN, dns("mail_server.contoso.lab"))]),
        "dns-control-byte": request(SUBJECT, [san(HOST_SAN, dns("mail.contoso.lab\x1b[2J"))]),
        # keys
        "ec-secp256k1": request(SUBJECT, [san(HOST_SAN)], key=secp256k1),
        "rsa-8200-bits": fake_rsa_request(8200, 65537),
        "rsa-even-exponent": fake_rsa_request(2048, 65538),
        "rsa-exponent-17": fake_rsa_request(2048, 17),
        # templates named inside the request
        "names-subca-template": request(name((CN, "Contoso Sub CA")), [template_name("SubCA")]),
        "names-unknown-template": request(SUBJECT, [san(HOST_SAN), template_name("NoSuchTemplate")]),
        # parse as PKCS#10, but are refused while decoding (the contract is not explicit about their row)
        "rsa-exponent-81-bits": fake_rsa_request(2048, (1 << 80) + 1),
        "san-ip-5-octets": request(SUBJECT, [san(HOST_SAN, ip(b"\x0a\x00\x00\x01\x05"))]),
    }


def nested_indefinite(levels: int) -> bytes:
    return b"\x30\x80" * levels


def nested_definite(levels: int) -> bytes:
    content = b""
    for _ in range(levels):
        content = b"\x30\x83" + len(content).to_bytes(3, "big") + content
    return content


def hostile_cases(valid_pem: bytes, valid_der: bytes, certificate_der: bytes) -> dict:
    rng = random.Random(20260101)
    five_mib = 5 * 1024 * 1024
    body = base64.b64encode(rng.randbytes(five_mib * 3 // 4)).decode()
    huge_pem = ("-----BEGIN CERTIFICATE REQUEST-----\n" + "".join(body[i : i + 64] + "\n" for i in range(0, len(body), 64))
                + "-----END CERTIFICATE REQUEST-----\n").encode()
    pem_lines = valid_pem.decode().splitlines(keepends=True)
    # Cut the Base64 body at a 4-character boundary, so it still decodes, into half a request.
    b64 = base64.b64encode(valid_der).decode()
    half = b64[: (len(b64) // 2) // 4 * 4]
    junk_b64 = base64.b64encode(rng.randbytes(300)).decode()
    garbage_seq_b64 = base64.b64encode(b"\x30\x82\x01\x00" + rng.randbytes(256)).decode()
    key_pem = EC_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    junk = "Get-ExchangeCertificate: junk where a request should be \u2603\r\n" * 4
    return {
        "empty": b"",
        "blank-lines": b"\r\n  \n\t\n",
        "random-1k": rng.randbytes(1024),
        "random-1k-der-tag": b"\x30" + rng.randbytes(1023),
        "truncated-pem-no-end": "".join(pem_lines[: len(pem_lines) // 2]).encode(),
        "truncated-pem-body": pem(base64.b64decode(half)),
        "truncated-der": valid_der[: len(valid_der) // 2],
        "der-trailing-data": valid_der + b"\x00\x00\x01",
        "random-5m": rng.randbytes(five_mib),
        "pem-5m": huge_pem,
        "nested-indefinite-100000": nested_indefinite(100000),
        "nested-indefinite-32000": nested_indefinite(32000),
        "nested-definite-13000": nested_definite(13000),
        "certificate-pem": pem(certificate_der, "CERTIFICATE"),
        "certificate-der": certificate_der,
        "garbage-base64": "\n".join(junk_b64[i : i + 64] for i in range(0, len(junk_b64), 64)).encode() + b"\n",
        "garbage-base64-sequence": garbage_seq_b64.encode() + b"\n",
        "not-base64-text": b"this is not a request, it is a note about one\n",
        "utf16le-bom-junk": b"\xff\xfe" + junk.encode("utf-16-le"),
        "utf16be-bom-junk": b"\xfe\xff" + junk.encode("utf-16-be"),
        "utf16le-bom-odd-length": b"\xff\xfe" + junk.encode("utf-16-le") + b"\x41",
        "utf16le-bom-lone-surrogate": b"\xff\xfe" + "abc".encode("utf-16-le") + b"\x00\xd8" + "def".encode("utf-16-le"),
        "private-key-pem": key_pem + valid_pem,
        "pkcs7-pem": pem(valid_der, "PKCS7"),
    }


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    valid_pem = pathlib.Path(sys.argv[2]).read_bytes()
    valid_der = pathlib.Path(sys.argv[3]).read_bytes()
    certificate_der = pathlib.Path(sys.argv[4]).read_bytes()
    (out / "policy").mkdir(parents=True, exist_ok=True)
    (out / "hostile").mkdir(parents=True, exist_ok=True)
    for case, der in policy_cases().items():
        (out / "policy" / f"{case}.req").write_bytes(pem(der))
    for case, data in hostile_cases(valid_pem, valid_der, certificate_der).items():
        (out / "hostile" / f"{case}.req").write_bytes(data)


if __name__ == "__main__":
    main()
