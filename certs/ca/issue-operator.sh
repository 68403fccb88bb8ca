#!/bin/sh
# Certify an operator's key: sign the request `kesu key new` wrote with the
# CA in CADIR, with the operator_cert profile of openssl-ca.cnf
# (digitalSignature, nonRepudiation, emailProtection).  Check the subject
# before running this: the CA vouches for the name.
# Usage: issue-operator.sh CADIR REQUEST.csr OUT.pem [DAYS]
# DAYS defaults to 2190 (6 years): renew operator certificates every year,
# so that every disposal certificate, signed in its operator certificate's
# first year, still verifies with the plain `openssl cms -verify` (which
# checks validity now, not at signing time) for the 5 years records are kept.
# kesu cert verify checks at the signing time and needs no such margin.
# STARTDATE / ENDDATE (YYMMDDHHMMSSZ) in the environment override the
# validity period; the test suite uses them to make expired certificates.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 CADIR REQUEST.csr OUT.pem [DAYS]" >&2; exit 2; }
ca=$1 csr=$2 out=$3 days=${4:-2190}
here=$(cd "$(dirname "$0")" && pwd)
set -- -days "$days"
[ -n "${STARTDATE:-}" ] && set -- "$@" -startdate "$STARTDATE"
[ -n "${ENDDATE:-}" ] && set -- "$@" -enddate "$ENDDATE"
CA_DIR=$ca openssl ca -batch -notext -config "$here/openssl-ca.cnf" \
	-extensions operator_cert -in "$csr" -out "$out" "$@"
chmod 644 "$out"
echo "$out"
