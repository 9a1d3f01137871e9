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
    condition     = can(regex("^auth-prod-final-[0-9]{14}-[0-9a-f]{6}$", aws_db_instance.this.final_snapshot_identifier))
    error_message = "The final snapshot must be named <identifier>-final-<creation time>-<hash of the ForceNew inputs>, never the same name twice."
  }
}

# The next plan of the unchanged configuration keeps the name (ignore_changes on the timestamp()).
run "second_plan_keeps_final_snapshot_name" {
  command = plan

  assert {
    condition     = aws_db_instance.this.final_snapshot_identifier == run.final_snapshot_name_is_unique_per_instance.final_snapshot_identifier
    error_message = "A plan without changes must leave final_snapshot_identifier as it is."
  }
}

# A change of a ForceNew argument (terraform-provider-aws v5.100.0 internal/service/rds/instance.go: db_name is
# ForceNew) replaces the instance: the old one is deleted with the name in state, so the new one needs another name.
run "force_new_change_renews_final_snapshot_name" {
  command = apply

  variables {
    db_name = "auth_v2"
  }

  assert {
    condition     = aws_db_instance.this.final_snapshot_identifier != run.final_snapshot_name_is_unique_per_instance.final_snapshot_identifier
    error_message = "A replaced instance must get a new final snapshot name (DBSnapshotAlreadyExists otherwise)."
  }
}
