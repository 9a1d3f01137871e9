#!/usr/bin/env bash
# Starts a new deployment of the same image, so that instances re-read their Secrets Manager values
# (App Runner injects secrets only when it deploys), and waits for it.
#   apprunner-redeploy.sh <env>
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

env_name="${1:?usage: apprunner-redeploy.sh <env>}"
service="$(service_arn "$env_name")"
operation="$(aws apprunner start-deployment --region "$RUNBOOK_REGION" --service-arn "$service" \
  --query 'OperationId' --output text)"
log "started deployment $operation on auth-$env_name"
"$(dirname "$0")/apprunner-wait.sh" "$service" "$operation"
log "auth-$env_name redeployed"
