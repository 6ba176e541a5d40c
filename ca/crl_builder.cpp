#include "crl_builder.h"

#include <array>
#include <cctype>
#include <memory>

#include "certificate_builder.h"
#include "error.h"

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

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The magnitude of a hex serial as big-endian bytes, leading zero bytes dropped
// ({0} for zero): what an ASN1_INTEGER holds for a positive number.
void serial_bytes(const std::string& hex, Bytes& out) {
  out.clear();
  bool ok = !hex.empty();
  for (size_t i = 0; ok && i < hex.size();) {
    const int high = (hex.size() - i) % 2 == 1 ? 0 : hex_value(hex[i++]);  // odd length: an implied leading 0
    const int low = hex_value(hex[i++]);
    ok = high >= 0 && low >= 0;
    if (ok && (high != 0 || low != 0 || !out.empty())) out.push_back(static_cast<unsigned char>(high << 4 | low));
  }
  if (!ok) throw Error(ErrorKind::invalid_input, "\"" + hex + "\" is not a serial number in hex");
  if (out.empty()) out.push_back(0);
}

// ossl.h has no deleters for these two; local until it does.
struct RevokedFree {
  void operator()(X509_REVOKED* p) const noexcept { X509_REVOKED_free(p); }
};
struct DistPointFree {
  void operator()(DIST_POINT* p) const noexcept { DIST_POINT_free(p); }
};

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
  std::unique_ptr<DIST_POINT, DistPointFree> point(check_ptr(DIST_POINT_new(), "allocating a distribution point"));
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
  const auto time = to_asn1_time(when);
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_TIME(time.get(), &der);
  if (len <= 0) throw_openssl("encoding the next CRL publish time");
  auto octets = ossl::adopt(ASN1_OCTET_STRING_new());
  const int set = octets ? ASN1_OCTET_STRING_set(octets.get(), der, len) : 0;
  OPENSSL_free(der);
  check_one(set, "encoding the next CRL publish time");
  auto oid = ossl::adopt(check_ptr(OBJ_txt2obj(next_crl_publish_oid, 1), "next CRL publish OID"));
  return ossl::adopt(check_ptr(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, octets.get()),
                               "building the next CRL publish extension"));
}

// One reasonCode extension per code, built once and copied into each entry that needs it.
class ReasonExtensions {
 public:
  X509_EXTENSION* get(int code) {
    auto& ext = by_code_.at(static_cast<size_t>(code));
    if (!ext) {
      auto value = ossl::adopt(check_ptr(ASN1_ENUMERATED_new(), "allocating a reason code"));
      check_one(ASN1_ENUMERATED_set(value.get(), code), "setting a reason code");
      ext = extension_of(NID_crl_reason, false, value.get(), "reason code");
    }
    return ext.get();
  }

 private:
  std::array<ossl::Ptr<X509_EXTENSION>, remove_from_crl + 1> by_code_;
};

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

void add_entries(X509_CRL* crl, const CrlSpec& spec) {
  ReasonExtensions reasons;
  auto serial = ossl::adopt(check_ptr(ASN1_INTEGER_new(), "allocating a serial"));
  Bytes bytes;
  for (const CrlEntry& entry : spec.entries) {
    const bool has_reason = !entry.reason.empty() && entry.reason != user_reasons[0];
    const int code = has_reason ? revocation_reason_code(entry.reason) : 0;
    if (code == remove_from_crl && !spec.delta_of) {
      throw Error(ErrorKind::invalid_input, "removeFromCRL (serial " + entry.serial + ") belongs in a delta CRL only");
    }
    serial_bytes(entry.serial, bytes);
    check_one(ASN1_STRING_set(serial.get(), bytes.data(), static_cast<int>(bytes.size())), "setting a serial");

    std::unique_ptr<X509_REVOKED, RevokedFree> revoked(check_ptr(X509_REVOKED_new(), "allocating a CRL entry"));
    check_one(X509_REVOKED_set_serialNumber(revoked.get(), serial.get()), "setting a CRL entry's serial");
    check_one(X509_REVOKED_set_revocationDate(revoked.get(), to_asn1_time(entry.revoked_at).get()),
              "setting a revocation date");
    if (has_reason) check_one(X509_REVOKED_add_ext(revoked.get(), reasons.get(code), -1), "adding a reason code");
    check_one(X509_CRL_add0_revoked(crl, revoked.get()), "adding a CRL entry");
    revoked.release();
  }
  check_one(X509_CRL_sort(crl), "sorting CRL entries");

  const STACK_OF(X509_REVOKED)* sorted = X509_CRL_get_REVOKED(crl);
  for (int i = 1; i < sk_X509_REVOKED_num(sorted); ++i) {
    const ASN1_INTEGER* a = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(sorted, i - 1));
    const ASN1_INTEGER* b = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(sorted, i));
    if (ASN1_INTEGER_cmp(a, b) == 0) {
      throw Error(ErrorKind::invalid_input,
                  "serial " + to_hex_lower(ASN1_STRING_get0_data(a), static_cast<size_t>(ASN1_STRING_length(a))) +
                      " is listed twice");
    }
  }
}

void add_extension(X509_CRL* crl, ossl::Ptr<X509_EXTENSION> ext) {
  check_one(X509_CRL_add_ext(crl, ext.get(), -1), "adding a CRL extension");
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

int revocation_reason_code(const std::string& name) {
  if (name.empty()) return 0;
  for (size_t code = 0; code < user_reasons.size(); ++code) {
    if (name == user_reasons[code]) return static_cast<int>(code);
  }
  if (name == remove_from_crl_name) return remove_from_crl;
  throw Error(ErrorKind::invalid_input, "\"" + name + "\" is not a canonical revocation reason name");
}

Bytes sign_crl(const CrlSpec& spec, const PrivateKey& key) {
  check_spec(spec);
  X509* issuer = spec.issuer.native();
  if (!key.matches(X509_get0_pubkey(issuer))) {
    throw Error(ErrorKind::invalid_input, "the signing key is not the key of \"" + spec.issuer.subject() + "\"");
  }
  auto crl = ossl::adopt(check_ptr(X509_CRL_new(), "allocating a CRL"));
  check_one(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "setting the CRL version");
  // Byte-identical issuer name: clients match a CRL to its CA by comparing encodings.
  check_one(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)), "setting the CRL issuer");
  check_one(X509_CRL_set1_lastUpdate(crl.get(), to_asn1_time(spec.this_update).get()), "setting thisUpdate");
  check_one(X509_CRL_set1_nextUpdate(crl.get(), to_asn1_time(spec.next_update).get()), "setting nextUpdate");
  add_entries(crl.get(), spec);

  add_extension(crl.get(), authority_key_id(spec.issuer));
  add_extension(crl.get(), crl_number(NID_crl_number, spec.number, false, "CRL number"));
  if (spec.delta_of) {
    add_extension(crl.get(), crl_number(NID_delta_crl, *spec.delta_of, true, "delta CRL indicator"));
  } else if (!spec.freshest_crl_url.empty()) {
    // RFC 5280 5.2.6: Freshest CRL MUST NOT appear in a delta CRL, so a delta ignores the URL.
    add_extension(crl.get(), freshest_crl(spec.freshest_crl_url));
  }
  if (spec.next_publish) add_extension(crl.get(), next_crl_publish(*spec.next_publish));

  if (X509_CRL_sign(crl.get(), key.native(), key.signature_digest()) <= 0) throw_openssl("signing a CRL");
  // Sized first and encoded in place: a million-entry CRL is tens of megabytes.
  const int len = i2d_X509_CRL(crl.get(), nullptr);
  if (len <= 0) throw_openssl("encoding a CRL");
  Bytes der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  if (i2d_X509_CRL(crl.get(), &out) != len) throw_openssl("encoding a CRL");
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
