# Identical in every environment: the unit is defined in _envcommon/clickhouse.hcl, sizing comes from env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/clickhouse.hcl"
}

terraform {
  source = "../../../../../modules//clickhouse-cloud"
}
