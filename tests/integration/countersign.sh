#!/usr/bin/env bash
# Witnesses and the city's receipt: kesu cert countersign adds a signature
# over the same certificate bytes in a file of its own; each verifies with
# stock openssl; cert verify and cert show list every signer with its role;
# a signer without the role, or a signature over other bytes, is refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_ca otherca && make_operator op ca && make_role '鈴木 一郎' ca witness &&
	make_role '市 受領係' ca city && make_role 'Other Witness' otherca witness ||
	{ not_ok "test CA set-up"; t_done; exit 1; }
CA=$T_DIR/ca/ca.pem
cert=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run.json")" op --no-register)
cert2=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run2.json")" op --no-register)
[ -s "$cert" ] && [ -s "$cert2" ] || { not_ok "certificates to countersign"; t_done; exit 1; }
cs() { local who=$1; shift; "$KESU" cert countersign --config /dev/null --ca "$CA" \
	--key "$T_DIR/$who/kesu-signing.key" --cert "$T_DIR/$who/cert.pem" "$@"; }
sso() { # FILE SIG: stock openssl over the certificate's bytes
	(cd "$(dirname "$1")" && cp "$CA" ca.pem && openssl cms -verify -binary -inform DER \
		-in "$2" -content "$(basename "$1")" -CAfile ca.pem -purpose any >/dev/null 2>&1)
}

w=$(cs '鈴木 一郎' "$cert")
check "a witness countersignature goes to CERT.json.witness-1.p7s" test "$w" = "$cert.witness-1.p7s"
check "stock openssl verifies the witness's signature over the certificate" sso "$cert" "$w"
check "and the operator's own signature still verifies" openssl_verify "$cert" "$CA"
c=$(cs '市 受領係' --role city "$cert")
check "the city's receipt goes to CERT.json.city-1.p7s" test "$c" = "$cert.city-1.p7s"
check "stock openssl verifies the city's receipt" sso "$cert" "$c"
out=$("$KESU" cert verify --ca "$CA" "$cert")
check "cert verify lists the witness and the city" \
	bash -c 'grep -q "countersigned as witness by .*鈴木 一郎" <<<"$1" && grep -q "countersigned as city by .*市 受領係" <<<"$1"' _ "$out"
out=$("$KESU" cert verify --ca "$CA" --json "$cert")
check "cert verify --json lists three signers with roles" \
	jq -e '.[0].ok and (.[0].signers | map(.role)) == ["issuer","city","witness"] and .[0].signers[2].roles == "witness"' <<<"$out"
out=$("$KESU" cert show "$cert")
check "cert show lists the countersigners" \
	bash -c 'grep -q "立会者署名 / Countersigned (witness).*鈴木 一郎" <<<"$1" && grep -q "(city).*市 受領係" <<<"$1"' _ "$out"

out=$(cs op --role witness "$cert" 2>&1); rc=$?
check "an operator cannot countersign as a witness (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "witness role" <<<"$2"' _ "$rc" "$out"
out=$(cs '鈴木 一郎' --role city "$cert" 2>&1); rc=$?
check "a witness cannot countersign as the city (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "city role" <<<"$2"' _ "$rc" "$out"
out=$(cs 'Other Witness' "$cert" 2>&1); rc=$?
check "a witness of another CA is refused (exit 9)" test "$rc" -eq 9
cp "$cert" "$T_DIR/saved.json"
sed -i 's/"erased"/"erased" /' "$cert"
out=$(cs '鈴木 一郎' "$cert" 2>&1); rc=$?
check "a changed certificate is not countersigned (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "own signature does not verify" <<<"$2"' _ "$rc" "$out"
cp "$T_DIR/saved.json" "$cert"
cp "$(cs '鈴木 一郎' "$cert2")" "$cert.witness-2.p7s"
out=$("$KESU" cert verify --ca "$CA" "$cert"); rc=$?
check "a countersignature over another certificate's bytes fails cert verify" \
	bash -c '[ $1 -eq 9 ] && grep -q "BAD COUNTERSIGNATURE: countersignature .*witness-2.p7s" <<<"$2"' _ "$rc" "$out"
rm -f "$cert.witness-2.p7s"
mv "$cert.witness-1.p7s" "$cert.city-2.p7s"
out=$("$KESU" cert verify --ca "$CA" "$cert"); rc=$?
check "a witness signature renamed to claim the city role fails cert verify" \
	bash -c '[ $1 -eq 9 ] && grep -q "does not hold the city role" <<<"$2"' _ "$rc" "$out"
# ---- countersignatures in the register ----
CREG=$T_DIR/creg/register.jsonl
rc3=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run3.json")" op --register "$CREG")
w3=$(cs '鈴木 一郎' --register "$CREG" "$rc3")
export CREG CA rc3 w3
check "countersign --register adds a line naming the certificate, the role and the signer" \
	bash -c '[ -s "$w3" ] && tail -1 "$CREG" | jq -e ".kind == \"countersignature\" and .refers_to == \"$(jq -r .id "$rc3")\"
		and .refers_kind == \"erasure\" and .role == \"witness\" and .signer == \"鈴木 一郎\" and .sig_file == \"$w3\"
		and .serial == \"$(jq -r .device.serial "$rc3")\" and (.cert_id | test(\"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]\"))" >/dev/null'
check "register verify checks the countersignature" \
	"$KESU" register verify --register "$CREG" --ca "$CA" --config /dev/null
check "register list shows the certificate's countersigners" \
	bash -c '"$KESU" register list --json --register "$CREG" --ca "$CA" --config /dev/null |
		jq -e "[.[] | select(.kind == \"certificate\")][0].ledger.countersigners == \"witness: 鈴木 一郎\"" >/dev/null'
check "register trace shows it in the medium's life" \
	bash -c 'out=$("$KESU" register trace --register "$CREG" --ca "$CA" --config /dev/null "$(jq -r .device.serial "$rc3")") &&
		grep -q "countersignature .*countersigned as witness by 鈴木 一郎: $(jq -r .id "$rc3")" <<<"$out" &&
		grep -q "countersigned: witness: 鈴木 一郎" <<<"$out"'
out=$(cs '市 受領係' --role city --register "$CREG" "$cert2" 2>&1); rc=$?
check "a countersignature of a document the register does not hold: refused (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "not registered: the document .* it countersigns is not in the register" <<<"$2" &&
		[ "$(jq -s "map(select(.kind == \"countersignature\")) | length" "$CREG")" -eq 1 ]' _ "$rc" "$out"
cp -a "$T_DIR/creg" "$T_DIR/creg2" && cp "$(cs '市 受領係' --role city "$cert2")" "$w3"
check "a registered countersignature replaced by another: register verify fails (exit 9)" \
	bash -c 'out=$("$KESU" register verify --register "$CREG" --ca "$CA" --config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "witness-1.p7s does not match the hash" <<<"$out"'
t_done
