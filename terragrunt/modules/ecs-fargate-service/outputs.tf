output "cluster_name" {
  description = "Name of the ECS cluster (aws ecs wait services-stable --cluster)."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "Name of the ECS service (aws ecs wait services-stable --services)."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN (family:revision) of the task definition this apply registered; the deploy script checks the service runs it."
  value       = aws_ecs_task_definition.this.arn
}

output "image" {
  description = "Image the tasks run: <repository_url>@<image_digest>."
  value       = local.image
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer: the target of the environment's public host name (CNAME or alias)."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for an alias record."
  value       = aws_lb.this.zone_id
}

output "load_balancer_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "target_group_arn" {
  description = "ARN of the target group (aws elbv2 describe-target-health --target-group-arn)."
  value       = aws_lb_target_group.this.arn
}

output "execution_role_arn" {
  description = "ARN of the task execution role (give it to app-secrets as a reader; the deploy role needs iam:PassRole on it)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the deploy role needs iam:PassRole on it)."
  value       = aws_iam_role.task.arn
}

output "tasks_security_group_id" {
  description = "Security group of the tasks that admits the load balancer on the container port."
  value       = aws_security_group.tasks.id
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "log_group_name" {
  description = "CloudWatch log group of the container logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "access_log_bucket" {
  description = "S3 bucket of the load balancer access logs."
  value       = aws_s3_bucket.access_logs.id
}

output "alarm_arns" {
  description = "CloudWatch alarm ARNs keyed by alarm: target_5xx, unhealthy_hosts, cpu, memory."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn }
}

output "waf_web_acl_arn" {
  description = "ARN of the web ACL associated with the load balancer (the module's own, or waf_web_acl_arn); null when WAF is off."
  value       = local.waf_web_acl
}
