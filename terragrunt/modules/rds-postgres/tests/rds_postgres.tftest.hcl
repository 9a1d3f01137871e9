mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
}

override_resource {
  override_during = plan
  target          = aws_kms_key.this
  values          = { arn = "arn:aws:kms:eu-west-1:111122223333:key/rds", key_id = "rds" }
}

override_resource {
  override_during = plan
  target          = aws_db_parameter_group.this
  values          = { name = "auth-dev-pg16-x" }
}

variables {
  identifier             = "auth-dev"
  subnet_ids             = ["subnet-a", "subnet-b"]
  vpc_security_group_ids = ["sg-database"]
  tags                   = { Environment = "dev" }
}

run "private_encrypted_and_protected_by_default" {
  command = plan

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false
    error_message = "The instance must never be publicly accessible."
  }
  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/rds"
    error_message = "Storage must be encrypted with the module's customer-managed key."
  }
  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.master_user_secret_kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/rds" && aws_db_instance.this.password == null
    error_message = "RDS must manage the master password, encrypted with the CMK; Terraform never sets one."
  }
  assert {
    condition     = aws_db_instance.this.iam_database_authentication_enabled
    error_message = "IAM database authentication must be enabled."
  }
  assert {
    condition     = aws_db_instance.this.deletion_protection && aws_db_instance.this.skip_final_snapshot == false
    error_message = "Deletion protection and a final snapshot are the default."
  }
  assert {
    condition     = aws_db_instance.this.backup_retention_period == 14 && aws_db_instance.this.copy_tags_to_snapshot && aws_db_instance.this.delete_automated_backups == false
    error_message = "Backups: 14 days by default, tags copied, kept after deletion."
  }
  assert {
    condition     = aws_db_instance.this.performance_insights_enabled && aws_db_instance.this.performance_insights_kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/rds"
    error_message = "Performance Insights must be on and encrypted with the CMK."
  }
  assert {
    condition     = aws_db_instance.this.enabled_cloudwatch_logs_exports == toset(["postgresql", "upgrade"])
    error_message = "postgresql and upgrade logs must be exported."
  }
  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.auto_minor_version_upgrade && aws_db_instance.this.allow_major_version_upgrade == false
    error_message = "Multi-AZ and automatic minor upgrades by default; no implicit major upgrades."
  }
  assert {
    condition     = aws_db_instance.this.engine == "postgres" && aws_db_instance.this.engine_version == "16" && aws_db_instance.this.port == 5432
    error_message = "PostgreSQL 16 (any minor) on 5432 by default."
  }
  assert {
    condition     = aws_db_instance.this.vpc_security_group_ids == toset(["sg-database"]) && aws_db_subnet_group.this.subnet_ids == toset(["subnet-a", "subnet-b"])
    error_message = "The instance must sit in the given subnets behind the given security group only."
  }
  assert {
    condition     = aws_db_instance.this.parameter_group_name == "auth-dev-pg16-x" && aws_db_instance.this.tags["Environment"] == "dev"
    error_message = "The instance must use the module's parameter group and the caller's tags."
  }
}

run "parameter_group_forces_tls_and_logs_connections" {
  command = plan

  variables {
    extra_parameters = [{ name = "log_min_duration_statement", value = "500" }]
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres16"
    error_message = "The family must follow the engine major version."
  }
  assert {
    condition     = { for parameter in aws_db_parameter_group.this.parameter : parameter.name => parameter.value } == { "rds.force_ssl" = "1", log_connections = "1", log_disconnections = "1", log_min_duration_statement = "500" }
    error_message = "The group must force TLS, log connections and disconnections, plus the extra parameters."
  }
}

run "log_groups_encrypted_with_retention" {
  command = plan

  assert {
    condition     = keys(aws_cloudwatch_log_group.this) == ["postgresql", "upgrade"] && aws_cloudwatch_log_group.this["postgresql"].name == "/aws/rds/instance/auth-dev/postgresql"
    error_message = "The export log groups must be created by the module under the RDS naming scheme."
  }
  assert {
    condition     = alltrue([for group in aws_cloudwatch_log_group.this : group.kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/rds" && group.retention_in_days == 90])
    error_message = "Export log groups must be encrypted with the CMK and expire."
  }
  assert {
    condition     = jsondecode(aws_kms_key.this[0].policy).Statement[1].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/rds/instance/auth-dev/*"
    error_message = "CloudWatch Logs may use the key for this instance's log groups only."
  }
  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "The key must rotate."
  }
}

run "given_keys_and_weakened_settings" {
  command = plan

  variables {
    engine_version                 = "17.2"
    kms_key_arn                    = "arn:aws:kms:eu-west-1:111122223333:key/shared"
    master_user_secret_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/secrets"
    multi_az                       = false
    deletion_protection            = false
    skip_final_snapshot            = true
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/shared" && aws_db_instance.this.master_user_secret_kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/secrets"
    error_message = "Given keys are used instead of creating one."
  }
  assert {
    condition     = aws_db_parameter_group.this.family == "postgres17"
    error_message = "The family must follow the engine major version."
  }
  assert {
    condition     = aws_db_instance.this.multi_az == false && aws_db_instance.this.deletion_protection == false && aws_db_instance.this.final_snapshot_identifier == null
    error_message = "Weakening inputs must take effect only when set explicitly."
  }
}

run "no_restore_unless_asked" {
  command = plan

  assert {
    condition     = length(aws_db_instance.this.restore_to_point_in_time) == 0
    error_message = "Without restore_to_point_in_time the instance is created empty, not restored."
  }
}

run "restore_to_a_point_in_time" {
  command = plan

  variables {
    restore_to_point_in_time = {
      source_db_instance_identifier = "auth-dev-damaged"
      restore_time                  = "2026-11-25T09:41:00Z"
    }
  }

  assert {
    condition     = one(aws_db_instance.this.restore_to_point_in_time).source_db_instance_identifier == "auth-dev-damaged" && one(aws_db_instance.this.restore_to_point_in_time).restore_time == "2026-11-25T09:41:00Z"
    error_message = "The restore block must carry the source instance and the restore time."
  }

  assert {
    condition     = one(aws_db_instance.this.restore_to_point_in_time).use_latest_restorable_time != true
    error_message = "restore_time and use_latest_restorable_time are exclusive: only the time is sent."
  }

  assert {
    condition     = aws_db_instance.this.identifier == "auth-dev" && aws_db_instance.this.storage_encrypted && aws_db_instance.this.publicly_accessible == false && aws_db_instance.this.manage_master_user_password
    error_message = "A restored instance keeps the module's identifier and its safe settings."
  }
}

run "restore_to_the_latest_restorable_time" {
  command = plan

  variables {
    restore_to_point_in_time = {
      source_db_instance_identifier = "auth-dev-damaged"
      use_latest_restorable_time    = true
    }
  }

  assert {
    condition     = one(aws_db_instance.this.restore_to_point_in_time).use_latest_restorable_time == true && one(aws_db_instance.this.restore_to_point_in_time).restore_time == null
    error_message = "use_latest_restorable_time must be sent without a restore time."
  }
}
