# Identical in every environment: the unit is defined in _envcommon/alarms.hcl, settings come from env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/alarms.hcl"
}

terraform {
  source = "../../../../../modules//alarm-topic"
}
