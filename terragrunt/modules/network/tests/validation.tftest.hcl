# Every validation block of the module, tripped by a bad value.
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
}

variables {
  name = "auth-dev"
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "Auth_Dev"
  }
  expect_failures = [var.name]
}

run "rejects_non_cidr" {
  command = plan
  variables {
    cidr_block = "10.0.0.0"
  }
  expect_failures = [var.cidr_block]
}

run "rejects_too_large_cidr" {
  command = plan
  variables {
    cidr_block = "10.0.0.0/8"
  }
  expect_failures = [var.cidr_block]
}

run "rejects_one_az" {
  command = plan
  variables {
    az_count = 1
  }
  expect_failures = [var.az_count]
}

run "rejects_small_subnet_newbits" {
  command = plan
  variables {
    subnet_newbits = 2
  }
  expect_failures = [var.subnet_newbits]
}

run "rejects_bad_endpoint_service" {
  command = plan
  variables {
    interface_endpoint_services = ["com.amazonaws.eu-west-1.logs "]
  }
  expect_failures = [var.interface_endpoint_services]
}

run "rejects_bad_retention" {
  command = plan
  variables {
    flow_logs_retention_days = 2
  }
  expect_failures = [var.flow_logs_retention_days]
}

run "rejects_bad_traffic_type" {
  command = plan
  variables {
    flow_logs_traffic_type = "SOME"
  }
  expect_failures = [var.flow_logs_traffic_type]
}

run "rejects_bad_kms_key_arn" {
  command = plan
  variables {
    flow_logs_kms_key_arn = "alias/flow-logs"
  }
  expect_failures = [var.flow_logs_kms_key_arn]
}
