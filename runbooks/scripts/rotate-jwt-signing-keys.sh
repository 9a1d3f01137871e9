#!/usr/bin/env bash
# One step of the JWT signing key rotation (see runbooks/rotate-jwt-signing-keys.md):
#   rotate-jwt-signing-keys.sh <env> add-next    deploy 1: publish a next key (JWKS only)
#   rotate-jwt-signing-keys.sh <env> promote     deploy 2: next signs, current becomes previous
#   rotate-jwt-signing-keys.sh <env> retire      deploy 3: drop previous, once its tokens have expired
#   rotate-jwt-signing-keys.sh <env> emergency   exposure: a brand-new set, every session's access tokens die
#   rotate-jwt-signing-keys.sh <env> status      kids and states, no key material
# Each step rewrites auth/<env>/jwt-signing-keys through a pipe (never argv, never a log) and redeploys.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws node

env_name="${1:?usage: rotate-jwt-signing-keys.sh <env> <add-next|promote|retire|emergency|status>}"
step="${2:?usage: rotate-jwt-signing-keys.sh <env> <add-next|promote|retire|emergency|status>}"
check_env "$env_name"
secret="$(secret_id "$env_name" jwt-signing-keys)"
# Consumers cache the JWKS for 300 s and access tokens live ACCESS_TOKEN_TTL (900 s by default): a step
# may only follow the previous one after both have passed, or some verifier meets an unknown kid.
min_age="${MIN_STEP_AGE_SECONDS:-1200}"

keys_cli() {
  "$REPO_ROOT/node_modules/.bin/tsx" "$REPO_ROOT/app/src/ops/signing-keys.ts" "$@"
}

secret_age_seconds() {
  local changed
  changed="$(aws secretsmanager describe-secret --region "$RUNBOOK_REGION" --secret-id "$secret" --query LastChangedDate --output text)"
  echo $(( $(date -u +%s) - $(date -u -d "$changed" +%s) ))
}

case "$step" in
  status)
    get_secret_json "$secret" | keys_cli status
    exit 0
    ;;
  add-next | emergency) ;;
  promote | retire)
    age="$(secret_age_seconds)"
    if [ "$age" -lt "$min_age" ]; then
      die "the key set changed ${age}s ago; wait until ${min_age}s have passed since the last step's deploy (JWKS cache + token lifetime)"
    fi
    ;;
  *) die "unknown step '$step' (add-next, promote, retire, emergency, status)" ;;
esac

if [ "$step" = "emergency" ]; then
  log "EMERGENCY: replacing every signing key of $env_name; all access tokens signed so far stop verifying"
  new_set="$(keys_cli generate)"
else
  log "$step on $secret"
  # pipefail: a refusal by the CLI (e.g. promote without a next key) stops before anything is written.
  new_set="$(get_secret_json "$secret" | keys_cli "$step")" || die "$step refused; the secret is unchanged"
fi
printf '%s' "$new_set" | put_secret_json_from_stdin "$secret"
printf '%s' "$new_set" | keys_cli status >&2

if [ "${SKIP_REDEPLOY:-0}" = "1" ]; then
  log "SKIP_REDEPLOY=1: not redeploying (first key set of an environment whose service does not exist yet)"
  exit 0
fi
"$(dirname "$0")/redeploy.sh" "$env_name" ||
  die "the secret holds the new key set but the redeploy failed; fix it and rerun redeploy.sh $env_name before the next step"
log "$step done on auth-$env_name"
