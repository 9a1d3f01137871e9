#!/usr/bin/env bash
# Puts the image built once by the build job into this account's ECR repository, without rebuilding:
# `skopeo copy --preserve-digests` pushes the exact blobs and manifest of the OCI archive, so the
# digest in every account equals the digest recorded at build time. ECR tags are immutable, so a tag
# that already exists must already carry that digest (dev and staging share the non-prod registry;
# a rollback re-deploys a tag that is already there). Anything else is a failure, never an overwrite.
#
# Usage: push-image.sh REPOSITORY_URL TAG EXPECTED_DIGEST [OCI_ARCHIVE]
# Without OCI_ARCHIVE (rollback to an earlier tag) the tag must already exist in the repository.
set -euo pipefail

repository_url="${1:?repository URL required}"
tag="${2:?image tag required}"
expected_digest="${3:-}"
archive="${4:-}"
registry="${repository_url%%/*}"
repository_name="${repository_url#*/}"

existing_digest() {
  aws ecr describe-images --repository-name "$repository_name" --image-ids "imageTag=${tag}" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true
}

current="$(existing_digest)"
if [[ -n "$current" && "$current" != "None" ]]; then
  if [[ -n "$expected_digest" && "$current" != "$expected_digest" ]]; then
    echo "::error::${repository_url}:${tag} exists with digest ${current}, expected ${expected_digest}" >&2
    exit 1
  fi
  echo "${repository_url}:${tag} already present (${current})"
  echo "digest=${current}" >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 0
fi

if [[ -z "$archive" ]]; then
  echo "::error::${repository_url}:${tag} is not in this account's ECR and there is no build to push; deploy by ref instead" >&2
  exit 1
fi

aws ecr get-login-password | skopeo login --username AWS --password-stdin "$registry"
skopeo copy --preserve-digests "oci-archive:${archive}" "docker://${repository_url}:${tag}" </dev/null

current="$(existing_digest)"
if [[ -n "$expected_digest" && "$current" != "$expected_digest" ]]; then
  echo "::error::pushed ${repository_url}:${tag} but ECR reports ${current}, expected ${expected_digest}" >&2
  exit 1
fi
echo "Pushed ${repository_url}:${tag} (${current})"
echo "digest=${current}" >>"${GITHUB_OUTPUT:-/dev/null}"
