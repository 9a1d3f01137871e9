#!/usr/bin/env bash
# Rotates the app's ClickHouse credentials with zero downtime (see runbooks/rotate-clickhouse-credentials.md).
#   rotate-clickhouse-credentials.sh <env>
# Same scheme as the database: two users, auth_app_blue and auth_app_green, with the same grants; the one
# that is not serving gets a new password, the secret switches to it, and the service redeploys. Only the
# SHA-256 of the password is sent to ClickHouse (IDENTIFIED WITH sha256_hash), never the password.
# Admin credentials come from the secret auth/<env>/clickhouse-admin, which the app cannot read.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws jq curl openssl

env_name="${1:?usage: rotate-clickhouse-credentials.sh <env>}"
check_env "$env_name"
secret="$(secret_id "$env_name" clickhouse)"

current="$(get_secret_json "$secret")"
current_user="$(jq -r '.username' <<<"$current")"
next_user="$(other_user "$current_user")"
admin="$(get_secret_json "$(secret_id "$env_name" clickhouse-admin)")"
url="$(jq -r '.url' <<<"$admin")"

admin_sql() {
  # The query goes in the body (stdin) and the credentials in a private header file, never in argv.
  local headers
  headers="$(mktemp)"
  chmod 600 "$headers"
  jq -r '"X-ClickHouse-User: \(.username)\nX-ClickHouse-Key: \(.password)"' <<<"$admin" >"$headers"
  if ! curl --silent --show-error --fail --max-time 30 -H "@$headers" --data-binary @- "$url/"; then
    rm -f "$headers"
    die "ClickHouse rejected the statement"
  fi
  rm -f "$headers"
}

password="$(new_password)"
hash="$(printf '%s' "$password" | openssl dgst -sha256 -r | cut -d' ' -f1)"
log "setting a new password on $next_user (serving: $current_user)"
printf "ALTER USER %s IDENTIFIED WITH sha256_hash BY '%s'" "$next_user" "$hash" | admin_sql

log "pointing $secret at $next_user"
jq --arg username "$next_user" --arg password "$password" '.username = $username | .password = $password' <<<"$current" |
  put_secret_json_from_stdin "$secret"

"$(dirname "$0")/redeploy.sh" "$env_name" ||
  die "redeploy failed: instances still use $current_user, whose password is unchanged; fix the deploy and rerun redeploy.sh $env_name"
log "ClickHouse credentials rotated: auth-$env_name now writes as $next_user"
