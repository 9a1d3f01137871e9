# PostgreSQL for the auth service: private, TLS-only, encrypted with a customer-managed key, with an
# RDS-managed master password (Terraform never sees it) and IAM authentication available for operators.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  tags             = merge(var.tags, { "terraform-module" = "rds-postgres" })
  major_version    = split(".", var.engine_version)[0]
  kms_key_arn      = coalesce(var.kms_key_arn, try(aws_kms_key.this[0].arn, null))
  account_id       = data.aws_caller_identity.current.account_id
  partition        = data.aws_partition.current.partition
  region           = data.aws_region.current.id
  log_group_prefix = "/aws/rds/instance/${var.identifier}"
  log_exports      = ["postgresql", "upgrade"]
  # TLS is mandatory and every connection is logged; callers can add parameters but not remove these.
  required_parameters = [
    { name = "rds.force_ssl", value = "1", apply_method = "immediate" },
    { name = "log_connections", value = "1", apply_method = "immediate" },
    { name = "log_disconnections", value = "1", apply_method = "immediate" },
  ]
}

resource "aws_kms_key" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "RDS ${var.identifier}: storage, Performance Insights, logs, master secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The AWS default key statement: IAM policies in this account govern the key, and RDS and
        # Secrets Manager use it through grants on behalf of those principals.
        Sid       = "AccountRootAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsUsesKeyForThisInstanceLogsOnly"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_prefix}/*" }
        }
      },
    ]
  })

  tags = merge(local.tags, { Name = var.identifier })
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/rds/${var.identifier}"
  target_key_id = aws_kms_key.this[0].key_id
}

# Created before the instance so that RDS writes into encrypted groups with a retention, instead of
# creating unencrypted never-expiring ones itself.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is var.log_retention_days, set per environment; PostgreSQL logs can carry statement text, so the default keeps them 90 days, not a year
  for_each = toset(local.log_exports)

  name              = "${local.log_group_prefix}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn

  tags = local.tags
}

resource "aws_db_subnet_group" "this" {
  name        = var.identifier
  description = "Private subnets of ${var.identifier}"
  subnet_ids  = var.subnet_ids

  tags = local.tags
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.identifier}-pg${local.major_version}-"
  family      = "postgres${local.major_version}"
  description = "${var.identifier}: TLS only, connection logging"

  dynamic "parameter" {
    for_each = concat(local.required_parameters, var.extra_parameters)
    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  tags = local.tags

  # A major upgrade needs a new group of the new family before the old one can go.
  lifecycle {
    create_before_destroy = true
  }
}

# A snapshot identifier is unique per account and region (DeleteDBInstance fails with DBSnapshotAlreadyExists,
# Amazon RDS API reference), so a fixed "<identifier>-final" blocks the second teardown of a rebuilt environment.
# The suffix is "<creation time>-<6 hex of the instance's ForceNew inputs>", fixed in state (ignore_changes) so plans
# stay quiet. It is renewed whenever the instance is replaced: by a teardown and rebuild (this resource goes with the
# instance), and by a change of an input that forces a new instance (ForceNew in terraform-provider-aws v5.100.0
# internal/service/rds/instance.go: identifier, engine, db_name, username, kms_key_id, storage_encrypted), through
# triggers_replace; otherwise the replaced instance's final snapshot and the new one's would share a name. A manual
# `-replace=aws_db_instance.this` must name `-replace=terraform_data.final_snapshot_suffix` too (README.md).
locals {
  force_new_inputs = {
    identifier        = var.identifier
    engine            = "postgres"
    db_name           = var.db_name
    username          = var.master_username
    kms_key_id        = local.kms_key_arn
    storage_encrypted = true
  }
}

resource "terraform_data" "final_snapshot_suffix" {
  input            = "${formatdate("YYYYMMDDhhmmss", timestamp())}-${substr(sha256(jsonencode(local.force_new_inputs)), 0, 6)}"
  triggers_replace = local.force_new_inputs

  lifecycle {
    ignore_changes = [input]
  }
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_157:Multi-AZ is var.multi_az, set per environment: on by default and in prod (test/live-tree.test.ts holds prod to it), off in non-prod to save cost
  #checkov:skip=CKV_AWS_293:deletion protection is var.deletion_protection, set per environment: on by default and in prod (test/live-tree.test.ts holds prod to it), off in dev, which is torn down and rebuilt
  #checkov:skip=CKV_AWS_118:enhanced monitoring (OS metrics, needs its own IAM role) is not used: alarms read the standard RDS CloudWatch metrics and Performance Insights
  identifier     = var.identifier
  engine         = local.force_new_inputs.engine
  engine_version = var.engine_version
  instance_class = var.instance_class
  port           = 5432

  db_name                             = local.force_new_inputs.db_name
  username                            = local.force_new_inputs.username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = coalesce(var.master_user_secret_kms_key_arn, local.kms_key_arn)
  iam_database_authentication_enabled = true

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = local.force_new_inputs.storage_encrypted
  kms_key_id            = local.force_new_inputs.kms_key_id

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = var.vpc_security_group_ids
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = var.backup_retention_period
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.identifier}-final-${terraform_data.final_snapshot_suffix.output}"
  delete_automated_backups  = false

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = var.apply_immediately

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = local.kms_key_arn
  performance_insights_retention_period = var.performance_insights_retention_period
  enabled_cloudwatch_logs_exports       = local.log_exports

  # Path B of runbooks/restore-database.md: the new instance starts as a copy of the source at that time.
  # The master user and the data come from the source; db_name and username do not apply to a restore.
  dynamic "restore_to_point_in_time" {
    for_each = var.restore_to_point_in_time == null ? [] : [var.restore_to_point_in_time]

    content {
      source_db_instance_identifier = restore_to_point_in_time.value.source_db_instance_identifier
      restore_time                  = restore_to_point_in_time.value.restore_time
      use_latest_restorable_time    = restore_to_point_in_time.value.use_latest_restorable_time ? true : null
    }
  }

  tags = merge(local.tags, { Name = var.identifier })

  # A restore is a way of creating the instance, not a setting: adding the input to a running instance must
  # not replace it, and removing it after the cut-over must not either.
  lifecycle {
    ignore_changes = [restore_to_point_in_time]
  }

  depends_on = [aws_cloudwatch_log_group.this]
}
