#!/usr/bin/env bash
# Restarts an environment's app on the same image, so that it re-reads its Secrets Manager values (App Runner
# and ECS inject secrets only when they start an instance or task), and waits for it; used by the rotation
# scripts. The compute target comes from the environment's env.hcl (compute_target):
#   apprunner:   apprunner-redeploy.sh (aws apprunner start-deployment)
#   ecs-fargate: ecs-redeploy.sh (aws ecs update-service --force-new-deployment)
#   redeploy.sh <env>
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

env_name="${1:?usage: redeploy.sh <env>}"
case "$(compute_target "$env_name")" in
  apprunner) exec "$(dirname "$0")/apprunner-redeploy.sh" "$env_name" ;;
  ecs-fargate) exec "$(dirname "$0")/ecs-redeploy.sh" "$env_name" ;;
esac
