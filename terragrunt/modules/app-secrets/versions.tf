terraform {
  # 1.11 for write-only arguments (secret_string_wo) and ephemeral variables.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
