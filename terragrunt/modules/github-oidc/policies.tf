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

# Read and write access to the Terraform state (objects, lock files and the state key), shared by the
# roles that apply: the deploy roles (app unit) and the infra roles (whole environment).
data "aws_iam_policy_document" "state_read_write" {
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
}

data "aws_iam_policy_document" "deploy" {
  for_each = var.deploy_environments

  source_policy_documents = [data.aws_iam_policy_document.state_read_write.json]

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

  # ECS Fargate (ecs-fargate-service names its cluster and service after the app, like App Runner): applying the
  # app-ecs unit with a new digest registers a task definition revision and points the service at it; the deploy
  # script then waits on the service and the target group's health.
  statement {
    sid       = "UpdateEcsService"
    effect    = "Allow"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices", "ecs:TagResource", "ecs:ListTagsForResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${each.value.apprunner_service_name}/${each.value.apprunner_service_name}"]
  }

  statement {
    sid       = "TagEcsTaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${each.value.apprunner_service_name}:*"]
  }

  # These actions take no resource-level permissions (AWS Service Authorization Reference, Amazon ECS and
  # Elastic Load Balancing V2): Resource "*" is the only form AWS accepts. Not ecs:DeregisterTaskDefinition, which
  # would be "*" too, i.e. every task definition in the account (another environment's rollback target included):
  # ecs-fargate-service sets skip_destroy, so a replaced revision is only dropped from state, never deregistered
  # (provider internal/service/ecs/task_definition.go, resourceTaskDefinitionDelete).
  statement {
    sid       = "RegisterEcsTaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "elasticloadbalancing:DescribeTargetHealth"]
    resources = ["*"]
  }

  statement {
    sid     = "PassEcsRoles"
    effect  = "Allow"
    actions = ["iam:PassRole"]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:role/${each.value.apprunner_service_name}-ecs-execution",
      "arn:${local.partition}:iam::${local.account_id}:role/${each.value.apprunner_service_name}-ecs-task",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "infra" {
  for_each = var.infra_environments

  source_policy_documents = [data.aws_iam_policy_document.state_read_write.json]

  # infra.yml resolves the app image's tag to its digest (runbooks/scripts/image-digest.sh) for the app-ecs unit.
  # Granted here on the one repository rather than left to infra_policy_arns, which a caller may narrow.
  statement {
    sid       = "ReadImageDigests"
    effect    = "Allow"
    actions   = ["ecr:DescribeImages"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "ManageEnvironmentRoles"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${each.value.iam_name_prefix}-*"]
  }

  # Managed policies may be attached only if they are the environment's own or AWS service-role policies
  # (e.g. AmazonRDSEnhancedMonitoringRole): never AdministratorAccess or another account-wide grant.
  statement {
    sid       = "AttachEnvironmentOrServicePolicies"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${each.value.iam_name_prefix}-*"]

    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values   = ["arn:${local.partition}:iam::${local.account_id}:policy/${each.value.iam_name_prefix}-*", "arn:${local.partition}:iam::aws:policy/service-role/*"]
    }
  }

  statement {
    sid       = "ManageEnvironmentPolicies"
    effect    = "Allow"
    actions   = ["iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:policy/${each.value.iam_name_prefix}-*"]
  }

  statement {
    sid       = "ManageEnvironmentInstanceProfiles"
    effect    = "Allow"
    actions   = ["iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/${each.value.iam_name_prefix}-*"]
  }

  statement {
    sid       = "PassEnvironmentRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${each.value.iam_name_prefix}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = local.infra_passed_to_services
    }
  }

  # The prefixes may overlap (prod's auth-prod-* covers the GitHub roles auth-prod-github-*), so the GitHub
  # roles and the OIDC provider are denied outright: an infra role can never widen its own or another trust.
  statement {
    sid       = "ProtectGitHubTrust"
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-*", local.oidc_provider_arn]
  }

  # The account-wide units (_global) are bootstrapped and changed by an administrator; an environment's
  # apply must not be able to damage the state it writes or the registry every environment pulls from.
  statement {
    sid       = "ProtectStateBucket"
    effect    = "Deny"
    actions   = ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ProtectStateKey"
    effect    = "Deny"
    actions   = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation"]
    resources = [var.state_kms_key_arn]
  }

  statement {
    sid       = "ProtectRegistry"
    effect    = "Deny"
    actions   = ["ecr:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:BatchDeleteImage", "ecr:PutImageTagMutability"]
    resources = [var.ecr_repository_arn]
  }
}
