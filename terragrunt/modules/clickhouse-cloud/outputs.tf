output "service_id" {
  description = "ClickHouse Cloud service ID."
  value       = clickhouse_service.this.id
}

output "public_https_host" {
  description = "Public HTTPS host of the service (reachable only from ip_access sources)."
  value       = clickhouse_service.this.endpoints.https.host
}

output "endpoint_service_id" {
  description = "ClickHouse's VPC endpoint service name for this region (private_endpoint_config.endpoint_service_id)."
  value       = clickhouse_service.this.private_endpoint_config.endpoint_service_id
}

output "private_dns_hostname" {
  description = "Private hostname of the service (private_endpoint_config.private_dns_hostname); resolves to the VPC endpoint inside the VPC."
  value       = clickhouse_service.this.private_endpoint_config.private_dns_hostname
}

output "vpc_endpoint_id" {
  description = "ID of the PrivateLink VPC endpoint; null when enable_private_link is false."
  value       = var.enable_private_link ? module.privatelink[0].vpc_endpoint_id : null
}

output "https_url" {
  description = "HTTPS URL the app uses as CLICKHOUSE_URL: the private hostname when PrivateLink is on, else the public endpoint; port 8443."
  value       = "https://${var.enable_private_link ? clickhouse_service.this.private_endpoint_config.private_dns_hostname : clickhouse_service.this.endpoints.https.host}:8443"
}

output "iam_role" {
  description = "IAM role ClickHouse Cloud uses to read S3 objects (for S3 table functions, if ever granted)."
  value       = clickhouse_service.this.iam_role
}
