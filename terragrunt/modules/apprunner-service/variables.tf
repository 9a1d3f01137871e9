variable "name" {
  description = "Service name; also names the VPC connector, the autoscaling and observability configurations, the roles and the alarms (4-32 characters: App Runner's limit for configuration names)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,31}$", var.name))
    error_message = "name must be 4-32 characters of letters, digits, - and _, starting with a letter or digit."
  }
}

variable "repository_url" {
  description = "URL of the ECR repository the image comes from, e.g. `111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth`."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9][a-z0-9._/-]*$", var.repository_url))
    error_message = "repository_url must be an ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>) without a tag."
  }
}

variable "repository_arn" {
  description = "ARN of the same ECR repository: the access role may pull from this repository only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*$", var.repository_arn))
    error_message = "repository_arn must be an ECR repository ARN without wildcards."
  }

  # The role may pull only from repository_arn, so it must be the repository the image comes from.
  validation {
    condition     = try(replace(var.repository_arn, "/^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\\/(.+)$/", "$2.dkr.ecr.$1.amazonaws.com/$3") == var.repository_url, false)
    error_message = "repository_arn and repository_url must name the same repository (account, region and name)."
  }
}

variable "image_tag" {
  description = "Image tag to run: the git SHA (7-40 hex characters) or a release tag like v1.2.3. Never `latest`: a deploy is a change of this input."
  type        = string

  validation {
    condition     = can(regex("^([0-9a-f]{7,40}|v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?)$", var.image_tag))
    error_message = "image_tag must be a git SHA (7-40 lowercase hex) or a semver tag (v1.2.3, 1.2.3-rc.1); mutable tags such as latest are refused."
  }
}

variable "port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1 and 65535."
  }
}

variable "health_check_path" {
  description = "HTTP path App Runner probes; a liveness endpoint that does not depend on downstreams."
  type        = string
  default     = "/healthz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.health_check_path))
    error_message = "health_check_path must be an absolute path such as /healthz."
  }
}

variable "health_check_interval_seconds" {
  description = "Seconds between health checks (1-20)."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_interval_seconds >= 1 && var.health_check_interval_seconds <= 20
    error_message = "health_check_interval_seconds must be between 1 and 20."
  }
}

variable "health_check_timeout_seconds" {
  description = "Seconds a health check may take (1-20)."
  type        = number
  default     = 5

  validation {
    condition     = var.health_check_timeout_seconds >= 1 && var.health_check_timeout_seconds <= 20
    error_message = "health_check_timeout_seconds must be between 1 and 20."
  }
}

variable "health_check_healthy_threshold" {
  description = "Consecutive successes before an instance is healthy (1-20)."
  type        = number
  default     = 1

  validation {
    condition     = var.health_check_healthy_threshold >= 1 && var.health_check_healthy_threshold <= 20
    error_message = "health_check_healthy_threshold must be between 1 and 20."
  }
}

variable "health_check_unhealthy_threshold" {
  description = "Consecutive failures before an instance is unhealthy (1-20)."
  type        = number
  default     = 5

  validation {
    condition     = var.health_check_unhealthy_threshold >= 1 && var.health_check_unhealthy_threshold <= 20
    error_message = "health_check_unhealthy_threshold must be between 1 and 20."
  }
}

variable "runtime_environment_variables" {
  description = "Plain environment variables for the container. Never put secrets here: use runtime_environment_secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.runtime_environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && !startswith(upper(name), "AWSAPPRUNNER") && upper(name) != "PORT"])
    error_message = "Environment variable names must match [A-Za-z_][A-Za-z0-9_]* and must not be App Runner's reserved PORT or use its reserved AWSAPPRUNNER prefix (App Runner sets PORT from `port`)."
  }

  validation {
    condition     = length(setintersection(keys(var.runtime_environment_variables), keys(var.runtime_environment_secrets))) == 0
    error_message = "A name cannot be both a plain variable and a secret."
  }
}

variable "runtime_environment_secrets" {
  description = "Environment variables read from Secrets Manager at deploy time: name => secret ARN, optionally with App Runner's JSON-key suffix (`<arn>:url::`). The instance role may read exactly these secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.runtime_environment_secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && !startswith(upper(name), "AWSAPPRUNNER") && upper(name) != "PORT"])
    error_message = "Secret environment variable names must match [A-Za-z_][A-Za-z0-9_]* and must not be App Runner's reserved PORT or use its reserved AWSAPPRUNNER prefix."
  }

  validation {
    condition     = alltrue([for arn in values(var.runtime_environment_secrets) : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+(:[A-Za-z0-9_.-]*:[A-Za-z0-9_-]*:[A-Za-z0-9-]*)?$", arn))])
    error_message = "Every runtime_environment_secrets value must be a Secrets Manager secret ARN, optionally followed by :<json-key>:<version-stage>:<version-id> (e.g. <arn>:url::); no wildcards."
  }
}

variable "secrets_kms_key_arns" {
  description = "ARNs of the KMS keys that encrypt the secrets; the instance role gets kms:Decrypt on exactly these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", arn))])
    error_message = "secrets_kms_key_arns entries must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<uuid>), not aliases or wildcards."
  }
}

variable "cpu" {
  description = "vCPU per instance in CPU units: 256, 512, 1024, 2048 or 4096."
  type        = string
  default     = "1024"

  validation {
    condition     = contains(["256", "512", "1024", "2048", "4096"], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "memory" {
  description = "Memory per instance in MiB; must be a combination App Runner allows with cpu (256: 512/1024, 512: 1024, 1024: 2048/3072/4096, 2048: 4096/6144, 4096: 8192/10240/12288)."
  type        = string
  default     = "2048"

  validation {
    condition = contains(lookup({
      "256"  = ["512", "1024"]
      "512"  = ["1024"]
      "1024" = ["2048", "3072", "4096"]
      "2048" = ["4096", "6144"]
      "4096" = ["8192", "10240", "12288"]
    }, var.cpu, []), var.memory)
    error_message = "memory is not an App Runner combination for this cpu (256: 512/1024, 512: 1024, 1024: 2048/3072/4096, 2048: 4096/6144, 4096: 8192/10240/12288)."
  }
}

variable "min_size" {
  description = "Minimum number of provisioned instances (1-25)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_size >= 1 && var.min_size <= 25 && var.min_size <= var.max_size
    error_message = "min_size must be between 1 and 25 and not above max_size."
  }
}

variable "max_size" {
  description = "Maximum number of instances (1-25)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_size >= 1 && var.max_size <= 25
    error_message = "max_size must be between 1 and 25."
  }
}

variable "max_concurrency" {
  description = "Concurrent requests per instance before App Runner scales out (1-200)."
  type        = number
  default     = 100

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 200
    error_message = "max_concurrency must be between 1 and 200."
  }
}

variable "subnet_ids" {
  description = "Private subnets (with NAT egress) for the VPC connector."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must be a non-empty list of subnet IDs."
  }
}

variable "security_group_ids" {
  description = "Security groups of the VPC connector (the database admits this group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must be a non-empty list of security group IDs."
  }
}

variable "is_publicly_accessible" {
  description = "Whether the service URL is reachable from the internet. Set false for a VPC-only service behind an ingress endpoint."
  type        = bool
  default     = true
}

variable "xray_tracing_enabled" {
  description = "Send traces to AWS X-Ray through the observability configuration."
  type        = bool
  default     = true
}

variable "encryption_kms_key_arn" {
  description = "Customer-managed KMS key for App Runner's copy of the source image and configuration; null uses an AWS-owned key."
  type        = string
  default     = null

  validation {
    condition     = var.encryption_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.encryption_kms_key_arn))
    error_message = "encryption_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic that receives alarm and OK notifications."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn must be an SNS topic ARN."
  }
}

variable "alarm_5xx_count_threshold" {
  description = "5xx responses per alarm period above which the count alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_5xx_count_threshold >= 1
    error_message = "alarm_5xx_count_threshold must be at least 1."
  }
}

variable "alarm_5xx_rate_threshold_percent" {
  description = "Share of requests answered with 5xx, in percent, above which the rate alarm fires."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_5xx_rate_threshold_percent > 0 && var.alarm_5xx_rate_threshold_percent <= 100
    error_message = "alarm_5xx_rate_threshold_percent must be in (0, 100]."
  }
}

variable "alarm_p99_latency_threshold_ms" {
  description = "p99 request latency, in milliseconds, above which the latency alarm fires."
  type        = number
  default     = 1000

  validation {
    condition     = var.alarm_p99_latency_threshold_ms > 0
    error_message = "alarm_p99_latency_threshold_ms must be positive."
  }
}

variable "alarm_period_seconds" {
  description = "Alarm period in seconds (60 or a multiple of 60)."
  type        = number
  default     = 60

  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0
    error_message = "alarm_period_seconds must be a multiple of 60."
  }
}

variable "alarm_evaluation_periods" {
  description = "Periods that must breach before an alarm fires (all of them: datapoints_to_alarm equals this)."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60
    error_message = "alarm_evaluation_periods must be between 1 and 60."
  }
}

variable "web_acl_arn" {
  description = "Optional regional WAFv2 web ACL to associate with the service."
  type        = string
  default     = null

  validation {
    condition     = var.web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]+$", var.web_acl_arn))
    error_message = "web_acl_arn must be a regional WAFv2 web ACL ARN or null."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
