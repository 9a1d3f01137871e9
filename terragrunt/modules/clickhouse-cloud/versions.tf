terraform {
  # 1.11 for write-only arguments (password_wo) and ephemeral variables.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
    # password_wo/password_wo_version on clickhouse_service arrived in the 3.x line (provider PR #431).
    clickhouse = {
      source  = "ClickHouse/clickhouse"
      version = "~> 3.21"
    }
  }
}
