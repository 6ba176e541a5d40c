// The CA hierarchy of a home: init, finding CAs, chains, CA keys, subordinates.

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "ca/files.h"
#include "ca/hierarchy.h"
#include "cert_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
namespace fs = std::filesystem;

namespace {

const std::string lab_passphrase = "lab passphrase";

InitOptions lab_options() {
  InitOptions options;
  options.name = "Test Lab";
  options.subject_suffix = "O=Test Lab Ltd, C=US";
  options.root_key = KeySpec::parse("ec:p256");
  options.issuing_key = KeySpec::parse("ec:p256");
  options.base_url = "http://pki.testlab.example/";
  options.actor = "tester";
  options.now = sample_time();
  return options;
}

// A passphrase source that counts its calls.
PassphraseSource counting(int& calls, std::string passphrase = lab_passphrase) {
  return [&calls, passphrase] {
    ++calls;
    return passphrase;
  };
}

// A passphrase source that must never be asked.
PassphraseSource never_asked() {
  return []() -> std::string { throw std::logic_error("the passphrase source was asked"); };
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One home with encrypted keys, made once for the read-only tests below.
struct SharedHome {
  SharedHome() : dir(tmp / "pki") { created = init_home(dir, lab_options(), counting(passphrase_calls)); }
  TempDir tmp;
  fs::path dir;
  CreatedCas created;
  int passphrase_calls = 0;
};

SharedHome& shared_home() {
  static SharedHome home;
  return home;
}

// Puts a file's mode back when the scope ends, however it ends.
struct ModeRestorer {
  fs::path path;
  fs::perms mode;
  ~ModeRestorer() { fs::permissions(path, mode, fs::perm_options::replace); }
};

}  // namespace

TEST_CASE("init_home creates a root and an issuing CA", "[hierarchy]") {
  SharedHome& shared = shared_home();
  const CreatedCas& created = shared.created;
  REQUIRE(created.cas.size() == 2);
  const store::CaRecord& root = created.cas[0];
  const store::CaRecord& issuing = created.cas[1];

  SECTION("records: indexes, names, slugs, parent, default") {
    CHECK(root.index == 1);
    CHECK(root.name == "Test Lab Root CA");
    CHECK(root.slug == "test-lab-root-ca");
    CHECK(root.parent_index == std::nullopt);
    CHECK_FALSE(root.is_default);
    CHECK(root.path_len == std::nullopt);
    CHECK(issuing.index == 2);
    CHECK(issuing.name == "Test Lab Issuing CA");
    CHECK(issuing.slug == "test-lab-issuing-ca");
    CHECK(issuing.parent_index == std::optional<int64_t>(1));
    CHECK(issuing.is_default);
    CHECK(issuing.path_len == std::optional<int>(0));
    for (const auto* ca : {&root, &issuing}) {
      CHECK(ca->key_spec == "ec:p256");
      CHECK(ca->key_encrypted);
      CHECK(ca->key_file == "private/" + ca->slug + ".key");
      CHECK(ca->base_url == "http://pki.testlab.example/");
    }
    CHECK(created.warnings.empty());
  }
  SECTION("the store holds the same CAs, the issuing CA as default") {
    Home home = Home::open(shared.dir);
    const auto cas = home.store().list_cas();
    REQUIRE(cas.size() == 2);
    CHECK(cas[0].name == root.name);
    CHECK_FALSE(cas[0].is_default);
    CHECK(cas[1].name == issuing.name);
    CHECK(cas[1].is_default);
    CHECK(cas[1].certificate_der == issuing.certificate_der);
    // Each CA certificate has a request row and a certificate row, like any certificate.
    const auto request1 = home.store().find_request(1);
    const auto request2 = home.store().find_request(2);
    REQUIRE(request1);
    REQUIRE(request2);
    CHECK(request1->disposition == store::Disposition::issued);
    CHECK(request2->disposition == store::Disposition::issued);
    CHECK(request2->ca_index == std::optional<int64_t>(1));
    CHECK(request1->requester == "tester");
    CHECK(home.store().find_certificate(1, root.serial).has_value());
    CHECK(home.store().find_certificate(1, issuing.serial).has_value());
    int created_entries = 0;
    for (const auto& entry : home.store().list_audit(std::nullopt)) {
      if (entry.action == "ca-created") {
        ++created_entries;
        CHECK(entry.actor == "tester");
      }
    }
    CHECK(created_entries == 2);
  }
  SECTION("key files: 0600 in a 0700 folder, encrypted, and the CAs' keys") {
    CHECK(mode_of(shared.dir / "private") == 0700);
    for (const auto* ca : {&root, &issuing}) {
      const fs::path key_path = shared.dir / ca->key_file;
      INFO(key_path);
      REQUIRE(fs::exists(key_path));
      CHECK(mode_of(key_path) == 0600);
      const std::string pem = read_text(key_path);
      CHECK(PrivateKey::is_encrypted_pem(pem));
      CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    }
    CHECK(shared.passphrase_calls == 1);  // one passphrase for both keys, asked once
  }
  SECTION("public/<slug>.crt is each certificate in DER") {
    for (const auto* ca : {&root, &issuing}) {
      const fs::path crt = shared.dir / "public" / (ca->slug + ".crt");
      INFO(crt);
      REQUIRE(fs::exists(crt));
      CHECK(to_bytes(read_text(crt)) == ca->certificate_der);
      CHECK(Certificate::from_der(to_bytes(read_text(crt))).subject() == ca->subject);
    }
    std::set<fs::path> listed(created.files.begin(), created.files.end());
    CHECK(listed == std::set<fs::path>{shared.dir / "private" / "test-lab-root-ca.key",
                                       shared.dir / "private" / "test-lab-issuing-ca.key",
                                       shared.dir / "public" / "test-lab-root-ca.crt",
                                       shared.dir / "public" / "test-lab-issuing-ca.crt",
                                       // a first, empty CRL each, so the CDP never points at nothing
                                       shared.dir / "public" / "test-lab-root-ca.crl",
                                       shared.dir / "public" / "test-lab-issuing-ca.crl"});
  }
  SECTION("certificates: subjects, validity, serials, extensions") {
    const Certificate root_cert = Certificate::from_der(root.certificate_der);
    const Certificate issuing_cert = Certificate::from_der(issuing.certificate_der);
    CHECK(root_cert.subject() == "CN=Test Lab Root CA,O=Test Lab Ltd,C=US");
    CHECK(root.subject == root_cert.subject());
    CHECK(issuing_cert.subject() == "CN=Test Lab Issuing CA,O=Test Lab Ltd,C=US");
    CHECK(der_of(X509_get_issuer_name(issuing_cert.native())) == der_of(X509_get_subject_name(root_cert.native())));
    CHECK(root_cert.is_self_signed());

    CHECK(root_cert.not_before() == sample_time() - std::chrono::minutes(10));
    CHECK(root_cert.not_after() == add_years(sample_time(), 20));
    CHECK(issuing_cert.not_before() == sample_time() - std::chrono::minutes(10));
    CHECK(issuing_cert.not_after() == add_years(sample_time(), 10));
    CHECK(root.not_after == root_cert.not_after());

    // 19 bytes; the last six as printed are the issuing CA's index (the root signs both) and the request ID.
    CHECK(root.serial == root_cert.serial_hex());
    CHECK(root.serial.size() == 38);
    CHECK(root.serial.substr(26) == "000100000001");
    CHECK(issuing.serial.size() == 38);
    CHECK(issuing.serial.substr(26) == "000100000002");
    CHECK(root.sha1_thumbprint == root_cert.sha1_thumbprint());

    CHECK(root_cert.path_len() == std::nullopt);
    CHECK(issuing_cert.path_len() == std::optional<int>(0));
    CHECK(X509_get_key_usage(issuing_cert.native()) == (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    CHECK(crl_urls(root_cert.native()).empty());
    CHECK(aia_entries(root_cert.native()).empty());
    CHECK(crl_urls(issuing_cert.native()) ==
          std::vector<std::string>{"http://pki.testlab.example/pki/test-lab-root-ca.crl"});
    CHECK(aia_entries(issuing_cert.native()) ==
          std::vector<std::string>{"caIssuers http://pki.testlab.example/pki/test-lab-root-ca.crt"});
    CHECK(openssl_verify(issuing_cert, {}, root_cert, sample_time(days(1))) == X509_V_OK);
  }
}

TEST_CASE("init_home refuses a folder that is a home or holds anything, and leaves it alone", "[hierarchy]") {
  SECTION("an existing home") {
    SharedHome& shared = shared_home();
    const std::string root_key_before = read_text(shared.dir / "private" / "test-lab-root-ca.key");
    const Error e = error_from([&] { (void)init_home(shared.dir, lab_options(), never_asked()); });
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK(fs::exists(shared.dir / "pocketca.db"));
    CHECK(read_text(shared.dir / "private" / "test-lab-root-ca.key") == root_key_before);
    CHECK(Home::open(shared.dir).store().list_cas().size() == 2);
  }
  SECTION("a folder with someone else's files") {
    TempDir tmp;
    const fs::path dir = tmp / "documents";
    fs::create_directory(dir);
    std::ofstream(dir / "thesis.txt") << "years of work";
    CHECK(error_from([&] { (void)init_home(dir, lab_options(), never_asked()); }).kind() == ErrorKind::conflict);
    CHECK(read_text(dir / "thesis.txt") == "years of work");
    CHECK_FALSE(fs::exists(dir / "pocketca.db"));
    CHECK_FALSE(fs::exists(dir / "private"));
  }
}

TEST_CASE("a failing init leaves nothing behind", "[hierarchy]") {
  struct Row {
    const char* what;
    std::function<void(InitOptions&, PassphraseSource&)> spoil;
    ErrorKind expected;
  };
  const Row rows[] = {
      {"a base URL that is not http(s)", [](InitOptions& o, PassphraseSource&) { o.base_url = "ftp://x"; },
       ErrorKind::invalid_input},
      {"a base URL with a comma", [](InitOptions& o, PassphraseSource&) { o.base_url = "http://a,b"; },
       ErrorKind::invalid_input},
      {"a subject suffix with a CN",
       [](InitOptions& o, PassphraseSource&) { o.subject_suffix = "CN=Evil, O=Test Lab Ltd"; },
       ErrorKind::invalid_input},
      {"a subject suffix that does not parse", [](InitOptions& o, PassphraseSource&) { o.subject_suffix = "Test Lab"; },
       ErrorKind::invalid_input},
      {"root validity out of range", [](InitOptions& o, PassphraseSource&) { o.root_days = 0; },
       ErrorKind::invalid_input},
      {"issuing validity out of range", [](InitOptions& o, PassphraseSource&) { o.issuing_days = 40000; },
       ErrorKind::invalid_input},
      {"a name too long for a CN, found after the home was made",
       [](InitOptions& o, PassphraseSource&) { o.name = std::string(60, 'x'); }, ErrorKind::invalid_input},
      {"the passphrase source fails",
       [](InitOptions& o, PassphraseSource& p) {
         o.encrypt_keys = true;
         p = []() -> std::string { throw Error(ErrorKind::wrong_passphrase, "no terminal to ask on"); };
       },
       ErrorKind::wrong_passphrase},
      {"an empty passphrase",
       [](InitOptions& o, PassphraseSource& p) {
         o.encrypt_keys = true;
         p = [] { return std::string(); };
       },
       ErrorKind::invalid_input},
  };
  for (const Row& row : rows) {
    for (const bool folder_existed : {false, true}) {
      INFO(row.what << (folder_existed ? ", in an existing empty folder" : ", in a new folder"));
      TempDir tmp;
      const fs::path dir = tmp / "pki";
      if (folder_existed) fs::create_directory(dir);
      InitOptions options = lab_options();
      options.encrypt_keys = false;
      PassphraseSource source = never_asked();
      row.spoil(options, source);
      CHECK(kind_thrown([&] { (void)init_home(dir, options, source); }) == row.expected);
      CHECK(fs::exists(dir) == folder_existed);
      if (folder_existed) CHECK(fs::is_empty(dir));
    }
  }
}

TEST_CASE("init_home without encryption never asks for a passphrase", "[hierarchy]") {
  TempDir tmp;
  const fs::path dir = tmp / "pki";
  InitOptions options = lab_options();
  options.encrypt_keys = false;
  const CreatedCas created = init_home(dir, options, never_asked());
  REQUIRE(created.cas.size() == 2);
  for (const auto& ca : created.cas) {
    INFO(ca.name);
    CHECK_FALSE(ca.key_encrypted);
    const fs::path key_path = dir / ca.key_file;
    CHECK(mode_of(key_path) == 0600);
    const std::string pem = read_text(key_path);
    CHECK_FALSE(PrivateKey::is_encrypted_pem(pem));
    CHECK(contains(pem, "-----BEGIN PRIVATE KEY-----"));
  }
  REQUIRE(created.warnings.size() == 1);
  CHECK(contains(created.warnings[0], "unencrypted"));

  Home home = Home::open(dir);
  const PrivateKey key = load_ca_key(home, find_ca(home, ""), never_asked());
  CHECK(key.matches(X509_get0_pubkey(Certificate::from_der(created.cas[1].certificate_der).native())));
}

TEST_CASE("init_home options: root only, key types, validity cut to the root", "[hierarchy]") {
  TempDir tmp;
  const fs::path dir = tmp / "pki";
  InitOptions options = lab_options();
  options.encrypt_keys = false;

  SECTION("--root-only makes the root the default CA") {
    options.root_only = true;
    options.base_url.clear();
    const CreatedCas created = init_home(dir, options, never_asked());
    REQUIRE(created.cas.size() == 1);
    CHECK(created.cas[0].is_default);
    Home home = Home::open(dir);
    CHECK(find_ca(home, "").name == "Test Lab Root CA");
    CHECK(chain_of(home, created.cas[0]).size() == 1);
    CHECK_FALSE(fs::exists(dir / "private" / "test-lab-issuing-ca.key"));
  }
  SECTION("the issuing CA never outlives the root") {
    options.root_days = 30;
    const CreatedCas created = init_home(dir, options, never_asked());
    REQUIRE(created.cas.size() == 2);
    CHECK(created.cas[0].not_after == sample_time() + days(30));
    CHECK(created.cas[1].not_after == created.cas[0].not_after);
    REQUIRE(created.warnings.size() == 2);
    CHECK(contains(created.warnings[0] + created.warnings[1], "cut"));
  }
  SECTION("explicit days and a P-384 issuing key") {
    options.root_days = 3650;
    options.issuing_days = 365;
    options.issuing_key = KeySpec::parse("ec:p384");
    const CreatedCas created = init_home(dir, options, never_asked());
    CHECK(created.cas[1].key_spec == "ec:p384");
    CHECK(created.cas[1].not_after == sample_time() + days(365));
    const Certificate issuing = Certificate::from_der(created.cas[1].certificate_der);
    CHECK(X509_get_signature_nid(issuing.native()) == NID_ecdsa_with_SHA256);  // signed by the P-256 root
  }
}

TEST_CASE("find_ca by index, name, slug or default", "[hierarchy]") {
  Home home = Home::open(shared_home().dir);
  CHECK(find_ca(home, "1").name == "Test Lab Root CA");
  CHECK(find_ca(home, "2").name == "Test Lab Issuing CA");
  CHECK(find_ca(home, "Test Lab Root CA").index == 1);
  CHECK(find_ca(home, "test lab root ca").index == 1);
  CHECK(find_ca(home, "TEST LAB ISSUING CA").index == 2);
  CHECK(find_ca(home, "test-lab-issuing-ca").index == 2);
  CHECK(find_ca(home, "Test-Lab-Root-CA").index == 1);
  CHECK(find_ca(home, "").index == 2);  // the default

  for (const char* missing : {"3", "0", "Test Lab", "nope", "test-lab-root", "99999999999999999999"}) {
    INFO(missing);
    const Error e = error_from([&] { (void)find_ca(home, missing); });
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK(contains(e.what(), "\"Test Lab Root CA\""));
    CHECK(contains(e.what(), "\"Test Lab Issuing CA\""));
  }
}

TEST_CASE("chain_of goes from the CA up to the root", "[hierarchy]") {
  Home home = Home::open(shared_home().dir);
  const auto issuing = find_ca(home, "2");
  const auto chain = chain_of(home, issuing);
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].der() == issuing.certificate_der);
  CHECK(chain[1].der() == find_ca(home, "1").certificate_der);
  CHECK(chain[1].is_self_signed());
  const auto root_chain = chain_of(home, find_ca(home, "1"));
  REQUIRE(root_chain.size() == 1);
  CHECK(root_chain[0].common_name() == "Test Lab Root CA");
}

TEST_CASE("load_ca_key decrypts with the right passphrase and refuses everything else", "[hierarchy]") {
  Home home = Home::open(shared_home().dir);
  const store::CaRecord root = find_ca(home, "1");
  const Certificate root_cert = Certificate::from_der(root.certificate_der);

  SECTION("the right passphrase, asked once") {
    int calls = 0;
    const PrivateKey key = load_ca_key(home, root, counting(calls));
    CHECK(calls == 1);
    CHECK(key.matches(X509_get0_pubkey(root_cert.native())));
  }
  SECTION("a wrong passphrase names the CA") {
    int calls = 0;
    const Error e = error_from([&] { (void)load_ca_key(home, root, counting(calls, "not it")); });
    CHECK(e.kind() == ErrorKind::wrong_passphrase);
    CHECK(std::string(e.what()) == "wrong passphrase for the key of CA \"Test Lab Root CA\"");
  }
  SECTION("a key file others may read is refused before any passphrase is asked") {
    const fs::path key_path = home.dir() / root.key_file;
    ModeRestorer restore{key_path, fs::status(key_path).permissions()};
    fs::permissions(key_path, static_cast<fs::perms>(0644), fs::perm_options::replace);
    const Error e = error_from([&] { (void)load_ca_key(home, root, never_asked()); });
    CHECK(e.kind() == ErrorKind::insecure);
    CHECK(contains(e.what(), key_path.string()));
  }
}

TEST_CASE("load_ca_key refuses a key that is not the CA's", "[hierarchy]") {
  TempDir tmp;
  InitOptions options = lab_options();
  options.encrypt_keys = false;
  (void)init_home(tmp / "pki", options, never_asked());
  Home home = Home::open(tmp / "pki");
  const fs::path root_key = home.dir() / "private" / "test-lab-root-ca.key";
  fs::remove(root_key);
  write_secret_file(root_key, read_text(home.dir() / "private" / "test-lab-issuing-ca.key"));
  const Error e = error_from([&] { (void)load_ca_key(home, find_ca(home, "1"), never_asked()); });
  CHECK(e.kind() == ErrorKind::insecure);
  CHECK(contains(e.what(), "not the key of CA \"Test Lab Root CA\""));

  SECTION("a missing key file is not found") {
    fs::remove(root_key);
    CHECK(error_from([&] { (void)load_ca_key(home, find_ca(home, "1"), never_asked()); }).kind() ==
          ErrorKind::not_found);
  }
}

TEST_CASE("create_subordinate_ca under the root, with encrypted keys", "[hierarchy]") {
  TempDir tmp;
  int init_calls = 0;
  (void)init_home(tmp / "pki", lab_options(), counting(init_calls));
  Home home = Home::open(tmp / "pki");

  NewCaOptions options;
  options.name = "Test Lab Web CA";
  options.key = KeySpec::parse("ec:p256");
  options.actor = "tester";
  options.now = sample_time(days(1));
  int calls = 0;
  const CreatedCas created = create_subordinate_ca(home, options, counting(calls));
  CHECK(calls >= 1);
  REQUIRE(created.cas.size() == 1);
  const store::CaRecord& web = created.cas[0];
  CHECK(web.index == 3);
  CHECK(web.name == "Test Lab Web CA");
  CHECK(web.slug == "test-lab-web-ca");
  CHECK(web.parent_index == std::optional<int64_t>(1));
  CHECK(web.path_len == std::optional<int>(0));
  CHECK_FALSE(web.is_default);
  CHECK(web.key_encrypted);
  CHECK(created.warnings.empty());

  const Certificate cert = Certificate::from_der(web.certificate_der);
  const Certificate root_cert = Certificate::from_der(find_ca(home, "1").certificate_der);
  CHECK(cert.subject() == "CN=Test Lab Web CA,O=Test Lab Ltd,C=US");  // O and C inherited from the parent
  CHECK(cert.issuer() == root_cert.subject());
  CHECK(cert.path_len() == std::optional<int>(0));
  CHECK(cert.not_before() == sample_time(days(1)) - std::chrono::minutes(10));
  CHECK(cert.not_after() == add_years(sample_time(days(1)), 10));
  CHECK(web.serial.substr(26) == "000100000003");  // request 3, signed by CA 1
  CHECK(crl_urls(cert.native()) == std::vector<std::string>{"http://pki.testlab.example/pki/test-lab-root-ca.crl"});
  CHECK(openssl_verify(cert, {}, root_cert, sample_time(days(2))) == X509_V_OK);

  CHECK(mode_of(home.dir() / "private" / "test-lab-web-ca.key") == 0600);
  CHECK(PrivateKey::is_encrypted_pem(read_text(home.dir() / "private" / "test-lab-web-ca.key")));
  CHECK(to_bytes(read_text(home.dir() / "public" / "test-lab-web-ca.crt")) == web.certificate_der);
  CHECK(load_ca_key(home, find_ca(home, "Test Lab Web CA"), counting(calls)).matches(X509_get0_pubkey(cert.native())));
  CHECK(find_ca(home, "").name == "Test Lab Issuing CA");  // the default stays
  CHECK(home.store().list_cas().size() == 3);
  CHECK(chain_of(home, find_ca(home, "3")).size() == 2);

  SECTION("a wrong passphrase for the parent's key writes nothing") {
    options.name = "Test Lab Other CA";
    int wrong_calls = 0;
    CHECK(error_from([&] { (void)create_subordinate_ca(home, options, counting(wrong_calls, "nope")); }).kind() ==
          ErrorKind::wrong_passphrase);
    CHECK_FALSE(fs::exists(home.dir() / "private" / "test-lab-other-ca.key"));
    CHECK(home.store().list_cas().size() == 3);
  }
}

TEST_CASE("create_subordinate_ca enforces path lengths and unique names", "[hierarchy]") {
  TempDir tmp;
  InitOptions init = lab_options();
  init.encrypt_keys = false;
  (void)init_home(tmp / "pki", init, never_asked());
  Home home = Home::open(tmp / "pki");
  NewCaOptions options;
  options.name = "Test Lab Web CA";
  options.key = KeySpec::parse("ec:p256");
  options.now = sample_time(days(1));

  SECTION("not under a pathLen 0 CA, and nothing is written or asked") {
    options.parent = "Test Lab Issuing CA";
    const Error e = error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); });
    CHECK(e.kind() == ErrorKind::policy_denied);
    CHECK(contains(e.what(), "pathLen 0"));
    CHECK(contains(e.what(), "--parent"));
    CHECK_FALSE(fs::exists(home.dir() / "private" / "test-lab-web-ca.key"));
    CHECK_FALSE(fs::exists(home.dir() / "public" / "test-lab-web-ca.crt"));
    CHECK(home.store().list_cas().size() == 2);
  }
  SECTION("a name that is taken, in any case or spelling of its slug") {
    for (const char* taken : {"Test Lab Issuing CA", "test lab issuing ca", "Test-Lab-Issuing-CA", "Test Lab Root CA"}) {
      INFO(taken);
      options.name = taken;
      CHECK(error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); }).kind() ==
            ErrorKind::conflict);
    }
    CHECK(home.store().list_cas().size() == 2);
  }
  SECTION("an unknown parent") {
    options.parent = "Nope CA";
    CHECK(error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); }).kind() ==
          ErrorKind::not_found);
  }
  SECTION("a name too long for a CN writes nothing") {
    options.name = std::string(65, 'w');
    CHECK(error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); }).kind() ==
          ErrorKind::invalid_input);
    CHECK_FALSE(fs::exists(home.dir() / "private" / (std::string(65, 'w') + ".key")));
    CHECK(home.store().list_cas().size() == 2);
  }
  SECTION("days out of range") {
    options.days = 0;
    CHECK(error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); }).kind() ==
          ErrorKind::invalid_input);
  }
  SECTION("validity is cut to the parent's, with a warning") {
    options.days = 36500;
    const CreatedCas created = create_subordinate_ca(home, options, never_asked());
    CHECK(created.cas.at(0).not_after == find_ca(home, "1").not_after);
    bool warned_cut = false;
    bool warned_unencrypted = false;
    for (const auto& w : created.warnings) {
      warned_cut = warned_cut || contains(w, "cut");
      warned_unencrypted = warned_unencrypted || contains(w, "unencrypted");
    }
    CHECK(warned_cut);
    CHECK(warned_unencrypted);  // like its parent's
  }
  SECTION("path lengths must shrink down the tree") {
    options.name = "Test Lab Policy CA";
    options.path_len = 1;
    const store::CaRecord policy = create_subordinate_ca(home, options, never_asked()).cas.at(0);
    CHECK(policy.index == 3);
    CHECK(policy.path_len == std::optional<int>(1));
    CHECK(Certificate::from_der(policy.certificate_der).path_len() == std::optional<int>(1));

    options.parent = "Test Lab Policy CA";
    options.name = "Test Lab Leaf Issuing CA";
    for (const std::optional<int> too_long : {std::optional<int>(1), std::optional<int>(2), std::optional<int>()}) {
      options.path_len = too_long;
      CHECK(error_from([&] { (void)create_subordinate_ca(home, options, never_asked()); }).kind() ==
            ErrorKind::policy_denied);
    }
    options.path_len = 0;
    const store::CaRecord below = create_subordinate_ca(home, options, never_asked()).cas.at(0);
    CHECK(below.parent_index == std::optional<int64_t>(3));
    const auto chain = chain_of(home, below);
    REQUIRE(chain.size() == 3);
    CHECK(openssl_verify(chain[0], {chain[1]}, chain[2], sample_time(days(2))) == X509_V_OK);
    // The third level points at its own issuer's CRL.
    CHECK(crl_urls(chain[0].native()) ==
          std::vector<std::string>{"http://pki.testlab.example/pki/test-lab-policy-ca.crl"});
  }
  SECTION("an unconstrained CA under the root") {
    options.path_len = std::nullopt;
    const store::CaRecord unconstrained = create_subordinate_ca(home, options, never_asked()).cas.at(0);
    CHECK(unconstrained.path_len == std::nullopt);
    CHECK(Certificate::from_der(unconstrained.certificate_der).path_len() == std::nullopt);
    CHECK(Certificate::from_der(unconstrained.certificate_der).is_ca());
  }
}

TEST_CASE("ca_validity_warning: silent with over 30 days left, then near its end, then expired", "[hierarchy]") {
  store::CaRecord root;
  root.name = "Contoso Lab Root CA";
  root.not_after = utc(2030, 1, 31);
  store::CaRecord issuing = root;
  issuing.name = "Contoso Lab Issuing CA";
  issuing.parent_index = 1;

  CHECK(ca_validity_warning(issuing, utc(2029, 12, 31)).empty());
  CHECK(ca_validity_warning(issuing, utc(2030, 1, 1)) ==
        "CA \"Contoso Lab Issuing CA\" expires on 2030-01-31T00:00:00Z (in 30 days): what it signs ends then too; "
        "add another with `pocketca ca new`");
  CHECK(ca_validity_warning(root, utc(2030, 2, 1)) ==
        "CA \"Contoso Lab Root CA\" expired on 2030-01-31T00:00:00Z: clients reject what it signed, and pocketca "
        "signs no certificate with it; make a new home with `pocketca init`");
}
