locals {
  # Elastic Load Balancing metrics (AWS/ApplicationELB) name the load balancer and target group by ARN suffix.
  target_group_dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this.arn_suffix
  }
  # Service-level ECS metrics (AWS/ECS) carry both dimensions.
  service_dimensions = {
    ClusterName = aws_ecs_cluster.this.name
    ServiceName = aws_ecs_service.this.name
  }

  alarms = {
    target_5xx = {
      description = "${var.name} tasks answered more than ${var.alarm_5xx_count_threshold} 5xx responses per ${var.alarm_period_seconds}s."
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_Target_5XX_Count"
      dimensions  = local.target_group_dimensions
      statistic   = "Sum"
      threshold   = var.alarm_5xx_count_threshold
      # The metric is only published once a 5xx happens: no data means healthy.
      missing = "notBreaching"
    }
    unhealthy_hosts = {
      description = "${var.name} has tasks failing the load balancer health check."
      namespace   = "AWS/ApplicationELB"
      metric      = "UnHealthyHostCount"
      dimensions  = local.target_group_dimensions
      statistic   = "Maximum"
      threshold   = 0
      missing     = "notBreaching"
    }
    cpu = {
      description = "${var.name} average CPU utilization above ${var.alarm_utilization_threshold_percent}%."
      namespace   = "AWS/ECS"
      metric      = "CPUUtilization"
      dimensions  = local.service_dimensions
      statistic   = "Average"
      threshold   = var.alarm_utilization_threshold_percent
      # A service that publishes nothing has no running task: that is a problem, not health.
      missing = "breaching"
    }
    memory = {
      description = "${var.name} average memory utilization above ${var.alarm_utilization_threshold_percent}%."
      namespace   = "AWS/ECS"
      metric      = "MemoryUtilization"
      dimensions  = local.service_dimensions
      statistic   = "Average"
      threshold   = var.alarm_utilization_threshold_percent
      missing     = "breaching"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = each.value.missing
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]

  tags = var.tags
}
