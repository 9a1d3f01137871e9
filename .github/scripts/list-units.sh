#!/usr/bin/env bash
# Prints the units (folders holding a terragrunt.hcl) under a stack directory, relative to it, one per
# line and sorted: the same paths that `terragrunt run --all --json-out-dir` mirrors, so that the plan
# summary can name a unit whose plan failed instead of leaving it out.
# Usage: list-units.sh STACK_DIR
set -euo pipefail
stack_dir="${1:?stack directory required}"
stack_dir="${stack_dir%/}"
find "$stack_dir" -name terragrunt.hcl -not -path '*/.terragrunt-cache/*' -not -path '*/.terraform/*' -print \
  | while IFS= read -r file; do
    unit="$(dirname "$file")"
    echo "${unit#"$stack_dir"/}"
  done | sort
