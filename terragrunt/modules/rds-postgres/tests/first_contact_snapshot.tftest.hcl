# Issue 12 (first contact), item 13: Amazon RDS API reference, DeleteDBInstance: the FinalDBSnapshotIdentifier
# must not name an existing snapshot (DBSnapshotAlreadyExists), so the teardown of a rebuilt instance cannot reuse
# the first teardown's snapshot name.
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

run "final_snapshot_name_is_unique_per_instance" {
  command = apply

  assert {
    condition     = can(regex("^auth-prod-final-[0-9]{14}$", aws_db_instance.this.final_snapshot_identifier))
    error_message = "The final snapshot must be named <identifier>-final-<creation time>, never the same name twice."
  }
}
