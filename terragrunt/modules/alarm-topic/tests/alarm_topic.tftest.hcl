mock_provider "aws" {
  # Computed attributes (ARNs) get the mocked values already at plan time, so plan runs can assert on them.
  override_during = plan

  # mock_provider cannot render policy JSON; return a valid empty document and assert on the data sources'
  # statement arguments instead.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666", key_id = "0d3c5a9e-1111-2222-3333-444455556666" }
  }
}

variables {
  name = "auth-dev-alarms"
  tags = { Environment = "dev" }
}

run "topic_is_encrypted_with_its_own_rotating_key" {
  command = plan

  assert {
    condition     = aws_sns_topic.this.name == "auth-dev-alarms" && aws_sns_topic.this.kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "The topic must be encrypted with the key the module creates."
  }

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].deletion_window_in_days == 30 && aws_kms_alias.this[0].name == "alias/sns/auth-dev-alarms"
    error_message = "The key must rotate, keep the 30-day deletion window and carry the alias/sns/<name> alias."
  }

  assert {
    condition     = aws_sns_topic.this.tags["Environment"] == "dev" && aws_kms_key.this[0].tags["Environment"] == "dev"
    error_message = "Tags must be merged from var.tags."
  }

  assert {
    condition     = output.topic_arn == "arn:aws:sns:eu-west-1:111122223333:auth-dev-alarms" && output.kms_key_arn == aws_kms_key.this[0].arn && output.topic_name == "auth-dev-alarms"
    error_message = "Outputs must expose the topic ARN and name and the key ARN."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No subscription unless the caller names addresses."
  }
}

run "cloudwatch_of_this_account_may_use_the_key" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.key[0].statement) == 2 && one(data.aws_iam_policy_document.key[0].statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:root"])
    error_message = "The key policy has the account-root statement and the CloudWatch statement, nothing else."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.key[0].statement[1].principals).type == "Service" && one(data.aws_iam_policy_document.key[0].statement[1].principals).identifiers == toset(["cloudwatch.amazonaws.com"]) && data.aws_iam_policy_document.key[0].statement[1].actions == toset(["kms:Decrypt", "kms:GenerateDataKey*"])
    error_message = "cloudwatch.amazonaws.com must be allowed kms:Decrypt and kms:GenerateDataKey* (and only those)."
  }

  assert {
    condition     = toset(one([for c in data.aws_iam_policy_document.key[0].statement[1].condition : c if c.variable == "aws:SourceAccount"]).values) == toset(["111122223333"]) && toset(one([for c in data.aws_iam_policy_document.key[0].statement[1].condition : c if c.variable == "aws:SourceArn" && c.test == "ArnLike"]).values) == toset(["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*"])
    error_message = "CloudWatch may use the key only for alarms of this account and region."
  }
}

run "only_cloudwatch_alarms_of_this_account_publish" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.topic.statement) == 1 && data.aws_iam_policy_document.topic.statement[0].effect == "Allow" && data.aws_iam_policy_document.topic.statement[0].actions == toset(["sns:Publish"])
    error_message = "The topic policy allows exactly sns:Publish."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.topic.statement[0].principals).identifiers == toset(["cloudwatch.amazonaws.com"]) && data.aws_iam_policy_document.topic.statement[0].resources == toset([aws_sns_topic.this.arn])
    error_message = "Only cloudwatch.amazonaws.com may publish, to this topic only."
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.topic.statement[0].condition : c if c.variable == "aws:SourceAccount"]).test == "StringEquals" && toset(one([for c in data.aws_iam_policy_document.topic.statement[0].condition : c if c.variable == "aws:SourceAccount"]).values) == toset(["111122223333"])
    error_message = "Publishing must be limited to this account with an aws:SourceAccount condition (no confused deputy)."
  }

  assert {
    condition     = aws_sns_topic_policy.this.arn == aws_sns_topic.this.arn
    error_message = "The policy must be attached to the topic."
  }
}

run "a_given_key_is_used_and_none_created" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0 && length(data.aws_iam_policy_document.key) == 0
    error_message = "With kms_key_arn the module creates no key."
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" && output.kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    error_message = "The topic must use the given key, and kms_key_arn must report it."
  }
}

run "email_subscriptions" {
  command = plan

  variables {
    email_subscriptions = ["oncall@example.com", "platform@example.com"]
  }

  assert {
    condition     = toset(keys(aws_sns_topic_subscription.email)) == toset(["oncall@example.com", "platform@example.com"]) && alltrue([for s in aws_sns_topic_subscription.email : s.protocol == "email" && s.topic_arn == aws_sns_topic.this.arn])
    error_message = "One email subscription per address, on this topic."
  }
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "auth dev alarms"
  }
  expect_failures = [var.name]
}

run "rejects_non_kms_arn" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:sns:eu-west-1:111122223333:other"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_the_aws_managed_sns_key" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:alias/aws/sns"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_kms_deletion_window_out_of_range" {
  command = plan
  variables {
    kms_deletion_window_in_days = 5
  }
  expect_failures = [var.kms_deletion_window_in_days]
}

run "rejects_bad_email" {
  command = plan
  variables {
    email_subscriptions = ["not-an-address"]
  }
  expect_failures = [var.email_subscriptions]
}
