# Every validation block of the module, tripped by a bad value.
mock_provider "aws" {}

variables {
  identifier             = "auth-dev"
  subnet_ids             = ["subnet-a", "subnet-b"]
  vpc_security_group_ids = ["sg-database"]
}

run "rejects_bad_identifier" {
  command = plan
  variables {
    identifier = "auth--dev-"
  }
  expect_failures = [var.identifier]
}

run "rejects_single_subnet" {
  command = plan
  variables {
    subnet_ids = ["subnet-a"]
  }
  expect_failures = [var.subnet_ids]
}

run "rejects_missing_security_group" {
  command = plan
  variables {
    vpc_security_group_ids = []
  }
  expect_failures = [var.vpc_security_group_ids]
}

run "rejects_postgres_15" {
  command = plan
  variables {
    engine_version = "15.7"
  }
  expect_failures = [var.engine_version]
}

run "rejects_unparseable_engine_version" {
  command = plan
  variables {
    engine_version = "16.x"
  }
  expect_failures = [var.engine_version]
}

run "rejects_bad_instance_class" {
  command = plan
  variables {
    instance_class = "t4g.medium"
  }
  expect_failures = [var.instance_class]
}

run "rejects_small_storage" {
  command = plan
  variables {
    allocated_storage = 10
  }
  expect_failures = [var.allocated_storage]
}

run "rejects_bad_max_storage" {
  command = plan
  variables {
    max_allocated_storage = 10
  }
  expect_failures = [var.max_allocated_storage]
}

run "rejects_bad_db_name" {
  command = plan
  variables {
    db_name = "auth-db"
  }
  expect_failures = [var.db_name]
}

run "rejects_guessable_master_username" {
  command = plan
  variables {
    master_username = "postgres"
  }
  expect_failures = [var.master_username]
}

run "rejects_bad_kms_key_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/rds"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_bad_master_secret_key_arn" {
  command = plan
  variables {
    master_user_secret_kms_key_arn = "key/123"
  }
  expect_failures = [var.master_user_secret_kms_key_arn]
}

run "rejects_short_backup_retention" {
  command = plan
  variables {
    backup_retention_period = 6
  }
  expect_failures = [var.backup_retention_period]
}

run "rejects_bad_backup_window" {
  command = plan
  variables {
    backup_window = "2am-3am"
  }
  expect_failures = [var.backup_window]
}

run "rejects_bad_maintenance_window" {
  command = plan
  variables {
    maintenance_window = "sunday:03:30-sunday:04:30"
  }
  expect_failures = [var.maintenance_window]
}

run "rejects_bad_performance_insights_retention" {
  command = plan
  variables {
    performance_insights_retention_period = 30
  }
  expect_failures = [var.performance_insights_retention_period]
}

run "rejects_bad_log_retention" {
  command = plan
  variables {
    log_retention_days = 100
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_overriding_force_ssl" {
  command = plan
  variables {
    extra_parameters = [{ name = "rds.force_ssl", value = "0" }]
  }
  expect_failures = [var.extra_parameters]
}

run "rejects_bad_restore_source" {
  command = plan
  variables {
    restore_to_point_in_time = { source_db_instance_identifier = "Auth_Dev", use_latest_restorable_time = true }
  }
  expect_failures = [var.restore_to_point_in_time]
}

run "rejects_restore_with_both_time_and_latest" {
  command = plan
  variables {
    restore_to_point_in_time = { source_db_instance_identifier = "auth-dev", restore_time = "2026-11-25T09:41:00Z", use_latest_restorable_time = true }
  }
  expect_failures = [var.restore_to_point_in_time]
}

run "rejects_restore_without_a_time" {
  command = plan
  variables {
    restore_to_point_in_time = { source_db_instance_identifier = "auth-dev" }
  }
  expect_failures = [var.restore_to_point_in_time]
}

run "rejects_restore_time_not_in_utc" {
  command = plan
  variables {
    restore_to_point_in_time = { source_db_instance_identifier = "auth-dev", restore_time = "2026-11-25 10:41:00+01:00" }
  }
  expect_failures = [var.restore_to_point_in_time]
}
