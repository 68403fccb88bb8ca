#!/bin/sh
# Write the CA's certificate revocation list (PEM) to OUT, signed by the CA
# in CADIR.  Give OUT to every machine that signs or verifies ([trust]
# crl_file in kesu.conf, or --crl) and publish a fresh one before DAYS
# (default 30) run out: a CRL past its next update is refused, because an
# out-of-date list cannot say who was revoked since.
# Usage: gen-crl.sh CADIR OUT.pem [DAYS]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CADIR OUT.pem [DAYS]" >&2; exit 2; }
ca=$1 out=$2 days=${3:-30}
here=$(cd "$(dirname "$0")" && pwd)
# CAs made before CRL support have no CRL number yet.
[ -e "$ca/crlnumber" ] || echo 1000 > "$ca/crlnumber"
CA_DIR=$ca openssl ca -batch -config "$here/openssl-ca.cnf" -gencrl \
	-crldays "$days" -out "$out"
chmod 644 "$out"
echo "$out"
