#!/usr/bin/env bash
# Starts a new deployment of the same task definition on an environment's ECS service (cluster and service are
# both auth-<env>, as ecs-fargate-service names them), so that new tasks re-read their Secrets Manager values,
# and waits for it (ecs-wait.sh: the rollout completes and the load balancer sees the tasks healthy).
#   ecs-redeploy.sh <env>
# Exit codes as ecs-wait.sh: 0, 1 failed or rolled back, 2 timed out (ECS_WAIT_TIMEOUT seconds, default 1200).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

env_name="${1:?usage: ecs-redeploy.sh <env>}"
check_env "$env_name"
name="auth-$env_name"
read -r task_definition target_group < <(aws ecs update-service --region "$RUNBOOK_REGION" --cluster "$name" --service "$name" \
  --force-new-deployment --query 'service.[taskDefinition, loadBalancers[0].targetGroupArn]' --output text) \
  || die "could not start a deployment of ECS service $name"
log "started a new deployment of ${task_definition##*/} on $name"
"$(dirname "$0")/ecs-wait.sh" "$name" "$name" "$task_definition" "$target_group" "${ECS_WAIT_TIMEOUT:-1200}"
log "$name redeployed"
