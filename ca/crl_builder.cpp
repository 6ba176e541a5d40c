#include "crl_builder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "certificate_builder.h"
#include "der.h"
#include "error.h"
#include "serial.h"

namespace pocketca {
namespace {

// CRLReason codes 0–6 as `revoke` takes them, in code order (RFC 5280 5.3.1;
// 7 is unused, 8 removeFromCRL is internal). The contract spells code 2 "caCompromise".
constexpr std::array<const char*, 7> user_reasons = {
    "unspecified", "keyCompromise", "caCompromise", "affiliationChanged",
    "superseded",  "cessationOfOperation", "certificateHold"};
constexpr int remove_from_crl = 8;
constexpr const char* remove_from_crl_name = "removeFromCRL";
constexpr const char* next_crl_publish_oid = "1.3.6.1.4.1.311.21.4";

bool equals_ignoring_case(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Appends the magnitude of a hex serial to `out` as big-endian bytes, leading zero bytes
// dropped ({0} for zero): what an ASN1_INTEGER holds for a positive number. Returns false,
// with `out` as it was, when `hex` is empty or not hex.
bool append_serial_bytes(std::string_view hex, Bytes& out) {
  const size_t start = out.size();
  bool ok = !hex.empty();
  for (size_t i = 0; ok && i < hex.size();) {
    const int high = (hex.size() - i) % 2 == 1 ? 0 : hex_digit_value(hex[i++]);  // odd length: an implied leading 0
    const int low = hex_digit_value(hex[i++]);
    ok = high >= 0 && low >= 0;
    if (ok && (high != 0 || low != 0 || out.size() > start)) out.push_back(static_cast<unsigned char>(high << 4 | low));
  }
  if (!ok) {
    out.resize(start);
    return false;
  }
  if (out.size() == start) out.push_back(0);
  return true;
}

// A time as DER: UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 5.1.2.4),
// as ASN1_TIME_adj would choose and write it. Written here because ASN1_TIME_adj formats
// through BIO_snprintf, which took a fifth of a large CRL's time; the tests compare the
// two byte for byte. `out` has room for 17 bytes; returns how many were written.
size_t put_time_der(Time t, unsigned char* out) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{t - day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) throw Error(ErrorKind::invalid_input, "a CRL cannot say a time before year 0 or after 9999");
  const bool utc_time = year >= 1950 && year <= 2049;
  size_t n = 0;
  out[n++] = utc_time ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
  out[n++] = utc_time ? 13 : 15;
  const auto two_digits = [&](long value) {
    out[n++] = static_cast<unsigned char>('0' + value / 10);
    out[n++] = static_cast<unsigned char>('0' + value % 10);
  };
  if (!utc_time) two_digits(year / 100);
  two_digits(year % 100);
  two_digits(static_cast<unsigned>(date.month()));
  two_digits(static_cast<unsigned>(date.day()));
  two_digits(time.hours().count());
  two_digits(time.minutes().count());
  two_digits(time.seconds().count());
  out[n++] = 'Z';
  return n;
}

Bytes time_der(Time t) {
  unsigned char der[17];
  return Bytes(der, der + put_time_der(t, der));
}

ossl::Ptr<X509_EXTENSION> extension_of(int nid, bool critical, void* value, const char* what) {
  auto ext = ossl::adopt(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
  if (!ext) throw_openssl(std::string("building the ") + what + " extension");
  return ext;
}

ossl::Ptr<X509_EXTENSION> authority_key_id(const Certificate& issuer) {
  const Bytes ski = issuer.subject_key_id();
  if (ski.empty()) {
    throw Error(ErrorKind::invalid_input, "the CA certificate \"" + issuer.subject() +
                                              "\" has no subject key identifier, which a CRL's authority key "
                                              "identifier must repeat");
  }
  // keyid only: an issuer name and serial would tie the CRL to one certificate of the CA key.
  auto aki = ossl::adopt(check_ptr(AUTHORITY_KEYID_new(), "allocating an authority key identifier"));
  aki->keyid = check_ptr(ASN1_OCTET_STRING_new(), "allocating an authority key identifier");
  check_one(ASN1_OCTET_STRING_set(aki->keyid, ski.data(), static_cast<int>(ski.size())), "setting the key identifier");
  return extension_of(NID_authority_key_identifier, false, aki.get(), "authority key identifier");
}

ossl::Ptr<X509_EXTENSION> crl_number(int nid, int64_t number, bool critical, const char* what) {
  auto value = ossl::adopt(check_ptr(ASN1_INTEGER_new(), "allocating a CRL number"));
  check_one(ASN1_INTEGER_set_int64(value.get(), number), "setting a CRL number");
  return extension_of(nid, critical, value.get(), what);
}

ossl::Ptr<X509_EXTENSION> freshest_crl(const std::string& url) {
  if (!is_publishable_url(url)) throw Error(ErrorKind::invalid_input, "\"" + url + "\" is not a usable delta CRL URL");
  auto uri = ossl::adopt(check_ptr(ASN1_IA5STRING_new(), "allocating a URI"));
  check_one(ASN1_STRING_set(uri.get(), url.data(), static_cast<int>(url.size())), "setting a URI");
  auto name = ossl::adopt(check_ptr(GENERAL_NAME_new(), "allocating a URI"));
  GENERAL_NAME_set0_value(name.get(), GEN_URI, uri.release());
  auto point = ossl::adopt(check_ptr(DIST_POINT_new(), "allocating a distribution point"));
  point->distpoint = check_ptr(DIST_POINT_NAME_new(), "allocating a distribution point name");
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = check_ptr(GENERAL_NAMES_new(), "allocating a distribution point name");
  if (sk_GENERAL_NAME_push(point->distpoint->name.fullname, name.get()) == 0) throw_openssl("adding a URI");
  name.release();
  auto points = ossl::adopt(check_ptr(CRL_DIST_POINTS_new(), "allocating distribution points"));
  if (sk_DIST_POINT_push(points.get(), point.get()) == 0) throw_openssl("adding a distribution point");
  point.release();
  return extension_of(NID_freshest_crl, false, points.get(), "freshest CRL");
}

// AD CS's hint of when the next CRL comes out: the extension value is a DER Time.
ossl::Ptr<X509_EXTENSION> next_crl_publish(Time when) {
  const Bytes value = time_der(when);
  auto octets = ossl::adopt(check_ptr(ASN1_OCTET_STRING_new(), "allocating the next CRL publish time"));
  check_one(ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())),
            "setting the next CRL publish time");
  auto oid = ossl::adopt(check_ptr(OBJ_txt2obj(next_crl_publish_oid, 1), "next CRL publish OID"));
  return ossl::adopt(check_ptr(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, octets.get()),
                               "building the next CRL publish extension"));
}

void check_spec(const CrlSpec& spec) {
  if (spec.number < 0) throw Error(ErrorKind::invalid_input, "a CRL number cannot be negative");
  if (spec.delta_of && (*spec.delta_of < 0 || *spec.delta_of >= spec.number)) {
    throw Error(ErrorKind::invalid_input, "delta CRL " + std::to_string(spec.number) +
                                              " must come after its base CRL " + std::to_string(*spec.delta_of));
  }
  if (spec.next_update <= spec.this_update) {
    throw Error(ErrorKind::invalid_input, "a CRL's next update (" + to_iso8601(spec.next_update) +
                                              ") must be after its this update (" + to_iso8601(spec.this_update) + ")");
  }
}

// The revokedCertificates list is written here as DER rather than as an X509_REVOKED
// per entry: OpenSSL allocates a dozen objects for each and re-walks them at every
// nesting level when encoding, so a million entries took ~5 s and ~320 MB on top of
// the input. Written straight into the output they take ~1 s and ~100 MB. Everything
// around the list (version, issuer, times, extensions, algorithms, signature) is
// still OpenSSL's, and the tests check the list is exactly what OpenSSL would write.

constexpr unsigned char der_bit_string = 0x03;
constexpr unsigned char der_sequence = 0x30;
constexpr size_t max_header_size = 2 + sizeof(size_t);

// A DER tag and definite length (X.690 8.1.3): short form below 128, long form above.
// A value, not a Bytes: a million entries need two each.
struct Header {
  std::array<unsigned char, max_header_size> bytes{};
  size_t size = 0;

  Header(unsigned char tag, size_t length) {
    bytes[size++] = tag;
    if (length < 0x80) {
      bytes[size++] = static_cast<unsigned char>(length);
      return;
    }
    int count = 0;
    for (size_t rest = length; rest != 0; rest >>= 8) ++count;
    bytes[size++] = static_cast<unsigned char>(0x80 | count);
    for (int i = count - 1; i >= 0; --i) bytes[size++] = static_cast<unsigned char>(length >> (8 * i));
  }
  void append_to(Bytes& out) const {
    out.insert(out.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
  }
};

// Copies `bytes` into the room left in `der` just before `at`; returns where they start.
size_t put_before(Bytes& der, size_t at, const unsigned char* bytes, size_t size) {
  if (size > at) throw Error(ErrorKind::crypto, "no room left in front of the CRL entries");
  std::copy(bytes, bytes + size, der.begin() + static_cast<std::ptrdiff_t>(at - size));
  return at - size;
}
size_t put_before(Bytes& der, size_t at, const Header& h) { return put_before(der, at, h.bytes.data(), h.size); }
size_t put_before(Bytes& der, size_t at, const Bytes& b) { return put_before(der, at, b.data(), b.size()); }

// crlEntryExtensions holding one non-critical reasonCode, encoded by OpenSSL once per code.
class ReasonExtensions {
 public:
  const Bytes& get(int code) {
    Bytes& der = by_code_.at(static_cast<size_t>(code));
    if (der.empty()) {
      auto value = ossl::adopt(check_ptr(ASN1_ENUMERATED_new(), "allocating a reason code"));
      check_one(ASN1_ENUMERATED_set(value.get(), code), "setting a reason code");
      STACK_OF(X509_EXTENSION)* raw = nullptr;
      const int added = X509V3_add1_i2d(&raw, NID_crl_reason, value.get(), 0, X509V3_ADD_APPEND);
      ossl::Ptr<STACK_OF(X509_EXTENSION)> extensions(raw);
      check_one(added, "building a reason code");
      unsigned char* out = nullptr;
      const int len = i2d_X509_EXTENSIONS(extensions.get(), &out);
      der = take_der(out, len, "encoding a reason code");
    }
    return der;
  }

 private:
  std::array<Bytes, remove_from_crl + 1> by_code_;
};

using Entry = CrlEntries::Entry;

// The entries ordered by serial value; duplicates and a base CRL's removeFromCRL refused.
std::vector<Entry> sorted_entries(const CrlSpec& spec) {
  const Bytes& serials = spec.entries.serials();
  const auto hex = [&serials](const Entry& e) { return to_hex_lower(&serials[e.offset], e.size); };
  std::vector<Entry> order = spec.entries.entries();
  if (!spec.delta_of) {
    for (const Entry& e : order) {
      if (e.reason == remove_from_crl) {
        throw Error(ErrorKind::invalid_input, "removeFromCRL (serial " + hex(e) + ") belongs in a delta CRL only");
      }
    }
  }
  // Minimal big-endian magnitudes: shorter is smaller, then byte order (ASN1_INTEGER_cmp's order).
  const auto compare = [&serials](const Entry& a, const Entry& b) {
    if (a.size != b.size) return a.size < b.size ? -1 : 1;
    if (a.prefix != b.prefix) return a.prefix < b.prefix ? -1 : 1;
    return a.size <= 8 ? 0 : std::memcmp(&serials[a.offset + 8], &serials[b.offset + 8], a.size - 8u);
  };
  std::sort(order.begin(), order.end(), [&](const Entry& a, const Entry& b) { return compare(a, b) < 0; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (compare(order[i - 1], order[i]) == 0) {
      throw Error(ErrorKind::invalid_input, "serial " + hex(order[i]) + " is listed twice");
    }
  }
  return order;
}

// Appends the content of revokedCertificates (RFC 5280 5.1): for each entry by serial,
// SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }.
void append_entries(Bytes& der, const std::vector<Entry>& order, const Bytes& serials) {
  ReasonExtensions reasons;
  unsigned char date_der[17];
  size_t date_size = 0;
  std::optional<Time> date_is;  // what `date_der` holds: bulk revocations share times
  const Bytes no_extensions;
  for (const Entry& entry : order) {
    if (date_is != entry.revoked_at) {
      date_size = put_time_der(entry.revoked_at, date_der);
      date_is = entry.revoked_at;
    }
    const Bytes& extensions = entry.reason < 0 ? no_extensions : reasons.get(entry.reason);
    const unsigned char* serial = &serials[entry.offset];
    const bool pad = serial[0] >= 0x80;  // a positive INTEGER whose top bit is set gets a 00 in front
    const size_t integer_size = entry.size + (pad ? 1u : 0u);
    const Header integer_header(V_ASN1_INTEGER, integer_size);
    Header(der_sequence, integer_header.size + integer_size + date_size + extensions.size()).append_to(der);
    integer_header.append_to(der);
    if (pad) der.push_back(0);
    der.insert(der.end(), serial, serial + entry.size);
    der.insert(der.end(), date_der, date_der + date_size);
    der.insert(der.end(), extensions.begin(), extensions.end());
  }
}

void add_extension(X509_CRL* crl, ossl::Ptr<X509_EXTENSION> ext) {
  check_one(X509_CRL_add_ext(crl, ext.get(), -1), "adding a CRL extension");
}

// The CRL without its entries, signed once so that OpenSSL fills in both signature
// AlgorithmIdentifiers exactly as it would for any CRL signed with this key.
ossl::Ptr<X509_CRL> signed_frame(const CrlSpec& spec, const PrivateKey& key) {
  X509* issuer = spec.issuer.native();
  auto crl = ossl::adopt(check_ptr(X509_CRL_new(), "allocating a CRL"));
  check_one(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "setting the CRL version");
  // Byte-identical issuer name: clients match a CRL to its CA by comparing encodings.
  check_one(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)), "setting the CRL issuer");
  check_one(X509_CRL_set1_lastUpdate(crl.get(), to_asn1_time(spec.this_update).get()), "setting thisUpdate");
  check_one(X509_CRL_set1_nextUpdate(crl.get(), to_asn1_time(spec.next_update).get()), "setting nextUpdate");

  add_extension(crl.get(), authority_key_id(spec.issuer));
  add_extension(crl.get(), crl_number(NID_crl_number, spec.number, false, "CRL number"));
  if (spec.delta_of) {
    add_extension(crl.get(), crl_number(NID_delta_crl, *spec.delta_of, true, "delta CRL indicator"));
  } else if (!spec.freshest_crl_url.empty()) {
    // RFC 5280 5.2.6: Freshest CRL MUST NOT appear in a delta CRL, so a delta ignores the URL.
    add_extension(crl.get(), freshest_crl(spec.freshest_crl_url));
  }
  if (spec.next_publish) add_extension(crl.get(), next_crl_publish(*spec.next_publish));
  if (X509_CRL_sign_ctx(crl.get(), key.signing_context().get()) <= 0) throw_openssl("signing a CRL");
  return crl;
}

// The frame's tbsCertList content, split where revokedCertificates belongs:
// after version, signature, issuer, thisUpdate, nextUpdate; before the [0] extensions.
struct TbsParts {
  Bytes before;
  Bytes after;
};

TbsParts split_tbs(X509_CRL* frame) {
  unsigned char* raw = nullptr;
  const int raw_len = i2d_re_X509_CRL_tbs(frame, &raw);
  const Bytes tbs = take_der(raw, raw_len, "encoding a CRL");
  const unsigned char* p = tbs.data();
  long length = 0;
  int tag = 0;
  int cls = 0;
  const auto next = [&](const unsigned char* end) {
    if ((ASN1_get_object(&p, &length, &tag, &cls, end - p) & 0x80) != 0) throw_openssl("reading a CRL");
  };
  next(tbs.data() + tbs.size());
  const unsigned char* content = p;
  const unsigned char* end = p + length;
  for (int field = 0; field < 5; ++field) {
    next(end);
    p += length;
  }
  if (tag != V_ASN1_UTCTIME && tag != V_ASN1_GENERALIZEDTIME) throw Error(ErrorKind::crypto, "unexpected CRL layout");
  return {Bytes(content, p), Bytes(p, end)};
}

Bytes signature_over(const unsigned char* data, size_t size, const PrivateKey& key) {
  auto ctx = key.signing_context();
  size_t signature_size = 0;
  check_one(EVP_DigestSign(ctx.get(), nullptr, &signature_size, data, size), "signing a CRL");
  Bytes signature(signature_size);
  check_one(EVP_DigestSign(ctx.get(), signature.data(), &signature_size, data, size), "signing a CRL");
  signature.resize(signature_size);
  return signature;
}

Bytes algorithm_of(const X509_CRL* frame) {
  const X509_ALGOR* algorithm = nullptr;
  X509_CRL_get0_signature(frame, nullptr, &algorithm);
  unsigned char* raw = nullptr;
  const int raw_len = i2d_X509_ALGOR(algorithm, &raw);
  return take_der(raw, raw_len, "encoding the signature algorithm");
}

}  // namespace

std::string parse_revocation_reason(const std::string& text) {
  for (size_t code = 0; code < user_reasons.size(); ++code) {
    if (equals_ignoring_case(text, user_reasons[code]) || text == std::to_string(code)) return user_reasons[code];
  }
  std::string names;
  for (size_t code = 0; code < user_reasons.size(); ++code) {
    names += (code == 0 ? "" : ", ") + std::string(user_reasons[code]) + " (" + std::to_string(code) + ")";
  }
  throw Error(ErrorKind::invalid_input, "\"" + text + "\" is not a revocation reason; use one of " + names);
}

int revocation_reason_code(std::string_view name) {
  if (name.empty()) return 0;
  for (size_t code = 0; code < user_reasons.size(); ++code) {
    if (name == user_reasons[code]) return static_cast<int>(code);
  }
  if (name == remove_from_crl_name) return remove_from_crl;
  throw Error(ErrorKind::invalid_input, "\"" + std::string(name) + "\" is not a canonical revocation reason name");
}

CrlEntries::CrlEntries(std::initializer_list<CrlEntry> entries) {
  reserve(entries.size());
  for (const CrlEntry& entry : entries) add(entry);
}

void CrlEntries::reserve(size_t count) {
  entries_.reserve(count);
  serials_.reserve(count * serial_size);
}

void CrlEntries::clear() {
  entries_.clear();
  serials_.clear();
}

void CrlEntries::add(std::string_view serial, Time revoked_at, std::string_view reason) {
  // RFC 5280 5.3.1: unspecified is written as no reasonCode at all.
  const bool has_reason = !reason.empty() && reason != user_reasons[0];
  const int code = has_reason ? revocation_reason_code(reason) : -1;
  const size_t offset = serials_.size();
  if (!append_serial_bytes(serial, serials_)) {
    throw Error(ErrorKind::invalid_input, "\"" + std::string(serial) + "\" is not a serial number in hex");
  }
  const size_t size = serials_.size() - offset;
  if (size > UINT8_MAX || offset > UINT32_MAX) {
    serials_.resize(offset);
    throw Error(ErrorKind::invalid_input, "serial " + std::string(serial) + " is too long for a CRL");
  }
  uint64_t prefix = 0;
  for (size_t k = 0; k < 8; ++k) prefix = prefix << 8 | (k < size ? serials_[offset + k] : 0u);
  entries_.push_back(
      {prefix, revoked_at, static_cast<uint32_t>(offset), static_cast<uint8_t>(size), static_cast<int8_t>(code)});
}

Bytes sign_crl(const CrlSpec& spec, const PrivateKey& key) {
  check_spec(spec);
  if (!key.matches(spec.issuer.public_key())) {
    throw Error(ErrorKind::invalid_input, "the signing key is not the key of \"" + spec.issuer.subject() + "\"");
  }
  const std::vector<Entry> order = sorted_entries(spec);  // bad input throws before any signing
  const auto frame = signed_frame(spec, key);
  const TbsParts tbs = split_tbs(frame.get());

  // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }.
  // Written in one buffer: the entries first, after room for what goes in front of them,
  // which is filled in backwards once their size is known.
  const size_t room = 3 * max_header_size + tbs.before.size();
  Bytes der(room);
  der.reserve(room + order.size() * 64 + tbs.after.size() + 1024);
  append_entries(der, order, spec.entries.serials());
  const size_t list_size = der.size() - room;
  der.insert(der.end(), tbs.after.begin(), tbs.after.end());
  size_t start = room;
  if (list_size > 0) start = put_before(der, start, Header(der_sequence, list_size));  // none: absent (5.1.2.6)
  start = put_before(der, start, tbs.before);
  start = put_before(der, start, Header(der_sequence, der.size() - start));

  const Bytes signature = signature_over(&der[start], der.size() - start, key);
  const Bytes algorithm = algorithm_of(frame.get());
  der.insert(der.end(), algorithm.begin(), algorithm.end());
  Header(der_bit_string, signature.size() + 1).append_to(der);
  der.push_back(0);  // no unused bits
  der.insert(der.end(), signature.begin(), signature.end());
  start = put_before(der, start, Header(der_sequence, der.size() - start));
  der.erase(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(start));
  return der;
}

std::vector<std::string> crl_serials(const Bytes& der) {
  const unsigned char* p = der.data();
  auto crl = ossl::adopt(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size()) {
    const std::string detail = drain_openssl_errors();
    throw Error(ErrorKind::invalid_input, "not a DER CRL" + (detail.empty() ? "" : ": " + detail));
  }
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  std::vector<std::string> serials;
  serials.reserve(static_cast<size_t>(sk_X509_REVOKED_num(revoked) > 0 ? sk_X509_REVOKED_num(revoked) : 0));
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    // OpenSSL keeps an INTEGER as its magnitude, minimally encoded; Certificate::serial_hex's form.
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i));
    const unsigned char* data = ASN1_STRING_get0_data(serial);
    size_t size = static_cast<size_t>(ASN1_STRING_length(serial));
    while (size > 0 && *data == 0) {
      ++data;
      --size;
    }
    serials.push_back(size == 0 ? "00" : to_hex_lower(data, size));
  }
  return serials;
}

}  // namespace pocketca
