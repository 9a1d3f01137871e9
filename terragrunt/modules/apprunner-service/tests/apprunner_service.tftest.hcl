mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mocked" }
  }
  mock_resource "aws_apprunner_vpc_connector" {
    defaults = { arn = "arn:aws:apprunner:eu-west-1:111122223333:vpcconnector/auth-dev/1/abc" }
  }
  mock_resource "aws_apprunner_auto_scaling_configuration_version" {
    defaults = { arn = "arn:aws:apprunner:eu-west-1:111122223333:autoscalingconfiguration/auth-dev/1/abc" }
  }
  mock_resource "aws_apprunner_observability_configuration" {
    defaults = { arn = "arn:aws:apprunner:eu-west-1:111122223333:observabilityconfiguration/auth-dev/1/abc" }
  }
  mock_resource "aws_apprunner_service" {
    defaults = {
      arn        = "arn:aws:apprunner:eu-west-1:111122223333:service/auth-dev/0123456789abcdef0123456789abcdef"
      service_id = "0123456789abcdef0123456789abcdef"
    }
  }
}

variables {
  name               = "auth-dev"
  repository_url     = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth"
  repository_arn     = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  image_tag          = "3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
  subnet_ids         = ["subnet-0aaa1111", "subnet-0bbb2222"]
  security_group_ids = ["sg-0ccc3333"]
  runtime_environment_variables = {
    NODE_ENV           = "production"
    DEPLOY_ENVIRONMENT = "dev"
  }
  runtime_environment_secrets = {
    JWT_SIGNING_KEYS    = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/jwt-signing-keys-AbCdEf"
    DATABASE_URL        = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl:url::"
    CLICKHOUSE_PASSWORD = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/clickhouse-MnOpQr:password::"
  }
  secrets_kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"]
  alarm_sns_topic_arn  = "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"
  tags                 = { Environment = "dev" }
}

run "service_runs_the_pinned_image_without_auto_deploys" {
  command = plan

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].auto_deployments_enabled == false
    error_message = "auto_deployments_enabled must be false: deploys go through Terraform."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_identifier == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth:3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1" && aws_apprunner_service.this.source_configuration[0].image_repository[0].image_repository_type == "ECR"
    error_message = "The service must run <repository_url>:<image_tag> from ECR."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].port == "8080"
    error_message = "The default port is 8080."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_secrets["DATABASE_URL"] == "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl:url::" && aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables["NODE_ENV"] == "production"
    error_message = "Variables and secret references must reach the image configuration unchanged."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].authentication_configuration[0].access_role_arn == aws_iam_role.access.arn && aws_apprunner_service.this.instance_configuration[0].instance_role_arn == aws_iam_role.instance.arn
    error_message = "The service must use the module's access and instance roles."
  }

  assert {
    condition     = aws_apprunner_service.this.instance_configuration[0].cpu == "1024" && aws_apprunner_service.this.instance_configuration[0].memory == "2048"
    error_message = "Default size is 1 vCPU / 2 GB."
  }

  assert {
    condition     = aws_apprunner_service.this.tags["Environment"] == "dev"
    error_message = "Tags must be merged from var.tags."
  }
}

run "health_check_network_and_scaling" {
  command = plan

  assert {
    condition     = aws_apprunner_service.this.health_check_configuration[0].protocol == "HTTP" && aws_apprunner_service.this.health_check_configuration[0].path == "/healthz" && aws_apprunner_service.this.health_check_configuration[0].healthy_threshold == 1 && aws_apprunner_service.this.health_check_configuration[0].unhealthy_threshold == 5 && aws_apprunner_service.this.health_check_configuration[0].interval == 10 && aws_apprunner_service.this.health_check_configuration[0].timeout == 5
    error_message = "Health check must be HTTP on /healthz with the default thresholds."
  }

  assert {
    condition     = aws_apprunner_service.this.network_configuration[0].egress_configuration[0].egress_type == "VPC" && aws_apprunner_service.this.network_configuration[0].egress_configuration[0].vpc_connector_arn == aws_apprunner_vpc_connector.this.arn
    error_message = "Egress must go through the VPC connector."
  }

  assert {
    condition     = aws_apprunner_service.this.network_configuration[0].ingress_configuration[0].is_publicly_accessible == true
    error_message = "Ingress is public by default."
  }

  assert {
    condition     = aws_apprunner_vpc_connector.this.subnets == toset(["subnet-0aaa1111", "subnet-0bbb2222"]) && aws_apprunner_vpc_connector.this.security_groups == toset(["sg-0ccc3333"])
    error_message = "The connector must use the given private subnets and security group."
  }

  assert {
    condition     = aws_apprunner_auto_scaling_configuration_version.this.min_size == 1 && aws_apprunner_auto_scaling_configuration_version.this.max_size == 4 && aws_apprunner_auto_scaling_configuration_version.this.max_concurrency == 100 && aws_apprunner_service.this.auto_scaling_configuration_arn == aws_apprunner_auto_scaling_configuration_version.this.arn
    error_message = "The service must use the module's autoscaling configuration with the default sizes."
  }

  assert {
    condition     = aws_apprunner_service.this.observability_configuration[0].observability_enabled == true && aws_apprunner_service.this.observability_configuration[0].observability_configuration_arn == aws_apprunner_observability_configuration.this.arn && aws_apprunner_observability_configuration.this.trace_configuration[0].vendor == "AWSXRAY"
    error_message = "X-Ray tracing is on by default."
  }

  assert {
    condition     = length(aws_apprunner_service.this.encryption_configuration) == 0 && length(aws_wafv2_web_acl_association.this) == 0
    error_message = "Encryption key and WAF are opt-in."
  }
}

run "access_role_pulls_from_one_repository" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.access_trust.statement[0].principals).identifiers == toset(["build.apprunner.amazonaws.com"]) && one(data.aws_iam_policy_document.access_trust.statement[0].principals).type == "Service"
    error_message = "The access role must be trusted by build.apprunner.amazonaws.com only."
  }

  assert {
    condition     = data.aws_iam_policy_document.access.statement[0].actions == toset(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]) && data.aws_iam_policy_document.access.statement[0].resources == toset(["arn:aws:ecr:eu-west-1:111122223333:repository/auth"])
    error_message = "Pull actions must be limited to the given repository."
  }

  assert {
    condition     = data.aws_iam_policy_document.access.statement[1].actions == toset(["ecr:GetAuthorizationToken"]) && data.aws_iam_policy_document.access.statement[1].resources == toset(["*"]) && length(data.aws_iam_policy_document.access.statement) == 2
    error_message = "Only ecr:GetAuthorizationToken may use Resource \"*\"."
  }
}

run "instance_role_reads_exactly_the_given_secrets" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.instance_trust.statement[0].principals).identifiers == toset(["tasks.apprunner.amazonaws.com"])
    error_message = "The instance role must be trusted by tasks.apprunner.amazonaws.com only."
  }

  assert {
    condition = data.aws_iam_policy_document.instance[0].statement[0].actions == toset(["secretsmanager:GetSecretValue"]) && data.aws_iam_policy_document.instance[0].statement[0].resources == toset([
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/jwt-signing-keys-AbCdEf",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/clickhouse-MnOpQr",
    ])
    error_message = "GetSecretValue must name exactly the referenced secrets, with JSON-key suffixes stripped."
  }

  assert {
    condition     = data.aws_iam_policy_document.instance[0].statement[1].actions == toset(["kms:Decrypt"]) && data.aws_iam_policy_document.instance[0].statement[1].resources == toset(["arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"])
    error_message = "kms:Decrypt must name exactly the given key."
  }
}

run "no_secrets_means_no_instance_policy" {
  command = plan

  variables {
    runtime_environment_secrets = {}
    secrets_kms_key_arns        = []
  }

  assert {
    condition     = length(aws_iam_role_policy.instance) == 0
    error_message = "Without secrets the instance role gets no permissions."
  }
}

run "alarms_watch_5xx_and_p99_latency" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.http_5xx_count.namespace == "AWS/AppRunner" && aws_cloudwatch_metric_alarm.http_5xx_count.metric_name == "5xxStatusResponses" && aws_cloudwatch_metric_alarm.http_5xx_count.dimensions["ServiceName"] == "auth-dev" && aws_cloudwatch_metric_alarm.http_5xx_count.dimensions["ServiceID"] == "0123456789abcdef0123456789abcdef"
    error_message = "The 5xx count alarm must watch AWS/AppRunner 5xxStatusResponses of this service."
  }

  assert {
    condition     = toset([for q in aws_cloudwatch_metric_alarm.http_5xx_rate.metric_query : q.metric[0].metric_name if length(q.metric) > 0]) == toset(["5xxStatusResponses", "Requests"]) && one([for q in aws_cloudwatch_metric_alarm.http_5xx_rate.metric_query : q if q.return_data == true]).expression == "100 * FILL(errors, 0) / requests" && aws_cloudwatch_metric_alarm.http_5xx_rate.threshold == 5
    error_message = "The 5xx rate alarm must divide 5xx responses by requests and fire above 5%."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.latency_p99.metric_name == "RequestLatency" && aws_cloudwatch_metric_alarm.latency_p99.extended_statistic == "p99" && aws_cloudwatch_metric_alarm.latency_p99.threshold == 1000
    error_message = "The latency alarm must watch p99 RequestLatency."
  }

  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.http_5xx_count, aws_cloudwatch_metric_alarm.http_5xx_rate, aws_cloudwatch_metric_alarm.latency_p99] : a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"])])
    error_message = "Every alarm must notify the SNS topic."
  }
}

run "optional_waf_private_ingress_and_cmk" {
  command = plan

  variables {
    web_acl_arn            = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/auth/0d3c5a9e-1111-2222-3333-444455556666"
    is_publicly_accessible = false
    encryption_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"
    xray_tracing_enabled   = false
    image_tag              = "v1.4.0"
  }

  assert {
    condition     = aws_wafv2_web_acl_association.this[0].web_acl_arn == "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/auth/0d3c5a9e-1111-2222-3333-444455556666" && aws_wafv2_web_acl_association.this[0].resource_arn == aws_apprunner_service.this.arn
    error_message = "The web ACL must be associated with the service."
  }

  assert {
    condition     = aws_apprunner_service.this.network_configuration[0].ingress_configuration[0].is_publicly_accessible == false && aws_apprunner_service.this.encryption_configuration[0].kms_key == "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"
    error_message = "Private ingress and the CMK must be applied when asked for."
  }

  assert {
    condition     = aws_apprunner_service.this.observability_configuration[0].observability_enabled == false
    error_message = "Tracing can be switched off."
  }
}
