output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}

output "repository_arn" {
  description = "ARN of the repository (for push and pull IAM policies)."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "URL of the repository, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`; the image is `<repository_url>:<git sha>`."
  value       = aws_ecr_repository.this.repository_url
}

output "registry_id" {
  description = "Account ID of the registry."
  value       = aws_ecr_repository.this.registry_id
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the images (pushers and pullers need kms:Decrypt / GenerateDataKey through ECR)."
  value       = local.kms_key_arn
}
