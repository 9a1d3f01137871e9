#!/usr/bin/env bash
# Deploys one image tag to one environment: `terragrunt apply` of that environment's app unit with
# IMAGE_TAG set (the unit reads it with get_env), then waits for the App Runner operation the apply
# started and fails if App Runner rolled it back. Prints service_url=... and service_arn=... to
# $GITHUB_OUTPUT.
# Usage: apply-app-unit.sh UNIT_DIR IMAGE_TAG [WAIT_TIMEOUT_SECONDS]
set -euo pipefail

unit_dir="${1:?app unit directory required}"
export IMAGE_TAG="${2:?image tag required}"
wait_timeout="${3:-1200}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

unit_outputs() {
  terragrunt run --non-interactive --log-disable --working-dir "$unit_dir" -- output -json
}

# The newest operation before the apply, so that the wait below can tell "nothing changed" from
# "an operation we started". On the very first deploy there is no service yet.
previous_operation="none"
if before="$(unit_outputs 2>/dev/null)"; then
  arn_before="$(jq -r '.service_arn.value // empty' <<<"$before")"
  if [[ -n "$arn_before" ]]; then
    previous_operation="$(aws apprunner list-operations --service-arn "$arn_before" --max-results 1 \
      --query 'OperationSummaryList[0].Id' --output text)"
  fi
fi

terragrunt run --non-interactive --working-dir "$unit_dir" -- apply -auto-approve -input=false

after="$(unit_outputs)"
service_arn="$(jq -er '.service_arn.value' <<<"$after")"
service_url="$(jq -er '.service_url.value' <<<"$after")"
"$here/apprunner-wait.sh" "$service_arn" "$previous_operation" "$wait_timeout"

echo "service_arn=${service_arn}" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "service_url=${service_url}" >>"${GITHUB_OUTPUT:-/dev/null}"
