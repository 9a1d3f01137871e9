# AWS WAF in front of the load balancer. The internet reaches an auth API here (credential stuffing, scanners,
# floods), so a web ACL is associated by default: the module's own (AWS managed rule groups, a per-IP rate limit,
# the internal paths blocked, logs to an encrypted log group) unless waf_web_acl_arn names an existing one (e.g. a
# Firewall Manager ACL). Turning WAF off takes an explicit create_waf_web_acl = false without an ARN.

locals {
  create_waf        = var.waf_web_acl_arn == null && var.create_waf_web_acl
  waf_web_acl       = var.waf_web_acl_arn != null ? var.waf_web_acl_arn : (local.create_waf ? aws_wafv2_web_acl.this[0].arn : null)
  waf_log_group     = "aws-waf-logs-${var.name}" # WAF logs only to groups named aws-waf-logs-* (AWS WAF developer guide, "CloudWatch Logs")
  waf_log_arn       = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.waf_log_group}"
  waf_metric_prefix = replace(var.name, "-", "")
}

resource "aws_wafv2_web_acl" "this" {
  count = local.create_waf ? 1 : 0

  name        = var.name
  description = "${var.name} load balancer: AWS managed rules, per-IP rate limit, internal paths blocked"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  # A flood guard per client address; the app's own limits (RATE_LIMIT_PER_MINUTE, lockout) stay the fine-grained ones.
  rule {
    name     = "rate-limit-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit_per_5_minutes
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric_prefix}RateLimitPerIp"
      sampled_requests_enabled   = true
    }
  }

  # Paths that are not for the internet (PLATFORM_CONTRACT.md open question 6: /metrics).
  dynamic "rule" {
    for_each = { for index, path in var.waf_blocked_path_prefixes : path => index }

    content {
      name     = "block-path-${rule.value}"
      priority = 2 + rule.value

      action {
        block {}
      }

      statement {
        byte_match_statement {
          search_string         = rule.key
          positional_constraint = "STARTS_WITH"

          field_to_match {
            uri_path {}
          }

          # /METRICS and /%6detrics reach the same route as /metrics.
          text_transformation {
            priority = 0
            type     = "URL_DECODE"
          }
          text_transformation {
            priority = 1
            type     = "LOWERCASE"
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.waf_metric_prefix}BlockPath${rule.value}"
        sampled_requests_enabled   = true
      }
    }
  }

  # AWS managed rule groups (AWS WAF developer guide, "AWS Managed Rules rule groups list"), written out rather
  # than looped so that checkov sees the known-bad-inputs group (Log4JRCE: CKV_AWS_192, CKV2_AWS_76).
  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric_prefix}AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric_prefix}AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # The common rule set's NoUserAgent_HEADER only counts: API clients (JWKS fetchers, token refreshers) may send
  # no User-Agent, and blocking them would be an outage, not a defence.
  # Its rules that match text in the request body only count too. The bodies here are JSON credentials: the
  # password of POST /v1/users, /v1/sessions and /v1/me/password may hold any printable character (OWASP ASVS
  # 4.0.3 V2.1.4), so "<script>", "../" or "http://10.0.0.1/" are valid passwords that CrossSiteScripting_BODY,
  # GenericLFI_BODY, GenericRFI_BODY and EC2MetaDataSSRF_BODY would block (AWS WAF developer guide, "Core rule set
  # (CRS) managed rule group"). The app renders no HTML and reads no file or URL from a body, so they would defend
  # nothing. SizeRestrictions_BODY (over 8 KB) still blocks.
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        rule_action_override {
          name = "NoUserAgent_HEADER"
          action_to_use {
            count {}
          }
        }
        rule_action_override {
          name = "CrossSiteScripting_BODY"
          action_to_use {
            count {}
          }
        }
        rule_action_override {
          name = "GenericLFI_BODY"
          action_to_use {
            count {}
          }
        }
        rule_action_override {
          name = "GenericRFI_BODY"
          action_to_use {
            count {}
          }
        }
        rule_action_override {
          name = "EC2MetaDataSSRF_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.waf_metric_prefix}AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.waf_metric_prefix}WebAcl"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "waf" {
  #checkov:skip=CKV_AWS_338:retention is var.log_retention_days, set per environment (default 30 days), as for the container logs
  count = local.create_waf ? 1 : 0

  name              = local.waf_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn

  tags = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.create_waf ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  # Bearer tokens and cookies never reach the logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  # Known at plan time (the created ACL's ARN is not): associate when an ARN is given or the module creates one.
  count = var.waf_web_acl_arn != null || local.create_waf ? 1 : 0

  resource_arn = aws_lb.this.arn
  web_acl_arn  = local.waf_web_acl
}
