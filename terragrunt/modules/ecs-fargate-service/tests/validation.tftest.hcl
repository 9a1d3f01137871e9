# Every validation block is tripped at least once.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                   = "auth-dev"
  repository_url         = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth"
  repository_arn         = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  image_digest           = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
  vpc_id                 = "vpc-0abc1234"
  private_subnet_ids     = ["subnet-0aaa1111", "subnet-0bbb2222"]
  public_subnet_ids      = ["subnet-0ccc3333", "subnet-0ddd4444"]
  app_security_group_ids = ["sg-0ccc3333"]
  certificate_arn        = "arn:aws:acm:eu-west-1:111122223333:certificate/0d3c5a9e-1111-2222-3333-444455556666"
  alarm_sns_topic_arn    = "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"
}

run "rejects_bad_name" {
  command = plan
  variables { name = "Auth_Dev" }
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

run "rejects_repository_arn_of_another_repository" {
  command = plan
  variables { repository_arn = "arn:aws:ecr:eu-west-1:111122223333:repository/other" }
  expect_failures = [var.repository_arn]
}

run "rejects_a_tag_instead_of_a_digest" {
  command = plan
  variables { image_digest = "3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1" }
  expect_failures = [var.image_digest]
}

run "rejects_privileged_port" {
  command = plan
  variables { port = 80 }
  expect_failures = [var.port]
}

run "rejects_relative_health_check_path" {
  command = plan
  variables { health_check_path = "readyz" }
  expect_failures = [var.health_check_path]
}

run "rejects_health_check_interval" {
  command = plan
  variables { health_check_interval_seconds = 301 }
  expect_failures = [var.health_check_interval_seconds]
}

run "rejects_timeout_not_below_interval" {
  command = plan
  variables { health_check_timeout_seconds = 10 }
  expect_failures = [var.health_check_timeout_seconds]
}

run "rejects_negative_grace_period" {
  command = plan
  variables { health_check_grace_period_seconds = -1 }
  expect_failures = [var.health_check_grace_period_seconds]
}

run "rejects_stop_timeout_above_fargate_maximum" {
  command = plan
  variables {
    stop_timeout_seconds         = 121
    deregistration_delay_seconds = 20
  }
  expect_failures = [var.stop_timeout_seconds]
}

run "rejects_deregistration_delay_not_below_stop_timeout" {
  command = plan
  variables { deregistration_delay_seconds = 30 }
  expect_failures = [var.deregistration_delay_seconds]
}

run "rejects_reserved_variable_prefix" {
  command = plan
  variables { runtime_environment_variables = { ECS_ENABLE_CONTAINER_METADATA = "true" } }
  expect_failures = [var.runtime_environment_variables]
}

run "rejects_name_both_plain_and_secret" {
  command = plan
  variables {
    runtime_environment_variables = { DATABASE_URL = "postgres://x" }
    runtime_environment_secrets   = { DATABASE_URL = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl:url::" }
  }
  expect_failures = [var.runtime_environment_variables]
}

run "rejects_bad_secret_name" {
  command = plan
  variables { runtime_environment_secrets = { "1BAD" = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_wildcard_secret" {
  command = plan
  variables { runtime_environment_secrets = { DATABASE_URL = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/*" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_kms_alias" {
  command = plan
  variables { secrets_kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:alias/auth"] }
  expect_failures = [var.secrets_kms_key_arns]
}

run "rejects_unknown_cpu" {
  command = plan
  variables { cpu = "768" }
  expect_failures = [var.cpu]
}

run "rejects_memory_outside_the_fargate_combinations" {
  command = plan
  variables {
    cpu    = "256"
    memory = "1536"
  }
  expect_failures = [var.memory]
}

run "rejects_memory_off_step" {
  command = plan
  variables {
    cpu    = "8192"
    memory = "20000"
  }
  expect_failures = [var.memory]
}

run "rejects_cpu_architecture" {
  command = plan
  variables { cpu_architecture = "arm" }
  expect_failures = [var.cpu_architecture]
}

run "rejects_min_above_max" {
  command = plan
  variables {
    min_capacity = 5
    max_capacity = 4
  }
  expect_failures = [var.min_capacity]
}

run "rejects_max_capacity" {
  command = plan
  variables { max_capacity = 0 }
  expect_failures = [var.max_capacity]
}

run "rejects_cpu_target" {
  command = plan
  variables { cpu_target_percent = 95 }
  expect_failures = [var.cpu_target_percent]
}

run "rejects_requests_per_target" {
  command = plan
  variables { requests_per_target = 0 }
  expect_failures = [var.requests_per_target]
}

run "rejects_bad_vpc_id" {
  command = plan
  variables { vpc_id = "vpc" }
  expect_failures = [var.vpc_id]
}

run "rejects_empty_private_subnets" {
  command = plan
  variables { private_subnet_ids = [] }
  expect_failures = [var.private_subnet_ids]
}

run "rejects_single_public_subnet" {
  command = plan
  variables { public_subnet_ids = ["subnet-0ccc3333"] }
  expect_failures = [var.public_subnet_ids]
}

run "rejects_empty_app_security_groups" {
  command = plan
  variables { app_security_group_ids = [] }
  expect_failures = [var.app_security_group_ids]
}

run "rejects_certificate_that_is_not_acm" {
  command = plan
  variables { certificate_arn = "arn:aws:iam::111122223333:server-certificate/auth" }
  expect_failures = [var.certificate_arn]
}

run "rejects_tls12_only_policy" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-2016-08" }
  expect_failures = [var.ssl_policy]
}

# Both start with ELBSecurityPolicy-TLS13-, which a prefix check accepted: the first accepts TLS 1.0, the second
# adds ciphers without forward secrecy (ELB user guide, "Security policies for your Application Load Balancer").
run "rejects_tls13_policy_that_accepts_tls10" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-TLS13-1-0-2021-06" }
  expect_failures = [var.ssl_policy]
}

run "rejects_tls13_policy_with_non_forward_secret_ciphers" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06" }
  expect_failures = [var.ssl_policy]
}

run "rejects_log_retention" {
  command = plan
  variables { log_retention_days = 10 }
  expect_failures = [var.log_retention_days]
}

run "rejects_access_log_retention" {
  command = plan
  variables { access_log_retention_days = 0 }
  expect_failures = [var.access_log_retention_days]
}

run "rejects_bad_topic" {
  command = plan
  variables { alarm_sns_topic_arn = "auth-dev-alarms" }
  expect_failures = [var.alarm_sns_topic_arn]
}

run "rejects_5xx_threshold" {
  command = plan
  variables { alarm_5xx_count_threshold = 0 }
  expect_failures = [var.alarm_5xx_count_threshold]
}

run "rejects_utilization_threshold" {
  command = plan
  variables { alarm_utilization_threshold_percent = 120 }
  expect_failures = [var.alarm_utilization_threshold_percent]
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
  variables { waf_web_acl_arn = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/cdn/0d3c5a9e-1111-2222-3333-444455556666" }
  expect_failures = [var.waf_web_acl_arn]
}

run "rejects_waf_rate_limit" {
  command = plan
  variables { waf_rate_limit_per_5_minutes = 5 }
  expect_failures = [var.waf_rate_limit_per_5_minutes]
}

run "rejects_upper_case_blocked_path" {
  command = plan
  variables { waf_blocked_path_prefixes = ["/Metrics"] }
  expect_failures = [var.waf_blocked_path_prefixes]
}

run "rejects_more_blocked_paths_than_priorities" {
  command = plan
  variables { waf_blocked_path_prefixes = ["/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i"] }
  expect_failures = [var.waf_blocked_path_prefixes]
}

run "rejects_duplicate_blocked_path" {
  command = plan
  variables { waf_blocked_path_prefixes = ["/metrics", "/metrics"] }
  expect_failures = [var.waf_blocked_path_prefixes]
}
