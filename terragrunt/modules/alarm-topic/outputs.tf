output "topic_arn" {
  description = "ARN of the alarm topic: pass it to apprunner-service as alarm_sns_topic_arn."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the alarm topic."
  value       = aws_sns_topic.this.name
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topic (the module's own key, or kms_key_arn when given)."
  value       = local.kms_key_arn
}
