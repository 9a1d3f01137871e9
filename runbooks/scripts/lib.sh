#!/usr/bin/env bash
# Shared helpers for the runbook scripts. Source it; do not run it.
# Every script takes explicit arguments, prints what it does, and never prints a secret value.

RUNBOOK_REGION="${AWS_REGION:-eu-west-1}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export RUNBOOK_REGION REPO_ROOT

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required on PATH"
  done
}

check_env() {
  case "$1" in
    dev | staging | prod) ;;
    *) die "unknown environment '$1' (expected dev, staging or prod)" ;;
  esac
}

# The live-tree directory of an environment: live/<account>/<region>/<env>.
env_dir() {
  local env_name="$1"
  check_env "$env_name"
  case "$env_name" in
    dev | staging) printf '%s/terragrunt/live/nonprod/%s/%s' "$REPO_ROOT" "$RUNBOOK_REGION" "$env_name" ;;
    prod) printf '%s/terragrunt/live/prod/%s/prod' "$REPO_ROOT" "$RUNBOOK_REGION" ;;
  esac
}

# One string setting of an environment's env.hcl (a line `  <name> = "<value>"`), e.g. compute_target.
env_setting() {
  local file value
  file="$(env_dir "$1")/env.hcl"
  [ -f "$file" ] || die "no $file"
  value="$(sed -n "s/^  $2 *= *\"\([^\"]*\)\".*/\1/p" "$file")"
  [ -n "$value" ] || die "$file sets no string $2"
  printf '%s' "$value"
}

# The compute target that serves an environment and takes its deploys (env.hcl compute_target):
# apprunner (unit app) or ecs-fargate (unit app-ecs).
compute_target() {
  local target
  target="$(env_setting "$1" compute_target)"
  case "$target" in
    apprunner | ecs-fargate) printf '%s' "$target" ;;
    *) die "env.hcl of $1: unknown compute_target '$target' (expected apprunner or ecs-fargate)" ;;
  esac
}

# Every compute target that is up in an environment, one a line: compute_target first, then those that
# env.hcl's compute_targets_retiring lists while the environment moves off them (architecture/
# ENVIRONMENT_STRATEGY.md § 8). Deploys and redeploys go to each, so that both serve the same image and the same
# secrets until the old one is removed.
compute_targets() {
  local target retiring name
  target="$(compute_target "$1")"
  printf '%s\n' "$target"
  retiring="$(sed -n 's/^  compute_targets_retiring *= *\[\(.*\)\].*/\1/p' "$(env_dir "$1")/env.hcl")"
  for name in $(tr ',"' '  ' <<<"$retiring"); do
    case "$name" in
      "$target") die "env.hcl of $1: compute_targets_retiring lists the serving compute_target '$target'" ;;
      apprunner | ecs-fargate) printf '%s\n' "$name" ;;
      *) die "env.hcl of $1: unknown compute target '$name' in compute_targets_retiring (expected apprunner or ecs-fargate)" ;;
    esac
  done
}

# Refuses (one line, exit 1) when a unit's env.hcl neither runs nor retires the unit's compute target: the unit's
# exclude block then makes Terragrunt v1.1.1 skip it ("Early exit ... no_run = true") and exit 0 having applied
# nothing (internal/runner/run/run.go), so a deploy would seem to succeed.
#   require_unit_target <unit-dir> <apprunner|ecs-fargate>
require_unit_target() {
  local env_file="$1/../env.hcl" target retiring
  [ -f "$env_file" ] || die "no $env_file"
  target="$(sed -n 's/^  compute_target *= *"\([^"]*\)".*/\1/p' "$env_file")"
  retiring="$(sed -n 's/^  compute_targets_retiring *= *\[\(.*\)\].*/\1/p' "$env_file")"
  if [ "$target" != "$2" ] && [[ "$retiring" != *"\"$2\""* ]]; then
    die "$1 is excluded: $(cd "$1/.." && pwd)/env.hcl has compute_target \"$target\" and does not retire $2, so Terragrunt would skip the unit and apply nothing"
  fi
}

# Secrets follow <project>/<env>/<name>; see architecture/PLATFORM_CONTRACT.md.
secret_id() {
  printf 'auth/%s/%s' "$1" "$2"
}

# The App Runner service ARN of an environment, found by its name auth-<env>.
service_arn() {
  local env_name="$1" arn
  check_env "$env_name"
  arn="$(aws apprunner list-services --region "$RUNBOOK_REGION" \
    --query "ServiceSummaryList[?ServiceName=='auth-${env_name}'].ServiceArn | [0]" --output text)"
  if [ -z "$arn" ] || [ "$arn" = "None" ]; then die "no App Runner service auth-${env_name} in $RUNBOOK_REGION"; fi
  printf '%s' "$arn"
}

service_url() {
  aws apprunner describe-service --region "$RUNBOOK_REGION" --service-arn "$1" \
    --query 'Service.ServiceUrl' --output text
}

# The other one of the two alternating login users (<base>_blue, <base>_green): a rotation sets a new
# password on the user that is NOT serving, switches the secret to it and redeploys, so the serving
# instances never see their password change under them.
other_user() {
  case "$1" in
    *_blue) printf '%s_green' "${1%_blue}" ;;
    *_green) printf '%s_blue' "${1%_green}" ;;
    *) die "secret username '$1' is not one of the alternating users (<name>_blue or <name>_green)" ;;
  esac
}

get_secret_json() {
  aws secretsmanager get-secret-value --region "$RUNBOOK_REGION" --secret-id "$1" --query SecretString --output text
}

# Writes a secret value from stdin through a private temp file, so it never appears in argv or logs.
put_secret_json_from_stdin() {
  local secret="$1" file
  file="$(mktemp)"
  chmod 600 "$file"
  cat >"$file"
  if ! aws secretsmanager put-secret-value --region "$RUNBOOK_REGION" --secret-id "$secret" \
    --secret-string "file://$file" --query VersionId --output text >/dev/null; then
    rm -f "$file"
    die "could not write a new version of $secret"
  fi
  rm -f "$file"
}

# 64 hex characters: 256 bits, and nothing that needs quoting in SQL, URLs or JSON.
new_password() {
  openssl rand -hex 32
}
