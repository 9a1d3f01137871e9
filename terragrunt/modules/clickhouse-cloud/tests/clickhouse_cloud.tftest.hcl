# Needs the ClickHouse/clickhouse provider schema, so it runs only where the registry (or a mirror holding
# the provider) is reachable: `terraform init -backend=false && terraform test`. See README.
mock_provider "clickhouse" {
  override_during = plan

  mock_resource "clickhouse_service" {
    defaults = {
      id       = "0b7c6e7e-1111-2222-3333-444455556666"
      iam_role = "arn:aws:iam::999999999999:role/clickhouse-s3"
      private_endpoint_config = {
        endpoint_service_id  = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
        private_dns_hostname = "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud"
      }
      endpoints = {
        https        = { host = "abc123xyz.eu-west-1.aws.clickhouse.cloud", port = 8443 }
        nativesecure = { host = "abc123xyz.eu-west-1.aws.clickhouse.cloud", port = 9440 }
      }
    }
  }
}

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_vpc_endpoint" {
    defaults = {
      id        = "vpce-0123456789abcdef0"
      dns_entry = [{ dns_name = "vpce-0123456789abcdef0-abcd.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com", hosted_zone_id = "Z38GZ743OKFT7T" }]
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
  name               = "auth-prod-events"
  region             = "eu-west-1"
  vpc_id             = "vpc-0aaa1111"
  subnet_ids         = ["subnet-0aaa1111", "subnet-0bbb2222"]
  security_group_ids = ["sg-0ddd4444"]
  # base64 SHA-256 of a throwaway password ("test-only"), the format of the provider's password_hash
  password_hash = "uzEK5160p3Qh6g1SuduaENk74UkYUSbL/a2jXVXJcOk="
}

run "private_only_service_with_password_hash" {
  command = plan

  assert {
    condition     = length(clickhouse_service.this.ip_access) == 0
    error_message = "The default ip_access is empty: no public access."
  }

  assert {
    condition     = clickhouse_service.this.password == null && clickhouse_service.this.password_wo == null && clickhouse_service.this.password_wo_version == null
    error_message = "Only password_hash is sent: the provider refuses password_hash with password or password_wo."
  }

  assert {
    condition     = clickhouse_service.this.cloud_provider == "aws" && clickhouse_service.this.region == "eu-west-1"
    error_message = "The service must run in the VPC's AWS region."
  }

  assert {
    condition     = clickhouse_service.this.backup_configuration.backup_period_in_hours == 24 && clickhouse_service.this.backup_configuration.backup_retention_period_in_hours == 48
    error_message = "Backups default to every 24 hours, kept 48 hours."
  }

  assert {
    condition     = clickhouse_service.this.idle_scaling == true && clickhouse_service.this.idle_timeout_minutes == 15
    error_message = "Idle scaling defaults on with a 15-minute timeout."
  }
}

run "private_link_wires_endpoint_dns_and_attachment" {
  command = plan

  assert {
    condition     = output.vpc_endpoint_id == "vpce-0123456789abcdef0"
    error_message = "The PrivateLink submodule must create the endpoint."
  }

  assert {
    condition     = clickhouse_service_private_endpoints_attachment.this[0].private_endpoint_ids == tolist(["vpce-0123456789abcdef0"]) && clickhouse_service_private_endpoints_attachment.this[0].service_id == "0b7c6e7e-1111-2222-3333-444455556666"
    error_message = "The endpoint must be attached to this service."
  }

  assert {
    condition     = output.https_url == "https://abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud:8443" && output.private_dns_hostname == "abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud"
    error_message = "With PrivateLink the app uses the private hostname."
  }

  assert {
    condition     = output.endpoint_service_id == "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
    error_message = "endpoint_service_id comes from private_endpoint_config."
  }
}

run "ip_allow_list_without_private_link" {
  command = plan

  variables {
    enable_private_link = false
    vpc_id              = null
    subnet_ids          = []
    security_group_ids  = []
    ip_access           = [{ source = "203.0.113.10", description = "nonprod NAT eu-west-1a" }]
    idle_scaling        = false
    backup_start_time   = "02:00"
  }

  assert {
    condition     = length(clickhouse_service_private_endpoints_attachment.this) == 0 && output.vpc_endpoint_id == null
    error_message = "No AWS resources or attachment without PrivateLink."
  }

  assert {
    condition     = clickhouse_service.this.ip_access[0].source == "203.0.113.10" && output.https_url == "https://abc123xyz.eu-west-1.aws.clickhouse.cloud:8443"
    error_message = "Non-prod reaches the public endpoint from the allow-listed NAT addresses."
  }

  assert {
    condition     = clickhouse_service.this.idle_timeout_minutes == null && clickhouse_service.this.backup_configuration.backup_period_in_hours == null && clickhouse_service.this.backup_configuration.backup_start_time == "02:00"
    error_message = "idle_timeout_minutes only with idle scaling; a backup window replaces the period."
  }
}

run "rejects_open_ip_access" {
  command = plan
  variables { ip_access = [{ source = "0.0.0.0/0", description = "anywhere" }] }
  expect_failures = [var.ip_access]
}

run "rejects_ip_access_without_description" {
  command = plan
  variables { ip_access = [{ source = "203.0.113.10", description = "" }] }
  expect_failures = [var.ip_access]
}

run "private_link_requires_vpc" {
  command = plan
  variables { vpc_id = null }
  expect_failures = [var.vpc_id]
}

run "private_link_requires_subnets" {
  command = plan
  variables { subnet_ids = [] }
  expect_failures = [var.subnet_ids]
}

run "private_link_requires_security_groups" {
  command = plan
  variables { security_group_ids = [] }
  expect_failures = [var.security_group_ids]
}

run "rejects_bad_memory" {
  command = plan
  variables { max_replica_memory_gb = 10 }
  expect_failures = [var.max_replica_memory_gb]
}

run "rejects_min_memory_above_max" {
  command = plan
  variables { min_replica_memory_gb = 32 }
  expect_failures = [var.min_replica_memory_gb]
}

run "rejects_replicas" {
  command = plan
  variables { num_replicas = 2 }
  expect_failures = [var.num_replicas]
}

run "rejects_short_idle_timeout" {
  command = plan
  variables { idle_timeout_minutes = 1 }
  expect_failures = [var.idle_timeout_minutes]
}

run "rejects_backup_period" {
  command = plan
  variables { backup_period_in_hours = 72 }
  expect_failures = [var.backup_period_in_hours]
}

run "rejects_short_backup_retention" {
  command = plan
  variables { backup_retention_period_in_hours = 36 }
  expect_failures = [var.backup_retention_period_in_hours]
}

run "rejects_backup_start_time" {
  command = plan
  variables { backup_start_time = "2am" }
  expect_failures = [var.backup_start_time]
}

run "rejects_tier" {
  command = plan
  variables { tier = "enterprise" }
  expect_failures = [var.tier]
}

run "rejects_release_channel" {
  command = plan
  variables { release_channel = "slow" }
  expect_failures = [var.release_channel]
}

run "rejects_region" {
  command = plan
  variables { region = "europe" }
  expect_failures = [var.region]
}

run "rejects_name" {
  command = plan
  variables { name = "auth prod" }
  expect_failures = [var.name]
}

run "rejects_password_hash" {
  command = plan
  variables { password_hash = "not-a-sha256" }
  expect_failures = [var.password_hash]
}
