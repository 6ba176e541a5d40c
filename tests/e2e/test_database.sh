# The issuance database as sqlite3 sees it: versioned schema, WAL, the rows init and ca new write,
# and the rows a refused command must not write.
source "$(dirname "$0")/lib.sh"
need sqlite3
need openssl

DB="$H/pocketca.db"
q() { sqlite3 -batch -noheader "$DB" "$1" || fail "sqlite3 failed on: $1"; }

expect_exit 0 pca --home "$H" init --name "Contoso Lab" --root-key ec:p384 --key ec:p256 --passphrase-file "$PW" -q

step "schema version, WAL, integrity"
version=$(q 'PRAGMA user_version')
[[ "$version" =~ ^[0-9]+$ && "$version" -ge 1 ]] || fail "PRAGMA user_version is '$version', expected >= 1"
assert_eq "$(q 'PRAGMA journal_mode')" wal "journal_mode"
assert_eq "$(q 'PRAGMA integrity_check')" ok "integrity_check"
assert_eq "$(q 'PRAGMA foreign_key_check')" "" "foreign_key_check"
[[ $(( 8#$(mode_of "$DB") & 8#022 )) == 0 ]] || fail "pocketca.db is writable by group or others"

step "the tables of the contract exist"
tables=$(q "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | tr '\n' ' ')
for t in audit cas certificates crls requests; do
  [[ " $tables " == *" $t "* ]] || fail "table $t is missing (tables: $tables)"
done

step "after init: 2 CAs, 2 issued requests, 2 certificates, 2 ca-created audit rows"
assert_eq "$(q 'SELECT count(*) FROM cas')" 2 "cas rows"
assert_eq "$(q 'SELECT count(*) FROM certificates')" 2 "certificates rows"
assert_eq "$(q 'SELECT count(*) FROM requests')" 2 "requests rows"
assert_eq "$(q "SELECT group_concat(id || ':' || disposition, ' ') FROM (SELECT * FROM requests ORDER BY id)")" \
  "1:issued 2:issued" "requests"
# init publishes a first, empty CRL per CA, so a CDP never points at nothing.
assert_eq "$(q "SELECT group_concat(ca_index || ':' || number || ':' || is_delta || ':' || entries, ' ')
               FROM (SELECT * FROM crls ORDER BY ca_index)")" "1:1:0:0 2:1:0:0" "crls rows"
assert_eq "$(q "SELECT count(*) FROM audit WHERE action = 'ca-created'")" 2 "ca-created audit rows"
assert_eq "$(q "SELECT count(*) FROM audit WHERE action = 'ca-created' AND actor <> ''")" 2 "audit rows with an actor"
assert_eq "$(q "SELECT group_concat(ca_index || ':' || name || ':' || ifnull(parent_index, '-') || ':' || is_default, '|')
               FROM (SELECT * FROM cas ORDER BY ca_index)")" \
  "1:Contoso Lab Root CA:-:0|2:Contoso Lab Issuing CA:1:1" "cas rows"

step "the rows agree with each other and with the published certificates"
# Each CA's own certificate is a certificates row issued by its parent (the root by itself), tied to its request.
assert_eq "$(q 'SELECT count(*) FROM cas c JOIN certificates k ON k.serial = c.serial
                 AND k.ca_index = ifnull(c.parent_index, c.ca_index) AND k.der = c.certificate_der')" 2 \
  "cas rows matched by their certificates rows"
assert_eq "$(q "SELECT count(*) FROM certificates k JOIN requests r ON r.id = k.request_id
                 WHERE r.disposition = 'issued' AND substr(k.serial, -8) = printf('%08x', r.id)")" 2 \
  "certificates whose serial ends in their request ID"
assert_eq "$(q "SELECT count(*) FROM audit a JOIN certificates k ON k.serial = a.serial AND k.request_id = a.request_id
                 WHERE a.action = 'ca-created'")" 2 "ca-created rows naming the serial and request"
for slug in contoso-lab-root-ca contoso-lab-issuing-ca; do
  file_hex=$(od -An -v -tx1 "$H/public/$slug.crt" | tr -d ' \n')
  db_hex=$(q "SELECT lower(hex(certificate_der)) FROM cas WHERE slug = '$slug'")
  [[ -n "$db_hex" && "$file_hex" == "$db_hex" ]] || fail "public/$slug.crt differs from its cas row"
  assert_eq "$(q "SELECT key_file FROM cas WHERE slug = '$slug'")" "private/$slug.key" "key_file of $slug"
  assert_eq "$(q "SELECT key_encrypted FROM cas WHERE slug = '$slug'")" 1 "key_encrypted of $slug"
done
serial=$(openssl x509 -inform DER -in "$H/public/contoso-lab-issuing-ca.crt" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
assert_eq "$(q "SELECT serial FROM cas WHERE ca_index = 2")" "$serial" "issuing CA serial in the database"

step "refused commands write no rows and burn no request ID"
count_all() { q 'SELECT (SELECT count(*) FROM cas), (SELECT count(*) FROM requests),
                       (SELECT count(*) FROM certificates), (SELECT count(*) FROM audit)'; }
before=$(count_all)
expect_exit 1 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$WRONG_PW"
expect_exit 1 pca --home "$H" ca new --name "Contoso Lab Issuing CA" --key ec:p256 --passphrase-file "$PW"
expect_exit 1 pca --home "$H" ca new --name "Too Deep" --parent 2 --key ec:p256 --passphrase-file "$PW"
assert_eq "$(count_all)" "$before" "row counts after refused ca new"
expect_exit 0 pca --home "$H" ca new --name "Contoso Lab Web CA" --key ec:p256 --passphrase-file "$PW"
assert_eq "$(q 'SELECT count(*) FROM cas')" 3 "cas rows after ca new"
assert_eq "$(q "SELECT disposition FROM requests WHERE id = 3")" issued "request 3"
assert_eq "$(q 'SELECT max(id) FROM requests')" 3 "highest request ID (none burnt by refusals)"
assert_eq "$(q "SELECT substr(serial, -12) FROM cas WHERE slug = 'contoso-lab-web-ca'")" 000100000003 \
  "serial tail of the new CA (CA index 1, request 3)"
assert_eq "$(q "SELECT count(*) FROM audit WHERE action = 'ca-created' AND request_id = 3")" 1 "audit row of ca new"
assert_eq "$(q 'PRAGMA integrity_check')" ok "integrity_check after ca new"

echo "PASS"
