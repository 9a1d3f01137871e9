#!/usr/bin/env bash
# Checks a running service: readiness, and a JWKS with at least one ES256 key.
#   smoke-test.sh <base-url>      e.g. https://abc.eu-west-1.awsapprunner.com
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require curl jq

base="${1:?usage: smoke-test.sh <base-url>}"
base="${base%/}"
case "$base" in http://* | https://*) ;; *) base="https://$base" ;; esac

ready="$(curl --silent --show-error --fail --max-time 10 --retry "${SMOKE_RETRIES:-5}" --retry-all-errors --retry-delay 3 "$base/readyz")" \
  || die "$base/readyz is not ready"
log "readyz: $(printf '%s' "$ready" | jq -c '.checks // .')"

jwks="$(curl --silent --show-error --fail --max-time 10 "$base/.well-known/jwks.json")" || die "JWKS not served"
count="$(printf '%s' "$jwks" | jq '[.keys[] | select(.alg == "ES256" and .kty == "EC" and (has("d") | not))] | length')"
[ "$count" -ge 1 ] || die "JWKS has no public ES256 key"
if printf '%s' "$jwks" | jq -e '[.keys[] | has("d")] | any' >/dev/null; then die "JWKS exposes private key material"; fi
log "JWKS publishes $count ES256 key(s)"
