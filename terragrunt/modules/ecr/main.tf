# Container registry for the service image. Tags are the git SHA and immutable, so a tag always names the
# same image and a rollback is a deploy of an earlier SHA.

locals {
  tags        = merge(var.tags, { "terraform-module" = "ecr" })
  kms_key_arn = coalesce(var.kms_key_arn, try(aws_kms_key.this[0].arn, null))
}

# Without an explicit policy the key gets the AWS default key policy, which delegates to IAM in this account;
# ECR uses the key through grants on behalf of the principals allowed to push and pull.
resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:the AWS default key policy is intended here: the account root delegates use of the key to IAM, and ECR uses it through the pushing and pulling roles' grants
  count = var.kms_key_arn == null ? 1 : 0

  description             = "ECR repository ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/ecr/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  # A repository with images is never deleted by Terraform; emptying it is a deliberate, separate act.
  force_delete = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = local.kms_key_arn
  }

  tags = local.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${var.untagged_expiry_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last ${var.keep_tagged_images} tagged images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.keep_tagged_images
        }
        action = { type = "expire" }
      },
    ]
  })
}
