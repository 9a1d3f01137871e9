locals {
  image_identifier = "${var.repository_url}:${var.image_tag}"

  # The VPC connector's name changes with its inputs: "<name>-<7 hex of sha256(sorted subnets | sorted security
  # groups)>", at most 32 + 1 + 7 = 40 characters, the provider's limit (terraform-provider-aws v5.100.0
  # internal/service/apprunner/vpc_connector.go: validation.StringLenBetween(4, 40)) and within the API's pattern
  # [A-Za-z0-9][A-Za-z0-9\-_]{3,39} (App Runner API reference, CreateVpcConnector, VpcConnectorName).
  vpc_connector_name = "${var.name}-${substr(sha256("${join(",", sort(var.subnet_ids))}|${join(",", sort(var.security_group_ids))}"), 0, 7)}"
}

# subnets and security_groups force a new connector (ForceNew in terraform-provider-aws v5.100.0
# internal/service/apprunner/vpc_connector.go). App Runner refuses to delete one a service still uses, so the new one is
# created and attached first (create_before_destroy). That new connector needs a name of its own: "At this time, App
# Runner supports only one revision per name" (App Runner API reference, VpcConnector, VpcConnectorRevision), hence
# local.vpc_connector_name. App Runner also refuses a new connector whose security-group combination equals an
# existing connector's ("InvalidRequestException: The security groups combination provided in the request already
# exists on existing vpc connector", pulumi/pulumi-aws#5364), so a change of subnets alone cannot be made this way:
# see "Replacing the VPC connector" in README.md.
resource "aws_apprunner_vpc_connector" "this" {
  vpc_connector_name = local.vpc_connector_name
  subnets            = var.subnet_ids
  security_groups    = var.security_group_ids

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# min_size, max_size and max_concurrency force a new auto scaling configuration (ForceNew in terraform-provider-aws
# v5.100.0 internal/service/apprunner/auto_scaling_configuration_version.go); created first for the same reason. Here
# the name can stay: App Runner keeps several revisions per name (AutoScalingConfigurationRevision, "unique among all
# the active configurations that share the same AutoScalingConfigurationName", App Runner API reference).
resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = var.name
  min_size                        = var.min_size
  max_size                        = var.max_size
  max_concurrency                 = var.max_concurrency

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_apprunner_observability_configuration" "this" {
  observability_configuration_name = var.name

  trace_configuration {
    vendor = "AWSXRAY"
  }

  tags = var.tags
}

resource "aws_apprunner_service" "this" {
  service_name                   = var.name
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    # Deploys happen only when image_tag changes in Terraform, never on a push to the repository.
    auto_deployments_enabled = false

    authentication_configuration {
      access_role_arn = aws_iam_role.access.arn
    }

    image_repository {
      image_identifier      = local.image_identifier
      image_repository_type = "ECR"

      image_configuration {
        port                          = tostring(var.port)
        runtime_environment_variables = var.runtime_environment_variables
        runtime_environment_secrets   = var.runtime_environment_secrets
      }
    }
  }

  instance_configuration {
    cpu               = var.cpu
    memory            = var.memory
    instance_role_arn = aws_iam_role.instance.arn
  }

  health_check_configuration {
    protocol            = "HTTP"
    path                = var.health_check_path
    interval            = var.health_check_interval_seconds
    timeout             = var.health_check_timeout_seconds
    healthy_threshold   = var.health_check_healthy_threshold
    unhealthy_threshold = var.health_check_unhealthy_threshold
  }

  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.this.arn
    }

    ingress_configuration {
      is_publicly_accessible = var.is_publicly_accessible
    }
  }

  observability_configuration {
    observability_enabled           = var.xray_tracing_enabled
    observability_configuration_arn = var.xray_tracing_enabled ? aws_apprunner_observability_configuration.this.arn : null
  }

  dynamic "encryption_configuration" {
    for_each = var.encryption_kms_key_arn == null ? [] : [var.encryption_kms_key_arn]

    content {
      kms_key = encryption_configuration.value
    }
  }

  tags = var.tags

  # App Runner checks at create time that it can pull the image and read the secrets.
  depends_on = [aws_iam_role_policy.access, aws_iam_role_policy.instance]
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.web_acl_arn == null ? 0 : 1

  resource_arn = aws_apprunner_service.this.arn
  web_acl_arn  = var.web_acl_arn
}
