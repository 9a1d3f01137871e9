# The AWS side of ClickHouse Cloud PrivateLink. It has no enable toggle: the caller (clickhouse-cloud)
# decides with `count` on the module call, so the endpoint is never half-configured.

resource "aws_vpc_endpoint" "this" {
  vpc_id             = var.vpc_id
  service_name       = var.endpoint_service_id
  vpc_endpoint_type  = "Interface"
  subnet_ids         = var.subnet_ids
  security_group_ids = var.security_group_ids

  # ClickHouse's guide creates the endpoint with private DNS off and points the service's private hostname
  # at the endpoint with our own DNS (below); private DNS names on the endpoint break other services later.
  private_dns_enabled = false

  tags = merge(var.tags, { Name = var.name })
}

# A zone for exactly this hostname, so no other *.clickhouse.cloud name is shadowed inside the VPC.
resource "aws_route53_zone" "this" {
  count = var.route53_zone_id == null ? 1 : 0

  name    = var.private_dns_hostname
  comment = "Private DNS for ClickHouse Cloud service ${var.name} through PrivateLink"

  vpc {
    vpc_id = var.vpc_id
  }

  tags = var.tags
}

locals {
  zone_id = var.route53_zone_id == null ? aws_route53_zone.this[0].zone_id : var.route53_zone_id
}

resource "aws_route53_record" "this" {
  zone_id = local.zone_id
  name    = var.private_dns_hostname
  type    = "A"

  # The first dns_entry is the endpoint's regional name, which spans every AZ it is in.
  alias {
    name                   = aws_vpc_endpoint.this.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.this.dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}
