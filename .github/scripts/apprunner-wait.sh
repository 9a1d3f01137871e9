#!/usr/bin/env bash
# Waits for the newest App Runner operation on a service to finish, and fails unless it SUCCEEDED.
# `terraform apply` returns once the service is RUNNING again, but a deployment whose new instances
# fail their health check is rolled back by App Runner and the service is RUNNING on the OLD image:
# apply "succeeds" while nothing was deployed. The operation status is the only honest signal.
# Statuses (API OperationSummary): PENDING | IN_PROGRESS | FAILED | SUCCEEDED | ROLLBACK_IN_PROGRESS |
# ROLLBACK_FAILED | ROLLBACK_SUCCEEDED.
#
# Usage: apprunner-wait.sh SERVICE_ARN [PREVIOUS_OPERATION_ID] [TIMEOUT_SECONDS] [INTERVAL_SECONDS]
# PREVIOUS_OPERATION_ID is the newest operation id read before the apply ("none" if there was none);
# when it is still the newest afterwards, the apply changed nothing on the service.
set -euo pipefail

service_arn="${1:?service ARN required}"
previous_operation="${2:-none}"
timeout_seconds="${3:-1200}"
interval_seconds="${4:-15}"
deadline=$((SECONDS + timeout_seconds))

service_status() {
  aws apprunner describe-service --service-arn "$service_arn" --query 'Service.Status' --output text
}

while true; do
  latest="$(aws apprunner list-operations --service-arn "$service_arn" --max-results 1 \
    --query 'OperationSummaryList[0].[Id, Type, Status]' --output text)"
  read -r operation_id operation_type operation_status <<<"$latest"

  if [[ "$operation_id" == "$previous_operation" || "$operation_id" == "None" ]]; then
    status="$(service_status)"
    echo "No new App Runner operation since the apply started; service status ${status}."
    [[ "$status" == "RUNNING" ]] && exit 0
    echo "::error::service is ${status}, not RUNNING" >&2
    exit 1
  fi

  echo "Operation ${operation_id} (${operation_type}): ${operation_status}"
  case "$operation_status" in
    SUCCEEDED)
      status="$(service_status)"
      if [[ "$status" == "RUNNING" ]]; then exit 0; fi
      echo "::error::operation succeeded but the service is ${status}" >&2
      exit 1
      ;;
    ROLLBACK_SUCCEEDED | ROLLBACK_FAILED | FAILED)
      echo "::error::App Runner ${operation_type} ${operation_id} ended ${operation_status}: the new image is not serving" >&2
      exit 1
      ;;
    PENDING | IN_PROGRESS | ROLLBACK_IN_PROGRESS) ;;
    *)
      echo "::error::unexpected App Runner operation status '${operation_status}'" >&2
      exit 1
      ;;
  esac

  if ((SECONDS >= deadline)); then
    echo "::error::timed out after ${timeout_seconds}s waiting for operation ${operation_id}" >&2
    exit 1
  fi
  sleep "$interval_seconds"
done
