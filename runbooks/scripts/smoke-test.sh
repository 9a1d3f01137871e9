#!/usr/bin/env bash
# Checks a running service: GET /readyz = 200 (PostgreSQL reachable), and GET /.well-known/jwks.json = a
# JWK set whose keys all have kid and kty, with at least one public ES256 key and no private key material.
# Retries for a while, because a fresh App Runner deployment can take a moment to route all traffic to the
# new instances; a JWKS that exposes a private key fails at once.
#   smoke-test.sh <base-url> [attempts] [delay-seconds]     e.g. abc.eu-west-1.awsapprunner.com (https assumed)
# Defaults: SMOKE_ATTEMPTS (10) attempts, SMOKE_DELAY (6) seconds apart.
# SMOKE_CONNECT_TO=<host>:<port>:<address>:<port> (curl --connect-to) reaches the service through another address,
# e.g. an environment's load balancer before DNS points at it, keeping the URL's host name for TLS and Host.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require curl jq

base="${1:?usage: smoke-test.sh <base-url> [attempts] [delay-seconds]}"
base="${base%/}"
case "$base" in http://* | https://*) ;; *) base="https://$base" ;; esac
attempts="${2:-${SMOKE_ATTEMPTS:-10}}"
delay="${3:-${SMOKE_DELAY:-6}}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

get() {
  local path="$1" code
  code="$(curl --silent --show-error --max-time 10 ${SMOKE_CONNECT_TO:+--connect-to "$SMOKE_CONNECT_TO"} \
    --output "$body" --write-out '%{http_code}' "$base$path" || echo 000)"
  log "GET $path -> $code"
  [ "$code" = "200" ]
}

check() {
  get /readyz || return 1
  get /.well-known/jwks.json || return 1
  if jq -e '[.keys[]? | has("d")] | any' "$body" >/dev/null 2>&1; then die "the JWKS exposes private key material"; fi
  if ! jq -e '(.keys | type == "array") and (.keys | length > 0) and all(.keys[]; has("kid") and has("kty"))' "$body" >/dev/null 2>&1; then
    log "the JWKS is not a JWK set with keys"
    return 1
  fi
  count="$(jq '[.keys[] | select(.alg == "ES256" and .kty == "EC")] | length' "$body")"
  if [ "$count" -lt 1 ]; then
    log "the JWKS has no ES256 key"
    return 1
  fi
}

for ((attempt = 1; attempt <= attempts; attempt++)); do
  if check; then
    log "smoke test passed for $base: ready, JWKS publishes $count ES256 key(s)"
    exit 0
  fi
  if ((attempt < attempts)); then sleep "$delay"; fi
done
die "smoke test failed for $base after $attempts attempt(s)"
