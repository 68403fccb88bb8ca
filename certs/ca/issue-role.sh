#!/bin/sh
# Certify a key for one of kesu's roles: approver (the information security
# manager who signs approvals, kesu-approval(5)), witness (a staff member
# who countersigns a certificate), city (the city's receipt of a
# contractor's documents).  Like issue-operator.sh, with the ROLE_cert
# profile of openssl-ca.cnf, whose extended key usage names the role.
# Give one person one certificate per role: an approver's key does not
# erase, an operator's does not approve.
# Usage: issue-role.sh CADIR ROLE REQUEST.csr OUT.pem [DAYS]
# STARTDATE / ENDDATE (YYMMDDHHMMSSZ) override the validity period.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 CADIR approver|witness|city REQUEST.csr OUT.pem [DAYS]" >&2; exit 2; }
ca=$1 role=$2 csr=$3 out=$4 days=${5:-2190}
case $role in
approver|witness|city) ;;
*) echo "$0: unknown role '$role'; use approver, witness or city" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
set -- -days "$days"
[ -n "${STARTDATE:-}" ] && set -- "$@" -startdate "$STARTDATE"
[ -n "${ENDDATE:-}" ] && set -- "$@" -enddate "$ENDDATE"
CA_DIR=$ca openssl ca -batch -notext -config "$here/openssl-ca.cnf" \
	-extensions "${role}_cert" -in "$csr" -out "$out" "$@"
chmod 644 "$out"
echo "$out"
