#!/usr/bin/env bash
# Prints the units (folders holding a terragrunt.hcl) under a stack directory, relative to it, one per
# line and sorted: the same paths that `terragrunt run --all --json-out-dir` mirrors, so that the plan
# summary can name a unit whose plan failed instead of leaving it out. The app unit of the compute target an
# environment does not run (env.hcl compute_target and compute_targets_retiring: `app` is App Runner, `app-ecs`
# ECS Fargate) is left out: its exclude block keeps it out of `run --all`, so it never has a plan.
# Usage: list-units.sh STACK_DIR
set -euo pipefail
stack_dir="${1:?stack directory required}"
stack_dir="${stack_dir%/}"

# True when the environment folder's env.hcl runs (or is retiring) the given compute target.
runs_target() {
  local env_hcl="$1/env.hcl" target="$2"
  [ -f "$env_hcl" ] || return 0
  grep -Eq "^  compute_target += \"$target\"" "$env_hcl" ||
    grep -Eq "^  compute_targets_retiring += \[.*\"$target\"" "$env_hcl"
}

find "$stack_dir" -name terragrunt.hcl -not -path '*/.terragrunt-cache/*' -not -path '*/.terraform/*' -print \
  | while IFS= read -r file; do
    unit="$(dirname "$file")"
    case "$(basename "$unit")" in
      app) runs_target "$(dirname "$unit")" apprunner || continue ;;
      app-ecs) runs_target "$(dirname "$unit")" ecs-fargate || continue ;;
    esac
    echo "${unit#"$stack_dir"/}"
  done | sort
