# Offline plan tests: mock AWS provider, fixed data sources, and known IDs for the resources that other
# resources reference, so that the wiring between them can be asserted at plan time.
mock_provider "aws" {
  override_during = plan

  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

override_resource {
  override_during = plan
  target          = aws_security_group.connector
  values          = { id = "sg-connector" }
}

override_resource {
  override_during = plan
  target          = aws_security_group.database
  values          = { id = "sg-database" }
}

override_resource {
  override_during = plan
  target          = aws_security_group.clickhouse_endpoint
  values          = { id = "sg-clickhouse" }
}

override_resource {
  override_during = plan
  target          = aws_security_group.vpc_endpoints
  values          = { id = "sg-endpoints" }
}

override_resource {
  override_during = plan
  target          = aws_kms_key.flow_logs
  values          = { arn = "arn:aws:kms:eu-west-1:111122223333:key/flow-logs" }
}

override_resource {
  override_during = plan
  target          = aws_cloudwatch_log_group.flow_logs
  values          = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/auth-dev" }
}

override_resource {
  override_during = plan
  target          = aws_iam_role.flow_logs
  values          = { arn = "arn:aws:iam::111122223333:role/auth-dev-vpc-flow-logs" }
}

variables {
  name = "auth-dev"
  tags = { Environment = "dev" }
}

run "vpc_and_subnets" {
  command = plan

  assert {
    condition     = aws_vpc.this.enable_dns_support && aws_vpc.this.enable_dns_hostnames
    error_message = "The VPC must have DNS support and DNS hostnames (private DNS of the endpoints)."
  }
  assert {
    condition     = aws_vpc.this.tags["Environment"] == "dev" && aws_vpc.this.tags["Name"] == "auth-dev"
    error_message = "var.tags must be merged into the VPC tags."
  }
  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "The default is two AZs: two public and two private subnets."
  }
  assert {
    condition     = [for subnet in aws_subnet.private : subnet.cidr_block] == ["10.0.128.0/20", "10.0.144.0/20"]
    error_message = "Private subnets must be carved from indexes 8 and 9 of the VPC CIDR."
  }
  assert {
    condition     = [for subnet in aws_subnet.private : subnet.availability_zone] == ["eu-west-1a", "eu-west-1b"]
    error_message = "Private subnets must be spread over distinct AZs."
  }
  assert {
    condition     = alltrue([for subnet in concat(aws_subnet.public, aws_subnet.private) : subnet.map_public_ip_on_launch == false])
    error_message = "No subnet may assign public IPs automatically."
  }
  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group must have no rules."
  }
}

run "single_nat_by_default" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_eip.nat) == 1
    error_message = "Non-prod default: exactly one NAT gateway and one EIP."
  }
  assert {
    condition     = length(aws_route.private_nat) == 2 && alltrue([for route in aws_route.private_nat : route.destination_cidr_block == "0.0.0.0/0"])
    error_message = "Every private route table needs a default route through NAT."
  }
  assert {
    condition     = aws_route.public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "The public route table must route to the internet gateway."
  }
}

run "nat_per_az_over_three_azs" {
  command = plan

  variables {
    az_count   = 3
    nat_per_az = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && length(aws_eip.nat) == 3 && length(aws_route_table.private) == 3
    error_message = "nat_per_az over 3 AZs: three NAT gateways, EIPs and private route tables."
  }
  assert {
    condition     = [for subnet in aws_subnet.public : subnet.availability_zone] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    error_message = "Three AZs must be used."
  }
  assert {
    condition     = length(output.nat_public_ips) == 3
    error_message = "Every NAT EIP must be an output (ClickHouse allow-list)."
  }
}

run "interface_endpoints" {
  command = plan

  variables {
    interface_endpoint_services = ["logs", "kms"]
  }

  assert {
    condition     = keys(aws_vpc_endpoint.interface) == ["kms", "logs", "secretsmanager"]
    error_message = "Secrets Manager plus the listed services must get interface endpoints."
  }
  assert {
    condition     = aws_vpc_endpoint.interface["secretsmanager"].service_name == "com.amazonaws.eu-west-1.secretsmanager"
    error_message = "The Secrets Manager endpoint must use the regional service name."
  }
  assert {
    condition     = alltrue([for endpoint in aws_vpc_endpoint.interface : endpoint.vpc_endpoint_type == "Interface" && endpoint.private_dns_enabled && endpoint.security_group_ids == toset(["sg-endpoints"])])
    error_message = "Endpoints must be interface endpoints with private DNS behind the endpoint security group."
  }
}

run "security_groups_admit_only_the_connector" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_connector.security_group_id == "sg-database" && aws_vpc_security_group_ingress_rule.database_from_connector.referenced_security_group_id == "sg-connector"
    error_message = "The database ingress must reference the connector security group."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_connector.from_port == 5432 && aws_vpc_security_group_ingress_rule.database_from_connector.to_port == 5432 && aws_vpc_security_group_ingress_rule.database_from_connector.ip_protocol == "tcp"
    error_message = "The database ingress must be TCP 5432 only."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_connector.cidr_ipv4 == null && aws_vpc_security_group_ingress_rule.database_from_connector.cidr_ipv6 == null
    error_message = "The database ingress must not admit any CIDR."
  }
  assert {
    condition     = { for key, rule in aws_vpc_security_group_ingress_rule.clickhouse_from_connector : key => [rule.from_port, rule.to_port, rule.referenced_security_group_id, rule.security_group_id] } == { https = [8443, 8443, "sg-connector", "sg-clickhouse"], native = [9440, 9440, "sg-connector", "sg-clickhouse"] }
    error_message = "The ClickHouse endpoint must admit exactly 8443 and 9440 from the connector."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.vpc_endpoints_from_connector.from_port == 443 && aws_vpc_security_group_ingress_rule.vpc_endpoints_from_connector.to_port == 443 && aws_vpc_security_group_ingress_rule.vpc_endpoints_from_connector.referenced_security_group_id == "sg-connector"
    error_message = "Interface endpoints must admit HTTPS from the connector only."
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.connector_database.referenced_security_group_id == "sg-database" && aws_vpc_security_group_egress_rule.connector_database.from_port == 5432
    error_message = "The connector reaches PostgreSQL only in the database security group."
  }
  assert {
    condition     = output.database_security_group_id == "sg-database" && output.connector_security_group_id == "sg-connector" && output.clickhouse_endpoint_security_group_id == "sg-clickhouse"
    error_message = "Security group IDs must be outputs."
  }
}

run "flow_logs_encrypted_and_scoped" {
  command = plan

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_flow_log.this.log_destination_type == "cloud-watch-logs"
    error_message = "Flow logs must record all traffic to CloudWatch Logs."
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/flow-logs" && aws_cloudwatch_log_group.flow_logs.retention_in_days == 365
    error_message = "The flow log group must be encrypted with the module's key and keep a year."
  }
  assert {
    condition     = aws_kms_key.flow_logs[0].enable_key_rotation
    error_message = "The flow log key must rotate."
  }
  assert {
    condition     = jsondecode(aws_kms_key.flow_logs[0].policy).Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/auth-dev"
    error_message = "CloudWatch Logs may use the key for this log group only."
  }
  assert {
    condition     = jsondecode(aws_kms_key.flow_logs[0].policy).Statement[1].Principal == { Service = "logs.eu-west-1.amazonaws.com" }
    error_message = "The key's usage statement must name the regional CloudWatch Logs principal."
  }
  assert {
    condition     = jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Principal == { Service = "vpc-flow-logs.amazonaws.com" } && jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    error_message = "Only VPC flow logs of this account may assume the delivery role."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[0].Action == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"] && length(jsondecode(aws_iam_role_policy.flow_logs.policy).Statement) == 2
    error_message = "The delivery role must have exactly the log delivery actions on its group."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[1] == { Effect = "Allow", Action = "logs:DescribeLogGroups", Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:*" }
    error_message = "DescribeLogGroups must be limited to this account and region."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.flow_logs.policy).Statement[0].Resource == ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/auth-dev", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/auth-dev:*"]
    error_message = "The delivery role must be limited to the flow log group and its streams."
  }
}

run "flow_logs_with_a_given_key" {
  command = plan

  variables {
    flow_logs_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/shared"
  }

  assert {
    condition     = length(aws_kms_key.flow_logs) == 0 && aws_cloudwatch_log_group.flow_logs.kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/shared"
    error_message = "A given key is used instead of creating one."
  }
}
