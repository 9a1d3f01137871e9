mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  # The provider's table entry for eu-west-1 (internal/service/elb/service_account_data_source.go).
  mock_data "aws_elb_service_account" {
    defaults = { arn = "arn:aws:iam::156460612806:root" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mocked" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:111122223333:cluster/auth-dev" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/auth-dev:7" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ecs/auth-dev" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::auth-dev-alb-logs-111122223333", id = "auth-dev-alb-logs-111122223333" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0aaaaaaaaaaaaaaaa" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/auth-dev/50dc6c495c0c9188"
      arn_suffix = "app/auth-dev/50dc6c495c0c9188"
    }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/auth-dev/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/auth-dev/73e2d6bc24d8a067"
      arn_suffix = "targetgroup/auth-dev/73e2d6bc24d8a067"
    }
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

run "cluster_has_container_insights_on_fargate" {
  command = plan

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights must be enabled on the cluster."
  }

  assert {
    condition     = aws_ecs_cluster_capacity_providers.this.capacity_providers == toset(["FARGATE"])
    error_message = "The cluster runs on Fargate."
  }
}

run "task_definition_runs_the_digest_hardened" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
    error_message = "The task must run <repository_url>@<image_digest>."
  }

  assert {
    condition     = aws_ecs_task_definition.this.cpu == "1024" && aws_ecs_task_definition.this.memory == "2048" && aws_ecs_task_definition.this.network_mode == "awsvpc" && aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"])
    error_message = "A Fargate task (awsvpc) of the default size 1 vCPU / 2 GB."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem == true && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].user == "10001"
    error_message = "The container must run as user 10001 on a read-only root filesystem."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].mountPoints == [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }] && [for v in aws_ecs_task_definition.this.volume : v.name] == ["tmp"]
    error_message = "/tmp must be a writable task volume."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout == 30 && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings == [{ containerPort = 8080, hostPort = 8080, protocol = "tcp" }]
    error_message = "stopTimeout 30 s and port 8080 by default."
  }

  # Each deploy replaces the task definition; without skip_destroy Terraform deregisters the old revision, and
  # the circuit breaker's rollback to it fails (ECS API reference, DeregisterTaskDefinition: a service cannot be
  # updated to an INACTIVE task definition).
  assert {
    condition     = aws_ecs_task_definition.this.skip_destroy == true
    error_message = "The task definition must keep its old revisions (skip_destroy) for the circuit breaker's rollback."
  }

  assert {
    condition     = aws_ecs_task_definition.this.execution_role_arn == aws_iam_role.execution.arn && aws_ecs_task_definition.this.task_role_arn == aws_iam_role.task.arn
    error_message = "The task must use the module's execution and task roles."
  }
}

run "variables_and_secrets_reach_the_container" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment == [{ name = "DEPLOY_ENVIRONMENT", value = "dev" }, { name = "NODE_ENV", value = "production" }]
    error_message = "Plain variables must reach the container, sorted by name."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets == [
      { name = "CLICKHOUSE_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/clickhouse-MnOpQr:password::" },
      { name = "DATABASE_URL", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl:url::" },
      { name = "JWT_SIGNING_KEYS", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/jwt-signing-keys-AbCdEf" },
    ]
    error_message = "Secrets must reach the container as secrets/valueFrom, JSON keys kept."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration == { logDriver = "awslogs", options = { "awslogs-group" = "/aws/ecs/auth-dev", "awslogs-region" = "eu-west-1", "awslogs-stream-prefix" = "app" } }
    error_message = "Logs go to the module's log group through awslogs."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == aws_kms_key.logs.arn && aws_cloudwatch_log_group.this.retention_in_days == 30 && aws_kms_key.logs.enable_key_rotation == true
    error_message = "The log group must be KMS-encrypted (rotating key) with a retention."
  }

  assert {
    condition     = jsondecode(aws_kms_key.logs.policy).Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ecs/auth-dev", "arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-auth-dev"]
    error_message = "CloudWatch Logs may use the key for the container and WAF log groups only."
  }
}

run "service_rolls_safely_in_private_subnets" {
  command = plan

  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable == true && aws_ecs_service.this.deployment_circuit_breaker[0].rollback == true
    error_message = "The deployment circuit breaker with rollback must be on."
  }

  assert {
    condition     = aws_ecs_service.this.deployment_minimum_healthy_percent == 100 && aws_ecs_service.this.deployment_maximum_percent == 200
    error_message = "A rolling update must keep full capacity (100%) and may double it (200%)."
  }

  assert {
    condition     = aws_ecs_service.this.network_configuration[0].subnets == toset(["subnet-0aaa1111", "subnet-0bbb2222"]) && aws_ecs_service.this.network_configuration[0].assign_public_ip == false
    error_message = "Tasks run in the private subnets without public IPs."
  }

  assert {
    condition     = aws_ecs_service.this.network_configuration[0].security_groups == toset(["sg-0aaaaaaaaaaaaaaaa", "sg-0ccc3333"])
    error_message = "Tasks join the module's ingress group and the network's app group."
  }

  assert {
    condition     = one(aws_ecs_service.this.load_balancer).target_group_arn == aws_lb_target_group.this.arn && one(aws_ecs_service.this.load_balancer).container_port == 8080 && one(aws_ecs_service.this.load_balancer).container_name == "app"
    error_message = "The service registers the app container's port in the target group."
  }

  assert {
    condition     = aws_ecs_service.this.launch_type == "FARGATE" && aws_ecs_service.this.desired_count == 1 && aws_ecs_service.this.task_definition == aws_ecs_task_definition.this.arn
    error_message = "A Fargate service of the module's task definition, starting at min_capacity."
  }
}

run "auto_scaling_tracks_cpu_and_requests" {
  command = plan

  assert {
    condition     = aws_appautoscaling_target.this[0].min_capacity == 1 && aws_appautoscaling_target.this[0].max_capacity == 4 && aws_appautoscaling_target.this[0].resource_id == "service/auth-dev/auth-dev" && aws_appautoscaling_target.this[0].scalable_dimension == "ecs:service:DesiredCount"
    error_message = "Auto scaling must own the service's desired count between min and max."
  }

  assert {
    condition     = aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization" && aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].target_value == 60
    error_message = "Target tracking on average CPU at 60%."
  }

  assert {
    condition     = aws_appautoscaling_policy.requests[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget" && aws_appautoscaling_policy.requests[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].resource_label == "app/auth-dev/50dc6c495c0c9188/targetgroup/auth-dev/73e2d6bc24d8a067"
    error_message = "Target tracking on ALB requests per target, labelled <lb arn suffix>/<target group arn suffix>."
  }
}

run "auto_scaling_off_only_when_asked" {
  command = plan

  variables {
    autoscaling_enabled = false
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0 && length(aws_appautoscaling_policy.cpu) == 0 && length(aws_appautoscaling_policy.requests) == 0
    error_message = "autoscaling_enabled = false (the bring-up rehearsal) must leave out the scalable target and both policies."
  }

  assert {
    condition     = aws_ecs_service.this.desired_count == 1
    error_message = "Without auto scaling the service still starts at min_capacity."
  }
}

run "load_balancer_serves_https_only" {
  command = plan

  assert {
    condition     = aws_lb.this.internal == false && aws_lb.this.subnets == toset(["subnet-0ccc3333", "subnet-0ddd4444"]) && aws_lb.this.drop_invalid_header_fields == true
    error_message = "An internet-facing ALB in the public subnets that drops invalid headers."
  }

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.port == 443 && aws_lb_listener.https.certificate_arn == "arn:aws:acm:eu-west-1:111122223333:certificate/0d3c5a9e-1111-2222-3333-444455556666" && aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    error_message = "HTTPS on 443 with the given certificate and a TLS 1.3 policy."
  }

  assert {
    condition     = aws_lb_listener.http.port == 80 && aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301"
    error_message = "HTTP must answer with a permanent redirect to HTTPS."
  }

  assert {
    condition     = aws_lb_target_group.this.target_type == "ip" && aws_lb_target_group.this.port == 8080 && aws_lb_target_group.this.health_check[0].matcher == "200"
    error_message = "An ip target group on 8080 that wants a 200."
  }

  # The group is replaced create_before_destroy (a changed port or protocol): a fixed name would collide.
  assert {
    condition     = aws_lb_target_group.this.name_prefix == "auth-d"
    error_message = "The target group must be named by a prefix (at most 6 characters), so its replacement can be created before the old one goes."
  }

  # ECS replaces a task that fails the load balancer health check (ECS API reference, Service
  # healthCheckGracePeriodSeconds; aws/containers-roadmap#1271): a dependency-checking path (/readyz) would stop
  # every task during a PostgreSQL outage, and replacements cannot start (migrations run before listen).
  assert {
    condition     = aws_lb_target_group.this.health_check[0].path == "/healthz"
    error_message = "The target group must probe liveness (/healthz), not readiness: a database outage must not stop the tasks."
  }

  assert {
    condition     = tonumber(aws_lb_target_group.this.deregistration_delay) < jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout
    error_message = "The deregistration delay must be shorter than the stop timeout."
  }

  assert {
    condition     = aws_lb.this.access_logs[0].enabled == true && aws_lb.this.access_logs[0].bucket == aws_s3_bucket.access_logs.id && one(aws_s3_bucket_server_side_encryption_configuration.access_logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "Access logs go to the module's SSE-S3 bucket."
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection == true && aws_s3_bucket.access_logs.force_destroy == false
    error_message = "Deletion protection is on by default."
  }
}

run "security_groups_admit_only_the_load_balancer" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.tasks_from_alb.from_port == 8080 && aws_vpc_security_group_ingress_rule.tasks_from_alb.to_port == 8080 && aws_vpc_security_group_ingress_rule.tasks_from_alb.referenced_security_group_id == aws_security_group.alb.id
    error_message = "Tasks admit the load balancer on 8080 only."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.alb_to_tasks.from_port == 8080 && aws_vpc_security_group_egress_rule.alb_to_tasks.referenced_security_group_id == aws_security_group.tasks.id
    error_message = "The load balancer reaches the tasks on 8080 only."
  }

  assert {
    condition     = [for rule in [aws_vpc_security_group_ingress_rule.alb_https, aws_vpc_security_group_ingress_rule.alb_http] : [rule.from_port, rule.to_port, rule.cidr_ipv4, rule.security_group_id]] == [[443, 443, "0.0.0.0/0", aws_security_group.alb.id], [80, 80, "0.0.0.0/0", aws_security_group.alb.id]]
    error_message = "The load balancer admits 80 and 443 from the internet, nothing else."
  }
}

run "execution_role_reads_exactly_the_given_secrets" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.tasks_trust.statement[0].principals).identifiers == toset(["ecs-tasks.amazonaws.com"]) && anytrue([for c in data.aws_iam_policy_document.tasks_trust.statement[0].condition : c.test == "StringEquals" && c.variable == "aws:SourceAccount" && toset(c.values) == toset(["111122223333"])])
    error_message = "Both roles must be trusted by ecs-tasks.amazonaws.com of this account only."
  }

  assert {
    condition     = data.aws_iam_policy_document.execution.statement[0].actions == toset(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]) && data.aws_iam_policy_document.execution.statement[0].resources == toset(["arn:aws:ecr:eu-west-1:111122223333:repository/auth"])
    error_message = "Pull actions must be limited to the given repository."
  }

  assert {
    condition     = data.aws_iam_policy_document.execution.statement[2].resources == toset(["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ecs/auth-dev:*"])
    error_message = "Logs may be written to the module's log group only."
  }

  assert {
    condition = data.aws_iam_policy_document.execution.statement[3].actions == toset(["secretsmanager:GetSecretValue"]) && data.aws_iam_policy_document.execution.statement[3].resources == toset([
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/jwt-signing-keys-AbCdEf",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/database-GhIjKl",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/clickhouse-MnOpQr",
    ])
    error_message = "GetSecretValue must name exactly the referenced secrets, with JSON-key suffixes stripped."
  }

  assert {
    condition     = data.aws_iam_policy_document.execution.statement[4].actions == toset(["kms:Decrypt"]) && data.aws_iam_policy_document.execution.statement[4].resources == toset(["arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"]) && length(data.aws_iam_policy_document.execution.statement) == 5
    error_message = "kms:Decrypt must name exactly the given key, and the role gets nothing else."
  }
}

run "task_role_has_no_permissions" {
  command = plan

  assert {
    condition     = aws_iam_role.task.assume_role_policy == data.aws_iam_policy_document.tasks_trust.json && length([for r in [aws_iam_role_policy.execution] : r if r.role == aws_iam_role.task.id]) == 0
    error_message = "The task role has a trust policy and no permissions."
  }
}

run "no_secrets_means_no_secret_statements" {
  command = plan

  variables {
    runtime_environment_secrets = {}
  }

  assert {
    condition     = length(data.aws_iam_policy_document.execution.statement) == 3 && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets == []
    error_message = "Without secrets the execution role reads no secret and decrypts nothing."
  }
}

run "alarms_watch_5xx_unhealthy_hosts_cpu_and_memory" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["target_5xx"].namespace == "AWS/ApplicationELB" && aws_cloudwatch_metric_alarm.this["target_5xx"].metric_name == "HTTPCode_Target_5XX_Count" && aws_cloudwatch_metric_alarm.this["target_5xx"].dimensions == tomap({ LoadBalancer = "app/auth-dev/50dc6c495c0c9188", TargetGroup = "targetgroup/auth-dev/73e2d6bc24d8a067" })
    error_message = "The 5xx alarm must watch the target group's HTTPCode_Target_5XX_Count."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["unhealthy_hosts"].metric_name == "UnHealthyHostCount" && aws_cloudwatch_metric_alarm.this["unhealthy_hosts"].threshold == 0 && aws_cloudwatch_metric_alarm.this["unhealthy_hosts"].statistic == "Maximum"
    error_message = "Any unhealthy target must raise the alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["cpu"].metric_name == "CPUUtilization" && aws_cloudwatch_metric_alarm.this["memory"].metric_name == "MemoryUtilization" && aws_cloudwatch_metric_alarm.this["memory"].dimensions == tomap({ ClusterName = "auth-dev", ServiceName = "auth-dev" })
    error_message = "CPU and memory alarms must watch the service's AWS/ECS metrics."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"])]) && length(aws_cloudwatch_metric_alarm.this) == 4
    error_message = "Every alarm must notify the SNS topic."
  }
}

run "non_prod_can_drop_deletion_protection" {
  command = plan

  variables {
    deletion_protection          = false
    stop_timeout_seconds         = 60
    deregistration_delay_seconds = 45
    cpu                          = "512"
    memory                       = "3072"
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection == false && aws_s3_bucket.access_logs.force_destroy == true
    error_message = "Without deletion protection the environment can be torn down."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout == 60 && aws_lb_target_group.this.deregistration_delay == "45" && aws_ecs_task_definition.this.memory == "3072"
    error_message = "Stop timeout, deregistration delay and size follow the inputs."
  }
}

# The recommended post-quantum policy and the TLS 1.3-only one pass the ssl_policy validation.
run "accepts_forward_secret_tls13_policies" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" }

  assert {
    condition     = aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
    error_message = "The listener takes the given policy."
  }
}

run "accepts_tls13_only_policy" {
  command = plan
  variables { ssl_policy = "ELBSecurityPolicy-TLS13-1-3-2021-06" }

  assert {
    condition     = aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    error_message = "The listener takes the given policy."
  }
}

run "waf_managed_rules_rate_limit_and_blocked_paths_by_default" {
  command = plan

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 1 && aws_wafv2_web_acl.this[0].scope == "REGIONAL" && length(aws_wafv2_web_acl.this[0].default_action[0].allow) == 1
    error_message = "By default the module creates a regional web ACL that allows what no rule blocks."
  }

  assert {
    condition     = toset([for r in aws_wafv2_web_acl.this[0].rule : r.statement[0].managed_rule_group_statement[0].name if length(r.statement[0].managed_rule_group_statement) > 0]) == toset(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"]) && alltrue([for r in aws_wafv2_web_acl.this[0].rule : length(r.override_action[0].none) == 1 && r.statement[0].managed_rule_group_statement[0].vendor_name == "AWS" if length(r.statement[0].managed_rule_group_statement) > 0])
    error_message = "The AWS IP reputation, known bad inputs and common rule sets apply, in blocking mode."
  }

  assert {
    condition     = [for o in one([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "AWSManagedRulesCommonRuleSet"]).statement[0].managed_rule_group_statement[0].rule_action_override : o.name if length(o.action_to_use[0].count) == 1] == ["NoUserAgent_HEADER", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY"]
    error_message = "The common rule set downgrades to count exactly NoUserAgent_HEADER (API clients may send no User-Agent) and its four body-content rules (a password may hold any printable character, ASVS V2.1.4); SizeRestrictions_BODY and the rest still block."
  }

  assert {
    condition     = one([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "rate-limit-per-ip"]).statement[0].rate_based_statement[0].limit == 2000 && one([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "rate-limit-per-ip"]).statement[0].rate_based_statement[0].aggregate_key_type == "IP" && length(one([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "rate-limit-per-ip"]).action[0].block) == 1
    error_message = "A per-IP rate-based rule blocks more than 2000 requests in 5 minutes."
  }

  assert {
    condition     = [for r in aws_wafv2_web_acl.this[0].rule : r.statement[0].byte_match_statement[0].search_string if startswith(r.name, "block-path-")] == ["/metrics"] && alltrue([for r in aws_wafv2_web_acl.this[0].rule : length(r.action[0].block) == 1 if startswith(r.name, "block-path-")]) && toset([for t in one([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "block-path-0"]).statement[0].byte_match_statement[0].text_transformation : t.type]) == toset(["URL_DECODE", "LOWERCASE"])
    error_message = "/metrics is blocked from the internet, however its case or encoding is spelled."
  }

  assert {
    condition     = length(toset([for r in aws_wafv2_web_acl.this[0].rule : r.priority])) == length(aws_wafv2_web_acl.this[0].rule)
    error_message = "Rule priorities are unique."
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 1 && aws_wafv2_web_acl_association.this[0].web_acl_arn == "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/auth-dev/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" && output.waf_web_acl_arn == aws_wafv2_web_acl.this[0].arn
    error_message = "The module's web ACL is associated with the load balancer."
  }

  assert {
    condition     = aws_cloudwatch_log_group.waf[0].name == "aws-waf-logs-auth-dev" && aws_cloudwatch_log_group.waf[0].kms_key_id == aws_kms_key.logs.arn && toset([for f in aws_wafv2_web_acl_logging_configuration.this[0].redacted_fields : f.single_header[0].name]) == toset(["authorization", "cookie"])
    error_message = "WAF logs go to a KMS-encrypted aws-waf-logs-* group, with the Authorization and Cookie headers redacted."
  }

  assert {
    condition     = contains(jsondecode(aws_kms_key.logs.policy).Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"], "arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-auth-dev")
    error_message = "CloudWatch Logs may use the log key for the WAF log group too."
  }
}

run "waf_existing_web_acl_instead_of_the_modules_own" {
  command = plan

  variables {
    waf_web_acl_arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/FMManagedWebACLV2-org/0d3c5a9e-1111-2222-3333-444455556666"
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_cloudwatch_log_group.waf) == 0 && aws_wafv2_web_acl_association.this[0].web_acl_arn == "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/FMManagedWebACLV2-org/0d3c5a9e-1111-2222-3333-444455556666"
    error_message = "A given web ACL is associated and the module creates none."
  }
}

run "waf_off_only_when_asked" {
  command = plan

  variables {
    create_waf_web_acl = false
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_wafv2_web_acl_association.this) == 0 && output.waf_web_acl_arn == null
    error_message = "create_waf_web_acl = false without an ARN leaves the load balancer without WAF."
  }

  assert {
    condition     = jsondecode(aws_kms_key.logs.policy).Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ecs/auth-dev"]
    error_message = "Without the module's web ACL, the log key serves the container log group only."
  }
}
