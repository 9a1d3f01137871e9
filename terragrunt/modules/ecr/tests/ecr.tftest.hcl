mock_provider "aws" {}

override_resource {
  override_during = plan
  target          = aws_kms_key.this
  values          = { arn = "arn:aws:kms:eu-west-1:111122223333:key/ecr", key_id = "ecr" }
}

variables {
  name = "auth-platform/auth"
  tags = { Environment = "nonprod" }
}

run "immutable_scanned_encrypted" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Tags must be immutable."
  }
  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Images must be scanned on push."
  }
  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS" && aws_ecr_repository.this.encryption_configuration[0].kms_key == "arn:aws:kms:eu-west-1:111122223333:key/ecr"
    error_message = "The repository must be encrypted with the module's customer-managed key."
  }
  assert {
    condition     = aws_ecr_repository.this.force_delete == false
    error_message = "Terraform must never delete a repository that holds images."
  }
  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].deletion_window_in_days == 30
    error_message = "The key must rotate and have the longest deletion window."
  }
  assert {
    condition     = aws_ecr_repository.this.tags["Environment"] == "nonprod"
    error_message = "var.tags must be merged."
  }
}

run "lifecycle_rules" {
  command = plan

  variables {
    keep_tagged_images   = 30
    untagged_expiry_days = 3
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection == { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 3 }
    error_message = "Untagged images must expire after untagged_expiry_days."
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection == { tagStatus = "tagged", tagPatternList = ["*"], countType = "imageCountMoreThan", countNumber = 30 }
    error_message = "Only the last keep_tagged_images tagged images may be kept."
  }
  assert {
    condition     = alltrue([for rule in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : rule.action.type == "expire"])
    error_message = "Every lifecycle rule expires images."
  }
}

run "given_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/shared"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && aws_ecr_repository.this.encryption_configuration[0].kms_key == "arn:aws:kms:eu-west-1:111122223333:key/shared"
    error_message = "A given key is used instead of creating one."
  }
  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/shared"
    error_message = "The key in use must be an output."
  }
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "Auth Platform"
  }
  expect_failures = [var.name]
}

run "rejects_bad_kms_key_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/ecr"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_too_few_kept_images" {
  command = plan
  variables {
    keep_tagged_images = 1
  }
  expect_failures = [var.keep_tagged_images]
}

run "rejects_untagged_expiry_out_of_range" {
  command = plan
  variables {
    untagged_expiry_days = 0
  }
  expect_failures = [var.untagged_expiry_days]
}
