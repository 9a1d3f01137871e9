# The PostgreSQL instance of one environment (module rds-postgres): private, encrypted, TLS-only, master
# password managed by RDS. The app connects as its own least-privilege role, never as the master user.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

dependency "network" {
  config_path = "${get_terragrunt_dir()}/../network"
  mock_outputs = {
    private_subnet_ids         = ["subnet-00000000000000001", "subnet-00000000000000002"]
    database_security_group_id = "sg-00000000000000002"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

inputs = {
  identifier             = "auth-${local.env.env}"
  subnet_ids             = dependency.network.outputs.private_subnet_ids
  vpc_security_group_ids = [dependency.network.outputs.database_security_group_id]
  instance_class         = local.env.db_instance_class
  allocated_storage      = local.env.db_allocated_storage_gb
  max_allocated_storage  = local.env.db_max_allocated_storage_gb
  multi_az               = local.env.db_multi_az
  deletion_protection    = local.env.db_deletion_protection
  # A final snapshot is always taken, even where deletion protection is off.
  skip_final_snapshot     = false
  backup_retention_period = local.env.db_backup_retention_days
  # Read only when the instance is created (runbooks/restore-database.md, path B).
  restore_to_point_in_time = local.env.db_restore_to_point_in_time
  log_retention_days       = local.env.log_retention_days
}
