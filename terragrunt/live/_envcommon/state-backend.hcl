# The account's Terraform state bucket (module state-backend): versioned, KMS-encrypted, TLS-only, access-logged.
# Its name must be the bucket root.hcl points every unit at; a test keeps the two in step. This unit's own state
# lives in the bucket it creates: see README "Bootstrap".
locals {
  account = read_terragrunt_config(find_in_parent_folders("account.hcl")).locals
}

inputs = {
  bucket_name = "acme-auth-tfstate-${local.account.account_id}-${local.account.home_region}"
  # false only in the bring-up rehearsal against moto (scripts/rehearse.mjs sets REHEARSAL=1; see the module variable
  # and BUCKET_POLICY_CONDITION_GAP in scripts/lib/moto.mjs).
  enforce_tls = get_env("REHEARSAL", "") != "1"
}
