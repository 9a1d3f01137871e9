# Identical in every account: the unit is defined in _envcommon/github-oidc.hcl, account values come from account.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/github-oidc.hcl"
}

terraform {
  source = "../../../../modules//github-oidc"
}
