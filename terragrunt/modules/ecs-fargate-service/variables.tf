variable "name" {
  description = "Service name; also names the cluster, task family, load balancer, target group, roles, log group and alarms (4-28 characters: the load balancer and target group names allow 32, and the access-log bucket adds a suffix)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,26}[a-z0-9]$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must be 4-28 lowercase letters, digits and hyphens, neither starting nor ending with a hyphen (ALB and S3 naming rules)."
  }
}

variable "repository_url" {
  description = "URL of the ECR repository the image comes from, e.g. `111122223333.dkr.ecr.eu-west-1.amazonaws.com/auth`."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9][a-z0-9._/-]*$", var.repository_url))
    error_message = "repository_url must be an ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>) without a tag or digest."
  }
}

variable "repository_arn" {
  description = "ARN of the same ECR repository: the execution role may pull from this repository only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*$", var.repository_arn))
    error_message = "repository_arn must be an ECR repository ARN without wildcards."
  }

  validation {
    condition     = try(replace(var.repository_arn, "/^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\\/(.+)$/", "$2.dkr.ecr.$1.amazonaws.com/$3") == var.repository_url, false)
    error_message = "repository_arn and repository_url must name the same repository (account, region and name)."
  }
}

variable "image_digest" {
  description = "Digest of the image to run (`sha256:` and 64 hex characters). The task definition names the image by digest, so a deploy is a change of this input and a tag pushed again cannot change what runs."
  type        = string

  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))
    error_message = "image_digest must be sha256: followed by 64 lowercase hex characters (aws ecr describe-images ... imageDigest)."
  }
}

variable "port" {
  description = "Port the container listens on; the target group and the task security group use it."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1024 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1024 and 65535 (the container runs as a non-root user)."
  }
}

variable "health_check_path" {
  description = "HTTP path the target group probes: a liveness endpoint that checks no dependency. ECS replaces tasks that fail the load balancer health check (Amazon ECS API reference, Service healthCheckGracePeriodSeconds), so a readiness path that fails while the database is down would stop every task, and replacements could not start (migrations run before listen)."
  type        = string
  default     = "/healthz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.health_check_path))
    error_message = "health_check_path must be an absolute path such as /healthz."
  }
}

variable "health_check_interval_seconds" {
  description = "Seconds between target group health checks (5-300)."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_interval_seconds >= 5 && var.health_check_interval_seconds <= 300
    error_message = "health_check_interval_seconds must be between 5 and 300."
  }
}

variable "health_check_timeout_seconds" {
  description = "Seconds a target group health check may take (2-120, below the interval)."
  type        = number
  default     = 5

  validation {
    condition     = var.health_check_timeout_seconds >= 2 && var.health_check_timeout_seconds <= 120 && var.health_check_timeout_seconds < var.health_check_interval_seconds
    error_message = "health_check_timeout_seconds must be between 2 and 120 and below health_check_interval_seconds."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds after a task starts during which ECS ignores failed load balancer health checks (start-up runs migrations)."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be between 0 and 2147483647."
  }
}

variable "stop_timeout_seconds" {
  description = "Seconds between SIGTERM and SIGKILL when a task stops (container stopTimeout; Fargate allows 2-120)."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout_seconds >= 2 && var.stop_timeout_seconds <= 120 && floor(var.stop_timeout_seconds) == var.stop_timeout_seconds
    error_message = "stop_timeout_seconds must be a whole number between 2 and 120 (Fargate's range)."
  }
}

variable "deregistration_delay_seconds" {
  description = "Seconds the target group drains a stopping task before ECS sends SIGTERM; shorter than stop_timeout_seconds so draining never eats the shutdown time."
  type        = number
  default     = 20

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds < var.stop_timeout_seconds
    error_message = "deregistration_delay_seconds must be at least 0 and shorter than stop_timeout_seconds."
  }
}

variable "runtime_environment_variables" {
  description = "Plain environment variables for the container. Never put secrets here: use runtime_environment_secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.runtime_environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name)) && !startswith(upper(name), "ECS_") && !startswith(upper(name), "AWS_")])
    error_message = "Environment variable names must match [A-Za-z_][A-Za-z0-9_]* and must not use the ECS_ or AWS_ prefixes the ECS agent and SDKs read."
  }

  validation {
    condition     = length(setintersection(keys(var.runtime_environment_variables), keys(var.runtime_environment_secrets))) == 0
    error_message = "A name cannot be both a plain variable and a secret."
  }
}

variable "runtime_environment_secrets" {
  description = "Environment variables ECS reads from Secrets Manager when a task starts (`secrets`/`valueFrom`): name => secret ARN, optionally with the JSON-key suffix (`<arn>:url::`), the same syntax App Runner takes. The execution role may read exactly these secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.runtime_environment_secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "Secret environment variable names must match [A-Za-z_][A-Za-z0-9_]*."
  }

  validation {
    condition     = alltrue([for arn in values(var.runtime_environment_secrets) : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+(:[A-Za-z0-9_.-]*:[A-Za-z0-9_-]*:[A-Za-z0-9-]*)?$", arn))])
    error_message = "Every runtime_environment_secrets value must be a Secrets Manager secret ARN, optionally followed by :<json-key>:<version-stage>:<version-id> (e.g. <arn>:url::); no wildcards."
  }
}

variable "secrets_kms_key_arns" {
  description = "ARNs of the KMS keys that encrypt the secrets; the execution role gets kms:Decrypt on exactly these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", arn))])
    error_message = "secrets_kms_key_arns entries must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<uuid>), not aliases or wildcards."
  }
}

variable "cpu" {
  description = "Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = string
  default     = "1024"

  validation {
    condition     = contains(["256", "512", "1024", "2048", "4096", "8192", "16384"], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "memory" {
  description = "Task memory in MiB; must be a Fargate combination with cpu (256: 512/1024/2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384 in 1024 steps; 4096: 8192-30720 in 1024 steps; 8192: 16384-61440 in 4096 steps; 16384: 32768-122880 in 8192 steps)."
  type        = string
  default     = "2048"

  # Fargate's task sizes (Amazon ECS developer guide, "Task CPU and memory"): from, to and step in MiB per cpu.
  validation {
    condition = try(contains([
      for m in range(
        { "256" = 512, "512" = 1024, "1024" = 2048, "2048" = 4096, "4096" = 8192, "8192" = 16384, "16384" = 32768 }[var.cpu],
        { "256" = 2048, "512" = 4096, "1024" = 8192, "2048" = 16384, "4096" = 30720, "8192" = 61440, "16384" = 122880 }[var.cpu] + 1,
        { "256" = 512, "512" = 1024, "1024" = 1024, "2048" = 1024, "4096" = 1024, "8192" = 4096, "16384" = 8192 }[var.cpu],
      ) : tostring(m) if !(var.cpu == "256" && m == 1536)
    ], var.memory), false)
    error_message = "memory is not a Fargate combination for this cpu (256: 512/1024/2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in 1024 steps; 8192: 16384-61440 in 4096 steps; 16384: 32768-122880 in 8192 steps)."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the image: X86_64 or ARM64 (Graviton)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "min_capacity" {
  description = "Minimum (and initial) number of running tasks (1-100)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_capacity >= 1 && var.min_capacity <= 100 && var.min_capacity <= var.max_capacity
    error_message = "min_capacity must be between 1 and 100 and not above max_capacity."
  }
}

variable "max_capacity" {
  description = "Maximum number of running tasks that auto scaling may reach (1-100)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 100
    error_message = "max_capacity must be between 1 and 100."
  }
}

variable "autoscaling_enabled" {
  description = "Target tracking auto scaling of the service (CPU and requests per target). Turn off only against an AWS API emulator (the bring-up rehearsal, REHEARSAL=1): moto 5.2.5 has no Application Auto Scaling ListTagsForResource, which the provider calls after creating the scalable target (architecture/REHEARSAL_GAPS.md)."
  type        = bool
  default     = true
  nullable    = false
}

variable "cpu_target_percent" {
  description = "Target tracking: average service CPU utilization, in percent, that auto scaling keeps."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 10 and 90."
  }
}

variable "requests_per_target" {
  description = "Target tracking: ALB requests per task per minute (ALBRequestCountPerTarget) that auto scaling keeps."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_target >= 1
    error_message = "requests_per_target must be at least 1."
  }
}

variable "vpc_id" {
  description = "VPC of the subnets (target group and security groups)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (with NAT egress) the tasks run in, one per AZ."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) > 0 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "private_subnet_ids must be a non-empty list of subnet IDs."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets for the internet-facing load balancer (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for id in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "public_subnet_ids must list at least two subnet IDs (an ALB needs two AZs)."
  }
}

variable "app_security_group_ids" {
  description = "The network's app security groups the tasks join for their egress (the database and the ClickHouse endpoint admit these groups); the module adds its own group for ingress from the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.app_security_group_ids) > 0 && alltrue([for id in var.app_security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "app_security_group_ids must be a non-empty list of security group IDs."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener, in the service's region, covering the public host name (issued and validated outside this module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener: TLS 1.2 and 1.3 (or 1.3 only) with forward-secret ciphers only (ELBSecurityPolicy-TLS13-1-2-2021-06, -1-2-Res-2021-06, -1-3-2021-06, or their -PQ-2025-09 counterparts)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  # Elastic Load Balancing user guide, "Security policies for your Application Load Balancer": policies that
  # support only TLS 1.3, or TLS 1.3 and 1.2 with only TLS_* and ECDHE_* ciphers, provide forward secrecy. The
  # other TLS13-* policies are not acceptable: -1-0-/-1-1- accept TLS 1.0/1.1, and -Ext1/-Ext2 add non-FS ciphers.
  validation {
    condition = contains([
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
      "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    ], var.ssl_policy)
    error_message = "ssl_policy must be a TLS 1.2+ forward-secret policy: ELBSecurityPolicy-TLS13-1-2-2021-06, -1-2-Res-2021-06, -1-3-2021-06, -1-2-PQ-2025-09, -1-2-Res-PQ-2025-09 or -1-3-PQ-2025-09."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer (on in prod)."
  type        = bool
  default     = true
}

variable "waf_web_acl_arn" {
  description = "An existing regional WAFv2 web ACL to associate with the load balancer instead of the module's own (e.g. one managed by AWS Firewall Manager); null: the module's own, unless create_waf_web_acl is false."
  type        = string
  default     = null

  validation {
    condition     = var.waf_web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]+$", var.waf_web_acl_arn))
    error_message = "waf_web_acl_arn must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>) or null."
  }
}

variable "create_waf_web_acl" {
  description = "Create and associate the module's web ACL (AWS managed rules, per-IP rate limit, blocked paths, logs) when waf_web_acl_arn is null. false without waf_web_acl_arn leaves the load balancer without WAF: set it only knowingly."
  type        = bool
  default     = true
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests one client IP may make in any 5-minute window before the module's web ACL blocks it (WAF rate-based rule; AWS accepts 10 to 2,000,000,000)."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit_per_5_minutes >= 10 && var.waf_rate_limit_per_5_minutes <= 2000000000 && floor(var.waf_rate_limit_per_5_minutes) == var.waf_rate_limit_per_5_minutes
    error_message = "waf_rate_limit_per_5_minutes must be a whole number from 10 to 2000000000."
  }
}

variable "waf_blocked_path_prefixes" {
  description = "URI path prefixes the module's web ACL blocks from the internet (compared lower-case, after URL decoding)."
  type        = list(string)
  default     = ["/metrics"]

  validation {
    condition     = alltrue([for path in var.waf_blocked_path_prefixes : can(regex("^/[a-z0-9._~/-]+$", path))])
    error_message = "waf_blocked_path_prefixes must be lower-case absolute paths such as /metrics."
  }

  # waf.tf gives these rules the priorities 2 to 9 (the managed rule groups start at 10), and AWS WAF refuses two
  # rules of a web ACL with the same priority (WAFV2 API reference, Rule.Priority: "they must all be different").
  validation {
    condition     = length(var.waf_blocked_path_prefixes) <= 8 && length(distinct(var.waf_blocked_path_prefixes)) == length(var.waf_blocked_path_prefixes)
    error_message = "waf_blocked_path_prefixes takes at most 8 distinct prefixes (rule priorities 2-9; the managed rule groups start at 10)."
  }
}

variable "log_retention_days" {
  description = "Retention of the container log group, in days (a CloudWatch Logs retention value)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "access_log_retention_days" {
  description = "Days the load balancer access logs are kept in their bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
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
  description = "Target 5xx responses per alarm period above which the 5xx alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_5xx_count_threshold >= 1
    error_message = "alarm_5xx_count_threshold must be at least 1."
  }
}

variable "alarm_utilization_threshold_percent" {
  description = "Average service CPU or memory utilization, in percent, above which the CPU and memory alarms fire."
  type        = number
  default     = 85

  validation {
    condition     = var.alarm_utilization_threshold_percent > 0 && var.alarm_utilization_threshold_percent <= 100
    error_message = "alarm_utilization_threshold_percent must be in (0, 100]."
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

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
