output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones used, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (NAT gateways only), one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (App Runner connector, RDS, endpoints), one per AZ."
  value       = aws_subnet.private[*].id
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "public_route_table_id" {
  description = "ID of the public route table."
  value       = aws_route_table.public.id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, one per AZ."
  value       = aws_route_table.private[*].id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per AZ with nat_per_az)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways' Elastic IPs: the egress addresses for the ClickHouse Cloud IP allow-list."
  value       = aws_eip.nat[*].public_ip
}

output "vpc_endpoint_ids" {
  description = "IDs of the interface VPC endpoints, by short service name."
  value       = { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id }
}

output "connector_security_group_id" {
  description = "Security group for the App Runner VPC connector."
  value       = aws_security_group.connector.id
}

output "database_security_group_id" {
  description = "Security group for RDS: PostgreSQL from the connector group only."
  value       = aws_security_group.database.id
}

output "clickhouse_endpoint_security_group_id" {
  description = "Security group for the ClickHouse PrivateLink endpoint: 8443 and 9440 from the connector group only."
  value       = aws_security_group.clickhouse_endpoint.id
}

output "vpc_endpoints_security_group_id" {
  description = "Security group of the interface VPC endpoints: 443 from the connector group only."
  value       = aws_security_group.vpc_endpoints.id
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = aws_flow_log.this.id
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group that receives the flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "flow_logs_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the flow log group."
  value       = local.flow_logs_kms_key
}
