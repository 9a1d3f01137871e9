#!/usr/bin/env bash
# Deploys one image tag to one environment: `terragrunt apply` of that environment's app unit with
# IMAGE_TAG set (the unit reads it with get_env), then waits for the App Runner operation the apply started
# (apprunner-wait.sh --after), failing if App Runner rolled it back. Used by deploy.sh and by the deploy
# workflow (.github/actions/deploy-app), so operators and CI run the same code.
#   apply-app-unit.sh <unit-dir> <image-tag> [wait-timeout-seconds]
# Prints service_arn=... and service_url=... on stdout (and appends them to $GITHUB_OUTPUT when set);
# Terragrunt's own output goes to stderr. Exit codes as apprunner-wait.sh: 0, 1 failed, 2 timed out.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws terragrunt jq

unit_dir="${1:?usage: apply-app-unit.sh <unit-dir> <image-tag> [wait-timeout-seconds]}"
require_unit_target "$unit_dir" apprunner
export IMAGE_TAG="${2:?usage: apply-app-unit.sh <unit-dir> <image-tag> [wait-timeout-seconds]}"
wait_timeout="${3:-1200}"

unit_outputs() {
  terragrunt run --non-interactive --log-disable --working-dir "$unit_dir" -- output -json
}

# The newest operation before the apply, so that the wait can tell "nothing changed" from "an operation
# this apply started". On the very first deploy there is no service (and no state) yet.
previous_operation="none"
if before="$(unit_outputs 2>/dev/null)"; then
  arn_before="$(jq -r '.service_arn.value // empty' <<<"$before")"
  if [ -n "$arn_before" ]; then
    previous_operation="$(aws apprunner list-operations --region "$RUNBOOK_REGION" --service-arn "$arn_before" \
      --max-results 1 --query 'OperationSummaryList[0].Id' --output text)"
  fi
fi

log "applying $unit_dir with IMAGE_TAG=$IMAGE_TAG"
terragrunt run --non-interactive --working-dir "$unit_dir" -- apply -auto-approve -input=false >&2

after="$(unit_outputs)"
service_arn="$(jq -er '.service_arn.value' <<<"$after")"
service_url="$(jq -er '.service_url.value' <<<"$after")"
"$(dirname "$0")/apprunner-wait.sh" --after "$previous_operation" "$service_arn" "$wait_timeout"

printf 'service_arn=%s\nservice_url=%s\n' "$service_arn" "$service_url" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
