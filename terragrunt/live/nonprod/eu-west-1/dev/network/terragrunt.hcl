# Identical in every environment: the unit is defined in _envcommon/network.hcl, sizing comes from env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/network.hcl"
}

terraform {
  source = "../../../../../modules//network"
}
