# Issue 12 (first contact), item 4: Amazon RDS User Guide, "Managing capacity automatically with Amazon RDS
# storage autoscaling" (USER_PIOPS.Autoscaling.html): the maximum storage threshold must be at least 10% more than
# the allocated storage, or RDS refuses it.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555" }
  }
}

variables {
  identifier             = "auth-prod"
  subnet_ids             = ["subnet-a", "subnet-b"]
  vpc_security_group_ids = ["sg-database"]
}

run "rejects_max_storage_equal_to_allocation" {
  command = plan
  variables {
    allocated_storage     = 100
    max_allocated_storage = 100
  }
  expect_failures = [var.max_allocated_storage]
}

run "rejects_max_storage_below_ten_percent_headroom" {
  command = plan
  variables {
    allocated_storage     = 100
    max_allocated_storage = 109
  }
  expect_failures = [var.max_allocated_storage]
}

run "accepts_ten_percent_headroom" {
  command = plan
  variables {
    allocated_storage     = 100
    max_allocated_storage = 110
  }
}

run "accepts_autoscaling_off" {
  command = plan
  variables {
    allocated_storage     = 100
    max_allocated_storage = 0
  }
}
