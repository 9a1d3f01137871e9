#!/usr/bin/env bash
# Restarts an environment's app on the same image, so that it re-reads its Secrets Manager values (App Runner
# and ECS inject secrets only when they start an instance or task), and waits for it; used by the rotation
# scripts. The compute target comes from the environment's env.hcl (compute_target):
#   apprunner:   apprunner-redeploy.sh (aws apprunner start-deployment)
#   ecs-fargate: ecs-redeploy.sh (aws ecs update-service --force-new-deployment)
# While the environment moves between targets (env.hcl compute_targets_retiring), both are up and serving, so
# both are redeployed, the serving target first: a rotation must reach every task that DNS can send clients to.
#   redeploy.sh <env>
# Exit codes as the scripts above: 0, 1 failed or rolled back, 2 timed out; the first failure stops it.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

env_name="${1:?usage: redeploy.sh <env>}"
targets="$(compute_targets "$env_name")" # one word a line: word splitting below is intended
for target in $targets; do
  case "$target" in
    apprunner) "$(dirname "$0")/apprunner-redeploy.sh" "$env_name" ;;
    ecs-fargate) "$(dirname "$0")/ecs-redeploy.sh" "$env_name" ;;
  esac
done
