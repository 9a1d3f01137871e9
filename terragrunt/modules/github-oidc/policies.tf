locals {
  state_objects = "${var.state_bucket_arn}/*"
  # S3 native locking (use_lockfile) writes and deletes `<state key>.tflock` next to the state.
  state_lockfiles = "${var.state_bucket_arn}/*.tflock"
}

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ListState"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.state_objects]
  }

  # A plan takes the lock, so it may write and delete lock files, and nothing else.
  statement {
    sid       = "LockState"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_lockfiles]
  }

  statement {
    sid       = "StateKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.state_kms_key_arn]
  }
}

data "aws_iam_policy_document" "deploy" {
  for_each = var.deploy_environments

  statement {
    sid       = "ListState"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ReadWriteState"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_objects]
  }

  statement {
    sid       = "StateKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.state_kms_key_arn]
  }

  statement {
    sid       = "PushImage"
    effect    = "Allow"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
    resources = [var.ecr_repository_arn]
  }

  # GetAuthorizationToken is account-wide: AWS does not support resource-level permissions for it.
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  # Applying the app unit with a new image_tag updates the service; App Runner service ARNs end in a
  # generated ID, hence the name-scoped pattern.
  statement {
    sid       = "UpdateAppService"
    effect    = "Allow"
    actions   = ["apprunner:UpdateService", "apprunner:StartDeployment", "apprunner:DescribeService", "apprunner:ListOperations", "apprunner:DescribeOperation", "apprunner:TagResource", "apprunner:UntagResource", "apprunner:ListTagsForResource"]
    resources = ["arn:${local.partition}:apprunner:${local.region}:${local.account_id}:service/${each.value.apprunner_service_name}/*"]
  }

  statement {
    sid     = "PassAppRunnerRoles"
    effect  = "Allow"
    actions = ["iam:PassRole"]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:role/${each.value.apprunner_service_name}-apprunner-ecr-access",
      "arn:${local.partition}:iam::${local.account_id}:role/${each.value.apprunner_service_name}-apprunner-instance",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["apprunner.amazonaws.com"]
    }
  }
}
