output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (created here or passed in)."
  value       = local.oidc_provider_arn
}

output "plan_role_arn" {
  description = "ARN of the read-only plan role for pull requests (role-to-assume in plan.yml)."
  value       = aws_iam_role.plan.arn
}

output "plan_role_name" {
  description = "Name of the plan role."
  value       = aws_iam_role.plan.name
}

output "deploy_role_arns" {
  description = "ARNs of the deploy roles keyed by GitHub environment (role-to-assume in deploy.yml jobs with that environment)."
  value       = { for env, role in aws_iam_role.deploy : env => role.arn }
}

output "plan_subjects" {
  description = "Exact `sub` values the plan role trusts, e.g. repo:acme/auth-platform:pull_request."
  value       = local.plan_subjects
}

output "deploy_subjects" {
  description = "Exact `sub` values each deploy role trusts, keyed by environment, e.g. repo:acme/auth-platform:environment:prod."
  value       = local.deploy_subjects
}

output "audience" {
  description = "The `aud` value every role requires (configure-aws-credentials' default audience)."
  value       = local.audience
}

output "infra_role_arns" {
  description = "ARNs of the infra roles keyed by environment (role-to-assume in infra.yml jobs with the GitHub environment `<env>-infra`)."
  value       = { for env, role in aws_iam_role.infra : env => role.arn }
}

output "infra_subjects" {
  description = "Exact `sub` values each infra role trusts, keyed by environment, e.g. repo:acme/auth-platform:environment:prod-infra."
  value       = local.infra_subjects
}
