# Bootstrap: the S3 bucket that holds every unit's Terraform state. Locking uses S3 conditional writes
# (`use_lockfile = true` in root.hcl), so there is no DynamoDB table.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  tags            = merge(var.tags, { "terraform-module" = "state-backend" })
  log_bucket_name = coalesce(var.log_bucket_name, "${var.bucket_name}-access-logs")
  kms_key_arn     = coalesce(var.kms_key_arn, try(aws_kms_key.this[0].arn, null))
  # Deny any request that is not over TLS 1.2+; used by both buckets.
  tls_only_statements = [for bucket in [aws_s3_bucket.this, aws_s3_bucket.logs] : var.enforce_tls ? [
    {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [bucket.arn, "${bucket.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    },
    {
      Sid       = "DenyOutdatedTls"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [bucket.arn, "${bucket.arn}/*"]
      Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
    },
  ] : []]
}

# Without an explicit policy the key gets the AWS default key policy (IAM in this account governs it), so
# access to state is decided by the roles' IAM policies: s3 on this bucket plus kms on this key.
resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:the AWS default key policy is intended here: the account root delegates use of the key to IAM policies (the state read/write policies of github-oidc)
  count = var.kms_key_arn == null ? 1 : 0

  description             = "Terraform state in ${var.bucket_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/terraform-state/${var.bucket_name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV2_AWS_62:Terraform state bucket: nothing consumes object events; versioning and access logs keep the history
  #checkov:skip=CKV_AWS_144:Terraform state bucket: versioned in the account's home region; cross-region replication would copy state (and its secrets-free outputs) for no recovery need the runbooks have
  bucket        = var.bucket_name
  force_destroy = false

  tags = merge(local.tags, { Name = var.bucket_name })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true # fewer KMS calls per object, lower cost, same protection
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-superseded-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_policy" "this" {
  # Left out only against an AWS emulator (var.enforce_tls = false, the bring-up rehearsal): see the variable.
  count  = var.enforce_tls ? 1 : 0
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.tls_only_statements[0]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3-access/${var.bucket_name}/"

  # S3 checks at PutBucketLogging that the target bucket's policy already lets logging.s3.amazonaws.com write
  # (InvalidTargetBucketForLogging otherwise; S3 User Guide, "Permissions for log delivery"). Without this
  # ordering the first apply could race the policy; the bring-up rehearsal hit exactly that.
  depends_on = [aws_s3_bucket_policy.logs]
}
