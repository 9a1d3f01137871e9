variable "name" {
  description = "Name used for the Name tag of the endpoint, e.g. `auth-prod-clickhouse`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", var.name))
    error_message = "name must be 1-63 characters of letters, digits, _, . and -."
  }
}

variable "vpc_id" {
  description = "VPC in which the interface endpoint is created."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the endpoint's network interfaces (one per AZ)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must be a non-empty list of subnet IDs."
  }
}

variable "security_group_ids" {
  description = "Security groups of the endpoint; they must admit the app's connector group on ClickHouse's ports (8443 HTTPS, 9440 native TLS)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must be a non-empty list of security group IDs."
  }
}

variable "endpoint_service_id" {
  description = "ClickHouse Cloud's endpoint service name for the region (`clickhouse_service.private_endpoint_config.endpoint_service_id`), e.g. com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0."
  type        = string

  validation {
    condition     = can(regex("^com\\.amazonaws\\.vpce\\.[a-z0-9-]+\\.vpce-svc-[0-9a-f]+$", var.endpoint_service_id))
    error_message = "endpoint_service_id must look like com.amazonaws.vpce.<region>.vpce-svc-<id>."
  }
}

variable "private_dns_hostname" {
  description = "The service's private hostname (`private_endpoint_config.private_dns_hostname`), e.g. abc123xyz.eu-west-1.vpce.aws.clickhouse.cloud. Connections to it go through the endpoint."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+clickhouse\\.cloud$", var.private_dns_hostname))
    error_message = "private_dns_hostname must be a clickhouse.cloud hostname."
  }
}

variable "route53_zone_id" {
  description = "Existing private hosted zone (associated with the VPC) to put the record in; null creates a private zone for exactly private_dns_hostname."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a Route53 zone ID (Z...) or null."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
