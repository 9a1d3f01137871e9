#!/usr/bin/env bash
# Smoke-tests a deployed service: /readyz must answer 200 (PostgreSQL reachable) and
# /.well-known/jwks.json must be a JWK set with at least one key. Retries for a short while because a
# fresh App Runner deployment can take a moment to route all traffic to the new instances.
# Usage: smoke-test.sh BASE_URL [ATTEMPTS] [DELAY_SECONDS]
set -euo pipefail

base_url="${1:?base URL required}"
base_url="${base_url%/}"
[[ "$base_url" == http://* || "$base_url" == https://* ]] || base_url="https://${base_url}"
attempts="${2:-10}"
delay_seconds="${3:-6}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

check() {
  local path="$1" code
  code="$(curl --silent --show-error --max-time 10 --output "$body" --write-out '%{http_code}' "${base_url}${path}" || echo 000)"
  if [[ "$code" != "200" ]]; then
    echo "GET ${path} -> ${code}"
    return 1
  fi
  if [[ "$path" == */jwks.json ]] && ! jq -e '(.keys | type == "array") and (.keys | length > 0) and all(.keys[]; has("kid") and has("kty"))' "$body" >/dev/null; then
    echo "GET ${path} -> 200 but not a JWK set with keys"
    return 1
  fi
  echo "GET ${path} -> 200"
}

for ((attempt = 1; attempt <= attempts; attempt++)); do
  if check /readyz && check /.well-known/jwks.json; then
    echo "Smoke test passed for ${base_url}"
    exit 0
  fi
  if ((attempt < attempts)); then sleep "$delay_seconds"; fi
done
echo "::error::smoke test failed for ${base_url} after ${attempts} attempts" >&2
exit 1
