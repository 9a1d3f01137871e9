terraform {
  # 1.11, the floor of the live tree.
  required_version = ">= 1.11"

  required_providers {
    # Used by the child module clickhouse-privatelink, which tflint (call_module_type = "none") does not read; this
    # module is the root of the clickhouse unit, where root.hcl's generated provider "aws" and version override land.
    # tflint-ignore: terraform_unused_required_providers
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
    # 3.21+: password_hash and backup_configuration validators as pinned by test/first-contact-modules.test.ts (v3.25.3).
    clickhouse = {
      source  = "ClickHouse/clickhouse"
      version = "~> 3.21"
    }
  }
}
