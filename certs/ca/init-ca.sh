#!/bin/sh
# Create a kesu CA in DIR: DIR/private/ca.key (0600, ECDSA P-256),
# DIR/ca.pem (give this to whoever verifies certificates), and the database
# issue-operator.sh uses.  Usage: init-ca.sh DIR 'SUBJECT' [DAYS]
#   e.g. init-ca.sh /root/city-ca '/C=JP/O=Example City/CN=Example City kesu CA'
# The default of 20 years outlives the 5 years disposal records are kept, so
# the plain openssl check keeps working for every certificate signed in the
# CA's first 15 years.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR SUBJECT [DAYS]" >&2; exit 2; }
dir=$1 subject=$2 days=${3:-7300}
here=$(cd "$(dirname "$0")" && pwd)
if [ -e "$dir/private/ca.key" ]; then
	echo "$0: $dir already holds a CA; refusing to overwrite it" >&2
	exit 1
fi
umask 077
mkdir -p "$dir/private" "$dir/issued"
: > "$dir/index.txt"
openssl rand -hex 16 > "$dir/serial"
echo 1000 > "$dir/crlnumber"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/private/ca.key"
chmod 600 "$dir/private/ca.key"
CA_DIR=$dir openssl req -config "$here/openssl-ca.cnf" -new -x509 -sha256 \
	-key "$dir/private/ca.key" -subj "$subject" -days "$days" \
	-extensions ca_cert -out "$dir/ca.pem"
chmod 644 "$dir/ca.pem"
echo "$dir/ca.pem"
