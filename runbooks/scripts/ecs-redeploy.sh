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
# UpdateService answers with the service as updated: its PRIMARY deployment is the one just started (AWS CLI
# reference, ecs update-service, example "To force a new deployment"; ECS API reference, Service.deployments).
# ecs-wait.sh follows that deployment by id: a circuit-breaker rollback runs the same task definition.
read -r task_definition target_group deployment_id < <(aws ecs update-service --region "$RUNBOOK_REGION" --cluster "$name" --service "$name" \
  --force-new-deployment --query "service.[taskDefinition, loadBalancers[0].targetGroupArn, deployments[?status=='PRIMARY'].id | [0]]" --output text) \
  || die "could not start a deployment of ECS service $name"
[[ "$deployment_id" == ecs-svc/* ]] || die "aws ecs update-service named no PRIMARY deployment for $name (got '$deployment_id')"
log "started deployment $deployment_id of ${task_definition##*/} on $name"
"$(dirname "$0")/ecs-wait.sh" "$name" "$name" "$task_definition" "$target_group" "${ECS_WAIT_TIMEOUT:-1200}" "$deployment_id"
log "$name redeployed"
