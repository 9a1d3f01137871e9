variable "name_prefix" {
  description = "Prefix of the role names, e.g. `auth-nonprod-github` gives auth-nonprod-github-plan and auth-nonprod-github-deploy-<env>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 1-40 characters valid in an IAM role name."
  }
}

variable "create_oidc_provider" {
  description = "Create the token.actions.githubusercontent.com OIDC provider. Set false when the account already has one and pass oidc_provider_arn (one provider per URL per account)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider; required when create_oidc_provider is false."
  type        = string
  default     = null

  validation {
    condition     = var.create_oidc_provider ? var.oidc_provider_arn == null : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "Pass oidc_provider_arn (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com) exactly when create_oidc_provider is false."
  }
}

variable "oidc_thumbprints" {
  description = "Optional thumbprints of the provider's certificate. AWS validates GitHub's token signing through its own trust store, so provider 5.x no longer requires them; empty lets AWS manage them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.oidc_thumbprints : can(regex("^[0-9a-fA-F]{40}$", t))])
    error_message = "oidc_thumbprints entries must be 40-character hex SHA-1 thumbprints."
  }
}

variable "github_owner" {
  description = "GitHub organisation or user that owns the repository, e.g. `acme`. No wildcards."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9](-?[A-Za-z0-9])*$", var.github_owner)) && length(var.github_owner) <= 39
    error_message = "github_owner must be a GitHub owner name (letters, digits, single hyphens; no wildcards)."
  }
}

variable "github_repository" {
  description = "Repository name without the owner, e.g. `auth-platform`. No wildcards."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repository)) && !contains([".", ".."], var.github_repository)
    error_message = "github_repository must be a repository name of letters, digits, '.', '_' and '-' (no '*', '?' or '/')."
  }
}

variable "subject_format" {
  description = "Form of the `sub` claim to trust: `repo` (repo:<owner>/<repo>:...), `ids` (immutable IDs, repo:<owner>@<owner_id>/<repo>@<repo_id>:..., the default for repositories created since GitHub's 2026 change), or `both` while migrating a repository between the two."
  type        = string
  default     = "repo"

  validation {
    condition     = contains(["repo", "ids", "both"], var.subject_format)
    error_message = "subject_format must be repo, ids or both."
  }
}

variable "github_owner_id" {
  description = "Immutable numeric ID of the owner (the `repository_owner_id` claim); required for subject_format ids/both."
  type        = string
  default     = null

  validation {
    condition     = var.subject_format == "repo" ? var.github_owner_id == null || can(regex("^[0-9]+$", var.github_owner_id)) : can(regex("^[0-9]+$", var.github_owner_id))
    error_message = "github_owner_id must be a numeric ID, and is required when subject_format is ids or both."
  }
}

variable "github_repository_id" {
  description = "Immutable numeric ID of the repository (the `repository_id` claim); required for subject_format ids/both."
  type        = string
  default     = null

  validation {
    condition     = var.subject_format == "repo" ? var.github_repository_id == null || can(regex("^[0-9]+$", var.github_repository_id)) : can(regex("^[0-9]+$", var.github_repository_id))
    error_message = "github_repository_id must be a numeric ID, and is required when subject_format is ids or both."
  }
}

variable "deploy_environments" {
  description = "GitHub environments that may deploy into this account, each with the App Runner service its deploy role may update, e.g. { dev = { apprunner_service_name = \"auth-dev\" } }; the same name is the ECS cluster and service of ecs-fargate-service. One role per environment."
  type = map(object({
    apprunner_service_name = string
  }))

  validation {
    condition     = alltrue([for env in keys(var.deploy_environments) : can(regex("^[A-Za-z0-9_-]{1,40}$", env))])
    error_message = "Environment names must be 1-40 characters of letters, digits, _ and - (no wildcards)."
  }

  validation {
    condition     = alltrue([for env in values(var.deploy_environments) : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,31}$", env.apprunner_service_name))])
    error_message = "apprunner_service_name must be an App Runner service name (4-32 characters, no wildcards)."
  }
}

variable "infra_environments" {
  description = "Environments with an infrastructure role (`<name_prefix>-infra-<env>`, trusted only for the GitHub environment `<env>-infra`), each with the name prefix of the IAM roles, policies and instance profiles its units create, e.g. { dev = { iam_name_prefix = \"auth-dev\" } }."
  type = map(object({
    iam_name_prefix = string
  }))
  default = {}

  validation {
    condition     = alltrue([for env in keys(var.infra_environments) : can(regex("^[A-Za-z0-9_-]{1,40}$", env))])
    error_message = "Environment names must be 1-40 characters of letters, digits, _ and - (no wildcards)."
  }

  validation {
    condition     = alltrue([for env in values(var.infra_environments) : can(regex("^[A-Za-z0-9][A-Za-z0-9+=,.@_-]{2,40}$", env.iam_name_prefix))])
    error_message = "iam_name_prefix must be 3-41 characters valid in an IAM name (no wildcards)."
  }
}

variable "infra_policy_arns" {
  description = "Managed policies of the infra roles besides read_only_policy_arns: what applying every unit of an environment needs, except IAM (granted separately, scoped to iam_name_prefix)."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/PowerUserAccess"]

  validation {
    condition     = alltrue([for arn in var.infra_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", arn))])
    error_message = "infra_policy_arns must be IAM managed policy ARNs."
  }

  validation {
    condition     = !anytrue([for arn in var.infra_policy_arns : can(regex("(AdministratorAccess|IAMFullAccess)$", arn))])
    error_message = "infra_policy_arns must not include AdministratorAccess or IAMFullAccess: IAM rights are granted scoped to iam_name_prefix."
  }
}

variable "ecr_repository_arn" {
  description = "ECR repository the deploy roles push images to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*$", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR repository ARN without wildcards."
  }
}

variable "state_bucket_arn" {
  description = "ARN of the S3 bucket holding Terraform state (S3 backend with use_lockfile)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_arn))
    error_message = "state_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>) without a key or wildcard."
  }
}

variable "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN (not an alias)."
  }
}

variable "read_only_policy_arns" {
  description = "Managed policies that give the plan role (and the deploy roles, for refresh) read access to what Terraform reads."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

  validation {
    condition     = alltrue([for arn in var.read_only_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", arn))])
    error_message = "read_only_policy_arns must be IAM managed policy ARNs."
  }

  validation {
    condition     = !anytrue([for arn in var.read_only_policy_arns : can(regex("(AdministratorAccess|PowerUserAccess|IAMFullAccess)$", arn))])
    error_message = "read_only_policy_arns must not include administrator, power-user or IAM full access policies."
  }
}

variable "max_session_duration" {
  description = "Maximum session length of the roles in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200."
  }
}

variable "infra_max_session_duration" {
  description = "Maximum session length of the infra roles in seconds (3600-43200): at least the infra job's timeout, since infra.yml requests one session for the whole plan and apply (configure-aws-credentials role-duration-seconds)."
  type        = number
  default     = 7200

  validation {
    condition     = var.infra_max_session_duration >= 3600 && var.infra_max_session_duration <= 43200
    error_message = "infra_max_session_duration must be between 3600 and 43200."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
