# The auth service on ECS Fargate behind an ALB (module ecs-fargate-service): the compute target of environments
# whose env.hcl says compute_target = "ecs-fargate" (app.hcl is the App Runner one). A deploy is an apply of this
# unit with IMAGE_TAG set to the git SHA and IMAGE_DIGEST to that image's digest in ECR
# (runbooks/scripts/deploy.sh resolves it); a rollback is the same apply with an earlier SHA.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # Placeholders that let plans run without a deploy (pull requests, drift checks); the before_hook below
  # refuses an apply unless both are set.
  image_tag    = get_env("IMAGE_TAG", "0000000")
  image_digest = get_env("IMAGE_DIGEST", "sha256:0000000000000000000000000000000000000000000000000000000000000000")

  certificate_arn = local.env.app_certificate_arn == null ? "" : local.env.app_certificate_arn
}

# Out of every run (run --all and this unit alone) unless the environment runs on ECS Fargate, or is moving off it.
exclude {
  if                   = !contains(concat([local.env.compute_target], local.env.compute_targets_retiring), "ecs-fargate")
  actions              = ["all"]
  no_run               = true
  exclude_dependencies = false
}

terraform {
  before_hook "require_image" {
    commands = ["apply"]
    execute  = ["sh", "-c", "test -n \"$IMAGE_TAG\" && test -n \"$IMAGE_DIGEST\" || { echo 'IMAGE_TAG (the git SHA) and IMAGE_DIGEST (its sha256 digest in ECR) must be set to deploy' >&2; exit 1; }"]
  }

  before_hook "require_certificate" {
    commands = ["apply"]
    execute  = ["sh", "-c", "case '${local.certificate_arn}' in ''|*/00000000-0000-0000-0000-000000000000) echo 'env.hcl app_certificate_arn must be the issued ACM certificate of the public host name, not the placeholder' >&2; exit 1;; esac"]
  }
}

dependency "network" {
  config_path = "${get_terragrunt_dir()}/../network"
  mock_outputs = {
    vpc_id                      = "vpc-00000000000000001"
    private_subnet_ids          = ["subnet-00000000000000001", "subnet-00000000000000002"]
    public_subnet_ids           = ["subnet-00000000000000003", "subnet-00000000000000004"]
    connector_security_group_id = "sg-00000000000000001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

dependency "secrets" {
  config_path = "${get_terragrunt_dir()}/../secrets"
  mock_outputs = {
    runtime_environment_secrets = {
      JWT_SIGNING_KEYS       = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/mock/jwt-signing-keys-AbCdEf"
      DATABASE_URL           = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/mock/database-AbCdEf:url::"
      DATABASE_MIGRATION_URL = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/mock/database-migration-AbCdEf:url::"
      CLICKHOUSE_USER        = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/mock/clickhouse-AbCdEf:username::"
      CLICKHOUSE_PASSWORD    = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/mock/clickhouse-AbCdEf:password::"
    }
    kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

dependency "alarms" {
  config_path = "${get_terragrunt_dir()}/../alarms"
  mock_outputs = {
    topic_arn = "arn:aws:sns:eu-west-1:111111111111:auth-mock-alarms"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

dependency "ecr" {
  config_path = "${get_terragrunt_dir()}/../../../_global/ecr"
  mock_outputs = {
    repository_url = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/auth-platform/mock-auth"
    repository_arn = "arn:aws:ecr:eu-west-1:111111111111:repository/auth-platform/mock-auth"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

dependency "clickhouse" {
  config_path = "${get_terragrunt_dir()}/../clickhouse"
  mock_outputs = {
    https_url = "https://mock0000.eu-west-1.aws.clickhouse.cloud:8443"
  }
  # Bring-up rehearsal only (scripts/rehearse.mjs sets REHEARSAL=1): the clickhouse unit cannot be applied there
  # (its provider cannot be installed, architecture/REHEARSAL_GAPS.md), so its outputs are not read and the mock
  # stands in for the rehearsal's apply and destroy. Real runs never set REHEARSAL: mocks stay plan-only.
  skip_outputs                            = get_env("REHEARSAL", "") == "1"
  mock_outputs_allowed_terraform_commands = get_env("REHEARSAL", "") == "1" ? ["validate", "plan", "apply", "destroy"] : ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

# Start-up runs migrations, so the database must exist before the first deploy (ordering only, no outputs).
dependencies {
  paths = ["${get_terragrunt_dir()}/../rds"]
}

inputs = {
  name           = "auth-${local.env.env}"
  repository_url = dependency.ecr.outputs.repository_url
  repository_arn = dependency.ecr.outputs.repository_arn
  image_digest   = local.image_digest
  port           = 8080
  # Liveness, as on App Runner: ECS replaces tasks failing the load balancer health check (ECS API reference,
  # healthCheckGracePeriodSeconds; aws/containers-roadmap#1271), so /readyz here would turn a PostgreSQL outage
  # into every task stopped and no replacement starting (migrations run before listen). Live tasks answer 503
  # unavailable meanwhile (PLATFORM_CONTRACT.md).
  health_check_path = "/healthz"
  # SIGTERM to SIGKILL: the app drains within SHUTDOWN_TIMEOUT_MS (10 s) below; the rest is headroom.
  stop_timeout_seconds         = 30
  deregistration_delay_seconds = 20
  cpu                          = local.env.app_cpu
  memory                       = local.env.app_memory
  min_capacity                 = local.env.app_min_instances
  max_capacity                 = local.env.app_max_instances
  vpc_id                       = dependency.network.outputs.vpc_id
  private_subnet_ids           = dependency.network.outputs.private_subnet_ids
  public_subnet_ids            = dependency.network.outputs.public_subnet_ids
  # The network's app group (named for the App Runner connector): the database and the ClickHouse endpoint admit it.
  app_security_group_ids = [dependency.network.outputs.connector_security_group_id]
  certificate_arn        = local.env.app_certificate_arn
  deletion_protection    = local.env.app_deletion_protection
  log_retention_days     = local.env.log_retention_days
  secrets_kms_key_arns   = [dependency.secrets.outputs.kms_key_arn]
  # The environment's alarm topic (alarms unit, module alarm-topic).
  alarm_sns_topic_arn = dependency.alarms.outputs.topic_arn

  # The same secrets, from the same secrets and JSON keys, as the App Runner unit: ECS reads them at task start
  # through secrets/valueFrom, which takes the same <arn>:<json-key>:: references.
  runtime_environment_secrets = dependency.secrets.outputs.runtime_environment_secrets

  # The same variables and values as _envcommon/app.hcl (test/drift.test.ts holds both units to app/src/config,
  # .env.example and the contract). Values are strings: ECS passes environment text.
  runtime_environment_variables = merge({
    NODE_ENV = "production"
    # No PORT: the app's default 8080 is the container port (`port` above), as the contract says for both targets.
    LOG_LEVEL           = local.env.log_level
    SERVICE_VERSION     = local.image_tag
    DEPLOY_ENVIRONMENT  = local.env.env
    SHUTDOWN_TIMEOUT_MS = "10000"
    DATABASE_POOL_MAX   = "10"
    # As _envcommon/app.hcl: encrypted, and the server certificate and host name verified against the RDS CA
    # bundle that the image carries. It also agrees with the `sslmode=verify-full` that the rotation runbook
    # writes into the secret's URL (the app refuses a URL sslmode that disagrees with DATABASE_SSL).
    DATABASE_SSL                  = "verify-full"
    DATABASE_SSL_ROOT_CERT        = "/srv/auth/certs/aws-rds-ca-bundle.pem"
    JWT_ISSUER                    = local.env.app_public_url
    JWT_AUDIENCE                  = "auth-platform"
    ACCESS_TOKEN_TTL              = "15m"
    REFRESH_REUSE_INTERVAL        = "30s"
    REFRESH_IDLE_TTL              = "7d"
    REFRESH_REUSE_INTERVAL        = "30s"
    SESSION_MAX_TTL               = "30d"
    ARGON2_MEMORY_KIB             = "19456"
    ARGON2_ITERATIONS             = "2"
    ARGON2_PARALLELISM            = "1"
    CLICKHOUSE_URL                = dependency.clickhouse.outputs.https_url
    CLICKHOUSE_DATABASE           = "auth"
    CLICKHOUSE_ASYNC_INSERT       = "true"
    EVENTS_BATCH_SIZE             = "500"
    EVENTS_FLUSH_INTERVAL_MS      = "1000"
    EVENTS_QUEUE_CAPACITY         = "10000"
    TRUSTED_PROXY_HOPS            = "1"
    LOCKOUT_THRESHOLD             = "50"
    LOCKOUT_IP_THRESHOLD          = "10"
    LOCKOUT_WINDOW                = "15m"
    LOCKOUT_BASE_DURATION         = "1m"
    LOCKOUT_MAX_DURATION          = "15m"
    RATE_LIMIT_PER_MINUTE         = "30"
    RATE_LIMIT_BURST              = "10"
    HIBP_ENABLED                  = "true"
    HIBP_API_URL                  = "https://api.pwnedpasswords.com"
    HIBP_TIMEOUT_MS               = "1500"
    HIBP_FAIL_CLOSED              = "false"
    HIBP_MIN_BREACH_COUNT         = "1"
    REGISTRATION_ENUMERATION_SAFE = "true"
  }, local.env.app_environment_overrides)

  # false only in the bring-up rehearsal against moto (REHEARSAL=1): see the module variable.
  autoscaling_enabled = get_env("REHEARSAL", "") != "1"
}
