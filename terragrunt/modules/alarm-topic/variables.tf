variable "name" {
  description = "Name of the SNS topic, e.g. `auth-prod-alarms`; also names the KMS key alias (`alias/sns/<name>`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.name))
    error_message = "name must be 1-256 letters, digits, hyphens or underscores (a standard SNS topic name)."
  }
}

variable "kms_key_arn" {
  description = "Optional ARN of an existing KMS key (or alias) to encrypt the topic with; its key policy must let cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*). Null (the default) creates a key for this topic."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>), not aws/sns: CloudWatch cannot use the AWS-managed key."
  }

  validation {
    condition     = var.kms_key_arn == null || !endswith(coalesce(var.kms_key_arn, "-"), ":alias/aws/sns")
    error_message = "kms_key_arn must not be the AWS-managed alias/aws/sns key: its policy cannot allow CloudWatch, so alarm notifications would be dropped."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period, in days, before the module's KMS key is deleted after being scheduled for deletion (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days must be between 7 and 30."
  }
}

variable "email_subscriptions" {
  description = "Email addresses subscribed to the topic. Each receives a confirmation mail and gets notifications once it confirms."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "Every email_subscriptions entry must be an email address."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
