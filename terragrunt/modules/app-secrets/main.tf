data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  # `name` is deprecated on aws_region in provider 6; `id` holds the region code in 5.x and 6.x.
  secretsmanager_service = "secretsmanager.${data.aws_region.current.id}.amazonaws.com"

  # The shapes are the contract with the app's config and the runbook scripts that write the values.
  # app_reads: whether the reader roles (the app) may read it; the others are for writers and admins only.
  secrets = {
    "jwt-signing-keys" = { app_reads = true, description = "JWK set JSON {\"keys\":[...]}; each key carries a state: next, current or previous." }
    "database"         = { app_reads = true, description = "JSON {username,password,host,port,dbname,url} of the app's least-privilege PostgreSQL role." }
    # The schema owner: the app uses it only to run migrations at start-up (PLATFORM_CONTRACT.md open question 1).
    "database-migration" = { app_reads = true, description = "JSON {username,password,host,port,dbname,url} of the schema owner role, used by the app only to run migrations." }
    "clickhouse"         = { app_reads = true, description = "JSON {username,password,url,database} of the app's ClickHouse user." }
    # Read by the credential rotation runbook (writer/admin roles); the app's reader roles are denied.
    "clickhouse-admin" = { app_reads = false, description = "JSON {username,password,url} of the ClickHouse Cloud service admin, for runbooks only; the app cannot read it." }
  }

  # Role ARNs are matched with aws:PrincipalArn conditions on the account principal rather than named as
  # principals: KMS and Secrets Manager reject policies naming roles that do not exist yet, and the App
  # Runner instance role is created after these secrets (its name is predictable, so callers pass it
  # before it exists and the units do not depend on each other in a cycle).
  decrypt_role_arns = distinct(concat(var.reader_role_arns, var.admin_role_arns))
  # Principals that may call GetSecretValue at all; everyone else meets the explicit deny. Writers are write-only:
  # a role that is only a writer (e.g. the GitHub infra role) stays under the deny and gets no kms:Decrypt.
  value_access_role_arns = distinct(concat(var.reader_role_arns, var.admin_role_arns))
  # Principals that may read the operator-only secrets (app_reads = false).
  operator_role_arns = distinct(var.admin_role_arns)
}

################################################################################
# KMS key
################################################################################

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:a KMS key policy: Resource "*" is this key, and each statement names its principals
  #checkov:skip=CKV_AWS_356:a KMS key policy: Resource "*" means the key the policy is attached to
  #checkov:skip=CKV_AWS_109:a KMS key policy: the account root keeps key administration so IAM can always repair access (AWS default key policy)
  # The account root keeps key administration (so IAM can always repair the policy), but not
  # cryptographic use: decrypting is granted only to the roles named below.
  statement {
    sid       = "KeyAdministrationByAccount"
    effect    = "Allow"
    actions   = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"]
    resources = ["*"] # In a key policy "*" means this key.

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid       = "DecryptThroughSecretsManager"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalArn"
      values   = local.decrypt_role_arns
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.secretsmanager_service]
    }
  }

  dynamic "statement" {
    for_each = length(var.writer_role_arns) > 0 ? [1] : []

    content {
      # PutSecretValue needs only kms:GenerateDataKey: Secrets Manager asks KMS for a new data key to encrypt each new
      # value (Secrets Manager User Guide, "Secret encryption and decryption"); kms:Decrypt is reading.
      sid       = "EncryptThroughSecretsManager"
      effect    = "Allow"
      actions   = ["kms:GenerateDataKey"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = [local.account_root]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:PrincipalArn"
        values   = var.writer_role_arns
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.secretsmanager_service]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Encrypts the ${var.name_prefix}/* application secrets"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${replace(var.name_prefix, "/", "-")}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Secrets (containers only: values come from runbook scripts or secret_values_wo)
################################################################################

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:rotated by the blue/green procedures in runbooks/ (the app user and the serving user switch together); a Lambda rotator cannot switch ClickHouse and PostgreSQL users this way
  for_each = local.secrets

  name                    = "${var.name_prefix}/${each.key}"
  description             = each.value.description
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = merge(var.tags, { SecretShape = each.key })
}

data "aws_iam_policy_document" "secret" {
  for_each = local.secrets

  # App secrets: the reader roles. Operator-only secrets: the admins, if any are named.
  dynamic "statement" {
    for_each = each.value.app_reads ? [var.reader_role_arns] : (length(local.operator_role_arns) > 0 ? [local.operator_role_arns] : [])

    content {
      sid       = each.value.app_reads ? "ReadByRuntimeRoles" : "ReadByOperatorsOnly"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.this[each.key].arn]

      principals {
        type        = "AWS"
        identifiers = [local.account_root]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:PrincipalArn"
        values   = statement.value
      }
    }
  }

  # An explicit deny beats any identity policy in the account (e.g. a broad admin grant). For an
  # operator-only secret it also covers the app's reader roles.
  statement {
    sid       = "DenyReadToEveryoneElse"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.this[each.key].arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    # Without any admin role, an operator-only secret is denied to everyone (no condition).
    dynamic "condition" {
      for_each = each.value.app_reads ? [local.value_access_role_arns] : (length(local.operator_role_arns) > 0 ? [local.operator_role_arns] : [])

      content {
        test     = "StringNotEquals"
        variable = "aws:PrincipalArn"
        values   = condition.value
      }
    }
  }
}

resource "aws_secretsmanager_secret_policy" "this" {
  for_each = local.secrets

  secret_arn          = aws_secretsmanager_secret.this[each.key].arn
  policy              = data.aws_iam_policy_document.secret[each.key].json
  block_public_policy = true
}

# Only when the caller opts in: the value travels write-only and never reaches plan or state.
resource "aws_secretsmanager_secret_version" "this" {
  for_each = var.secret_value_versions

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = var.secret_values_wo[each.key]
  secret_string_wo_version = each.value
}
