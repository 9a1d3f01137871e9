# The environment's alarm topic (module alarm-topic): the app unit's CloudWatch alarms notify it. KMS-encrypted,
# and only CloudWatch alarms of this account may publish to it.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  name                = "auth-${local.env.env}-alarms"
  email_subscriptions = local.env.alarm_email_subscriptions
}
