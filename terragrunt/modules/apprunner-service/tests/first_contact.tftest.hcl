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
