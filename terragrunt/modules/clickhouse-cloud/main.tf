resource "clickhouse_service" "this" {
  name            = var.name
  cloud_provider  = "aws"
  region          = var.region
  tier            = var.tier
  release_channel = var.release_channel

  # Empty means no public access at all.
  ip_access = var.ip_access

  # The provider needs one of password, password_wo or password_hash on every run, and password_wo needs
  # password_wo_version (AtLeastOneOf / AlsoRequires validators, terraform-provider-clickhouse v3.25.3
  # internal/service/clickhouse/resource/service.go). A write-only password would have to be at hand for every
  # pull-request plan and drift check; the hash is a verifier, not the password, so every run sends it.
  password_hash = var.password_hash

  min_replica_memory_gb = var.min_replica_memory_gb
  max_replica_memory_gb = var.max_replica_memory_gb
  num_replicas          = var.num_replicas

  idle_scaling         = var.idle_scaling
  idle_timeout_minutes = var.idle_scaling ? var.idle_timeout_minutes : null

  backup_configuration = {
    backup_period_in_hours           = var.backup_start_time == null ? var.backup_period_in_hours : null
    backup_retention_period_in_hours = var.backup_retention_period_in_hours
    backup_start_time                = var.backup_start_time
  }
}

# The AWS half lives in its own module so it is tested offline; with a Terragrunt source ending in
# `modules//clickhouse-cloud` the sibling directory is copied along.
module "privatelink" {
  source = "../clickhouse-privatelink"
  count  = var.enable_private_link ? 1 : 0

  name                 = var.name
  vpc_id               = var.vpc_id
  subnet_ids           = var.subnet_ids
  security_group_ids   = var.security_group_ids
  endpoint_service_id  = clickhouse_service.this.private_endpoint_config.endpoint_service_id
  private_dns_hostname = clickhouse_service.this.private_endpoint_config.private_dns_hostname
  route53_zone_id      = var.route53_zone_id
  tags                 = var.tags
}

# Allows the endpoint on this service. The organisation-level clickhouse_private_endpoint_registration
# is deprecated and not needed: attaching the endpoint ID to the service is enough.
resource "clickhouse_service_private_endpoints_attachment" "this" {
  count = var.enable_private_link ? 1 : 0

  service_id           = clickhouse_service.this.id
  private_endpoint_ids = [module.privatelink[0].vpc_endpoint_id]
}
