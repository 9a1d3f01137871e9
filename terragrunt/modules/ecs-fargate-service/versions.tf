terraform {
  # 1.11 like every module here (cross-variable validation needs >= 1.9).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
