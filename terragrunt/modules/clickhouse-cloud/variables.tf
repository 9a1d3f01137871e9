variable "name" {
  description = "Name of the ClickHouse Cloud service, e.g. `auth-prod-events`; also names the AWS PrivateLink resources."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$", var.name))
    error_message = "name must be 1-50 characters of letters, digits, _, . and -."
  }
}

variable "region" {
  description = "AWS region of the service; PrivateLink needs the same region as the VPC."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as eu-west-1."
  }
}

variable "tier" {
  description = "Legacy tier (`development` or `production`) for organisations on the old ClickHouse Cloud tiers; null (the default) for organisations on the current tiers, which reject it."
  type        = string
  default     = null

  validation {
    condition     = var.tier == null || contains(["development", "production"], coalesce(var.tier, "none"))
    error_message = "tier must be null, development or production."
  }
}

variable "release_channel" {
  description = "ClickHouse release channel: `default` or `fast` (switching back from fast is not supported)."
  type        = string
  default     = "default"

  validation {
    condition     = contains(["default", "fast"], var.release_channel)
    error_message = "release_channel must be default or fast."
  }
}

variable "ip_access" {
  description = "Public IP allow-list (e.g. the NAT gateway EIPs in non-prod). An empty list (the default) blocks the public endpoint: PrivateLink only. 0.0.0.0/0 is refused."
  type = list(object({
    source      = string
    description = string
  }))
  default = []

  validation {
    condition     = alltrue([for entry in var.ip_access : can(cidrhost(strcontains(entry.source, "/") ? entry.source : "${entry.source}/32", 0)) && !startswith(entry.source, "0.0.0.0")])
    error_message = "ip_access sources must be IPv4 addresses or CIDR blocks, and never 0.0.0.0/0."
  }

  validation {
    condition     = alltrue([for entry in var.ip_access : length(entry.description) > 0])
    error_message = "Every ip_access entry needs a description saying whose address it is."
  }
}

variable "password_hash" {
  description = "Base64 of the SHA-256 of the service's `default` (admin) password, as ClickHouse Cloud stores it. Sent on every run, so plans never need the password itself; the password lives only in the operator-only `<prefix>/clickhouse-admin` secret. Must be the hash of a random password of at least 32 bytes (runbooks/rotate-clickhouse-credentials.md)."
  type        = string
  sensitive   = true

  # 32 bytes in standard base64: the provider's own check (terraform-provider-clickhouse v3.25.3
  # internal/service/clickhouse/resource/service.go, password_hash RegexMatches) accepts any base64; a SHA-256 is 44 characters.
  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.password_hash))
    error_message = "password_hash must be the base64 SHA-256 of the admin password (44 characters ending in =)."
  }
}

variable "min_replica_memory_gb" {
  description = "Minimum memory per replica during autoscaling, in GB (a multiple of 4, at least 8)."
  type        = number
  default     = 8

  validation {
    condition     = var.min_replica_memory_gb >= 8 && var.min_replica_memory_gb % 4 == 0 && var.min_replica_memory_gb <= var.max_replica_memory_gb
    error_message = "min_replica_memory_gb must be a multiple of 4, at least 8, and not above max_replica_memory_gb."
  }
}

variable "max_replica_memory_gb" {
  description = "Maximum memory per replica during autoscaling, in GB (a multiple of 4, at most 356)."
  type        = number
  default     = 16

  validation {
    condition     = var.max_replica_memory_gb >= 8 && var.max_replica_memory_gb <= 356 && var.max_replica_memory_gb % 4 == 0
    error_message = "max_replica_memory_gb must be a multiple of 4 between 8 and 356."
  }
}

variable "num_replicas" {
  description = "Number of replicas (3-20, needs ClickHouse support to change); null keeps the service default."
  type        = number
  default     = null

  validation {
    condition     = var.num_replicas == null || (coalesce(var.num_replicas, 0) >= 3 && coalesce(var.num_replicas, 0) <= 20)
    error_message = "num_replicas must be null or between 3 and 20."
  }
}

variable "idle_scaling" {
  description = "Let the service scale to zero when idle. The app's event queue buffers while it wakes; turn off in prod for steady latency."
  type        = bool
  default     = true
}

variable "idle_timeout_minutes" {
  description = "Idle minutes before scaling to zero (at least 5); used only when idle_scaling is true."
  type        = number
  default     = 15

  validation {
    condition     = var.idle_timeout_minutes >= 5
    error_message = "idle_timeout_minutes must be at least 5."
  }
}

# The two lists are the provider's own (terraform-provider-clickhouse v3.25.3
# internal/service/clickhouse/resource/service.go, backup_configuration validators).
variable "backup_period_in_hours" {
  description = "Hours between backups: 6, 8, 12, 16, 20, 24, 36 or 48; ignored when backup_start_time is set."
  type        = number
  default     = 24

  validation {
    condition     = contains([6, 8, 12, 16, 20, 24, 36, 48], var.backup_period_in_hours)
    error_message = "backup_period_in_hours must be one of 6, 8, 12, 16, 20, 24, 36, 48."
  }
}

variable "backup_retention_period_in_hours" {
  description = "Hours a backup is kept: 24, 48, 72, 96, 120, 144, 168, 336, 504, 672 or 720."
  type        = number
  default     = 48

  validation {
    condition     = contains([24, 48, 72, 96, 120, 144, 168, 336, 504, 672, 720], var.backup_retention_period_in_hours)
    error_message = "backup_retention_period_in_hours must be one of 24, 48, 72, 96, 120, 144, 168, 336, 504, 672, 720."
  }
}

variable "backup_start_time" {
  description = "Optional UTC start of a daily 2-hour backup window, `HH:00`; when set, backups are daily and backup_period_in_hours is not sent."
  type        = string
  default     = null

  validation {
    condition     = var.backup_start_time == null || can(regex("^([01][0-9]|2[0-3]):00$", var.backup_start_time))
    error_message = "backup_start_time must be null or HH:00 (UTC)."
  }
}

variable "enable_private_link" {
  description = "Reach the service through AWS PrivateLink: creates the VPC endpoint, the private DNS record and the ClickHouse endpoint attachment. Needs vpc_id, subnet_ids and security_group_ids."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC for the PrivateLink endpoint (required when enable_private_link)."
  type        = string
  default     = null

  validation {
    condition     = var.enable_private_link ? can(regex("^vpc-[0-9a-f]+$", var.vpc_id)) : var.vpc_id == null || can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID, and is required when enable_private_link is true."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the PrivateLink endpoint (required when enable_private_link)."
  type        = list(string)
  default     = []

  validation {
    condition     = (!var.enable_private_link || length(var.subnet_ids) > 0) && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must be subnet IDs, at least one when enable_private_link is true."
  }
}

variable "security_group_ids" {
  description = "Security groups of the PrivateLink endpoint (the network module's ClickHouse endpoint group)."
  type        = list(string)
  default     = []

  validation {
    condition     = (!var.enable_private_link || length(var.security_group_ids) > 0) && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must be security group IDs, at least one when enable_private_link is true."
  }
}

variable "route53_zone_id" {
  description = "Existing private hosted zone for the private hostname record; null creates one (see clickhouse-privatelink)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the AWS resources (ClickHouse services have no tags)."
  type        = map(string)
  default     = {}
}
