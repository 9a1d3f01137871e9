# Security groups reference each other instead of CIDRs, so the database and the ClickHouse endpoint admit
# exactly the App Runner connector and nothing else in the VPC.

resource "aws_security_group" "connector" {
  #checkov:skip=CKV2_AWS_5:attached outside this module: the App Runner VPC connector (apprunner-service) takes it from this module's outputs
  name        = "${var.name}-apprunner-connector"
  description = "App Runner VPC connector: egress only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-apprunner-connector" })
}

# HTTPS to the internet through NAT (HIBP, AWS APIs without an endpoint) and to the interface endpoints.
resource "aws_vpc_security_group_egress_rule" "connector_https" {
  security_group_id = aws_security_group.connector.id
  description       = "HTTPS to AWS APIs and the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# ClickHouse Cloud over its public endpoint (non-prod, IP allow-listed to the NAT EIPs).
resource "aws_vpc_security_group_egress_rule" "connector_clickhouse_https" {
  security_group_id = aws_security_group.connector.id
  description       = "ClickHouse Cloud HTTPS interface"
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "connector_database" {
  security_group_id            = aws_security_group.connector.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "connector_clickhouse_native" {
  security_group_id            = aws_security_group.connector.id
  description                  = "ClickHouse native TLS through PrivateLink"
  ip_protocol                  = "tcp"
  from_port                    = 9440
  to_port                      = 9440
  referenced_security_group_id = aws_security_group.clickhouse_endpoint.id
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:attached outside this module: rds-postgres takes it from this module's outputs
  name        = "${var.name}-database"
  description = "PostgreSQL: ingress from the App Runner connector only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database_from_connector" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the App Runner connector"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.connector.id
}

resource "aws_security_group" "clickhouse_endpoint" {
  #checkov:skip=CKV2_AWS_5:attached outside this module: the ClickHouse PrivateLink endpoint (clickhouse-privatelink) takes it from this module's outputs
  name        = "${var.name}-clickhouse-endpoint"
  description = "ClickHouse PrivateLink endpoint: ingress from the App Runner connector only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-clickhouse-endpoint" })
}

resource "aws_vpc_security_group_ingress_rule" "clickhouse_from_connector" {
  for_each = { https = 8443, native = 9440 }

  security_group_id            = aws_security_group.clickhouse_endpoint.id
  description                  = "ClickHouse ${each.key} from the App Runner connector"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = aws_security_group.connector.id
}

resource "aws_security_group" "vpc_endpoints" {
  name        = "${var.name}-vpc-endpoints"
  description = "Interface VPC endpoints: HTTPS from the App Runner connector only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-vpc-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "vpc_endpoints_from_connector" {
  security_group_id            = aws_security_group.vpc_endpoints.id
  description                  = "HTTPS from the App Runner connector"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.connector.id
}
