mock_provider "aws" {
  override_during = plan

  mock_resource "aws_vpc_endpoint" {
    defaults = {
      id = "vpce-0123456789abcdef0"
      dns_entry = [
        { dns_name = "vpce-0123456789abcdef0-abcd.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com", hosted_zone_id = "Z38GZ743OKFT7T" },
        { dns_name = "vpce-0123456789abcdef0-abcd-eu-west-1a.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com", hosted_zone_id = "Z38GZ743OKFT7T" },
      ]
    }
  }
  mock_resource "aws_route53_zone" {
    defaults = { zone_id = "Z0123456789ABCDEFGHIJ" }
  }
  mock_resource "aws_route53_record" {
    defaults = { fqdn = "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud" }
  }
}

variables {
  name                 = "auth-prod-clickhouse"
  vpc_id               = "vpc-0aaa1111"
  subnet_ids           = ["subnet-0aaa1111", "subnet-0bbb2222", "subnet-0ccc3333"]
  security_group_ids   = ["sg-0ddd4444"]
  endpoint_service_id  = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
  private_dns_hostname = "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud"
  tags                 = { Environment = "prod" }
}

run "interface_endpoint_without_private_dns" {
  command = plan

  assert {
    condition     = aws_vpc_endpoint.this.vpc_endpoint_type == "Interface" && aws_vpc_endpoint.this.service_name == "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
    error_message = "The endpoint must be an interface endpoint to the ClickHouse endpoint service."
  }

  assert {
    condition     = aws_vpc_endpoint.this.private_dns_enabled == false
    error_message = "ClickHouse's guide requires private DNS off on the endpoint."
  }

  assert {
    condition     = aws_vpc_endpoint.this.subnet_ids == toset(["subnet-0aaa1111", "subnet-0bbb2222", "subnet-0ccc3333"]) && aws_vpc_endpoint.this.security_group_ids == toset(["sg-0ddd4444"])
    error_message = "The endpoint must sit in the given subnets with the given security group."
  }

  assert {
    condition     = aws_vpc_endpoint.this.tags["Name"] == "auth-prod-clickhouse" && aws_vpc_endpoint.this.tags["Environment"] == "prod"
    error_message = "Tags must be merged from var.tags."
  }

  assert {
    condition     = output.vpc_endpoint_id == "vpce-0123456789abcdef0"
    error_message = "The endpoint ID is exposed for the ClickHouse attachment."
  }
}

run "private_zone_for_exactly_the_hostname" {
  command = plan

  assert {
    condition     = aws_route53_zone.this[0].name == "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud" && one(aws_route53_zone.this[0].vpc).vpc_id == "vpc-0aaa1111"
    error_message = "A private zone named after the hostname must be associated with the VPC."
  }

  assert {
    condition     = aws_route53_record.this.zone_id == "Z0123456789ABCDEFGHIJ" && aws_route53_record.this.name == "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud" && aws_route53_record.this.type == "A"
    error_message = "The hostname must have an A record in the zone."
  }

  assert {
    condition     = one(aws_route53_record.this.alias).name == "vpce-0123456789abcdef0-abcd.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com" && one(aws_route53_record.this.alias).zone_id == "Z38GZ743OKFT7T"
    error_message = "The record must alias the endpoint's regional DNS name."
  }

  assert {
    condition     = output.private_dns_hostname == "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud" && length(output.vpc_endpoint_dns_names) == 2
    error_message = "DNS names are exposed."
  }
}

run "existing_zone" {
  command = plan

  variables {
    route53_zone_id = "Z9999999999EXISTING"
  }

  assert {
    condition     = length(aws_route53_zone.this) == 0 && aws_route53_record.this.zone_id == "Z9999999999EXISTING" && output.route53_zone_id == "Z9999999999EXISTING"
    error_message = "A given zone is used instead of creating one."
  }
}

run "rejects_bad_name" {
  command = plan
  variables { name = "-bad" }
  expect_failures = [var.name]
}

run "rejects_bad_vpc" {
  command = plan
  variables { vpc_id = "default" }
  expect_failures = [var.vpc_id]
}

run "rejects_empty_subnets" {
  command = plan
  variables { subnet_ids = [] }
  expect_failures = [var.subnet_ids]
}

run "rejects_bad_security_group" {
  command = plan
  variables { security_group_ids = ["sg-XYZ"] }
  expect_failures = [var.security_group_ids]
}

run "rejects_hostname_as_service_id" {
  command = plan
  variables { endpoint_service_id = "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud" }
  expect_failures = [var.endpoint_service_id]
}

run "rejects_foreign_hostname" {
  command = plan
  variables { private_dns_hostname = "db.example.com" }
  expect_failures = [var.private_dns_hostname]
}

run "rejects_bad_zone_id" {
  command = plan
  variables { route53_zone_id = "example.com" }
  expect_failures = [var.route53_zone_id]
}
