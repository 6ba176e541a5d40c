# submit --batch: every request recorded, a bad request reported without stopping the
# others, serials unique with --jobs 2, files only for committed certificates.
source "$(dirname "$0")/lib.sh"
need openssl
need sqlite3

DATA="${POCKETCA_SOURCE_DIR:-$E2E_DIR/../..}/tests/data/requests"
q() { sqlite3 "$H/pocketca.db" "$1"; }

step "a fast home"
expect_exit 0 pcah init --name "Contoso Lab" --key ec:p256 --root-key ec:p256 -q

step "a folder of 12 good requests and 3 bad ones"
mkdir reqs
for i in $(seq -w 1 12); do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=host$i.contoso.lab" -out "reqs/host$i.req" 2> /dev/null || fail "openssl req failed"
done
cp "$DATA/rsa1024.pem" reqs/weak.req          # parses, refused by policy: a denied row
echo "not a request" > reqs/junk.req           # not a request: no row
cp "$DATA/sans-101.pem" reqs/toomany.req       # over the SAN cap

step "--batch DIR --out-dir: exit 1 (some refused), the good ones issued and written"
expect_exit 1 pcah submit --batch reqs --template WebServer --out-dir out
assert_contains "$OUT" "12 issued, 0 pending, 3 refused of 15"
assert_contains "$ERR" "reqs/weak.req"
assert_contains "$ERR" "reqs/junk.req"
assert_contains "$ERR" "reqs/toomany.req"
assert_eq "$(ls out/*.cer | wc -l)" 12 ".cer files written"
assert_eq "$(ls out/*.p7b | wc -l)" 12 ".p7b files written"
[[ ! -e out/weak.cer && ! -e out/junk.cer ]] || fail "a refused request got a file"
for i in $(seq -w 1 12); do
  openssl x509 -inform der -in "out/host$i.cer" -noout -subject | grep -q "host$i.contoso.lab" \
    || fail "out/host$i.cer is not host$i's certificate"
done
assert_eq "$(q "SELECT count(*) FROM certificates WHERE template_name = 'WebServer'")" 12 "certificate rows"
assert_eq "$(q "SELECT count(*) FROM requests WHERE disposition = 'denied'")" 1 "denied rows (the weak key)"

step "every issued row has its certificate and the serial ends in its request ID"
assert_eq "$(q "SELECT count(*) FROM requests r WHERE disposition = 'issued'
                AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.request_id = r.id)")" 0 "issued rows without certificate"
assert_eq "$(q "SELECT count(*) FROM certificates WHERE request_id IS NOT NULL
                AND substr(serial, -8) <> printf('%08x', request_id)")" 0 "serials not ending in their request ID"

step "--jobs 2 from a list on stdin (the same request 300 times): 300 rows, serials unique, no files"
for i in $(seq 300); do echo "reqs/host01.req"; done > list.txt
before=$(q "SELECT count(*) FROM certificates")
expect_exit 0 pcah submit --batch - --template WebServer --jobs 2 --no-files < list.txt
assert_contains "$OUT" "300 issued, 0 pending, 0 refused of 300"
assert_eq "$(q "SELECT count(*) FROM certificates")" "$((before + 300))" "certificate rows after --jobs 2"
assert_eq "$(q "SELECT count(DISTINCT serial) FROM certificates")" "$(q "SELECT count(*) FROM certificates")" "unique serials"
assert_eq "$(q "PRAGMA integrity_check")" ok "integrity_check"

step "--jobs outside 1 to 64: a usage error before anything is read or written"
requests=$(q "SELECT count(*) FROM requests")
for jobs in 0 65 -2 many; do
  expect_usage_error "--jobs: \"$jobs\" is not a whole number from 1 to 64" \
    pcah submit --batch reqs --template WebServer --jobs "$jobs" --out-dir jobs-usage
done
assert_eq "$(q "SELECT count(*) FROM requests")" "$requests" "request rows after a bad --jobs"
[[ ! -e jobs-usage ]] || fail "a bad --jobs created the --out-dir"

step "--jobs 3 threads: a refusal does not stop the others, --json keeps the input order"
cp reqs/host02.req reqs/again-a.req; cp reqs/host02.req reqs/again-b.req; cp reqs/host02.req reqs/again-c.req
requests=$(q "SELECT count(*) FROM requests")
expect_exit 1 pcah --json submit --batch reqs/again-a.req reqs/junk.req reqs/again-b.req reqs/again-c.req \
  --template WebServer --jobs 3 --out-dir jobs-out
python3 - "$OUT" <<'PYEOF' || fail "the --jobs 3 --json outcome list is wrong"
import json, sys
out = json.load(open(sys.argv[1]))
assert [o["name"].split("/")[-1] for o in out] == ["again-a.req", "junk.req", "again-b.req", "again-c.req"], out
assert "error" in out[1] and all(o["disposition"] == "issued" for o in out if o is not out[1]), out
PYEOF
for f in again-a again-b again-c; do
  openssl x509 -inform der -in "jobs-out/$f.cer" -noout >/dev/null 2>&1 || fail "jobs-out/$f.cer is not a certificate"
done
assert_eq "$(q "SELECT count(*) FROM requests")" "$((requests + 3))" "request rows after --jobs 3 (junk makes none)"

step "--json: one object per request, errors with their message"
expect_exit 1 pcah --json submit --batch reqs/host02.req reqs/junk.req --template WebServer --out-dir json-out
python3 - "$OUT" <<'PYEOF' || fail "the --json outcome list is wrong"
import json, sys
out = json.load(open(sys.argv[1]))
assert len(out) == 2, out
issued = [o for o in out if "serial" in o]
errors = [o for o in out if "error" in o]
assert len(issued) == 1 and issued[0]["disposition"] == "issued" and issued[0]["files"]["cer"].endswith("host02.cer"), out
assert len(errors) == 1 and errors[0]["name"].endswith("junk.req"), out
PYEOF

step "existing output files are refused before signing; --pending holds the whole batch"
before=$(q "SELECT count(*) FROM certificates")
expect_exit 1 pcah submit --batch reqs/host03.req --template WebServer --out-dir out
assert_contains "$ERR" "exists"
assert_eq "$(q "SELECT count(*) FROM certificates")" "$before" "no certificate for a refused output"
expect_exit 3 pcah submit --batch reqs/host04.req reqs/host05.req --template WebServer --pending --out-dir pend
assert_contains "$OUT" "0 issued, 2 pending"

step "a wrong passphrase stops the batch before anything is recorded"
requests=$(q "SELECT count(*) FROM requests")
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" submit --batch reqs/host06.req --template WebServer --out-dir w
assert_eq "$(q "SELECT count(*) FROM requests")" "$requests" "request rows after a wrong passphrase"
expect_exit 1 pca --home "$H" --passphrase-file "$WRONG_PW" submit --batch reqs/host06.req reqs/host07.req \
  --template WebServer --jobs 2 --no-files
assert_eq "$(q "SELECT count(*) FROM requests")" "$requests" "request rows after a wrong passphrase with --jobs 2"
step "certificates that cannot be built: each fails alone with a failed row, the batch goes on to the end"
# A base URL no client could use (set behind pocketca's back) makes every CDP fail to build, so
# each group's signing fails as a whole and its requests are issued one by one, each failing.
issuing=$(q "SELECT ca_index FROM cas WHERE is_default = 1")
good_url=$(q "SELECT base_url FROM cas WHERE ca_index = $issuing")
q "UPDATE cas SET base_url = 'http://bad url' WHERE ca_index = $issuing"
for i in $(seq 600); do echo "reqs/host01.req"; done > three-groups.txt
before=$(q "SELECT count(*) FROM certificates")
failed_before=$(q "SELECT count(*) FROM requests WHERE disposition = 'failed'")
expect_exit 1 pcah submit --batch - --template WebServer --jobs 2 --no-files < three-groups.txt
assert_contains "$OUT" "0 issued, 0 pending, 600 refused of 600"
assert_eq "$(grep -c "is not a usable CRL URL" "$ERR")" 600 "every request reported with the reason"
assert_eq "$(q "SELECT count(*) FROM certificates")" "$before" "no certificate"
# Each request: the row its group reserved (failed: signing did not finish) and the row of its
# own attempt (failed, with the reason).
assert_eq "$(q "SELECT count(*) FROM requests WHERE disposition = 'failed'")" "$((failed_before + 1200))" "failed rows"
assert_eq "$(q "SELECT count(*) FROM requests WHERE disposition = 'failed'
                AND disposition_message LIKE '%is not a usable CRL URL%'")" 600 "failed rows with the reason"
q "UPDATE cas SET base_url = '$good_url' WHERE ca_index = $issuing"
expect_exit 0 pcah submit --batch - --template WebServer --jobs 2 --no-files < three-groups.txt
assert_contains "$OUT" "600 issued"
assert_eq "$(q "PRAGMA integrity_check")" ok "integrity_check"
echo "PASS"
