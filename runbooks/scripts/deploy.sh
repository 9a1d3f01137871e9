#!/usr/bin/env bash
# Deploys (or rolls back to) an image tag by hand, the way the deploy workflow does: the tag must already
# be in ECR; then deploy-app.sh applies the app unit of the environment's compute target (env.hcl
# compute_target: App Runner's app with IMAGE_TAG, or ECS Fargate's app-ecs with IMAGE_TAG and the tag's
# IMAGE_DIGEST), waits for App Runner's operation or ECS's deployment, and smoke-tests the service.
#   deploy.sh <env> <image-tag>         rollback = deploy.sh <env> <earlier git sha>
# Exit codes: 0 serving the tag, 1 failed or rolled back, 2 still deploying at the timeout
# (APPRUNNER_WAIT_TIMEOUT or ECS_WAIT_TIMEOUT seconds, default 1200).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws terragrunt

env_name="${1:?usage: deploy.sh <env> <image-tag>}"
image_tag="${2:?usage: deploy.sh <env> <image-tag>}"
[[ "$image_tag" =~ ^[0-9a-f]{40}$ ]] || die "image tag must be a full 40-character git SHA, got '$image_tag'"
repository="${ECR_REPOSITORY:-auth-platform/auth}"
check_env "$env_name"

# Before anything is applied: the tag must be in ECR (image-digest.sh fails in one line otherwise).
"$(dirname "$0")/image-digest.sh" "$image_tag" "$repository" >/dev/null

"$(dirname "$0")/deploy-app.sh" "$env_name" "$image_tag" >/dev/null
log "auth-$env_name serves $image_tag"
