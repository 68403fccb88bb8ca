#!/usr/bin/env bash
# Certificates: issue from fixture run records, verify with kesu and with the
# city's stock openssl command, and reject every kind of forgery or bad key.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
# kesu cert pdf (the drive health rows on the page) loads fontconfig, whose
# caches LeakSanitizer reports under make asan (the same suppression as pdf.sh).
export LSAN_OPTIONS=fast_unwind_on_malloc=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-fontconfig.supp

make_ca ca && make_ca otherca && make_operator op ca || { not_ok "test CA set-up"; t_done; exit 1; }
mkdir -p "$T_DIR/out"
NOREG=(--no-register)

check "key new writes a 0600 key and a CSR" \
	test "$(stat -c %a "$T_DIR/op/kesu-signing.key")" = 600 -a -s "$T_DIR/op/kesu-signing.csr"
check "key new never overwrites a key" \
	bash -c '! "$KESU" key new --subject "/CN=x" --out "$1" 2>/dev/null' _ "$T_DIR/op"
check "key new refuses a malformed subject" \
	bash -c '"$KESU" key new --subject "CN=x" --out "$1/k2" 2>/dev/null; [ $? -eq 2 ]' _ "$T_DIR"
check "operator certificate has the signing key usages" \
	bash -c 'openssl x509 -in "$1" -noout -ext keyUsage,extendedKeyUsage | grep -q "Digital Signature, Non Repudiation" &&
		openssl x509 -in "$1" -noout -ext extendedKeyUsage | grep -q "E-mail Protection"' _ "$T_DIR/op/cert.pem"

check "operator certificates default to outliving 5 years of record keeping" \
	bash -c '"$KESU" key new --subject "/O=x/CN=long" --out "$1/long" >/dev/null &&
		"$2/issue-operator.sh" "$1/ca" "$1/long/kesu-signing.csr" "$1/long/cert.pem" >/dev/null 2>&1 &&
		openssl x509 -in "$1/long/cert.pem" -noout -checkend $((5 * 366 * 86400)) >/dev/null' _ "$T_DIR" "$CA_SCRIPTS"

cert=$(issue "$FIXTURES/runs/erased.json" op "${NOREG[@]}")
check "cert issue writes the certificate and its signature" test -s "$cert" -a -s "$cert.p7s"
check "round trip: kesu cert verify accepts it" "$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$cert"
check "round trip: the README openssl command accepts it" openssl_verify "$cert" "$T_DIR/ca/ca.pem"
check "signature is SHA-256 with a signed signingTime" \
	bash -c 'openssl cms -cmsout -print -inform DER -in "$1" | grep -q "signingTime" &&
		openssl cms -cmsout -print -inform DER -in "$1" | grep -q "sha256"' _ "$cert.p7s"
check "certificate records the run record's SHA-256" \
	test "$(jq -r .run_record.sha256 "$cert")" = "$(sha256sum "$FIXTURES/runs/erased.json" | cut -d' ' -f1)"
check "verify --json reports ok" \
	bash -c '"$KESU" cert verify --json --ca "$1" "$2" | jq -e ".[0].ok == true and .[0].result == \"erased\"" >/dev/null' \
	_ "$T_DIR/ca/ca.pem" "$cert"
check "cert show labels in Japanese and English" \
	bash -c '"$KESU" cert show "$1" | grep -q "作業者 / Operator.*山田 太郎"' _ "$cert"
# Exit 9 exactly: under make asan a leak on the refusal path (the file's
# bytes were once kept when they did not parse) turns it into the
# sanitizer's exit status (1).
check "cert show refuses a file that is not a certificate (exit 9)" \
	bash -c 'echo "{\"schema\": 1}" > "$1/not-a-cert.json"; "$KESU" cert show "$1/not-a-cert.json" 2>/dev/null; [ $? -eq 9 ]' _ "$T_DIR"
check "CA from kesu.conf [trust] ca_file" \
	bash -c 'printf "[trust]\nca_file = %s\n" "$1" > "$3/k.conf"; "$KESU" cert verify --config "$3/k.conf" "$2" >/dev/null' \
	_ "$T_DIR/ca/ca.pem" "$cert" "$T_DIR"

# Flip single bytes across both files: first, last and a spread between.
flips_fail() { # FILE
	local f=$1 size pos bad=0
	size=$(stat -c %s "$f")
	for pos in 0 1 $((size / 7)) $((size / 3)) $((size / 2)) $((size * 2 / 3)) \
		$((size * 5 / 6)) $((size - 20)) $((size - 2)) $((size - 1)); do
		cp "$f" "$f.orig"
		flip "$f" "$pos"
		if "$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$cert" >/dev/null 2>&1; then
			echo "kesu accepted $f with byte $pos flipped" >&2; bad=1
		fi
		if openssl_verify "$cert" "$T_DIR/ca/ca.pem"; then
			echo "openssl accepted $f with byte $pos flipped" >&2; bad=1
		fi
		mv "$f.orig" "$f"
	done
	return $bad
}
check "any flipped byte of the JSON fails both verifiers" flips_fail "$cert"
check "any flipped byte of the signature fails both verifiers" flips_fail "$cert.p7s"
check "and the restored files verify again" "$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$cert"

check "a certificate from another CA is rejected by kesu as not issued by it, not as changed" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" 2>&1); [ $? -eq 9 ] && grep -q "UNTRUSTED: .*not issued by this CA" <<<"$out" &&
		! grep -q "changed" <<<"$out"' _ "$T_DIR/otherca/ca.pem" "$cert"
check "a certificate from another CA is rejected by openssl" \
	bash -c '! openssl_verify "$1" "$2"' _ "$cert" "$T_DIR/otherca/ca.pem"

# Expired operator certificate: kesu refuses to sign with it, and a signature
# made with it anyway (by openssl) does not verify at its signing time.
"$KESU" key new --subject "/O=x/CN=old" --out "$T_DIR/old" >/dev/null
STARTDATE=200101000000Z ENDDATE=210101000000Z "$CA_SCRIPTS/issue-operator.sh" \
	"$T_DIR/ca" "$T_DIR/old/kesu-signing.csr" "$T_DIR/old/cert.pem" >/dev/null 2>&1
check "signing with an expired operator certificate is refused" \
	bash -c 'out=$(issue "$1" old --no-register 2>&1); [ $? -eq 9 ] && grep -q "not valid now" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
cp "$cert" "$T_DIR/out/expired.json"
openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/out/expired.json" \
	-signer "$T_DIR/old/cert.pem" -inkey "$T_DIR/old/kesu-signing.key" \
	-out "$T_DIR/out/expired.json.p7s" 2>/dev/null
check "a signature by an expired operator certificate is rejected" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" 2>&1); [ $? -eq 9 ] && grep -q "expired" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/out/expired.json"
check "--at after the operator certificate expires rejects a good signature" \
	bash -c '! "$KESU" cert verify --at 2099-01-01 --ca "$1" "$2" >/dev/null 2>&1' _ "$T_DIR/ca/ca.pem" "$cert"

# Certificates the CA issued for other purposes do not sign records.
"$KESU" key new --subject "/O=x/CN=tls" --out "$T_DIR/tls" >/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n' > "$T_DIR/tls/ext"
openssl x509 -req -in "$T_DIR/tls/kesu-signing.csr" -CA "$T_DIR/ca/ca.pem" \
	-CAkey "$T_DIR/ca/private/ca.key" -CAcreateserial -days 5 -extfile "$T_DIR/tls/ext" \
	-out "$T_DIR/tls/cert.pem" 2>/dev/null
check "a certificate without a signing key usage is refused for signing" \
	bash -c 'out=$(issue "$1" tls --no-register 2>&1); [ $? -eq 9 ] && grep -q "key usage" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
cp "$cert" "$T_DIR/out/tls.json"
openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/out/tls.json" \
	-signer "$T_DIR/tls/cert.pem" -inkey "$T_DIR/tls/kesu-signing.key" \
	-out "$T_DIR/out/tls.json.p7s" 2>/dev/null
check "and a signature made with one anyway is rejected" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" 2>&1); [ $? -eq 9 ] && grep -q "key usage" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/out/tls.json"
cp "$cert" "$T_DIR/out/byca.json"
openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/out/byca.json" \
	-signer "$T_DIR/ca/ca.pem" -inkey "$T_DIR/ca/private/ca.key" \
	-out "$T_DIR/out/byca.json.p7s" 2>/dev/null
check "a signature by the CA certificate itself is rejected" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" 2>&1); [ $? -eq 9 ] && grep -q "CA certificate" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/out/byca.json"

chmod 640 "$T_DIR/op/kesu-signing.key"
check "a key readable by group is refused, with the chmod fix" \
	bash -c 'out=$(issue "$1" op --no-register 2>&1); [ $? -eq 5 ] && grep -q "chmod 600" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
chmod 600 "$T_DIR/op/kesu-signing.key"
chown nobody "$T_DIR/op/kesu-signing.key"
check "a key not owned by root is refused, with the chown fix" \
	bash -c 'out=$(issue "$1" op --no-register 2>&1); [ $? -eq 5 ] && grep -q "chown root" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
chown root "$T_DIR/op/kesu-signing.key"

mkdir -p "$T_DIR/ed"
openssl genpkey -algorithm ed25519 -out "$T_DIR/ed/kesu-signing.key" 2>/dev/null
chmod 600 "$T_DIR/ed/kesu-signing.key"
openssl req -new -key "$T_DIR/ed/kesu-signing.key" -subj "/O=x/CN=ed" \
	-out "$T_DIR/ed/kesu-signing.csr" 2>/dev/null
"$CA_SCRIPTS/issue-operator.sh" "$T_DIR/ca" "$T_DIR/ed/kesu-signing.csr" "$T_DIR/ed/cert.pem" >/dev/null 2>&1
check "an Ed25519 key is refused with the OpenSSL 3.0 CMS message" \
	bash -c 'out=$(issue "$1" ed --no-register 2>&1); [ $? -eq 4 ] &&
		grep -q "OpenSSL 3.0 cannot make CMS signatures with Ed25519" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$T_DIR/ed/p384.key" 2>/dev/null
chmod 600 "$T_DIR/ed/p384.key"
check "an EC key on another curve is refused" \
	bash -c 'issue "$1" op --no-register --key "$2" 2>&1 | grep -q "refused; use ECDSA P-256"' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR/ed/p384.key"

# Re-signed tampering: a validly signed file that is not a valid certificate.
resign() { # FILE
	openssl cms -sign -binary -outform DER -md sha256 -in "$1" -signer "$T_DIR/op/cert.pem" \
		-inkey "$T_DIR/op/kesu-signing.key" -out "$1.p7s" 2>/dev/null
}
tamper_rejected() { # NAME SED-EXPR EXPECTED-WORDS
	local f="$T_DIR/out/$1.json" out
	sed "$2" "$cert" > "$f" && resign "$f"
	out=$("$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$f" 2>&1)
	[ $? -eq 9 ] && grep -q -- "$3" <<<"$out" || { echo "$out" >&2; return 1; }
}
check "duplicate keys are rejected" \
	tamper_rejected dup 's/"kind": "erasure",/"kind": "erasure", "kind": "erasure",/' "duplicate"
check "a wrong type is rejected" \
	tamper_rejected type 's/"confidentiality_class": 3/"confidentiality_class": "3"/' "confidentiality_class: not an integer"
check "an unknown schema is refused" \
	tamper_rejected schema 's|kesu-certificate/1|kesu-certificate/7|' "unknown schema"
check "erased with a failed verification is inconsistent" \
	tamper_rejected incons 's/"outcome": "passed"/"outcome": "failed"/' "INCONSISTENT"
check "a missing signature file is reported" \
	bash -c 'cp "$1" "$2/nosig.json"; out=$("$KESU" cert verify --ca "$3" "$2/nosig.json" 2>&1); [ $? -ne 0 ] && grep -q "p7s" <<<"$out"' \
	_ "$cert" "$T_DIR/out" "$T_DIR/ca/ca.pem"
check "one bad file among good ones fails the command but all get a line" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" "$3"); [ $? -eq 9 ] && [ $(wc -l <<<"$out") -eq 2 ]' \
	_ "$T_DIR/ca/ca.pem" "$cert" "$T_DIR/out/dup.json"

jq '.bad_ranges = [{"first_lba": 8, "count": 1, "operation": "write"}]' \
	"$FIXTURES/runs/erased.json" > "$T_DIR/liar.json"
check "a run record claiming erased with bad ranges is not certified" \
	bash -c 'out=$(issue "$1" op --no-register 2>&1); [ $? -eq 9 ] && grep -q "contradicts itself" <<<"$out" &&
		! ls "$T_DIR"/out/*.json.tmp* >/dev/null 2>&1' _ "$T_DIR/liar.json"

# The run record kept beside the certificate must be the one it names.
mkdir -p "$T_DIR/beside"
cp "$FIXTURES/runs/erased.json" "$T_DIR/beside/kesu-run-x.json"
bc=$(issue "$T_DIR/beside/kesu-run-x.json" op --no-register --cert-dir "$T_DIR/beside")
check "verify checks the run record beside the certificate" \
	bash -c '"$KESU" cert verify --ca "$1" "$2" | grep -q "run record matches"' _ "$T_DIR/ca/ca.pem" "$bc"
sed -i 's/"bytes_written": 3145728/"bytes_written": 3145729/' "$T_DIR/beside/kesu-run-x.json"
check "a changed run record beside the certificate is reported" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2"); [ $? -eq 9 ] && grep -q "run record .* does not match" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$bc"

# True results, never dressed up.
nc=$(issue "$FIXTURES/runs/interrupted.json" op --no-register)
check "an interrupted run gets a not-erased certificate" \
	bash -c '[ "$(jq -r .result "$1")" = not-erased ] && "$KESU" cert verify --ca "$2" "$1" | grep -q "NOT ERASED"' \
	_ "$nc" "$T_DIR/ca/ca.pem"
check "cert show says NOT ERASED" bash -c '"$KESU" cert show "$1" | grep -q "NOT ERASED"' _ "$nc"
mn=$(issue "$FIXTURES/runs/erased.json" op --no-register --my-number)
check "My Number media: the certificate requires physical destruction" \
	bash -c 'jq -e ".physical_destruction_required == true and (.notes[0] | test(\"physical destruction\"))" "$1" >/dev/null' _ "$mn"
check "My Number media: verify surfaces it" \
	bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "PHYSICAL DESTRUCTION REQUIRED"' _ "$mn" "$T_DIR/ca/ca.pem"
check "My Number media: show surfaces it" \
	bash -c '"$KESU" cert show "$1" | grep -q "物理的破壊が必要 / PHYSICAL DESTRUCTION REQUIRED"' _ "$mn"
check "missing certificate fields are refused before signing" \
	bash -c '"$KESU" cert issue "$1" --key "$2" --cert "$3" --config /dev/null --no-register --operator x 2>&1 | grep -q "organization"' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR/op/kesu-signing.key" "$T_DIR/op/cert.pem"
# The work location (issue #12): from [operator] location, --location
# over it, on the certificate; the strict reader and the city's openssl
# command take it.
printf '[operator]\nlocation = 本庁舎 地下1階 作業室\n[policy]\nsigned_approval_classes = none\n' \
	> "$T_DIR/loc.conf"
loc=$(issue "$FIXTURES/runs/erased.json" op --no-register --config "$T_DIR/loc.conf")
check "cert issue takes the work location from [operator] location" \
	bash -c 'jq -e ".operator.location == \"本庁舎 地下1階 作業室\"" "$1" >/dev/null &&
		"$KESU" cert verify --ca "$2" "$1" >/dev/null && openssl_verify "$1" "$2"' _ "$loc" "$T_DIR/ca/ca.pem"
loc=$(issue "$FIXTURES/runs/erased.json" op --no-register --config "$T_DIR/loc.conf" --location '別館 2階')
check "--location wins over [operator] location, and cert show shows it" \
	bash -c 'jq -e ".operator.location == \"別館 2階\"" "$1" >/dev/null &&
		"$KESU" cert show "$1" | grep -q "作業場所 / Work location  *別館 2階"' _ "$loc"
check "cert issue refuses a --location with an escape character (exit 2), issuing nothing" \
	bash -c 'n=$(ls "$2"/out | wc -l); "$KESU" cert issue "$1" --location "$(printf "a\033[2Jb")" >/dev/null 2>&1
		[ $? -eq 2 ] && [ "$(ls "$2"/out | wc -l)" = "$n" ]' _ "$FIXTURES/runs/erased.json" "$T_DIR"
check "a strict config error stops issuing" \
	bash -c 'printf "[operator]\nnmae = x\n" > "$2/bad.conf"; "$KESU" cert issue "$1" --config "$2/bad.conf" 2>&1 | grep -q "bad.conf:2"' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR"

check "cert verify on a run record says what the file is" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" "$2" 2>&1); [ $? -eq 9 ] &&
		grep -q "this is a run record, not a certificate; issue one with .kesu cert issue" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$FIXTURES/runs/erased.json"

# --- Forgeries signed with a genuine operator key (issue #10, items 8, 9).
# Each is a certificate the operator could sign with stock openssl; every
# one must fail kesu cert verify.  Counted for the report.
FORGED=0 CAUGHT=0
forged() { # NAME FILE EXPECTED-WORDS: resign FILE, expect INCONSISTENT
	local out
	FORGED=$((FORGED + 1))
	resign "$2"
	out=$("$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$2" 2>&1)
	if [ $? -eq 9 ] && grep -q "INCONSISTENT: .*$3" <<<"$out"; then
		CAUGHT=$((CAUGHT + 1)); ok "forgery caught: $1"
	else
		not_ok "forgery caught: $1"; echo "$out" >&2
	fi
}
mkdir -p "$T_DIR/forge"
jqf() { # NAME JQ-FILTER EXPECTED-WORDS
	jq "$2" "$cert" > "$T_DIR/forge/$1.json" && forged "$1" "$T_DIR/forge/$1.json" "$3"
}
jqf unverified '.method.verification |= (.mode = "none" | .outcome = "skipped")' "without verification"
jqf technique '.method.technique = "magic"' "technique"
jqf method '.method.name = "quick-format"' "unknown method"
jqf size0 '.device.size_bytes = 0 | .execution.bytes_written = 0' "size 0"
jqf approval-late '.approval.date = "2026-11-23"' "approval dated"
jqf mynumber-lease '.asset.my_number = true | .physical_destruction_required = true | .asset.reason = "lease-return"' "lessor"
jqf mynumber-dest '.asset.my_number = true | .physical_destruction_required = true | .asset.destination = "中古業者"' "destination"
jqf blank-operator '.operator.name = "\u3000"' "operator.name is blank"
jqf bidi-asset '.asset.property_number = "A-\u202e0001"' "U+202E"
jqf zw-approver '.approval.approver = "佐藤\u200b花子"' "U+200B"
jqf issued-future '.issued_at = "2099-01-01T00:00:00+09:00"' "signing time is before\\|in the future"
# A genuine interrupted run record beside a self-consistent "erased"
# certificate that names it (by its real SHA-256).
mkdir -p "$T_DIR/forge/rr"
cp "$FIXTURES/runs/interrupted.json" "$T_DIR/forge/rr/kesu-run-i.json"
jq --arg h "$(sha256sum < "$FIXTURES/runs/interrupted.json" | cut -d' ' -f1)" \
	--arg id "$(jq -r .run_id "$FIXTURES/runs/interrupted.json")" \
	'.run_record.file = "kesu-run-i.json" | .run_record.sha256 = $h | .run_record.run_id = $id' \
	"$cert" > "$T_DIR/forge/rr/erased-claim.json"
forged "erased beside an interrupted run record" "$T_DIR/forge/rr/erased-claim.json" \
	"run record .* contradicts the certificate: .*the run record says"
cp "$FIXTURES/runs/erased.json" "$T_DIR/forge/rr/kesu-run-e.json"
jq --arg h "$(sha256sum < "$FIXTURES/runs/erased.json" | cut -d' ' -f1)" \
	'.run_record.file = "kesu-run-e.json" | .run_record.sha256 = $h | .device.serial = "OTHER-DISK-1"' \
	"$cert" > "$T_DIR/forge/rr/other-serial.json"
forged "another disk's serial beside the run record" "$T_DIR/forge/rr/other-serial.json" "device.serial"
jq --arg h "$(sha256sum < "$FIXTURES/runs/erased.json" | cut -d' ' -f1)" \
	'.run_record.file = "kesu-run-e.json" | .run_record.sha256 = $h | .method.name = "dod-3"' \
	"$cert" > "$T_DIR/forge/rr/other-method.json"
forged "a stronger method than the run record's" "$T_DIR/forge/rr/other-method.json" "method.name"
echo "# forged certificates: $FORGED tried, $CAUGHT caught, $((FORGED - CAUGHT)) missed"

# --- Revocation (issue #10, item 10): a throwaway CA revokes an operator.
"$KESU" key new --subject "/O=x/CN=revoked" --out "$T_DIR/rev" >/dev/null
"$CA_SCRIPTS/issue-operator.sh" "$T_DIR/ca" "$T_DIR/rev/kesu-signing.csr" "$T_DIR/rev/cert.pem" 30 >/dev/null 2>&1
rc_cert=$(issue "$FIXTURES/runs/erased.json" rev "${NOREG[@]}")
"$CA_SCRIPTS/gen-crl.sh" "$T_DIR/ca" "$T_DIR/ca/crl-before.pem" >/dev/null 2>&1
"$CA_SCRIPTS/revoke-operator.sh" "$T_DIR/ca" "$T_DIR/rev/cert.pem" >/dev/null 2>&1
"$CA_SCRIPTS/gen-crl.sh" "$T_DIR/ca" "$T_DIR/ca/crl.pem" >/dev/null 2>&1
"$CA_SCRIPTS/gen-crl.sh" "$T_DIR/otherca" "$T_DIR/otherca/crl.pem" >/dev/null 2>&1
check "the CA scripts revoke and publish a CRL naming the certificate" \
	bash -c 's=$(openssl x509 -in "$1" -noout -serial | cut -d= -f2);
		openssl crl -in "$2" -noout -text | grep -qi "Serial Number: $s"' _ "$T_DIR/rev/cert.pem" "$T_DIR/ca/crl.pem"
check "with the CRL, a revoked signer's certificate is reported as revoked" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" --crl "$2" "$3" 2>&1); [ $? -eq 9 ] && grep -q "UNTRUSTED: .*revoked" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem" "$rc_cert"
check "the CRL from kesu.conf [trust] crl_file is used" \
	bash -c 'printf "[trust]\nca_file = %s\ncrl_file = %s\n" "$1" "$2" > "$4/crl.conf";
		out=$("$KESU" cert verify --config "$4/crl.conf" "$3" 2>&1); [ $? -eq 9 ] && grep -q "revoked" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem" "$rc_cert" "$T_DIR"
check "an older CRL without it still accepts it, and says revocation was checked" \
	bash -c '"$KESU" cert verify --ca "$1" --crl "$2" "$3" | grep -q "OK: .*not revoked"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl-before.pem" "$rc_cert"
check "a good signer passes the CRL check (--json says so)" \
	bash -c '"$KESU" cert verify --json --ca "$1" --crl "$2" "$3" | jq -e ".[0].ok and .[0].revocation_checked" >/dev/null' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem" "$cert"
check "another CA's CRL is refused, not taken as 'not revoked'" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" --crl "$2" "$3" 2>&1); [ $? -ne 0 ] && grep -q "no CRL from the CA" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/otherca/crl.pem" "$cert"
CA_DIR=$T_DIR/ca openssl ca -batch -config "$CA_SCRIPTS/openssl-ca.cnf" -gencrl -crlsec 1 \
	-out "$T_DIR/ca/crl-stale.pem" >/dev/null 2>&1; sleep 2
check "a CRL past its next update is refused" \
	bash -c 'out=$("$KESU" cert verify --ca "$1" --crl "$2" "$3" 2>&1); [ $? -eq 9 ] && grep -q "out of date" <<<"$out"' \
	_ "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl-stale.pem" "$cert"
check "signing with a revoked operator certificate is refused when a CRL is given" \
	bash -c 'out=$(issue "$1" rev --no-register --ca-file "$2" --crl "$3" 2>&1); [ $? -eq 9 ] &&
		grep -q "revoked" <<<"$out" && ! ls "$4"/out/*.tmp* >/dev/null 2>&1' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem" "$T_DIR"
check "signing with an operator of another CA is refused when the CA is given" \
	bash -c 'n=$(ls "$3"/out | wc -l); out=$(issue "$1" op --no-register --ca-file "$2" 2>&1); [ $? -eq 9 ] &&
		grep -q "not issued by this CA" <<<"$out" && [ "$(ls "$3"/out | wc -l)" -eq "$n" ]' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR/otherca/ca.pem" "$T_DIR"
check "signing with a trusted, unrevoked operator passes the same checks" \
	bash -c 'c=$(issue "$1" op --no-register --ca-file "$2" --crl "$3") && "$KESU" cert verify --ca "$2" --crl "$3" "$c" >/dev/null' \
	_ "$FIXTURES/runs/erased.json" "$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem"
check "an approval dated after today is refused before signing" \
	bash -c 'out=$(issue "$1" op --no-register --approval-date 2099-01-01 2>&1); [ $? -eq 2 ] && grep -q "approval date" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"
check "My Number media for lease return are refused before signing" \
	bash -c 'out=$(issue "$1" op --no-register --my-number --reason lease-return 2>&1); [ $? -eq 2 ] && grep -q "lessor" <<<"$out"' \
	_ "$FIXTURES/runs/erased.json"

# The drive's health (kesu-certificate(5), health): copied from the run
# record, compared with it on verification, shown and printed.
mkdir -p "$T_DIR/hbeside"
hr=$T_DIR/hbeside/kesu-run-h.json
cp "$FIXTURES/runs/erased-health.json" "$hr"
hc=$(issue "$hr" op --no-register --cert-dir "$T_DIR/hbeside")
check "a run record's health goes onto the certificate as it is" \
	bash -c 'jq -e --argjson h "$(jq -c .health "$2")" ".health == \$h" "$1" >/dev/null' _ "$hc" "$hr"
check "cert verify: its run record matches, health included" \
	bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "run record matches"' _ "$hc" "$T_DIR/ca/ca.pem"
check "cert show gives the NVMe and ATA readings" \
	bash -c 'out=$("$KESU" cert show "$1"); grep -q "Drive health before  *NVMe SMART: critical warning 0x00, 37 C, 3% used" <<<"$out" &&
		grep -q "Drive health after  *ATA SMART passed: reallocated_sectors 0 (raw), power_on_hours 4321 (raw)" <<<"$out"' _ "$hc"
"$KESU" cert pdf --ca "$T_DIR/ca/ca.pem" --out "$T_DIR/hpdf" "$hc" >/dev/null 2>&1
check "the printed certificate gives the readings under the medium" \
	bash -c 'pdftotext "$1"/*.pdf - | grep -q "NVMe SMART: critical warning 0x00"' _ "$T_DIR/hpdf"
sed -i 's/"media_errors":0/"media_errors":5/' "$hr"
check "a run record whose health reading was changed is reported" \
	bash -c '! "$KESU" cert verify --ca "$2" "$1" > "$3" 2>&1 && grep -q "INCONSISTENT" "$3"' \
	_ "$hc" "$T_DIR/ca/ca.pem" "$T_DIR/hv.out"

t_done
