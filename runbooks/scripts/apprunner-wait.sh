#!/usr/bin/env bash
# Waits for an App Runner operation to finish and fails unless it succeeded.
#   apprunner-wait.sh <service-arn> [operation-id] [timeout-seconds]
# Without an operation id it follows the newest operation. Exit codes: 0 succeeded, 1 failed or
# rolled back (App Runner keeps the previous version serving), 2 timed out.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

service="${1:?usage: apprunner-wait.sh <service-arn> [operation-id] [timeout-seconds]}"
operation="${2:-}"
timeout="${3:-1200}"
interval="${APPRUNNER_WAIT_INTERVAL:-15}"
deadline=$(( $(date +%s) + timeout ))

while :; do
  if [ -n "$operation" ]; then
    status="$(aws apprunner list-operations --region "$RUNBOOK_REGION" --service-arn "$service" \
      --query "OperationSummaryList[?Id=='${operation}'].Status | [0]" --output text)"
  else
    status="$(aws apprunner list-operations --region "$RUNBOOK_REGION" --service-arn "$service" \
      --max-results 1 --query 'OperationSummaryList[0].Status' --output text)"
  fi
  log "operation ${operation:-latest}: $status"
  case "$status" in
    SUCCEEDED) exit 0 ;;
    FAILED | ROLLBACK_SUCCEEDED | ROLLBACK_FAILED) die "operation ended $status: the new version is not serving" ;;
    PENDING | IN_PROGRESS | ROLLBACK_IN_PROGRESS) ;;
    *) die "unexpected operation status '$status'" ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "timed out after ${timeout}s; the operation is still $status"
    exit 2
  fi
  sleep "$interval"
done
