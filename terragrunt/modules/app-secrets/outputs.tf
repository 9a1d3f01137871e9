output "secret_arns" {
  description = "Secret ARNs keyed by secret: jwt-signing-keys, database, database-migration, clickhouse, clickhouse-admin (operators only)."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "secret_names" {
  description = "Secret names keyed by secret, e.g. `auth/prod/database`."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.name }
}

output "runtime_environment_secrets" {
  description = "App Runner runtime_environment_secrets for the app: JWT_SIGNING_KEYS (whole JWK set), DATABASE_URL and DATABASE_MIGRATION_URL (JSON key url of database and database-migration), CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (JSON keys username and password of clickhouse, so both switch together on rotation)."
  value = {
    JWT_SIGNING_KEYS       = aws_secretsmanager_secret.this["jwt-signing-keys"].arn
    DATABASE_URL           = "${aws_secretsmanager_secret.this["database"].arn}:url::"
    DATABASE_MIGRATION_URL = "${aws_secretsmanager_secret.this["database-migration"].arn}:url::"
    CLICKHOUSE_USER        = "${aws_secretsmanager_secret.this["clickhouse"].arn}:username::"
    CLICKHOUSE_PASSWORD    = "${aws_secretsmanager_secret.this["clickhouse"].arn}:password::"
  }
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the secrets (grant kms:Decrypt on it to readers)."
  value       = aws_kms_key.this.arn
}

output "kms_key_id" {
  description = "ID of the KMS key."
  value       = aws_kms_key.this.key_id
}

output "kms_alias_name" {
  description = "Alias of the KMS key."
  value       = aws_kms_alias.this.name
}
