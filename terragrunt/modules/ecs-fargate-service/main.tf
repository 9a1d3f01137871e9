# The cluster, the task definition and the service. The load balancer is in alb.tf, the roles in iam.tf,
# the alarms in alarms.tf.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  partition      = data.aws_partition.current.partition
  region         = data.aws_region.current.id
  container_name = "app"
  # By digest: what runs is exactly the image that was tested, whatever happens to its tags later.
  image          = "${var.repository_url}@${var.image_digest}"
  log_group_name = "/aws/ecs/${var.name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 0
  }
}

################################################################################
# Container logs: awslogs to a KMS-encrypted group
################################################################################

resource "aws_kms_key" "logs" {
  description         = "${var.name} container logs"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The AWS default key statement: lets IAM policies in this account govern the key (no lock-out).
        Sid       = "AccountRootAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # The container log group and, when the module creates its web ACL, the WAF log group (waf.tf).
        Sid       = "CloudWatchLogsUsesKeyForTheseGroupsOnly"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnEquals = { "kms:EncryptionContext:aws:logs:arn" = local.create_waf ? [local.log_group_arn, local.waf_log_arn] : [local.log_group_arn] }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is var.log_retention_days, set per environment (default 30 days); a year is an environment's choice, not the module's
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn

  tags = var.tags
}

################################################################################
# Task definition
################################################################################

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  # A new revision must not deregister the previous one: the circuit breaker rolls the service back to it, and a
  # service cannot be updated to an INACTIVE task definition (ECS API reference, DeregisterTaskDefinition).
  skip_destroy = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # The root filesystem is read-only; /tmp is the one writable place (a Fargate bind mount on task storage).
  volume {
    name = "tmp"
  }

  # Container definition parameters: Amazon ECS developer guide, "Task definition parameters" (API
  # ContainerDefinition). Lists are sorted by name so the JSON, and thus the plan, is stable.
  container_definitions = jsonencode([{
    name                   = local.container_name
    image                  = local.image
    essential              = true
    user                   = "10001"
    readonlyRootFilesystem = true
    # ECS sends SIGTERM, then SIGKILL after stopTimeout seconds.
    stopTimeout  = var.stop_timeout_seconds
    portMappings = [{ containerPort = var.port, hostPort = var.port, protocol = "tcp" }]
    environment  = [for name in sort(keys(var.runtime_environment_variables)) : { name = name, value = var.runtime_environment_variables[name] }]
    secrets      = [for name in sort(keys(var.runtime_environment_secrets)) : { name = name, valueFrom = var.runtime_environment_secrets[name] }]
    mountPoints  = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.this.name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = local.container_name
      }
    }
  }])

  tags = var.tags
}

################################################################################
# Service
################################################################################

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = aws_ecs_cluster.this.arn
  task_definition  = aws_ecs_task_definition.this.arn
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  desired_count    = var.min_capacity

  # A rolling update starts the new tasks before it stops old ones: capacity never drops below desired.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds

  deployment_controller {
    type = "ECS"
  }

  # A deployment whose tasks keep failing stops and goes back to the last completed one.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = concat([aws_security_group.tasks.id], var.app_security_group_ids)
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = local.container_name
    container_port   = var.port
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true
  # The deploy script waits for a steady state itself (aws ecs wait services-stable), with its own deadline.
  wait_for_steady_state = false

  tags = var.tags

  lifecycle {
    # Application Auto Scaling owns the running count after creation.
    ignore_changes = [desired_count]
  }

  # The target group must be behind a listener before a service can register tasks in it.
  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]
}

################################################################################
# Application Auto Scaling: target tracking on CPU and on requests per task
################################################################################

# count: only the bring-up rehearsal turns auto scaling off (var.autoscaling_enabled); the moved blocks below keep the
# addresses of environments applied before the count.
resource "aws_appautoscaling_target" "this" {
  count = var.autoscaling_enabled ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.autoscaling_enabled ? 1 : 0

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count = var.autoscaling_enabled ? 1 : 0

  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      # app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>
      resource_label = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    }
  }
}

moved {
  from = aws_appautoscaling_target.this
  to   = aws_appautoscaling_target.this[0]
}

moved {
  from = aws_appautoscaling_policy.cpu
  to   = aws_appautoscaling_policy.cpu[0]
}

moved {
  from = aws_appautoscaling_policy.requests
  to   = aws_appautoscaling_policy.requests[0]
}
