# The VPC of one environment (module network): NAT-only public subnets, private subnets for the App Runner
# connector, RDS and the ClickHouse endpoint. Sizing comes from env.hcl.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  name       = "auth-${local.env.env}"
  cidr_block = local.env.vpc_cidr
  az_count   = local.env.az_count
  nat_per_az = local.env.nat_per_az
  # The app calls no AWS API at runtime (App Runner injects the secrets at deploy), so only the module's
  # always-on Secrets Manager endpoint is needed.
  interface_endpoint_services = []
  flow_logs_retention_days    = local.env.log_retention_days
}
