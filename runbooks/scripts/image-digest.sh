#!/usr/bin/env bash
# Resolves an image tag to its digest in this account's ECR repository: what the ECS task definition runs
# (by digest, never by tag). One script for every caller, so that operators and workflows read the same value the
# same way: deploy-app.sh (deploy.sh, deploy.yml) and infra.yml (the app-ecs unit's IMAGE_DIGEST).
#   image-digest.sh <image-tag> [repository-name]     (repository default: $ECR_REPOSITORY or auth-platform/auth)
# Prints sha256:<64 hex> on stdout. It is `aws ecr describe-images --image-ids imageTag=<tag>`, whose answer is
# {"imageDetails": [{"imageDigest": "sha256:...", "imageTags": [...], ...}]} (AWS CLI reference, ecr
# describe-images, "Output"; ECR API reference, DescribeImages and ImageDetail.imageDigest); a tag names one image,
# so imageDetails[0] is it. Exit 1, in one line, when the tag is not in the repository (ImageNotFoundException) or
# ECR cannot be read; IAM: ecr:DescribeImages on the repository.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

image_tag="${1:?usage: image-digest.sh <image-tag> [repository-name]}"
repository="${2:-${ECR_REPOSITORY:-auth-platform/auth}}"
require aws

errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
if ! digest="$(aws ecr describe-images --region "$RUNBOOK_REGION" --repository-name "$repository" \
  --image-ids "imageTag=$image_tag" --query 'imageDetails[0].imageDigest' --output text 2>"$errors")"; then
  # The CLI's last line names the error, e.g. "An error occurred (ImageNotFoundException) when calling the
  # DescribeImages operation: The image with imageId {...} does not exist within the repository ...".
  reason="$(grep -v '^[[:space:]]*$' "$errors" | tail -n 1 || true)"
  die "image $repository:$image_tag is not in ECR ($RUNBOOK_REGION), or ECR cannot be read: ${reason:-aws exited non-zero}; build and push it first (deploy workflow)"
fi
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || die "ECR answered '$digest' for $repository:$image_tag, not a sha256 digest"
printf '%s\n' "$digest"
