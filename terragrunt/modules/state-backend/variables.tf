variable "bucket_name" {
  description = "Name of the Terraform state bucket, e.g. `acme-auth-nonprod-tfstate`. The access-log bucket is `<bucket_name>-access-logs` unless log_bucket_name is set."
  type        = string

  validation {
    # No dots: a dotted name breaks TLS for virtual-hosted-style requests. Room is left for the log suffix.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "--")
    error_message = "bucket_name must be 3-50 lowercase letters, digits and single hyphens, without dots, starting and ending with a letter or digit."
  }
}

variable "log_bucket_name" {
  description = "Name of the access-log bucket. When null: `<bucket_name>-access-logs`."
  type        = string
  default     = null

  validation {
    condition     = var.log_bucket_name == null || (can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", coalesce(var.log_bucket_name, "x"))) && !strcontains(coalesce(var.log_bucket_name, "x"), "--"))
    error_message = "log_bucket_name must be 3-63 lowercase letters, digits and single hyphens, without dots."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key for the state objects. When null the module creates one with rotation."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days that superseded state versions are kept (the window for recovering from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 30 && var.noncurrent_version_retention_days <= 3650
    error_message = "noncurrent_version_retention_days must be between 30 and 3650: state history is the recovery path."
  }
}

variable "access_log_retention_days" {
  description = "Days that S3 access logs of the state bucket are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 90 && var.access_log_retention_days <= 3650
    error_message = "access_log_retention_days must be between 90 and 3650."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "enforce_tls" {
  description = "Deny every request to both buckets that is not over TLS 1.2+. Turn off only against an AWS API emulator (the bring-up rehearsal, REHEARSAL=1): moto 5.2.5 treats a bucket policy statement whose condition it cannot evaluate as a match, so this Deny would refuse every state read and write there (moto/iam/access_control.py, IAMPolicyStatement._check_conditions)."
  type        = bool
  default     = true
  nullable    = false
}
