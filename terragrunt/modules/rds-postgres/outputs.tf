output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "db_instance_resource_id" {
  description = "Resource ID of the instance, for IAM database authentication (`rds-db:connect` on `arn:aws:rds-db:<region>:<account>:dbuser:<resource_id>/<user>`)."
  value       = aws_db_instance.this.resource_id
}

output "engine_version_actual" {
  description = "The running engine version, e.g. 16.8 (engine_version may be a major only)."
  value       = aws_db_instance.this.engine_version_actual
}

output "endpoint" {
  description = "Connection endpoint, `<address>:<port>`."
  value       = aws_db_instance.this.endpoint
}

output "address" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the database created with the instance."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name (its password is in the secret at master_user_secret_arn)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master credentials (read by the runbook that creates the app role)."
  value       = try(aws_db_instance.this.master_user_secret[0].secret_arn, null)
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting storage, Performance Insights and logs."
  value       = local.kms_key_arn
}

output "parameter_group_name" {
  description = "Name of the DB parameter group."
  value       = aws_db_parameter_group.this.name
}

output "subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = aws_db_subnet_group.this.name
}

output "log_group_names" {
  description = "CloudWatch log groups receiving the exported logs, by log type."
  value       = { for type, group in aws_cloudwatch_log_group.this : type => group.name }
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot RDS takes when the instance is deleted (`<identifier>-final-<creation time>-<hash of the ForceNew inputs>`), null with skip_final_snapshot."
  value       = aws_db_instance.this.final_snapshot_identifier
}
