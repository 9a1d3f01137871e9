# The SNS topic that CloudWatch alarms notify, encrypted with a customer-managed KMS key. Only CloudWatch
# alarms of this account may publish; SNS server-side encryption needs the publisher (CloudWatch) to be
# allowed to use the key, which the AWS-managed aws/sns key cannot allow.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  kms_key_arn = coalesce(var.kms_key_arn, try(aws_kms_key.this[0].arn, null))
  # Every alarm of this account and region, and nothing else (aws:SourceArn of an alarm notification).
  alarm_arns = "arn:${local.partition}:cloudwatch:${data.aws_region.current.id}:${local.account_id}:alarm:*"
}

################################################################################
# KMS key (unless the caller passes one; its policy must then allow CloudWatch the same way)
################################################################################

data "aws_iam_policy_document" "key" {
  count = var.kms_key_arn == null ? 1 : 0

  # The AWS default key statement: IAM policies in this account govern the key (operators can publish a
  # test message or read the topic's attributes through their own IAM permissions).
  statement {
    sid       = "AccountRootAdministers"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"] # In a key policy "*" means this key.

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch encrypts each alarm notification for the encrypted topic; only alarms of this account.
  statement {
    sid       = "CloudWatchAlarmsOfThisAccountEncrypt"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arns]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "Encrypts the ${var.name} SNS topic"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key[0].json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/sns/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

################################################################################
# Topic
################################################################################

resource "aws_sns_topic" "this" {
  name              = var.name
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

# Replaces the default topic policy. Same-account principals still act through their IAM policies.
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccountPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arns]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

# Each address gets a confirmation mail; until it is confirmed the subscription stays pending.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_subscriptions)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}
