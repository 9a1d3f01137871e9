#!/usr/bin/env bash
# Deploys one image tag to one environment on the compute target its env.hcl names (compute_target), then
# smoke-tests it; used by deploy.sh and by the deploy workflow (.github/actions/deploy-app).
#   deploy-app.sh <env> <image-tag> [wait-timeout-seconds]
#   apprunner:   apply-app-unit.sh on <env>/app (IMAGE_TAG), then smoke-test.sh on the App Runner service URL.
#   ecs-fargate: the tag's digest from ECR, apply-ecs-unit.sh on <env>/app-ecs (IMAGE_TAG, IMAGE_DIGEST), then
#                smoke-test.sh on env.hcl's app_public_url through the environment's load balancer (curl
#                --connect-to: TLS and Host stay the public host name, whatever DNS says yet).
# Prints service_url=<https URL> on stdout (and appends it to $GITHUB_OUTPUT when set).
# Exit codes: 0 serving the tag, 1 failed or rolled back, 2 still deploying at the timeout
# (APPRUNNER_WAIT_TIMEOUT or ECS_WAIT_TIMEOUT seconds, default 1200).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

env_name="${1:?usage: deploy-app.sh <env> <image-tag> [wait-timeout-seconds]}"
image_tag="${2:?usage: deploy-app.sh <env> <image-tag> [wait-timeout-seconds]}"
target="$(compute_target "$env_name")"
dir="$(env_dir "$env_name")"
repository="${ECR_REPOSITORY:-auth-platform/auth}"
scripts="$(dirname "$0")"
log "auth-$env_name runs on $target (env.hcl compute_target)"

case "$target" in
  apprunner)
    outputs="$(GITHUB_OUTPUT='' "$scripts/apply-app-unit.sh" "$dir/app" "$image_tag" "${3:-${APPRUNNER_WAIT_TIMEOUT:-1200}}")"
    service_url="$(sed -n 's/^service_url=//p' <<<"$outputs")"
    "$scripts/smoke-test.sh" "$service_url"
    case "$service_url" in http://* | https://*) ;; *) service_url="https://$service_url" ;; esac
    ;;
  ecs-fargate)
    digest="$(aws ecr describe-images --region "$RUNBOOK_REGION" --repository-name "$repository" \
      --image-ids "imageTag=$image_tag" --query 'imageDetails[0].imageDigest' --output text)" \
      || die "image $repository:$image_tag is not in ECR; build and push it first (deploy workflow)"
    outputs="$(GITHUB_OUTPUT='' "$scripts/apply-ecs-unit.sh" "$dir/app-ecs" "$image_tag" "$digest" "${3:-${ECS_WAIT_TIMEOUT:-1200}}")"
    load_balancer="$(sed -n 's/^load_balancer_dns_name=//p' <<<"$outputs")"
    service_url="$(env_setting "$env_name" app_public_url)"
    host="${service_url#https://}"
    host="${host%%/*}"
    SMOKE_CONNECT_TO="$host:443:$load_balancer:443" "$scripts/smoke-test.sh" "$service_url"
    ;;
esac
printf 'service_url=%s\n' "$service_url" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
