variable "name_prefix" {
  description = "Prefix of every secret name, e.g. `auth/prod`. Secrets are `<name_prefix>/jwt-signing-keys`, `<name_prefix>/database`, `<name_prefix>/database-migration`, `<name_prefix>/clickhouse` and `<name_prefix>/clickhouse-admin` (operators only)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$", var.name_prefix)) && length(var.name_prefix) <= 200
    error_message = "name_prefix must be 1-200 characters of letters, digits and _+=.@- separated by single slashes, with no leading or trailing slash."
  }
}

variable "reader_role_arns" {
  description = "IAM role ARNs allowed to read the app's secret values (secretsmanager:GetSecretValue) and to decrypt them through Secrets Manager, e.g. the App Runner instance role. Denied the operator-only clickhouse-admin secret."
  type        = list(string)

  validation {
    condition     = length(var.reader_role_arns) > 0
    error_message = "reader_role_arns must name at least one role: a secret nobody can read is a mistake."
  }

  validation {
    condition     = alltrue([for arn in var.reader_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Every reader_role_arns entry must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>) without wildcards."
  }
}

variable "writer_role_arns" {
  description = "IAM role ARNs that write secret values (runbook scripts, rotation, the GitHub infra role). Write-only: they get kms:GenerateDataKey through Secrets Manager (all PutSecretValue needs), no kms:Decrypt, and stay under the read deny; their own identity policies must still allow secretsmanager:PutSecretValue. A role that must also read is named in admin_role_arns too."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.writer_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Every writer_role_arns entry must be an IAM role ARN without wildcards."
  }
}

variable "admin_role_arns" {
  description = "IAM role ARNs of operators and break-glass administrators: exempt from the read deny, allowed to decrypt, and the only readers of the operator-only clickhouse-admin secret. Key administration stays with the account root (IAM policies)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Every admin_role_arns entry must be an IAM role ARN without wildcards."
  }
}

variable "recovery_window_in_days" {
  description = "Days Secrets Manager keeps a deleted secret recoverable: 0 (delete at once, only for throwaway environments) or 7-30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period, in days, before the KMS key is deleted after being scheduled for deletion (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days must be between 7 and 30."
  }
}

variable "secret_value_versions" {
  description = "Optional: secrets whose value Terraform writes, keyed by secret (`jwt-signing-keys`, `database`, `database-migration`, `clickhouse`, `clickhouse-admin`), each with a version number. Bump a version to write a new value from secret_values_wo. Leave empty (the default) when runbook scripts write the values."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.secret_value_versions) : contains(["jwt-signing-keys", "database", "database-migration", "clickhouse", "clickhouse-admin"], name)])
    error_message = "secret_value_versions keys must be among jwt-signing-keys, database, database-migration, clickhouse, clickhouse-admin."
  }

  validation {
    condition     = alltrue([for version in values(var.secret_value_versions) : version >= 1 && floor(version) == version])
    error_message = "secret_value_versions values must be whole numbers >= 1."
  }
}

variable "secret_values_wo" {
  description = "Write-only secret values (JSON strings) keyed like secret_value_versions. Ephemeral: never stored in plan or state."
  type        = map(string)
  default     = null
  ephemeral   = true
  sensitive   = true

  validation {
    condition     = length(var.secret_value_versions) == 0 || (var.secret_values_wo != null && alltrue([for name in keys(var.secret_value_versions) : contains(keys(coalesce(var.secret_values_wo, {})), name)]))
    error_message = "secret_values_wo must hold a value for every secret named in secret_value_versions."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
