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
