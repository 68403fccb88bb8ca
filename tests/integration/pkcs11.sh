#!/usr/bin/env bash
# A key on a PKCS#11 token (softhsm2) signs a certificate that stock openssl
# verifies; the PIN comes from a protected file named in kesu.conf.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

MODULE=/usr/lib/softhsm/libsofthsm2.so
# Under ASan, ignore the pkcs11 engine's own static allocations (see the file).
export LSAN_OPTIONS=fast_unwind_on_malloc=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-pkcs11-engine.supp
export SOFTHSM2_CONF=$T_DIR/softhsm2.conf
mkdir -p "$T_DIR/tokens" "$T_DIR/out"
echo "directories.tokendir = $T_DIR/tokens" > "$SOFTHSM2_CONF"

make_ca ca && make_operator tok ca || { not_ok "test CA set-up"; t_done; exit 1; }
softhsm2-util --init-token --free --label kesu-test --pin 123456 --so-pin 654321 >/dev/null &&
openssl pkcs8 -topk8 -nocrypt -in "$T_DIR/tok/kesu-signing.key" -out "$T_DIR/tok/key.p8" &&
softhsm2-util --import "$T_DIR/tok/key.p8" --token kesu-test --label operator --id 01 \
	--pin 123456 >/dev/null || { not_ok "softhsm2 token set-up"; t_done; exit 1; }
# The key now lives only on the token.
rm -f "$T_DIR/tok/kesu-signing.key" "$T_DIR/tok/key.p8"

printf '123456\n' > "$T_DIR/pin"
chmod 600 "$T_DIR/pin"
cat > "$T_DIR/kesu.conf" <<CONF
[operator]
name = 山田 太郎
organization = テスト消去株式会社
[customer]
name = 総務課
[signing]
key = pkcs11:token=kesu-test;object=operator;type=private
cert = $T_DIR/tok/cert.pem
pin_file = $T_DIR/pin
pkcs11_module = $MODULE
CONF

tok_issue() {
	"$KESU" cert issue "$FIXTURES/runs/erased.json" --config "$T_DIR/kesu.conf" \
		--asset A-1 --class 2 --reason lease-return --approver '佐藤 花子' \
		--cert-dir "$T_DIR/out" --no-register "$@"
}
cert=$(tok_issue)
check "a softhsm2 token key signs a certificate" test -s "$cert.p7s"
check "stock openssl verifies the token-signed certificate" openssl_verify "$cert" "$T_DIR/ca/ca.pem"
check "kesu verifies the token-signed certificate" "$KESU" cert verify --ca "$T_DIR/ca/ca.pem" "$cert"

printf '999999\n' > "$T_DIR/pin"
export -f tok_issue
check "a wrong PIN is an error, not a signature" \
	bash -c 'out=$(tok_issue 2>&1); [ $? -eq 9 ] && grep -q "PIN" <<<"$out"'
chmod 644 "$T_DIR/pin"
check "a PIN file readable by others is refused" \
	bash -c 'out=$(tok_issue 2>&1); [ $? -eq 5 ] && grep -q "chmod 600" <<<"$out"'
check "there is no option to give the PIN on the command line" \
	bash -c '! tok_issue --pin 123456 >/dev/null 2>&1 && ! "$KESU" cert issue --help | grep -qi -- "--pin" && "$KESU" cert issue --help | grep -q -- "--key FILE|URI"'

t_done
