# tflint v0.64.0 settings for every module under terragrunt/modules (test/iac-lint.test.ts runs
# `tflint --recursive` from here). Only the bundled terraform ruleset is enabled: tflint-ruleset-aws cannot be
# installed on our machines (the Go module proxy refuses every version of it), so AWS-specific lint (invalid
# instance types, deprecated arguments) is not run; checkov covers the security side.
config {
  # Modules are linted one by one; nested module calls are not expanded.
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
