#!/usr/bin/env bash
# Deploys (or rolls back to) an image tag by hand, the way the deploy workflow does: the tag must already
# be in ECR; the app unit is applied with IMAGE_TAG and the App Runner operation awaited
# (apply-app-unit.sh), then the service is smoke-tested (smoke-test.sh).
#   deploy.sh <env> <image-tag>         rollback = deploy.sh <env> <earlier git sha>
# Exit codes: 0 serving the tag, 1 failed or rolled back, 2 App Runner still busy at the timeout
# (APPRUNNER_WAIT_TIMEOUT seconds, default 1200).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws terragrunt

env_name="${1:?usage: deploy.sh <env> <image-tag>}"
image_tag="${2:?usage: deploy.sh <env> <image-tag>}"
[[ "$image_tag" =~ ^[0-9a-f]{40}$ ]] || die "image tag must be a full 40-character git SHA, got '$image_tag'"
repository="${ECR_REPOSITORY:-auth-platform/auth}"
unit="$(env_dir "$env_name")/app"

aws ecr describe-images --region "$RUNBOOK_REGION" --repository-name "$repository" \
  --image-ids "imageTag=$image_tag" --query 'imageDetails[0].imageDigest' --output text >/dev/null \
  || die "image $repository:$image_tag is not in ECR; build and push it first (deploy workflow)"

outputs="$("$(dirname "$0")/apply-app-unit.sh" "$unit" "$image_tag" "${APPRUNNER_WAIT_TIMEOUT:-1200}")"
service_url="$(sed -n 's/^service_url=//p' <<<"$outputs")"
"$(dirname "$0")/smoke-test.sh" "$service_url"
log "auth-$env_name serves $image_tag"
