output "vpc_endpoint_id" {
  description = "ID of the interface endpoint (vpce-...); clickhouse_service_private_endpoints_attachment takes it."
  value       = aws_vpc_endpoint.this.id
}

output "vpc_endpoint_dns_names" {
  description = "AWS-generated DNS names of the endpoint (regional first, then per AZ)."
  value       = [for entry in aws_vpc_endpoint.this.dns_entry : entry.dns_name]
}

output "private_dns_hostname" {
  description = "Hostname the app uses for ClickHouse (resolves to the endpoint inside the VPC)."
  value       = aws_route53_record.this.fqdn
}

output "route53_zone_id" {
  description = "Private hosted zone holding the record."
  value       = local.zone_id
}
