locals {
  # `<arn>:url::` reads one JSON key of the secret; IAM needs the bare secret ARN (first 7 fields).
  secret_arns = distinct([for reference in values(var.runtime_environment_secrets) : join(":", slice(split(":", reference), 0, 7))])
}

################################################################################
# ECR access role: used by App Runner's build side to pull the image
################################################################################

data "aws_iam_policy_document" "access_trust" {
  statement {
    sid     = "AppRunnerBuild"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["build.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "access" {
  name                 = "${var.name}-apprunner-ecr-access"
  description          = "Lets App Runner pull ${var.name} images from one ECR repository"
  assume_role_policy   = data.aws_iam_policy_document.access_trust.json
  max_session_duration = 3600

  tags = var.tags
}

data "aws_iam_policy_document" "access" {
  statement {
    sid       = "PullFromThisRepository"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]
    resources = [var.repository_arn]
  }

  # GetAuthorizationToken is account-wide: AWS does not support resource-level permissions for it.
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "access" {
  name   = "ecr-pull"
  role   = aws_iam_role.access.id
  policy = data.aws_iam_policy_document.access.json
}

################################################################################
# Instance role: the identity of the running container
################################################################################

data "aws_iam_policy_document" "instance_trust" {
  statement {
    sid     = "AppRunnerTasks"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["tasks.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name                 = "${var.name}-apprunner-instance"
  description          = "Runtime identity of the ${var.name} App Runner service"
  assume_role_policy   = data.aws_iam_policy_document.instance_trust.json
  max_session_duration = 3600

  tags = var.tags
}

data "aws_iam_policy_document" "instance" {
  count = length(local.secret_arns) > 0 ? 1 : 0

  statement {
    sid       = "ReadTheseSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptTheseSecrets"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "instance" {
  count = length(local.secret_arns) > 0 ? 1 : 0

  name   = "read-runtime-secrets"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance[0].json
}
