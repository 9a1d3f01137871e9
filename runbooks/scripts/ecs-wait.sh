#!/usr/bin/env bash
# Waits for an ECS service to finish deploying one task definition, and fails unless that deployment completed
# and the load balancer sees its tasks healthy.
#   ecs-wait.sh <cluster> <service> <task-definition-arn> <target-group-arn> [timeout-seconds] [deployment-id]
# It is `aws ecs wait services-stable` (botocore waiter ServicesStable: exactly one deployment left and
# runningCount == desiredCount) with a deadline of our own, plus what that waiter cannot tell: the deployment
# circuit breaker rolls a failing deployment back to the previous task definition, and a rolled-back service
# is "stable" too. So the PRIMARY deployment must be the task definition the apply registered, its rolloutState
# COMPLETED, and at least desiredCount targets healthy in the target group (elbv2 describe-target-health).
# A redeploy of the same task definition (ecs-redeploy.sh) passes the id of the deployment it started: a rollback is
# a deployment of its own, under a new ecs-svc/ id, of that same task definition, so only the id tells them apart.
# Exit codes: 0 serving the task definition, 1 failed or rolled back, 2 timed out. Polls every
# ECS_WAIT_INTERVAL seconds (default 15, the waiter's delay).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws jq

cluster="${1:?usage: ecs-wait.sh <cluster> <service> <task-definition-arn> <target-group-arn> [timeout-seconds]}"
service="${2:?usage: ecs-wait.sh <cluster> <service> <task-definition-arn> <target-group-arn> [timeout-seconds]}"
task_definition="${3:?usage: ecs-wait.sh <cluster> <service> <task-definition-arn> <target-group-arn> [timeout-seconds]}"
target_group="${4:?usage: ecs-wait.sh <cluster> <service> <task-definition-arn> <target-group-arn> [timeout-seconds]}"
timeout="${5:-1200}"
deployment_id="${6:-}"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds, got '$timeout'"
interval="${ECS_WAIT_INTERVAL:-15}"
deadline=$(($(date +%s) + timeout))

while :; do
  # A failing call (exit 254 or 255 from the AWS CLI, e.g. AccessDenied or throttling past the retries) ends the wait
  # as a failure (1), not with the CLI's own code, which no caller knows.
  described="$(aws ecs describe-services --region "$RUNBOOK_REGION" --cluster "$cluster" --services "$service" --output json)" ||
    die "aws ecs describe-services failed for $cluster/$service (see above)"
  failure="$(jq -r '.failures[0] | select(. != null) | "\(.reason) \(.arn // "")"' <<<"$described")"
  [ -z "$failure" ] || die "describe-services: $failure"
  status="$(jq -r '.services[0].status' <<<"$described")"
  [ "$status" = "ACTIVE" ] || die "service $service is $status, not ACTIVE"

  primary="$(jq -r \
    '.services[0].deployments[] | select(.status == "PRIMARY") | [.taskDefinition, (.rolloutState // "UNKNOWN"), (.id // "none"), (.rolloutStateReason // "")] | @tsv' <<<"$described")"
  # `read` on an empty line would end the script silently under set -e.
  [ -n "$primary" ] || die "service $service has no PRIMARY deployment (describe-services lists $(jq -r '[.services[0].deployments[].status] | join(", ") | if . == "" then "none" else . end' <<<"$described")); check it with: aws ecs describe-services --cluster $cluster --services $service"
  IFS=$'\t' read -r primary_definition rollout primary_id reason <<<"$primary"
  if [ "$primary_definition" != "$task_definition" ]; then
    die "the service now runs $primary_definition, not $task_definition: ECS rolled the deployment back (deployment circuit breaker); the previous version is serving"
  fi
  if [ -n "$deployment_id" ] && [ "$primary_id" != "$deployment_id" ]; then
    die "the service's PRIMARY deployment is now $primary_id, not $deployment_id: ECS rolled the deployment back (deployment circuit breaker) or another deployment replaced it; tasks started before it may still serve"
  fi
  read -r deployments running desired < <(jq -r '.services[0] | "\(.deployments | length) \(.runningCount) \(.desiredCount)"' <<<"$described")
  log "deployment of ${task_definition##*/}: $rollout, $running/$desired running, $deployments deployment(s)"

  case "$rollout" in
    FAILED) die "the deployment of $task_definition FAILED: $reason" ;;
    COMPLETED)
      if [ "$deployments" = 1 ] && [ "$running" = "$desired" ]; then
        health="$(aws elbv2 describe-target-health --region "$RUNBOOK_REGION" --target-group-arn "$target_group" --output json)"
        healthy="$(jq '[.TargetHealthDescriptions[] | select(.TargetHealth.State == "healthy")] | length' <<<"$health")"
        log "target group: $healthy healthy of $desired desired ($(jq -r '[.TargetHealthDescriptions[].TargetHealth.State] | group_by(.) | map("\(length) \(.[0])") | join(", ")' <<<"$health"))"
        if [ "$healthy" -ge "$desired" ]; then
          log "service $service is stable on ${task_definition##*/} with $healthy healthy target(s)"
          exit 0
        fi
      fi
      ;;
    IN_PROGRESS) ;;
    *) die "unexpected ECS rolloutState '$rollout'" ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "timed out after ${timeout}s; the deployment of $task_definition is still $rollout"
    exit 2
  fi
  sleep "$interval"
done
