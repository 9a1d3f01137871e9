terraform {
  # 1.11, the floor of the live tree.
  required_version = ">= 1.11"

  required_providers {
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
