#!/usr/bin/env bash
# Deploys (or rolls back to) an image tag: the tag must already be in ECR; the app unit is applied
# with IMAGE_TAG, then the App Runner operation is awaited and the service smoke-tested.
#   deploy.sh <env> <image-tag>         rollback = deploy.sh <env> <earlier git sha>
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws terragrunt

env_name="${1:?usage: deploy.sh <env> <image-tag>}"
image_tag="${2:?usage: deploy.sh <env> <image-tag>}"
[[ "$image_tag" =~ ^[0-9a-f]{40}$ ]] || die "image tag must be a full 40-character git SHA, got '$image_tag'"
repository="${ECR_REPOSITORY:-auth-platform/auth}"

aws ecr describe-images --region "$RUNBOOK_REGION" --repository-name "$repository" \
  --image-ids "imageTag=$image_tag" --query 'imageDetails[0].imageDigest' --output text >/dev/null \
  || die "image $repository:$image_tag is not in ECR; build and push it first (deploy workflow)"

unit="$(env_dir "$env_name")/app"
log "applying $unit with IMAGE_TAG=$image_tag"
IMAGE_TAG="$image_tag" terragrunt apply --non-interactive --working-dir "$unit" -auto-approve

service="$(service_arn "$env_name")"
"$(dirname "$0")/apprunner-wait.sh" "$service"
"$(dirname "$0")/smoke-test.sh" "$(service_url "$service")"
log "auth-$env_name serves $image_tag"
