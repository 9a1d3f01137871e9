# Every validation block is tripped at least once.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                = "auth-dev"
  repository_url      = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth"
  repository_arn      = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  image_tag           = "3f2a9c1"
  subnet_ids          = ["subnet-0aaa1111"]
  security_group_ids  = ["sg-0ccc3333"]
  alarm_sns_topic_arn = "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"
}

run "rejects_latest_tag" {
  command = plan
  variables { image_tag = "latest" }
  expect_failures = [var.image_tag]
}

run "rejects_short_sha" {
  command = plan
  variables { image_tag = "3f2a9c" }
  expect_failures = [var.image_tag]
}

run "rejects_bad_name" {
  command = plan
  variables { name = "a" }
  expect_failures = [var.name]
}

run "rejects_tagged_repository_url" {
  command = plan
  variables { repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth:latest" }
  expect_failures = [var.repository_url]
}

run "rejects_wildcard_repository_arn" {
  command = plan
  variables { repository_arn = "arn:aws:ecr:eu-west-1:111122223333:repository/*" }
  expect_failures = [var.repository_arn]
}

run "rejects_bad_port" {
  command = plan
  variables { port = 70000 }
  expect_failures = [var.port]
}

run "rejects_relative_health_check_path" {
  command = plan
  variables { health_check_path = "healthz" }
  expect_failures = [var.health_check_path]
}

run "rejects_health_check_interval" {
  command = plan
  variables { health_check_interval_seconds = 30 }
  expect_failures = [var.health_check_interval_seconds]
}

run "rejects_health_check_timeout" {
  command = plan
  variables { health_check_timeout_seconds = 0 }
  expect_failures = [var.health_check_timeout_seconds]
}

run "rejects_healthy_threshold" {
  command = plan
  variables { health_check_healthy_threshold = 21 }
  expect_failures = [var.health_check_healthy_threshold]
}

run "rejects_unhealthy_threshold" {
  command = plan
  variables { health_check_unhealthy_threshold = 0 }
  expect_failures = [var.health_check_unhealthy_threshold]
}

run "rejects_reserved_variable_name" {
  command = plan
  variables { runtime_environment_variables = { AWSAPPRUNNER_FOO = "x" } }
  expect_failures = [var.runtime_environment_variables]
}

run "rejects_name_in_both_maps" {
  command = plan
  variables {
    runtime_environment_variables = { DATABASE_URL = "postgres://leak" }
    runtime_environment_secrets   = { DATABASE_URL = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl:url::" }
  }
  expect_failures = [var.runtime_environment_variables]
}

run "rejects_secret_that_is_not_an_arn" {
  command = plan
  variables { runtime_environment_secrets = { DATABASE_URL = "postgres://user:pass@db/auth" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_wildcard_secret_arn" {
  command = plan
  variables { runtime_environment_secrets = { DATABASE_URL = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/*" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_bad_secret_variable_name" {
  command = plan
  variables { runtime_environment_secrets = { "1BAD" = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_kms_alias" {
  command = plan
  variables { secrets_kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:alias/auth"] }
  expect_failures = [var.secrets_kms_key_arns]
}

run "rejects_bad_cpu" {
  command = plan
  variables { cpu = "3072" }
  expect_failures = [var.cpu]
}

run "rejects_disallowed_cpu_memory_combination" {
  command = plan
  variables {
    cpu    = "256"
    memory = "4096"
  }
  expect_failures = [var.memory]
}

run "rejects_min_above_max" {
  command = plan
  variables {
    min_size = 5
    max_size = 2
  }
  expect_failures = [var.min_size]
}

run "rejects_max_size" {
  command = plan
  variables { max_size = 30 }
  expect_failures = [var.max_size]
}

run "rejects_max_concurrency" {
  command = plan
  variables { max_concurrency = 500 }
  expect_failures = [var.max_concurrency]
}

run "rejects_empty_subnets" {
  command = plan
  variables { subnet_ids = [] }
  expect_failures = [var.subnet_ids]
}

run "rejects_bad_security_group" {
  command = plan
  variables { security_group_ids = ["default"] }
  expect_failures = [var.security_group_ids]
}

run "rejects_bad_encryption_key" {
  command = plan
  variables { encryption_kms_key_arn = "alias/aws/apprunner" }
  expect_failures = [var.encryption_kms_key_arn]
}

run "rejects_bad_sns_topic" {
  command = plan
  variables { alarm_sns_topic_arn = "auth-dev-alarms" }
  expect_failures = [var.alarm_sns_topic_arn]
}

run "rejects_zero_5xx_count_threshold" {
  command = plan
  variables { alarm_5xx_count_threshold = 0 }
  expect_failures = [var.alarm_5xx_count_threshold]
}

run "rejects_5xx_rate_above_100" {
  command = plan
  variables { alarm_5xx_rate_threshold_percent = 150 }
  expect_failures = [var.alarm_5xx_rate_threshold_percent]
}

run "rejects_non_positive_latency_threshold" {
  command = plan
  variables { alarm_p99_latency_threshold_ms = 0 }
  expect_failures = [var.alarm_p99_latency_threshold_ms]
}

run "rejects_alarm_period" {
  command = plan
  variables { alarm_period_seconds = 90 }
  expect_failures = [var.alarm_period_seconds]
}

run "rejects_alarm_evaluation_periods" {
  command = plan
  variables { alarm_evaluation_periods = 0 }
  expect_failures = [var.alarm_evaluation_periods]
}

run "rejects_global_web_acl" {
  command = plan
  variables { web_acl_arn = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/auth/0d3c5a9e-1111-2222-3333-444455556666" }
  expect_failures = [var.web_acl_arn]
}

run "rejects_repository_arn_of_another_repository" {
  command = plan
  variables { repository_arn = "arn:aws:ecr:eu-west-1:111122223333:repository/other" }
  expect_failures = [var.repository_arn]
}
