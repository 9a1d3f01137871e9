variable "name" {
  description = "Name prefix for every resource, e.g. `auth-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC. Subnets are carved from it with `subnet_newbits`."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = try(cidrnetmask(var.cidr_block) != "" && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24, false)
    error_message = "cidr_block must be an IPv4 CIDR with a prefix between /16 and /24."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over (2 or 3)."
  type        = number
  default     = 2

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (4 turns a /16 into /20 subnets). Public subnets take indexes 0..2, private ones 8..10."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 4 && var.subnet_newbits <= 8
    error_message = "subnet_newbits must be between 4 and 8 so that 11 subnet indexes fit."
  }
}

variable "nat_per_az" {
  description = "One NAT gateway per AZ (prod, survives an AZ outage) instead of a single shared one (non-prod, cheaper)."
  type        = bool
  default     = false
}

variable "interface_endpoint_services" {
  description = "Extra AWS services reached through interface VPC endpoints, as the short service name (e.g. `logs`, `kms`, `sts`). Secrets Manager is always included."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for service in var.interface_endpoint_services : can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", service))])
    error_message = "interface_endpoint_services entries must be short service names such as `logs` or `ecr.api`."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the VPC flow log group, in days (a CloudWatch Logs allowed value)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "flow_logs_traffic_type" {
  description = "Which traffic the flow logs record: ALL, ACCEPT or REJECT."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ACCEPT", "REJECT"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ALL, ACCEPT or REJECT."
  }
}

variable "flow_logs_kms_key_arn" {
  description = "ARN of an existing KMS key for the flow log group. When null the module creates a key whose policy lets only this log group use it."
  type        = string
  default     = null

  validation {
    condition     = var.flow_logs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.flow_logs_kms_key_arn))
    error_message = "flow_logs_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
