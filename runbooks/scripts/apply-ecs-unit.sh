#!/usr/bin/env bash
# Deploys one image to one environment on ECS Fargate: `terragrunt apply` of that environment's app-ecs unit
# with IMAGE_TAG (the git SHA, the app's SERVICE_VERSION) and IMAGE_DIGEST (what the task definition runs;
# the unit reads both with get_env), then waits for the service to run the task definition the apply registered
# (ecs-wait.sh), failing if ECS rolled it back. Used by deploy-app.sh, so operators and CI run the same code.
#   apply-ecs-unit.sh <unit-dir> <image-tag> <image-digest> [wait-timeout-seconds]
# Prints cluster_name=, service_name=, task_definition_arn= and load_balancer_dns_name= on stdout (and appends
# them to $GITHUB_OUTPUT when set); Terragrunt's own output goes to stderr. Exit codes as ecs-wait.sh.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws terragrunt jq

unit_dir="${1:?usage: apply-ecs-unit.sh <unit-dir> <image-tag> <image-digest> [wait-timeout-seconds]}"
require_unit_target "$unit_dir" ecs-fargate
export IMAGE_TAG="${2:?usage: apply-ecs-unit.sh <unit-dir> <image-tag> <image-digest> [wait-timeout-seconds]}"
export IMAGE_DIGEST="${3:?usage: apply-ecs-unit.sh <unit-dir> <image-tag> <image-digest> [wait-timeout-seconds]}"
wait_timeout="${4:-1200}"
[[ "$IMAGE_DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]] || die "image digest must be sha256:<64 hex>, got '$IMAGE_DIGEST'"

log "applying $unit_dir with IMAGE_TAG=$IMAGE_TAG IMAGE_DIGEST=$IMAGE_DIGEST"
terragrunt run --non-interactive --working-dir "$unit_dir" -- apply -auto-approve -input=false >&2

after="$(terragrunt run --non-interactive --log-disable --working-dir "$unit_dir" -- output -json)"
cluster="$(jq -er '.cluster_name.value' <<<"$after")"
service="$(jq -er '.service_name.value' <<<"$after")"
task_definition="$(jq -er '.task_definition_arn.value' <<<"$after")"
target_group="$(jq -er '.target_group_arn.value' <<<"$after")"
load_balancer="$(jq -er '.load_balancer_dns_name.value' <<<"$after")"
"$(dirname "$0")/ecs-wait.sh" "$cluster" "$service" "$task_definition" "$target_group" "$wait_timeout"

printf 'cluster_name=%s\nservice_name=%s\ntask_definition_arn=%s\nload_balancer_dns_name=%s\n' \
  "$cluster" "$service" "$task_definition" "$load_balancer" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
