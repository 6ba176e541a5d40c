#include "csr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include "distinguished_name.h"
#include "error.h"
#include "public_key_decoder.h"
#include "request_intake.h"

namespace pocketca {
namespace {

constexpr std::string_view oid_upn = "1.3.6.1.4.1.311.20.2.3";
constexpr const char* oid_os_version = "1.3.6.1.4.1.311.13.2.3";
constexpr const char* oid_client_info = "1.3.6.1.4.1.311.21.20";
constexpr const char* oid_enrollment_csp = "1.3.6.1.4.1.311.13.2.2";
constexpr std::string_view oid_template_name = "1.3.6.1.4.1.311.20.2";
constexpr std::string_view oid_template_info = "1.3.6.1.4.1.311.21.7";

// No real RSA key has a longer public exponent (65537 has 17 bits); OpenSSL
// refuses longer ones itself above 3072-bit moduli. A 60 KiB exponent would
// cost seconds to verify with and to print, so it is refused at the door.
constexpr int max_rsa_exponent_bits = 64;

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorKind::invalid_request, message); }

// What DER that is not a request holds, when it is a file admins mix up with one.
std::optional<NotARequest> what_else_it_is(const Bytes& der) {
  const auto parses_as = [&der](auto d2i) {
    const unsigned char* p = der.data();
    return ossl::adopt(d2i(nullptr, &p, static_cast<long>(der.size()))) != nullptr;
  };
  std::optional<NotARequest> found;
  if (parses_as(d2i_X509)) {
    found = NotARequest::certificate;
  } else if (parses_as(d2i_PKCS7)) {
    found = NotARequest::pkcs7_chain;
  } else if (parses_as(d2i_PKCS12)) {
    found = NotARequest::pfx;
  } else if (parses_as(d2i_X509_CRL)) {
    found = NotARequest::crl;
  }
  (void)drain_openssl_errors();
  return found;
}

// OpenSSL's reasons for the last failure in words ("wrong tag; nested asn1
// error"), without the codes and library names; empties the queue.
std::string openssl_reasons() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    const std::string text = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(code));
    if (out.find(text) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? "it does not decode" : out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string oid_text(const ASN1_OBJECT* oid) {
  if (oid == nullptr) return "";
  const int len = OBJ_obj2txt(nullptr, 0, oid, 1);
  if (len <= 0) return "";
  std::string out(static_cast<size_t>(len) + 1, '\0');
  OBJ_obj2txt(out.data(), len + 1, oid, 1);
  out.resize(static_cast<size_t>(len));
  return out;
}

// The bytes exactly as encoded: a NUL or control byte stays for policy to see.
std::string bytes_of(const ASN1_STRING* s) {
  if (s == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

// Any ASN.1 string type as UTF-8; nullopt when it does not convert.
std::optional<std::string> utf8_of(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

// ---- requested SANs ----

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  char text[INET6_ADDRSTRLEN] = {};
  if (len != 4 && len != 16) {
    invalid("the request's subjectAltName holds an IP address of " + std::to_string(len) +
            " octets; an IP address has 4 (IPv4) or 16 (IPv6)");
  }
  inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof text);
  return text;
}

SubjectAltName other_name_of(const OTHERNAME* other) {
  using Type = SubjectAltName::Type;
  const std::string oid = oid_text(other->type_id);
  if (oid != oid_upn) return {Type::other_name, oid};
  const ASN1_TYPE* value = other->value;
  // A UPN that is not a UTF8String is still a UPN to policy, just without a value.
  if (value == nullptr || value->type != V_ASN1_UTF8STRING) return {Type::upn, ""};
  return {Type::upn, bytes_of(value->value.utf8string)};
}

SubjectAltName san_of(const GENERAL_NAME* name) {
  using Type = SubjectAltName::Type;
  switch (name->type) {
    case GEN_DNS: return {Type::dns, bytes_of(name->d.dNSName)};
    case GEN_EMAIL: return {Type::email, bytes_of(name->d.rfc822Name)};
    case GEN_URI: return {Type::uri, bytes_of(name->d.uniformResourceIdentifier)};
    case GEN_IPADD: return {Type::ip, ip_text(name->d.iPAddress)};
    case GEN_OTHERNAME: return other_name_of(name->d.otherName);
    case GEN_DIRNAME: return {Type::directory_name, to_rfc4514(name->d.directoryName)};
    case GEN_RID: return {Type::registered_id, oid_text(name->d.registeredID)};
    case GEN_X400: return {Type::x400, ""};
    default: return {Type::edi_party, ""};
  }
}

bool has_extension_request(const X509_REQ* req) {
  return X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) >= 0 || X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1) >= 0;
}

// The extensionRequest (or Microsoft's older attribute) as a stack, empty when
// there is none; nullptr when it is there but does not decode.
ossl::Ptr<STACK_OF(X509_EXTENSION)> requested_extensions(X509_REQ* req) {
  if (!has_extension_request(req)) return ossl::adopt(sk_X509_EXTENSION_new_null());
  return ossl::adopt(X509_REQ_get_extensions(req));
}

std::vector<SubjectAltName> requested_sans_of(X509_REQ* req) {
  auto extensions = requested_extensions(req);
  if (extensions == nullptr) invalid("the request's extensionRequest attribute is malformed: " + openssl_reasons());
  int critical = -1;
  auto names = ossl::adopt(
      static_cast<GENERAL_NAMES*>(X509V3_get_d2i(extensions.get(), NID_subject_alt_name, &critical, nullptr)));
  if (names == nullptr) {
    if (critical == -1) return {};  // no subjectAltName asked for
    if (critical == -2) invalid("the request asks for subjectAltName more than once");
    invalid("the request's subjectAltName extension is malformed: " + openssl_reasons());
  }
  const int count = sk_GENERAL_NAME_num(names.get());
  if (count > static_cast<int>(max_requested_sans)) {
    invalid("the request has " + std::to_string(count) + " SANs; at most " + std::to_string(max_requested_sans) +
            " are accepted — split the names over several certificates, or use a wildcard");
  }
  std::vector<SubjectAltName> sans;
  sans.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) sans.push_back(san_of(sk_GENERAL_NAME_value(names.get(), i)));
  return sans;
}

// ---- the public key, looked at before it is used ----

// The SubjectPublicKeyInfo's algorithm, read without loading the key.
struct KeyAlgorithm {
  const ASN1_OBJECT* oid = nullptr;
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
};

std::optional<KeyAlgorithm> key_algorithm_of(X509_REQ* req) {
  ASN1_OBJECT* oid = nullptr;
  X509_ALGOR* algorithm = nullptr;
  if (X509_PUBKEY_get0_param(&oid, nullptr, nullptr, &algorithm, X509_REQ_get_X509_PUBKEY(req)) != 1) {
    (void)drain_openssl_errors();
    return std::nullopt;
  }
  KeyAlgorithm out;
  X509_ALGOR_get0(&out.oid, &out.parameter_type, &out.parameter, algorithm);
  return out;
}

// An EC key whose parameters are not a named curve's OID: explicit (or implicitlyCA) parameters.
bool has_unnamed_curve(const KeyAlgorithm& algorithm) {
  return OBJ_obj2nid(algorithm.oid) == NID_X9_62_id_ecPublicKey && algorithm.parameter_type != V_ASN1_OBJECT;
}

bool is_rsa(const KeyAlgorithm& algorithm) {
  const int nid = OBJ_obj2nid(algorithm.oid);
  return nid == NID_rsaEncryption || nid == NID_rsassaPss;
}

std::string algorithm_of_oid(const ASN1_OBJECT* oid) {
  switch (OBJ_obj2nid(oid)) {
    case NID_rsaEncryption: return "RSA";
    case NID_rsassaPss: return "RSA-PSS";
    case NID_X9_62_id_ecPublicKey: return "EC";
    case NID_dsa: return "DSA";
    case NID_ED25519: return "ED25519";
    case NID_ED448: return "ED448";
    case NID_undef: return oid_text(oid);
    default: return upper(OBJ_nid2sn(OBJ_obj2nid(oid)));
  }
}

std::string curve_name(const ASN1_OBJECT* curve) {
  const int nid = OBJ_obj2nid(curve);
  if (nid == NID_undef) return oid_text(curve);
  const char* nist = EC_curve_nid2nist(nid);
  return nist != nullptr ? nist : OBJ_nid2sn(nid);
}

std::string decimal(const BIGNUM* n) {
  char* text = BN_bn2dec(n);
  if (text == nullptr) throw_openssl("printing an RSA exponent");
  std::string out = text;
  OPENSSL_free(text);
  return out;
}

// The exponent of a loaded RSA key, in decimal ("" for other keys), read once per request;
// one over max_rsa_exponent_bits is refused.
std::string checked_rsa_exponent(const std::optional<KeyAlgorithm>& algorithm, X509_REQ* req, const EVP_PKEY* loaded) {
  if (!algorithm || !is_rsa(*algorithm) || loaded == nullptr) return "";
  auto exponent = rsa_public_exponent(X509_REQ_get_X509_PUBKEY(req));
  if (exponent == nullptr) return "";
  if (BN_num_bits(exponent.get()) > max_rsa_exponent_bits) {
    invalid("the request's RSA public exponent is " + std::to_string(BN_num_bits(exponent.get())) +
            " bits long; at most " + std::to_string(max_rsa_exponent_bits) + " bits are accepted (65537 is usual)");
  }
  return decimal(exponent.get());
}

// ---- Microsoft's attributes, read for `show`; never trusted, never fatal ----

const ASN1_TYPE* attribute_value(const X509_REQ* req, const char* oid) {
  auto object = ossl::adopt(OBJ_txt2obj(oid, 1));
  const int at = object != nullptr ? X509_REQ_get_attr_by_OBJ(req, object.get(), -1) : -1;
  if (at < 0) return nullptr;
  return X509_ATTRIBUTE_get0_type(X509_REQ_get_attr(req, at), 0);
}

ossl::Ptr<STACK_OF(ASN1_TYPE)> sequence_in(const ASN1_TYPE* value) {
  if (value == nullptr || value->type != V_ASN1_SEQUENCE || value->value.sequence == nullptr) return nullptr;
  const unsigned char* p = ASN1_STRING_get0_data(value->value.sequence);
  return ossl::adopt(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, ASN1_STRING_length(value->value.sequence)));
}

const ASN1_TYPE* element(const STACK_OF(ASN1_TYPE) * sequence, int index) {
  if (sequence == nullptr || index >= sk_ASN1_TYPE_num(sequence)) return nullptr;
  return sk_ASN1_TYPE_value(sequence, index);
}

std::string text_of(const ASN1_TYPE* value) {
  if (value == nullptr) return "";
  switch (value->type) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_VISIBLESTRING:
    case V_ASN1_UNIVERSALSTRING: return utf8_of(value->value.asn1_string).value_or("");
    default: return "";
  }
}

std::optional<int> int_of(const ASN1_TYPE* value) {
  int64_t n = 0;
  if (value == nullptr || value->type != V_ASN1_INTEGER || ASN1_INTEGER_get_int64(&n, value->value.integer) != 1 ||
      n < INT32_MIN || n > INT32_MAX) {
    return std::nullopt;
  }
  return static_cast<int>(n);
}

// 1.3.6.1.4.1.311.20.2 names the template (AD CS v1); 1.3.6.1.4.1.311.21.7
// identifies a v2 template by OID only. The name wins when both are there.
std::string template_name_of(X509_REQ* req) {
  auto extensions = requested_extensions(req);
  std::string by_name;
  std::string by_oid;
  for (int i = 0; extensions != nullptr && i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
    X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions.get(), i);
    const std::string oid = oid_text(X509_EXTENSION_get_object(extension));
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
    const unsigned char* p = ASN1_STRING_get0_data(data);
    if (oid == oid_template_name && by_name.empty()) {
      auto value = ossl::adopt(d2i_ASN1_TYPE(nullptr, &p, ASN1_STRING_length(data)));
      by_name = text_of(value.get());
    } else if (oid == oid_template_info && by_oid.empty()) {
      auto info = ossl::adopt(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, ASN1_STRING_length(data)));
      const ASN1_TYPE* id = element(info.get(), 0);
      if (id != nullptr && id->type == V_ASN1_OBJECT) by_oid = oid_text(id->value.object);
    }
  }
  return by_name.empty() ? by_oid : by_name;
}

}  // namespace

bool WindowsRequestInfo::empty() const {
  return os_version.empty() && client_machine.empty() && client_user.empty() && client_process.empty() &&
         !client_id.has_value() && csp_name.empty() && template_name.empty();
}

bool WindowsRequestInfo::made_on_windows() const {
  return !os_version.empty() || !client_machine.empty() || !client_user.empty() || !client_process.empty() ||
         client_id.has_value() || !csp_name.empty();
}

Csr Csr::from_der(const Bytes& der) {
  if (der.size() > max_request_file_size) {
    invalid("the request is larger than " + std::to_string(max_request_file_size / 1024) +
            " KiB; a request is at most " + std::to_string(max_request_file_size / 1024) + " KiB (usually a few KiB) — check that this is the .req/.csr file");
  }
  if (der.empty()) invalid("not a PKCS#10 request: the input is empty");
  const unsigned char* p = der.data();
  // Parsed where no key can be decoded; decode_public_key does that below, without
  // OpenSSL 3.0's set-up cost per key (see public_key_decoder.h).
  ASN1_VALUE* parsed = nullptr;
  (void)ASN1_item_d2i_ex(&parsed, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(X509_REQ),
                         context_without_algorithms(), nullptr);
  auto req = ossl::adopt(reinterpret_cast<X509_REQ*>(parsed));
  if (req == nullptr) {
    const std::string reasons = openssl_reasons();
    if (const auto other = what_else_it_is(der)) refuse_not_a_request(*other);
    invalid("not a PKCS#10 request: the file is damaged, cut short or something else (OpenSSL: " + reasons +
            "); copy the whole request again, BEGIN and END lines included");
  }
  if (p != der.data() + der.size()) {
    invalid("not a PKCS#10 request: " + std::to_string(der.data() + der.size() - p) +
            " bytes of trailing data after the request");
  }
  // No arithmetic on a requester's own curve: an EC key with explicit parameters stays undecoded.
  const std::optional<KeyAlgorithm> algorithm = key_algorithm_of(req.get());
  std::shared_ptr<EVP_PKEY> key;
  if (algorithm && !has_unnamed_curve(*algorithm)) key = decode_public_key(X509_REQ_get_X509_PUBKEY(req.get()));
  std::string rsa_exponent = checked_rsa_exponent(algorithm, req.get(), key.get());
  std::vector<SubjectAltName> sans = requested_sans_of(req.get());
  return Csr(std::shared_ptr<X509_REQ>(std::move(req)), std::move(key), std::move(rsa_exponent), der,
             std::move(sans));
}

const X509_NAME* Csr::subject_name() const { return X509_REQ_get_subject_name(req_.get()); }
std::string Csr::subject() const { return to_rfc4514(subject_name()); }

std::string Csr::common_name() const {
  const std::vector<std::string> names = common_names();
  return names.empty() ? "" : names.back();
}

namespace {

// A value that does not convert to UTF-8 is kept as its raw bytes, for the rules to refuse.
std::string value_text(const X509_NAME_ENTRY* entry) {
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
  std::optional<std::string> text = utf8_of(value);
  if (!text) (void)drain_openssl_errors();
  return text ? *text : bytes_of(value);
}

}  // namespace

std::vector<std::string> Csr::common_names() const {
  const X509_NAME* name = subject_name();
  std::vector<std::string> names;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    names.push_back(value_text(X509_NAME_get_entry(name, i)));
  }
  return names;
}

std::vector<std::string> Csr::subject_values() const {
  const X509_NAME* name = subject_name();
  std::vector<std::string> values;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) values.push_back(value_text(X509_NAME_get_entry(name, i)));
  return values;
}

RequestKey Csr::key() const {
  RequestKey key;
  const std::optional<KeyAlgorithm> algorithm = key_algorithm_of(req_.get());
  if (!algorithm) {
    key.algorithm = "unknown";
    return key;
  }
  key.algorithm = algorithm_of_oid(algorithm->oid);
  if (key.algorithm == "EC") {
    // Named or spelled out, read from the SubjectPublicKeyInfo before the key
    // is loaded: an explicit curve is refused without any arithmetic on it.
    if (has_unnamed_curve(*algorithm)) {
      key.explicit_curve = true;
      return key;
    }
    key.curve = curve_name(static_cast<const ASN1_OBJECT*>(algorithm->parameter));
  }
  const EVP_PKEY* loaded = key_.get();
  if (loaded == nullptr) return key;
  key.algorithm = upper(EVP_PKEY_get0_type_name(loaded));
  key.bits = std::max(0, EVP_PKEY_get_bits(loaded));
  key.rsa_exponent = rsa_exponent_;
  return key;
}

bool Csr::signature_verifies() const {
  if (key_ == nullptr) return false;  // not loaded, or an explicit curve (from_der never decodes one)
  // In the default library context: the request was parsed in one without algorithms.
  const bool verifies = X509_REQ_verify_ex(req_.get(), key_.get(), nullptr, nullptr) == 1;  // 0: a bad signature, -1: an error
  (void)drain_openssl_errors();
  return verifies;
}

std::string Csr::signature_digest() const {
  const X509_ALGOR* algorithm = nullptr;
  X509_REQ_get0_signature(req_.get(), nullptr, &algorithm);
  const ASN1_OBJECT* oid = nullptr;
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
  X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
  int digest = NID_undef;
  int key_type = NID_undef;
  if (OBJ_obj2nid(oid) == NID_rsassaPss) {
    // RSASSA-PSS names its digest in the parameters; SHA-1 when absent (RFC 4055).
    if (parameter_type != V_ASN1_SEQUENCE) return "";
    const auto* sequence = static_cast<const ASN1_STRING*>(parameter);
    const unsigned char* p = ASN1_STRING_get0_data(sequence);
    auto pss = ossl::adopt(d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(sequence)));
    if (pss == nullptr) {
      (void)drain_openssl_errors();
      return "";
    }
    digest = pss->hashAlgorithm == nullptr ? NID_sha1 : OBJ_obj2nid(pss->hashAlgorithm->algorithm);
  } else if (OBJ_find_sigid_algs(OBJ_obj2nid(oid), &digest, &key_type) != 1) {
    return "";
  }
  if (digest == NID_undef) return "";  // Ed25519 and friends hash inside the algorithm
  return lower(OBJ_nid2sn(digest));
}

std::vector<std::string> Csr::requested_extension_oids() const {
  auto extensions = requested_extensions(req_.get());
  std::vector<std::string> oids;
  if (extensions == nullptr) {
    (void)drain_openssl_errors();
    return oids;
  }
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
    oids.push_back(oid_text(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(extensions.get(), i))));
  }
  return oids;
}

WindowsRequestInfo Csr::windows_info() const {
  ERR_set_mark();
  WindowsRequestInfo info;
  info.os_version = text_of(attribute_value(req_.get(), oid_os_version));
  // ClientInformation ::= SEQUENCE { clientId INTEGER, MachineName, UserName, ProcessName UTF8String }
  if (auto client = sequence_in(attribute_value(req_.get(), oid_client_info))) {
    info.client_id = int_of(element(client.get(), 0));
    info.client_machine = text_of(element(client.get(), 1));
    info.client_user = text_of(element(client.get(), 2));
    info.client_process = text_of(element(client.get(), 3));
  }
  // EnrollmentCSPProvider ::= SEQUENCE { keySpec INTEGER, cspName BMPString, signature BIT STRING }
  if (auto csp = sequence_in(attribute_value(req_.get(), oid_enrollment_csp))) {
    info.csp_name = text_of(element(csp.get(), 1));
  }
  info.template_name = template_name_of(req_.get());
  ERR_pop_to_mark();
  return info;
}

}  // namespace pocketca
