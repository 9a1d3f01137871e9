#!/usr/bin/env bash
# Deploys one image tag to one environment on the compute target its env.hcl names (compute_target), then
# smoke-tests it; used by deploy.sh and by the deploy workflow (.github/actions/deploy-app).
#   deploy-app.sh <env> <image-tag> [wait-timeout-seconds]
#   apprunner:   apply-app-unit.sh on <env>/app (IMAGE_TAG), then smoke-test.sh on the App Runner service URL.
#   ecs-fargate: the tag's digest from ECR (image-digest.sh), apply-ecs-unit.sh on <env>/app-ecs (IMAGE_TAG,
#                IMAGE_DIGEST), then smoke-test.sh on env.hcl's app_public_url through the environment's load
#                balancer (curl --connect-to: TLS and Host stay the public host name, whatever DNS says yet).
# While the environment moves between targets (env.hcl compute_targets_retiring, ENVIRONMENT_STRATEGY.md § 8),
# both are up and DNS may send clients to either, so the image goes to each: the new target first, then the
# retiring one, each smoke-tested through its own endpoint; the first failure stops the deploy.
# Prints service_url=<https URL> of compute_target on stdout (and appends it to $GITHUB_OUTPUT when set).
# Exit codes: 0 every target serving the tag, 1 failed or rolled back, 2 still deploying at the timeout
# (APPRUNNER_WAIT_TIMEOUT or ECS_WAIT_TIMEOUT seconds, default 1200).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
require aws

env_name="${1:?usage: deploy-app.sh <env> <image-tag> [wait-timeout-seconds]}"
image_tag="${2:?usage: deploy-app.sh <env> <image-tag> [wait-timeout-seconds]}"
targets="$(compute_targets "$env_name")" # one word a line: word splitting below is intended
dir="$(env_dir "$env_name")"
scripts="$(dirname "$0")"
serving="${targets%%$'\n'*}"
retiring="$(sed 1d <<<"$targets" | paste -sd ' ')"
log "auth-$env_name runs on $serving (env.hcl compute_target)${retiring:+ and is moving off $retiring (compute_targets_retiring): deploying to both}"

# Deploys the tag to one target and smoke-tests it there; sets url to that target's https URL. Called as a plain
# command (not in $(...), where bash clears set -e), so that any failure ends the script with its exit code.
deploy_to() {
  local outputs load_balancer host digest
  case "$1" in
    apprunner)
      outputs="$(GITHUB_OUTPUT='' "$scripts/apply-app-unit.sh" "$dir/app" "$image_tag" "${3:-${APPRUNNER_WAIT_TIMEOUT:-1200}}")"
      url="$(sed -n 's/^service_url=//p' <<<"$outputs")"
      "$scripts/smoke-test.sh" "$url" >&2
      case "$url" in http://* | https://*) ;; *) url="https://$url" ;; esac
      ;;
    ecs-fargate)
      digest="$("$scripts/image-digest.sh" "$image_tag")"
      outputs="$(GITHUB_OUTPUT='' "$scripts/apply-ecs-unit.sh" "$dir/app-ecs" "$image_tag" "$digest" "${3:-${ECS_WAIT_TIMEOUT:-1200}}")"
      load_balancer="$(sed -n 's/^load_balancer_dns_name=//p' <<<"$outputs")"
      url="$(env_setting "$env_name" app_public_url)"
      host="${url#https://}"
      host="${host%%/*}"
      SMOKE_CONNECT_TO="$host:443:$load_balancer:443" "$scripts/smoke-test.sh" "$url" >&2
      ;;
  esac
}

service_url=""
for target in $targets; do
  deploy_to "$target" "$image_tag" "${3:-}"
  [ -n "$service_url" ] || service_url="$url"
  [ -z "$retiring" ] || log "auth-$env_name on $target serves $image_tag"
done
printf 'service_url=%s\n' "$service_url" | tee -a "${GITHUB_OUTPUT:-/dev/null}"
