# The internet-facing Application Load Balancer: HTTPS only (HTTP answers with a redirect), one target group of
# the tasks' IPs, access logs to an encrypted bucket. Security groups: the internet reaches the load balancer on
# 80 and 443; the load balancer reaches the tasks on the container port; nothing else reaches the tasks.

locals {
  access_log_bucket = "${var.name}-alb-logs-${local.account_id}"
  access_log_prefix = "alb"
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "${var.name} load balancer: HTTP and HTTPS from the internet, the container port to the tasks"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

# The only ingress from the internet in the platform (test/lib/iac-policy-rules.ts allows it for 80 and 443 on the
# group of an internet-facing load balancer, nowhere else).
resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# Answered with a redirect to HTTPS only.
resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  #checkov:skip=CKV_AWS_260:port 80 of an internet-facing load balancer is open by design: its only listener answers with a redirect to HTTPS
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet (redirected to HTTPS)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "The container port of the tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.tasks.id
}

# The tasks' own group only admits the load balancer. Their egress (PostgreSQL, ClickHouse, HTTPS) comes from
# the network module's app group in app_security_group_ids, which the database and the ClickHouse endpoint admit.
resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "${var.name} tasks: the container port from the load balancer only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-tasks" })
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "The container port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150:deletion protection is var.deletion_protection, set per environment: on by default and in prod (test/live-tree.test.ts holds prod to it), off in dev, which is torn down and rebuilt
  #checkov:skip=CKV2_AWS_76:waf.tf's web ACL has AWSManagedRulesKnownBadInputsRuleSet (the Log4j rules); this check also demands AWSManagedRulesAnonymousIpList, which blocks VPN users and cloud-hosted API clients of an auth service
  # WAF: waf.tf associates a web ACL with it (the module's own by default).
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60

  access_logs {
    bucket  = aws_s3_bucket.access_logs.id
    prefix  = local.access_log_prefix
    enabled = true
  }

  tags = var.tags

  # Elastic Load Balancing checks at create time that it may write to the bucket.
  depends_on = [aws_s3_bucket_policy.access_logs]
}

resource "aws_lb_target_group" "this" {
  # A prefix, not a fixed name: create_before_destroy creates the replacement while the old group still holds
  # its name, and target group names are unique per region and account. The provider allows 6 characters here
  # (internal/service/elbv2/target_group.go, name_prefix) and appends a unique suffix.
  name_prefix = substr(var.name, 0, 6)
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.port
  vpc_id      = var.vpc_id
  # Seconds a stopping task keeps its in-flight requests before ECS sends SIGTERM; below stopTimeout.
  deregistration_delay = tostring(var.deregistration_delay_seconds)

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = var.health_check_path
    port                = "traffic-port"
    matcher             = "200"
    interval            = var.health_check_interval_seconds
    timeout             = var.health_check_timeout_seconds
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

################################################################################
# Access-log bucket. Elastic Load Balancing delivers access logs only to a bucket encrypted with SSE-S3
# (Elastic Load Balancing user guide, "Enable access logs": SSE-KMS is not supported), so this bucket uses AES256.
################################################################################

# The Elastic Load Balancing account of this region, for regions older than August 2022 (eu-west-1 is one).
data "aws_elb_service_account" "this" {}

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing delivers access logs only to a bucket encrypted with SSE-S3 (AES256), not SSE-KMS (see above)
  #checkov:skip=CKV_AWS_18:access-log target bucket: logging its own access would need yet another bucket
  #checkov:skip=CKV2_AWS_62:access-log target bucket: nothing consumes object events
  #checkov:skip=CKV_AWS_144:access-log target bucket: the logs stay in the region of the load balancer they describe
  bucket        = local.access_log_bucket
  force_destroy = !var.deletion_protection

  tags = merge(var.tags, { Name = local.access_log_bucket })
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "ElbAccountWritesAccessLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/${local.access_log_prefix}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.this.arn]
    }
  }

  # Regions opened since August 2022 deliver as this service principal instead.
  statement {
    sid       = "ElbLogDeliveryWritesAccessLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/${local.access_log_prefix}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
