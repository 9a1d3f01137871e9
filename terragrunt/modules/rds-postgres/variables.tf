variable "identifier" {
  description = "DB instance identifier and name prefix, e.g. `auth-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-z](?:[a-z0-9]|-[a-z0-9]){0,49}$", var.identifier))
    error_message = "identifier must start with a letter, use lowercase letters, digits and single hyphens, not end with a hyphen, and be at most 50 characters."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs for the DB subnet group (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-z]+$", id))])
    error_message = "subnet_ids must hold at least two subnet IDs (subnet-...)."
  }
}

variable "vpc_security_group_ids" {
  description = "Security groups of the instance; normally the network module's `database_security_group_id` only."
  type        = list(string)

  validation {
    condition     = length(var.vpc_security_group_ids) >= 1 && alltrue([for id in var.vpc_security_group_ids : can(regex("^sg-[0-9a-z]+$", id))])
    error_message = "vpc_security_group_ids must hold at least one security group ID (sg-...)."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: a major (`16`, the default) or `<major>.<minor>`. A major alone lets RDS apply minor upgrades without Terraform drift (auto_minor_version_upgrade is on); a pinned minor turns into a diff, then an error, once RDS upgrades past it. The major selects the parameter group family."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^[0-9]{2}(\\.[0-9]+)?$", var.engine_version)) && try(tonumber(split(".", var.engine_version)[0]) >= 16, false)
    error_message = "engine_version must be a major (16 or later) or `<major>.<minor>`, e.g. 16 or 16.8."
  }
}

variable "instance_class" {
  description = "Instance class, e.g. `db.t4g.medium` (non-prod) or `db.m7g.large` (prod)."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>."
  }
}

variable "allocated_storage" {
  description = "Initial gp3 storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Upper bound for storage autoscaling in GiB (0 disables autoscaling); at least 10% above allocated_storage."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage == 0 || (var.max_allocated_storage >= 20 && var.max_allocated_storage <= 65536)
    error_message = "max_allocated_storage must be 0 or between 20 and 65536 GiB."
  }

  # Amazon RDS User Guide, "Managing capacity automatically with Amazon RDS storage autoscaling"
  # (USER_PIOPS.Autoscaling.html): the maximum storage threshold must be at least 10% more than the allocated storage.
  validation {
    condition     = var.max_allocated_storage == 0 || var.max_allocated_storage >= ceil(var.allocated_storage * 1.1)
    error_message = "max_allocated_storage must be 0 (no autoscaling) or at least 10% above allocated_storage (RDS refuses a smaller threshold)."
  }
}

variable "db_name" {
  description = "Name of the database created with the instance."
  type        = string
  default     = "auth"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a lowercase letter and use lowercase letters, digits and underscores (max 63)."
  }
}

variable "master_username" {
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS; the app uses its own least-privilege role."
  type        = string
  default     = "auth_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["rdsadmin", "rdsrepladmin", "postgres", "admin"], var.master_username)
    error_message = "master_username must be a lowercase identifier and not a reserved or guessable name (rdsadmin, postgres, admin)."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key for storage, Performance Insights, logs and the master secret. When null the module creates one."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "master_user_secret_kms_key_arn" {
  description = "ARN of a KMS key for the RDS-managed master user secret. When null the storage key (kms_key_arn or the module's key) is used."
  type        = string
  default     = null

  validation {
    condition     = var.master_user_secret_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.master_user_secret_kms_key_arn))
    error_message = "master_user_secret_kms_key_arn must be a KMS key ARN."
  }
}

variable "multi_az" {
  description = "Run a synchronous standby in another AZ. Safe default on; non-prod may turn it off to save cost."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_period >= 7 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 7 and 35 days."
  }
}

variable "backup_window" {
  description = "Daily backup window, UTC `hh24:mi-hh24:mi`."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must be `hh24:mi-hh24:mi`."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window, UTC `ddd:hh24:mi-ddd:hh24:mi`; must not overlap the backup window."
  type        = string
  default     = "sun:03:30-sun:04:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must be `ddd:hh24:mi-ddd:hh24:mi`, e.g. sun:03:30-sun:04:30."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance. Turn off explicitly (and apply) before a deliberate teardown."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on deletion. Default false: a deletion always leaves a snapshot."
  type        = bool
  default     = false
}

variable "performance_insights_retention_period" {
  description = "Performance Insights retention in days: 7 (free), 731, or a multiple of 31."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || var.performance_insights_retention_period == 731 || (var.performance_insights_retention_period % 31 == 0 && var.performance_insights_retention_period > 0 && var.performance_insights_retention_period <= 713)
    error_message = "performance_insights_retention_period must be 7, 731 or a multiple of 31 up to 713."
  }
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL and upgrade CloudWatch logs, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "extra_parameters" {
  description = "Additional parameter group settings, e.g. `{ name = \"log_min_duration_statement\", value = \"500\" }`. The TLS and connection-logging parameters cannot be overridden."
  type = list(object({
    name         = string
    value        = string
    apply_method = optional(string, "immediate")
  }))
  default = []

  validation {
    condition     = alltrue([for parameter in var.extra_parameters : !contains(["rds.force_ssl", "log_connections", "log_disconnections"], parameter.name) && contains(["immediate", "pending-reboot"], parameter.apply_method)])
    error_message = "extra_parameters may not set rds.force_ssl, log_connections or log_disconnections, and apply_method must be immediate or pending-reboot."
  }
}

variable "restore_to_point_in_time" {
  description = "Create the instance as a point-in-time restore of another one (runbooks/restore-database.md, path B): `source_db_instance_identifier` and either `restore_time` (RFC 3339 UTC, e.g. `2026-11-25T09:41:00Z`) or `use_latest_restorable_time = true`. Read only when the instance is created: setting or removing it later changes nothing."
  type = object({
    source_db_instance_identifier = string
    restore_time                  = optional(string)
    use_latest_restorable_time    = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.restore_to_point_in_time == null || can(regex("^[a-z](?:[a-z0-9]|-[a-z0-9]){0,62}$", var.restore_to_point_in_time.source_db_instance_identifier))
    error_message = "restore_to_point_in_time.source_db_instance_identifier must be a DB instance identifier (lowercase letters, digits, single hyphens)."
  }

  validation {
    condition     = var.restore_to_point_in_time == null || ((try(var.restore_to_point_in_time.restore_time, null) != null) != try(var.restore_to_point_in_time.use_latest_restorable_time, false))
    error_message = "restore_to_point_in_time needs exactly one of restore_time and use_latest_restorable_time = true."
  }

  validation {
    condition     = try(var.restore_to_point_in_time.restore_time, null) == null || can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$", var.restore_to_point_in_time.restore_time))
    error_message = "restore_to_point_in_time.restore_time must be an RFC 3339 time in UTC, e.g. 2026-11-25T09:41:00Z."
  }
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
