# The access-log bucket. S3 server access logging can deliver only to a bucket whose default encryption is
# SSE-S3 (not SSE-KMS), so this bucket uses AES256; delivery is granted by bucket policy to the logging
# service for the state bucket of this account only (ACLs are disabled).

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV2_AWS_62:access-log target bucket: nothing consumes object events
  #checkov:skip=CKV_AWS_144:access-log target bucket: the logs stay in the region of the state bucket they describe
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to a target bucket encrypted with SSE-S3 (AES256), not SSE-KMS (S3 user guide, "Enabling Amazon S3 server access logging")
  bucket        = local.log_bucket_name
  force_destroy = false

  tags = merge(local.tags, { Name = local.log_bucket_name })
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.logs]
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.tls_only_statements[1], [{
      Sid       = "S3ServerAccessLogsFromTheStateBucket"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.logs.arn}/s3-access/${var.bucket_name}/*"
      Condition = {
        ArnEquals    = { "aws:SourceArn" = aws_s3_bucket.this.arn }
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
      }
    }])
  })

  depends_on = [aws_s3_bucket_public_access_block.logs]
}
