#!/usr/bin/env bash
# Waits for an App Runner operation to finish and fails unless it succeeded with the service RUNNING.
#   apprunner-wait.sh <service-arn> [operation-id] [timeout-seconds]
#   apprunner-wait.sh --after <previous-operation-id|none> <service-arn> [timeout-seconds]
# With an operation id (apprunner-redeploy.sh: start-deployment returns one) it follows that operation.
# With --after, the id of the newest operation read BEFORE a `terragrunt apply` (apply-app-unit.sh): if it
# is still the newest afterwards, the apply changed nothing on the service, and the service must be
# RUNNING. With neither it follows the newest operation.
# Why the operation and not the apply: `terraform apply` returns once the service is RUNNING again, which
# is also true after App Runner rolled back a deployment whose new instances failed their health check.
# Exit codes: 0 succeeded (service RUNNING), 1 failed, rolled back (App Runner keeps the previous version
# serving) or not RUNNING, 2 timed out. Polls every APPRUNNER_WAIT_INTERVAL seconds (default 15).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

previous=""
if [ "${1:-}" = "--after" ]; then
  previous="${2:?usage: apprunner-wait.sh --after <previous-operation-id|none> <service-arn> [timeout-seconds]}"
  shift 2
  set -- "${1:-}" "" "${2:-}"
fi
service="${1:?usage: apprunner-wait.sh <service-arn> [operation-id] [timeout-seconds] | --after <previous-operation-id|none> <service-arn> [timeout-seconds]}"
operation="${2:-}"
timeout="${3:-1200}"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds, got '$timeout'"
interval="${APPRUNNER_WAIT_INTERVAL:-15}"
deadline=$(($(date +%s) + timeout))

service_status() {
  aws apprunner describe-service --region "$RUNBOOK_REGION" --service-arn "$service" --query 'Service.Status' --output text
}

require_running() {
  local status
  status="$(service_status)"
  [ "$status" = "RUNNING" ] || die "$1, but the service is $status, not RUNNING"
  log "$1; the service is RUNNING"
  exit 0
}

while :; do
  if [ -n "$operation" ]; then
    query="OperationSummaryList[?Id=='${operation}'] | [0].[Id, Type, Status]"
    latest="$(aws apprunner list-operations --region "$RUNBOOK_REGION" --service-arn "$service" --query "$query" --output text)"
  else
    latest="$(aws apprunner list-operations --region "$RUNBOOK_REGION" --service-arn "$service" --max-results 1 \
      --query 'OperationSummaryList[0].[Id, Type, Status]' --output text)"
  fi
  read -r operation_id operation_type status <<<"$latest" || true

  if [ -n "$previous" ] && { [ "$operation_id" = "$previous" ] || [ "$operation_id" = "None" ]; }; then
    require_running "no new App Runner operation since $previous: the apply changed nothing on the service"
  fi

  log "operation ${operation_id:-?} (${operation_type:-?}): ${status:-none}"
  case "${status:-}" in
    SUCCEEDED) require_running "operation $operation_id succeeded" ;;
    FAILED | ROLLBACK_SUCCEEDED | ROLLBACK_FAILED) die "operation $operation_id ($operation_type) ended $status: the new version is not serving" ;;
    PENDING | IN_PROGRESS | ROLLBACK_IN_PROGRESS) ;;
    *) die "unexpected App Runner operation status '${status:-}'" ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "timed out after ${timeout}s; operation $operation_id is still $status"
    exit 2
  fi
  sleep "$interval"
done
