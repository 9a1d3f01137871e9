# The auth-events ClickHouse Cloud service (module clickhouse-cloud). Prod reaches it through PrivateLink only;
# non-prod over the internet, allow-listed to the environment's NAT gateway addresses (DESIGN.md).
locals {
  env    = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  region = read_terragrunt_config(find_in_parent_folders("region.hcl")).locals
}

# Credentials come from CLICKHOUSE_ORG_ID, CLICKHOUSE_CLOUD_API_KEY and CLICKHOUSE_CLOUD_API_SECRET in the
# environment (the provider's current names; CLICKHOUSE_TOKEN_KEY/SECRET are its deprecated fallback), never from a
# file. The admin password is sent as its SHA-256 (password_hash, from env.hcl) on every run, so plans never need the
# password, which lives only in the operator-only <prefix>/clickhouse-admin secret (README "ClickHouse admin password").
generate "clickhouse_provider" {
  path      = "provider_clickhouse.tf"
  if_exists = "overwrite_terragrunt"
  contents  = "provider \"clickhouse\" {}\n"
}

dependency "network" {
  config_path = "${get_terragrunt_dir()}/../network"
  mock_outputs = {
    vpc_id                                = "vpc-00000000000000001"
    private_subnet_ids                    = ["subnet-00000000000000001", "subnet-00000000000000002"]
    clickhouse_endpoint_security_group_id = "sg-00000000000000003"
    nat_public_ips                        = ["203.0.113.10"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

inputs = {
  name                = "auth-${local.env.env}-events"
  region              = local.region.aws_region
  enable_private_link = local.env.clickhouse_private_link
  vpc_id              = dependency.network.outputs.vpc_id
  subnet_ids          = dependency.network.outputs.private_subnet_ids
  security_group_ids  = [dependency.network.outputs.clickhouse_endpoint_security_group_id]
  # Empty (private only) with PrivateLink; otherwise exactly the NAT EIPs the App Runner connector egresses from.
  ip_access = local.env.clickhouse_private_link ? [] : [
    for ip in dependency.network.outputs.nat_public_ips : { source = ip, description = "auth-${local.env.env} NAT gateway" }
  ]
  password_hash                    = local.env.clickhouse_admin_password_sha256
  min_replica_memory_gb            = local.env.clickhouse_min_memory_gb
  max_replica_memory_gb            = local.env.clickhouse_max_memory_gb
  idle_scaling                     = local.env.clickhouse_idle_scaling
  backup_retention_period_in_hours = local.env.clickhouse_backup_retention_hours
}
