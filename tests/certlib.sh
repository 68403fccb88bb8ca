# Shared set-up for the certificate tests: a throwaway CA, an operator key
# and certificate, made fresh in the test directory (never committed).
# Source after tests/lib.sh.
CA_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../certs/ca" && pwd)
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/fixtures" && pwd)

# make_ca NAME: a CA in $T_DIR/NAME (ca.pem inside).
make_ca() {
	"$CA_SCRIPTS/init-ca.sh" "$T_DIR/$1" "/C=JP/O=Test $1/CN=Test $1 CA" 30 >/dev/null 2>&1
}

# make_operator NAME CA [DAYS]: key + certificate in $T_DIR/NAME.
make_operator() {
	"$KESU" key new --subject "/C=JP/O=テスト消去株式会社/CN=$1" --out "$T_DIR/$1" >/dev/null &&
	"$CA_SCRIPTS/issue-operator.sh" "$T_DIR/$2" "$T_DIR/$1/kesu-signing.csr" \
		"$T_DIR/$1/cert.pem" "${3:-30}" >/dev/null 2>&1
}

# make_role NAME CA ROLE [DAYS]: key + certificate for a kesu role
# (approver, witness, city) in $T_DIR/NAME, CN = NAME.  STARTDATE/ENDDATE
# in the environment pass through to issue-role.sh.
make_role() {
	"$KESU" key new --subject "/C=JP/O=テスト市/CN=$1" --out "$T_DIR/$1" >/dev/null &&
	"$CA_SCRIPTS/issue-role.sh" "$T_DIR/$2" "$3" "$T_DIR/$1/kesu-signing.csr" \
		"$T_DIR/$1/cert.pem" "${4:-30}" >/dev/null 2>&1
}

# A kesu.conf whose [policy] asks for no signed approval, for tests about
# other things that issue class 3 certificates with a typed approver.
POLICY_OFF_CONF=$T_DIR/policy-off.conf
printf '[policy]\nsigned_approval_classes = none\n' > "$POLICY_OFF_CONF"
export POLICY_OFF_CONF

export T_DIR

# issue RUN OPERATOR [ARGS...]: print the certificate path.
issue() {
	local run=$1 op=$2
	shift 2
	"$KESU" cert issue "$run" --key "$T_DIR/$op/kesu-signing.key" \
		--cert "$T_DIR/$op/cert.pem" --operator '山田 太郎' \
		--organization 'テスト消去株式会社' --customer '総務課' --asset A-0001 \
		--class 3 --reason disposal --approver '佐藤 花子' \
		--approval-date 2026-11-20 --witness '鈴木 一郎/情報政策課' \
		--cert-dir "$T_DIR/out" --config "$POLICY_OFF_CONF" "$@"
}

# The city's check, taken word for word from README.md so the documented
# command is the one tested.
README_CMD=$(grep -m1 '^    openssl cms -verify' "$(dirname "${BASH_SOURCE[0]}")/../README.md")
export README_CMD
openssl_verify() { # CERT.json CA.pem
	local d b w words=()
	d=$(dirname "$1") b=$(basename "$1")
	[ -n "$README_CMD" ] || { echo "README.md has no openssl cms -verify line" >&2; return 2; }
	for w in $README_CMD; do
		case $w in
		X.json.p7s) words+=("$b.p7s") ;;
		X.json) words+=("$b") ;;
		*) words+=("$w") ;;
		esac
	done
	cp "$2" "$d/ca.pem" && (cd "$d" && "${words[@]}" >/dev/null 2>&1)
}

# flip FILE POS: invert the lowest bit of one byte in place.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
export -f issue openssl_verify flip

# new_run FIXTURE OUT: a copy of a run record with a fresh run id (a run
# record is certified once, so every test certificate needs its own run).
new_run() {
	sed "s/\"run_id\": \"[^\"]*\"/\"run_id\": \"$(cat /proc/sys/kernel/random/uuid)\"/" "$1" > "$2" &&
	echo "$2"
}
export -f new_run

# make_tsa NAME: a throwaway timestamp authority in $T_DIR/NAME: its own CA
# (ca.pem), a TSA certificate with extendedKeyUsage critical timeStamping,
# and ts.cnf for `openssl ts -reply`.
make_tsa() {
	local d="$T_DIR/$1"
	mkdir -p "$d" &&
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 30 -subj "/O=Test/CN=$1 TSA CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/tsa.key" -out "$d/tsa.csr" -subj "/O=Test/CN=$1 TSA" >/dev/null 2>&1 &&
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,nonRepudiation" \
		"extendedKeyUsage=critical,timeStamping" > "$d/tsa.ext" &&
	openssl x509 -req -in "$d/tsa.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 30 -extfile "$d/tsa.ext" -out "$d/tsa.pem" >/dev/null 2>&1 &&
	cat > "$d/ts.cnf" <<CNF
[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = $d
serial = \$dir/tsaserial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
}

# start_tsa NAME: serve $T_DIR/NAME on a port the system picks; sets
# TSA_URL.  The server is stopped by stop_tsa, which the caller's EXIT trap
# must call (t_cleanup_tsa below does it).
TSA_PIDS=()
start_tsa() {
	local d="$T_DIR/$1" i
	rm -f "$d/port"
	python3 "$(dirname "${BASH_SOURCE[0]}")/tsa-server.py" "$d" &
	TSA_PIDS+=($!)
	for i in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	[ -s "$d/port" ] || return 1
	TSA_URL="http://127.0.0.1:$(cat "$d/port")/"
}
stop_tsa() {
	local p
	for p in "${TSA_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	TSA_PIDS=()
}
tsa_mode() { echo "$2" > "$T_DIR/$1/mode"; }
