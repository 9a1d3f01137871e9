locals {
  # Service-level App Runner metrics carry both dimensions; an alarm must name the exact set.
  metric_dimensions = {
    ServiceName = aws_apprunner_service.this.service_name
    ServiceID   = aws_apprunner_service.this.service_id
  }
}

resource "aws_cloudwatch_metric_alarm" "http_5xx_count" {
  alarm_name          = "${var.name}-5xx-count"
  alarm_description   = "${var.name} answered more than ${var.alarm_5xx_count_threshold} 5xx responses per ${var.alarm_period_seconds}s."
  namespace           = "AWS/AppRunner"
  metric_name         = "5xxStatusResponses"
  dimensions          = local.metric_dimensions
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  threshold           = var.alarm_5xx_count_threshold
  comparison_operator = "GreaterThanThreshold"
  # The metric is only published once a 5xx happens: no data means healthy.
  treat_missing_data = "notBreaching"
  alarm_actions      = [var.alarm_sns_topic_arn]
  ok_actions         = [var.alarm_sns_topic_arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "http_5xx_rate" {
  alarm_name          = "${var.name}-5xx-rate"
  alarm_description   = "More than ${var.alarm_5xx_rate_threshold_percent}% of ${var.name} requests answered 5xx."
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  threshold           = var.alarm_5xx_rate_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]

  metric_query {
    id          = "rate"
    expression  = "100 * FILL(errors, 0) / requests"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/AppRunner"
      metric_name = "5xxStatusResponses"
      dimensions  = local.metric_dimensions
      stat        = "Sum"
      period      = var.alarm_period_seconds
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/AppRunner"
      metric_name = "Requests"
      dimensions  = local.metric_dimensions
      stat        = "Sum"
      period      = var.alarm_period_seconds
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "latency_p99" {
  alarm_name          = "${var.name}-latency-p99"
  alarm_description   = "${var.name} p99 request latency above ${var.alarm_p99_latency_threshold_ms} ms."
  namespace           = "AWS/AppRunner"
  metric_name         = "RequestLatency"
  dimensions          = local.metric_dimensions
  extended_statistic  = "p99"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  threshold           = var.alarm_p99_latency_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]

  tags = var.tags
}
