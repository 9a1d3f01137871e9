output "bucket_name" {
  description = "Name of the state bucket (root.hcl `remote_state.config.bucket`)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket (for the state-access statements of the CI roles)."
  value       = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the state (root.hcl `kms_key_id`; CI roles need kms:Decrypt/GenerateDataKey on it)."
  value       = local.kms_key_arn
}

output "log_bucket_name" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.logs.id
}

output "log_bucket_arn" {
  description = "ARN of the access-log bucket."
  value       = aws_s3_bucket.logs.arn
}

output "backend_config" {
  description = "The S3 backend settings for root.hcl: bucket, region, encrypt, kms_key_id, use_lockfile."
  value = {
    bucket       = aws_s3_bucket.this.id
    region       = data.aws_region.current.id
    encrypt      = true
    kms_key_id   = local.kms_key_arn
    use_lockfile = true
  }
}
