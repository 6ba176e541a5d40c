/* The OpenSSL floor for scripts/bench: what issuing one certificate costs in OpenSSL alone, with
 * no database, no policy and no files. Per certificate it does what any CA must: parse the
 * PKCS#10 request, verify its signature, build a certificate with the usual leaf extensions and
 * sign it, then encode it. pocketca's batch rate divided by this rate is the share of the
 * CPU that pocketca's own work (policy, database, durability) takes.
 *
 *   bench-floor REQUEST.der CA.pem CA-KEY.pem COUNT     prints certificates per second
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void die(const char *what) {
  fprintf(stderr, "bench-floor: %s\n", what);
  exit(1);
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (ext == NULL || !X509_add_ext(cert, ext, -1)) die("adding an extension");
  X509_EXTENSION_free(ext);
}

int main(int argc, char **argv) {
  if (argc != 5) die("usage: bench-floor REQUEST.der CA.pem CA-KEY.pem COUNT");
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) die("cannot open the request");
  static unsigned char der[65536];
  const long der_len = (long)fread(der, 1, sizeof der, f);
  fclose(f);
  f = fopen(argv[2], "r");
  X509 *ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  f = fopen(argv[3], "r");
  EVP_PKEY *ca_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  if (ca == NULL || ca_key == NULL) die("cannot read the CA certificate or key");
  const long count = atol(argv[4]);

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long i = 0; i < count; ++i) {
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, der_len);
    if (req == NULL || X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) die("bad request");
    X509 *cert = X509_new();
    unsigned char serial_bytes[16];
    RAND_bytes(serial_bytes, sizeof serial_bytes);
    serial_bytes[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_set_version(cert, X509_VERSION_3);
    X509_set_subject_name(cert, X509_REQ_get_subject_name(req));
    X509_set_issuer_name(cert, X509_get_subject_name(ca));
    X509_gmtime_adj(X509_getm_notBefore(cert), -600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 730L * 86400);
    X509_set_pubkey(cert, X509_REQ_get0_pubkey(req));
    add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert, ca, NID_ext_key_usage, "serverAuth");
    add_ext(cert, ca, NID_subject_alt_name, "DNS:web.bench.lab");
    add_ext(cert, ca, NID_subject_key_identifier, "hash");
    add_ext(cert, ca, NID_authority_key_identifier, "keyid");
    if (X509_sign(cert, ca_key, EVP_sha256()) <= 0) die("signing");
    unsigned char *out = NULL;
    if (i2d_X509(cert, &out) <= 0) die("encoding");
    OPENSSL_free(out);
    X509_free(cert);
    X509_REQ_free(req);
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  const double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%.0f\n", (double)count / seconds);
  X509_free(ca);
  EVP_PKEY_free(ca_key);
  return 0;
}
