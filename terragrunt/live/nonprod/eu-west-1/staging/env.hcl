# staging: production-like settings at a smaller size; it rehearses every prod apply.
# Every difference between environments lives in an env.hcl; the unit files are identical everywhere.
locals {
  env = "staging"
  # Disposable: torn down and rebuilt at will. Deleted secrets go at once (no recovery window), so a rebuild can
  # re-create them under the same names.
  disposable = false

  # network
  vpc_cidr           = "10.20.0.0/16"
  az_count           = 2
  nat_per_az         = false # one shared NAT gateway: cheaper, loses egress if its AZ fails
  log_retention_days = 30

  # rds
  db_instance_class           = "db.t4g.small"
  db_allocated_storage_gb     = 20
  db_max_allocated_storage_gb = 100 # autoscaling ceiling: RDS wants at least 10% above the allocation
  db_multi_az                 = false
  db_deletion_protection      = true
  db_backup_retention_days    = 7
  # null, except to rebuild the database as a point-in-time restore (runbooks/restore-database.md, path B):
  # { source_db_instance_identifier = "<renamed old instance>", restore_time = "<RFC 3339 UTC>" }
  db_restore_to_point_in_time = null

  # secrets
  secret_recovery_window_days = 30

  # clickhouse: non-prod reaches ClickHouse Cloud over the internet, allow-listed to the NAT EIPs
  clickhouse_private_link  = false
  clickhouse_min_memory_gb = 8
  clickhouse_max_memory_gb = 8
  # scale to zero when idle (the app's event queue buffers while it wakes); off where latency must stay steady
  clickhouse_idle_scaling           = true
  clickhouse_backup_retention_hours = 48
  # base64 SHA-256 of the service's admin password (a verifier; the password is only in <prefix>/clickhouse-admin).
  # Placeholder of all zeros until bring-up: no password hashes to it, so the admin cannot log in until the runbook
  # sets the real one (README "ClickHouse admin password").
  clickhouse_admin_password_sha256 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

  # alarms: addresses that get the App Runner alarms' notifications (each must confirm AWS's mail first).
  # Empty until the on-call address exists: the alarms still change state and show in CloudWatch.
  alarm_email_subscriptions = []

  # compute: the target that serves this environment and takes its deploys, "apprunner" (unit app) or
  # "ecs-fargate" (unit app-ecs); the other unit is excluded. While the environment moves to the other target,
  # compute_targets_retiring lists the old one, which stays up until DNS has moved (architecture/ENVIRONMENT_STRATEGY.md,
  # "Compute targets"); empty otherwise.
  compute_target           = "apprunner"
  compute_targets_retiring = []
  # ecs-fargate: the ACM certificate (this account and region) for app_public_url's host name, issued and
  # DNS-validated by the owner of the domain's zone, outside this tree; null on App Runner. The all-zero
  # placeholder plans, but the app-ecs unit refuses to apply it.
  app_certificate_arn = null
  # ecs-fargate: deletion protection of the load balancer
  app_deletion_protection = true

  # app
  app_cpu             = "1024"
  app_memory          = "2048"
  app_min_instances   = 1
  app_max_instances   = 4
  app_max_concurrency = 80
  # Public base URL: the JWT issuer, the same host name whichever target serves it (its DNS record and
  # certificate are not managed here).
  app_public_url = "https://auth.staging.acme-auth.example"
  # Extra or changed app variables for this environment only (the shared set is in _envcommon/app-runtime.hcl).
  app_environment_overrides = {}
  log_level                 = "info"
}
