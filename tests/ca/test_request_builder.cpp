// The PKCS#10 request pocketca keeps for each CA it makes.

#include <catch2/catch.hpp>
#include <openssl/x509.h>

#include "ca/distinguished_name.h"
#include "ca/request_builder.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

TEST_CASE("make_request_der makes a signed PKCS#10 for the subject and key", "[request_builder]") {
  for (const char* spec : {"ec:p256", "ec:p384", "rsa:2048"}) {
    INFO(spec);
    const PrivateKey& key = shared_key(spec);
    auto subject = parse_distinguished_name("CN=Test Lab Issuing CA, O=Test Lab, C=US");
    const Bytes der = make_request_der(key, subject.get());

    const unsigned char* p = der.data();
    ossl::Ptr<X509_REQ> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(req);
    CHECK(p == der.data() + der.size());
    CHECK(X509_REQ_get_version(req.get()) == X509_REQ_VERSION_1);
    CHECK(X509_NAME_cmp(X509_REQ_get_subject_name(req.get()), subject.get()) == 0);
    EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
    REQUIRE(pub != nullptr);
    CHECK(key.matches(pub));
    CHECK(X509_REQ_verify(req.get(), pub) == 1);  // proof of possession
    const int expected_sig = KeySpec::parse(spec).type == KeySpec::Type::rsa ? NID_sha256WithRSAEncryption
                             : KeySpec::parse(spec).curve == "P-384"        ? NID_ecdsa_with_SHA384
                                                                            : NID_ecdsa_with_SHA256;
    CHECK(X509_REQ_get_signature_nid(req.get()) == expected_sig);
  }
}
