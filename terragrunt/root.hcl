# Shared by every unit (included as `include "root"`). It derives the account, region, environment and unit
# from the unit's folder, so a unit file never repeats them:
#   live/<account>/account.hcl, live/<account>/<region>/region.hcl, live/<account>/<region>/<env>/env.hcl.
# Account-wide units (live/<account>/_global/*) have no region or env folder: they use the account's home
# region and env "global".
locals {
  account = read_terragrunt_config(find_in_parent_folders("account.hcl")).locals
  region = read_terragrunt_config(
    find_in_parent_folders("region.hcl", "no-region.hcl"),
    { locals = { aws_region = local.account.home_region } },
  ).locals
  env = read_terragrunt_config(
    find_in_parent_folders("env.hcl", "no-env.hcl"),
    { locals = { env = "global" } },
  ).locals

  aws_region = local.region.aws_region
  unit       = basename(get_terragrunt_dir())
  # One bucket per account and region: prod state never shares a bucket (or a bucket policy) with non-prod.
  state_bucket = "acme-auth-tfstate-${local.account.account_id}-${local.aws_region}"
  # The state key that the _global/state-backend unit creates (module state-backend names its alias
  # alias/terraform-state/<bucket>) and that the GitHub roles' policies grant. Without kms_key_id the S3 backend
  # sends `encrypt = true` as SSE-S3 (AES256), overriding the bucket's KMS default, so state would bypass the key.
  # An alias ARN, so root.hcl needs no dependency on that unit's outputs; Terraform's S3 backend accepts it.
  # Only the account bootstrap (README "Bootstrap"), before the key exists, sets TG_STATE_KEY_BOOTSTRAP=1.
  state_kms_key_id   = "arn:aws:kms:${local.aws_region}:${local.account.account_id}:alias/terraform-state/${local.state_bucket}"
  state_key_settings = get_env("TG_STATE_KEY_BOOTSTRAP", "") == "1" ? {} : { kms_key_id = local.state_kms_key_id }
  # Bring-up rehearsal and offline plan against moto only (REHEARSAL=1): Terragrunt's backend bootstrap adds no
  # TLS-only bucket statement, which moto 5.2.5 would apply to every request (modules/state-backend, enforce_tls;
  # the moto source lines: BUCKET_POLICY_CONDITION_GAP in scripts/lib/moto.mjs).
  # Real runs never set REHEARSAL, and then the merge adds nothing.
  rehearsal_state_settings = get_env("REHEARSAL", "") == "1" ? { skip_bucket_enforced_tls = true } : {}
  # REHEARSAL=1 turns off what moto cannot take (above; enforce_tls in _envcommon/state-backend.hcl, auto scaling in
  # _envcommon/app-ecs.hcl, the app units' ClickHouse mock outputs at apply), so it must never reach AWS: with it,
  # every unit refuses to load unless AWS_ENDPOINT_URL sends every AWS SDK to a loopback emulator, as
  # scripts/rehearse.mjs does. HCL evaluates only the chosen branch's errors, and get_env without a default is
  # Terragrunt's way to stop here: "Required environment variable REHEARSAL_NEEDS_LOOPBACK_AWS_ENDPOINT_URL - not found".
  rehearsal_endpoint_is_loopback = can(regex("^http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/?$", get_env("AWS_ENDPOINT_URL", "")))
  rehearsal_guard                = get_env("REHEARSAL", "") == "1" && !local.rehearsal_endpoint_is_loopback ? get_env("REHEARSAL_NEEDS_LOOPBACK_AWS_ENDPOINT_URL") : ""
}

# S3 state with native locking (use_lockfile, Terraform >= 1.10): no DynamoDB table. The bucket is created by the
# _global/state-backend unit; Terragrunt only creates it when asked (--backend-bootstrap), see README "Bootstrap".
remote_state {
  backend = "s3"
  config = merge({
    bucket       = local.state_bucket
    key          = "${path_relative_to_include()}/terraform.tfstate"
    region       = local.aws_region
    encrypt      = true
    use_lockfile = true
  }, local.state_key_settings, local.rehearsal_state_settings)
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
}

# allowed_account_ids makes the path decide the account: prod code run with non-prod credentials stops in the
# provider before any change. default_tags put every resource back to the folder that owns it.
generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    provider "aws" {
      region              = "${local.aws_region}"
      allowed_account_ids = ["${local.account.account_id}"]

      default_tags {
        tags = {
          project      = "auth-platform"
          account      = "${local.account.account_name}"
          env          = "${local.env.env}"
          unit         = "${local.unit}"
          "managed-by" = "terragrunt"
          repo         = "acme/auth-platform"
        }
      }
    }
  EOF
}

# The modules already declare required_providers in their own versions.tf; a second required_providers entry for
# the same provider in a normal file is a "Duplicate required providers configuration" error. An override file
# (*_override.tf) is merged into the module's terraform block instead, so here the live tree narrows the pins
# (exact provider minor, Terraform major) without editing or clashing with the modules.
generate "versions" {
  path      = "versions_override.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    terraform {
      required_version = ">= 1.11.0, < 2.0.0"

      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 5.100.0"
        }
      }
    }
  EOF
}
