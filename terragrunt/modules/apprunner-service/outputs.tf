output "service_arn" {
  description = "ARN of the App Runner service (for start-deployment and the deploy role)."
  value       = aws_apprunner_service.this.arn
}

output "service_id" {
  description = "App Runner-generated ID of the service."
  value       = aws_apprunner_service.this.service_id
}

output "service_name" {
  description = "Name of the service."
  value       = aws_apprunner_service.this.service_name
}

output "service_url" {
  description = "Default HTTPS domain of the service (no scheme)."
  value       = aws_apprunner_service.this.service_url
}

output "image_identifier" {
  description = "Image the service runs: <repository_url>:<image_tag>."
  value       = local.image_identifier
}

output "access_role_arn" {
  description = "ARN of the ECR access role (the deploy role needs iam:PassRole on it)."
  value       = aws_iam_role.access.arn
}

output "instance_role_arn" {
  description = "ARN of the instance role (give it to app-secrets as a reader; the deploy role needs iam:PassRole on it)."
  value       = aws_iam_role.instance.arn
}

output "vpc_connector_arn" {
  description = "ARN of the VPC connector."
  value       = aws_apprunner_vpc_connector.this.arn
}

output "auto_scaling_configuration_arn" {
  description = "ARN of the autoscaling configuration revision."
  value       = aws_apprunner_auto_scaling_configuration_version.this.arn
}

output "observability_configuration_arn" {
  description = "ARN of the observability (X-Ray) configuration."
  value       = aws_apprunner_observability_configuration.this.arn
}

output "alarm_arns" {
  description = "CloudWatch alarm ARNs keyed by alarm: http_5xx_count, http_5xx_rate, latency_p99."
  value = {
    http_5xx_count = aws_cloudwatch_metric_alarm.http_5xx_count.arn
    http_5xx_rate  = aws_cloudwatch_metric_alarm.http_5xx_rate.arn
    latency_p99    = aws_cloudwatch_metric_alarm.latency_p99.arn
  }
}

output "vpc_connector_name" {
  description = "Name of the VPC connector: `<name>-<7 hex characters of a hash of its subnets and security groups>`, new whenever they change."
  value       = aws_apprunner_vpc_connector.this.vpc_connector_name
}
