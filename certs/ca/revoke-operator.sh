#!/bin/sh
# Revoke an operator certificate the CA in CADIR issued (a lost token, a
# leaked key, an operator who must no longer sign), then publish a new CRL
# with gen-crl.sh.  kesu refuses to sign with a revoked certificate and
# `kesu cert verify --crl` reports every certificate it signed: a signer's
# own signing time cannot be trusted once its key is out of its hands.
# Usage: revoke-operator.sh CADIR OPERATOR.pem [REASON]
# REASON is an RFC 5280 reason OpenSSL knows (default keyCompromise):
# unspecified, keyCompromise, affiliationChanged, superseded,
# cessationOfOperation, certificateHold.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CADIR OPERATOR.pem [REASON]" >&2; exit 2; }
ca=$1 cert=$2 reason=${3:-keyCompromise}
here=$(cd "$(dirname "$0")" && pwd)
CA_DIR=$ca openssl ca -batch -config "$here/openssl-ca.cnf" -revoke "$cert" \
	-crl_reason "$reason"
