# Issue 12 (first contact), item 7: App Runner reserves PORT (it sets it from the service port) and every name
# with the AWSAPPRUNNER prefix (AWS App Runner API reference, ImageConfiguration.RuntimeEnvironmentVariables and
# RuntimeEnvironmentSecrets; App Runner Developer Guide, env-variable.html). A service that passes either is refused.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                = "auth-dev"
  repository_url      = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth"
  repository_arn      = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  image_tag           = "3f2a9c1"
  subnet_ids          = ["subnet-0aaa1111"]
  security_group_ids  = ["sg-0ccc3333"]
  alarm_sns_topic_arn = "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms"
}

run "rejects_port_variable" {
  command = plan
  variables { runtime_environment_variables = { PORT = "8080" } }
  expect_failures = [var.runtime_environment_variables]
}

run "rejects_port_secret" {
  command = plan
  variables { runtime_environment_secrets = { PORT = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/port-AbCdEf" } }
  expect_failures = [var.runtime_environment_secrets]
}

run "rejects_reserved_prefix_secret" {
  command = plan
  variables { runtime_environment_secrets = { AWSAPPRUNNER_X = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/x-AbCdEf" } }
  expect_failures = [var.runtime_environment_secrets]
}

# Issue 12, item 12: a change of subnets or security groups replaces the VPC connector, created before the old one is
# destroyed (App Runner refuses to delete a connector in use). App Runner "supports only one revision per name" for VPC
# connectors (App Runner API reference, VpcConnector.VpcConnectorRevision), so the replacement must carry a new name;
# the name must also fit the API (CreateVpcConnector.VpcConnectorName: [A-Za-z0-9][A-Za-z0-9\-_]{3,39}) and the
# provider (terraform-provider-aws v5.100.0 internal/service/apprunner/vpc_connector.go: StringLenBetween(4, 40)).
run "connector_name_first" {
  command = plan
  variables {
    subnet_ids         = ["subnet-0aaa1111", "subnet-0bbb2222"]
    security_group_ids = ["sg-0ccc3333"]
  }
  assert {
    condition     = can(regex("^auth-dev-[0-9a-f]{7}$", aws_apprunner_vpc_connector.this.vpc_connector_name))
    error_message = "The VPC connector name must be <name>-<7 hex characters of its inputs' hash>."
  }
}

run "connector_name_stable_for_same_inputs" {
  command = plan
  variables {
    subnet_ids         = ["subnet-0bbb2222", "subnet-0aaa1111"]
    security_group_ids = ["sg-0ccc3333"]
  }
  assert {
    condition     = aws_apprunner_vpc_connector.this.vpc_connector_name == run.connector_name_first.vpc_connector_name
    error_message = "The same subnets and security groups, in any order, must keep the connector's name (no replacement)."
  }
}

run "connector_name_new_when_security_groups_change" {
  command = plan
  variables {
    subnet_ids         = ["subnet-0aaa1111", "subnet-0bbb2222"]
    security_group_ids = ["sg-0ddd4444"]
  }
  assert {
    condition     = aws_apprunner_vpc_connector.this.vpc_connector_name != run.connector_name_first.vpc_connector_name
    error_message = "A replacement connector needs a new name: App Runner supports only one revision per VPC connector name."
  }
}

run "connector_name_new_when_subnets_change" {
  command = plan
  variables {
    subnet_ids         = ["subnet-0aaa1111", "subnet-0eee5555"]
    security_group_ids = ["sg-0ccc3333"]
  }
  assert {
    condition     = aws_apprunner_vpc_connector.this.vpc_connector_name != run.connector_name_first.vpc_connector_name
    error_message = "A replacement connector needs a new name: App Runner supports only one revision per VPC connector name."
  }
}

run "connector_name_within_api_limits_for_longest_service_name" {
  command = plan
  variables {
    name = "auth-a-very-long-service-name-32"
  }
  assert {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$", aws_apprunner_vpc_connector.this.vpc_connector_name))
    error_message = "The VPC connector name must match App Runner's VpcConnectorName pattern (4-40 characters)."
  }
}
