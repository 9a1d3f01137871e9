#!/usr/bin/env bash
# Rotates the app's PostgreSQL credentials with zero downtime (see runbooks/rotate-database-credentials.md).
#   rotate-database-credentials.sh <env>
# Two login roles, auth_app_blue and auth_app_green, are members of the group role auth_app that holds
# the privileges. The rotation sets a new password on the one that is not serving, points the secret
# at it, and redeploys. With REVOKE_PREVIOUS=1 the previous user loses LOGIN once the deploy succeeded.
# The database is private: run from inside the VPC, or set DB_TUNNEL_HOST/DB_TUNNEL_PORT to a tunnel.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws jq psql openssl node

env_name="${1:?usage: rotate-database-credentials.sh <env>}"
check_env "$env_name"
secret="$(secret_id "$env_name" database)"

current="$(get_secret_json "$secret")"
current_user="$(jq -r '.username' <<<"$current")"
next_user="$(other_user "$current_user")"
host="$(jq -r '.host' <<<"$current")"
port="$(jq -r '.port' <<<"$current")"
dbname="$(jq -r '.dbname' <<<"$current")"

master_secret="$(aws rds describe-db-instances --region "$RUNBOOK_REGION" --db-instance-identifier "auth-${env_name}" \
  --query 'DBInstances[0].MasterUserSecret.SecretArn' --output text)"
master="$(get_secret_json "$master_secret")"

admin_sql() {
  PGPASSWORD="$(jq -r '.password' <<<"$master")" PGCONNECT_TIMEOUT=10 psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
    "host=${DB_TUNNEL_HOST:-$host} port=${DB_TUNNEL_PORT:-$port} dbname=$dbname user=$(jq -r '.username' <<<"$master") sslmode=${DB_SSLMODE:-require}"
}

password="$(new_password)"
# Only the SCRAM verifier reaches the server, so the password cannot land in its logs.
verifier="$(printf '%s' "$password" | node "$(dirname "$0")/scram-verifier.mjs")"
log "setting a new password on $next_user (serving: $current_user)"
admin_sql <<SQL
ALTER ROLE "$next_user" WITH LOGIN PASSWORD '$verifier';
SQL

log "pointing $secret at $next_user"
jq -n --arg username "$next_user" --arg password "$password" --arg host "$host" --arg port "$port" --arg dbname "$dbname" \
  '{username: $username, password: $password, host: $host, port: ($port | tonumber), dbname: $dbname,
    url: "postgres://\($username):\($password)@\($host):\($port)/\($dbname)?sslmode=verify-full"}' |
  put_secret_json_from_stdin "$secret"

"$(dirname "$0")/redeploy.sh" "$env_name" ||
  die "redeploy failed: instances still use $current_user, whose password is unchanged; fix the deploy and rerun redeploy.sh $env_name"

if [ "${REVOKE_PREVIOUS:-0}" = "1" ]; then
  log "revoking LOGIN from $current_user"
  admin_sql <<SQL
ALTER ROLE "$current_user" WITH NOLOGIN;
SQL
fi
log "database credentials rotated: auth-$env_name now connects as $next_user"
