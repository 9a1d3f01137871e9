mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
}

override_resource {
  override_during = plan
  target          = aws_kms_key.this
  values          = { arn = "arn:aws:kms:eu-west-1:111122223333:key/state", key_id = "state" }
}

override_resource {
  override_during = plan
  target          = aws_s3_bucket.this
  values          = { id = "acme-auth-nonprod-tfstate", arn = "arn:aws:s3:::acme-auth-nonprod-tfstate" }
}

override_resource {
  override_during = plan
  target          = aws_s3_bucket.logs
  values          = { id = "acme-auth-nonprod-tfstate-access-logs", arn = "arn:aws:s3:::acme-auth-nonprod-tfstate-access-logs" }
}

variables {
  bucket_name = "acme-auth-nonprod-tfstate"
  tags        = { Account = "nonprod" }
}

run "state_bucket_versioned_encrypted_private" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "State must be versioned."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled && one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default) == { sse_algorithm = "aws:kms", kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/state" }
    error_message = "State must be encrypted with the customer-managed key and a bucket key."
  }
  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].deletion_window_in_days == 30
    error_message = "The state key must rotate."
  }
  assert {
    condition     = alltrue([for block in [aws_s3_bucket_public_access_block.this, aws_s3_bucket_public_access_block.logs] : block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets])
    error_message = "Both buckets must block every form of public access."
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced" && aws_s3_bucket_ownership_controls.logs.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on both buckets."
  }
  assert {
    condition     = aws_s3_bucket.this.force_destroy == false && aws_s3_bucket.logs.force_destroy == false
    error_message = "Terraform must never empty a bucket to delete it."
  }
  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.noncurrent_version_expiration[0].noncurrent_days]) == 90
    error_message = "Superseded state versions are kept 90 days by default."
  }
  assert {
    condition     = aws_s3_bucket.this.tags["Account"] == "nonprod"
    error_message = "var.tags must be merged."
  }
}

run "tls_only_bucket_policies" {
  command = plan

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0] == {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-auth-nonprod-tfstate", "arn:aws:s3:::acme-auth-nonprod-tfstate/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "The state bucket must deny every request that is not over TLS."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[1].Condition == { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
    error_message = "The state bucket must deny TLS older than 1.2."
  }
  assert {
    condition     = length([for statement in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : statement if statement.Effect == "Allow"]) == 0
    error_message = "The state bucket policy grants nothing; access comes from IAM roles."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.logs.policy).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } } && jsondecode(aws_s3_bucket_policy.logs.policy).Statement[0].Resource[0] == "arn:aws:s3:::acme-auth-nonprod-tfstate-access-logs"
    error_message = "The log bucket must deny non-TLS requests too."
  }
}

run "access_logging" {
  command = plan

  assert {
    condition     = aws_s3_bucket_logging.this.target_bucket == "acme-auth-nonprod-tfstate-access-logs" && aws_s3_bucket_logging.this.target_prefix == "s3-access/acme-auth-nonprod-tfstate/"
    error_message = "State bucket access must be logged to the separate log bucket."
  }
  assert {
    condition     = aws_s3_bucket.logs.bucket == "acme-auth-nonprod-tfstate-access-logs"
    error_message = "The log bucket is named after the state bucket by default."
  }
  assert {
    condition = jsondecode(aws_s3_bucket_policy.logs.policy).Statement[2] == {
      Sid       = "S3ServerAccessLogsFromTheStateBucket"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::acme-auth-nonprod-tfstate-access-logs/s3-access/acme-auth-nonprod-tfstate/*"
      Condition = {
        ArnEquals    = { "aws:SourceArn" = "arn:aws:s3:::acme-auth-nonprod-tfstate" }
        StringEquals = { "aws:SourceAccount" = "111122223333" }
      }
    }
    error_message = "Only log delivery for the state bucket of this account may write, under its prefix only."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "The log bucket must be encrypted (SSE-S3: the only encryption log delivery supports)."
  }
  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.logs.rule : rule.expiration[0].days]) == 365 && aws_s3_bucket_versioning.logs.versioning_configuration[0].status == "Enabled"
    error_message = "Access logs must be versioned and expire after a year by default."
  }
}

run "backend_config_output" {
  command = plan

  assert {
    condition     = output.backend_config == { bucket = "acme-auth-nonprod-tfstate", region = "eu-west-1", encrypt = true, kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/state", use_lockfile = true }
    error_message = "backend_config must hold what root.hcl needs, with use_lockfile."
  }
}

run "given_key" {
  command = plan

  variables {
    kms_key_arn     = "arn:aws:kms:eu-west-1:111122223333:key/shared"
    log_bucket_name = "acme-audit-logs"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:eu-west-1:111122223333:key/shared"
    error_message = "A given key is used instead of creating one."
  }
  assert {
    condition     = aws_s3_bucket.logs.bucket == "acme-audit-logs"
    error_message = "log_bucket_name overrides the default name."
  }
}

run "rejects_dotted_bucket_name" {
  command = plan
  variables {
    bucket_name = "acme.tfstate"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bad_log_bucket_name" {
  command = plan
  variables {
    log_bucket_name = "Logs"
  }
  expect_failures = [var.log_bucket_name]
}

run "rejects_bad_kms_key_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/s3"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_short_state_history" {
  command = plan
  variables {
    noncurrent_version_retention_days = 7
  }
  expect_failures = [var.noncurrent_version_retention_days]
}

run "rejects_short_access_log_retention" {
  command = plan
  variables {
    access_log_retention_days = 30
  }
  expect_failures = [var.access_log_retention_days]
}
