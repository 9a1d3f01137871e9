mock_provider "aws" {
  # Computed attributes (ARNs) get the mocked values already at plan time, so plan runs can assert on them.
  override_during = plan

  # mock_provider cannot render policy JSON; the provider still validates it, so return a valid empty
  # document and assert on the data source's statement arguments instead.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/x-AbCdEf" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666" }
  }
}

variables {
  name_prefix      = "auth/dev"
  reader_role_arns = ["arn:aws:iam::111122223333:role/auth-dev-apprunner-instance"]
  writer_role_arns = ["arn:aws:iam::111122223333:role/auth-dev-secret-writer"]
  admin_role_arns  = ["arn:aws:iam::111122223333:role/break-glass"]
  tags             = { Environment = "dev" }
}

run "secrets_are_containers_encrypted_with_the_cmk" {
  command = plan

  assert {
    condition     = toset(keys(aws_secretsmanager_secret.this)) == toset(["jwt-signing-keys", "database", "database-migration", "clickhouse", "clickhouse-admin"])
    error_message = "The module must create exactly the app secrets."
  }

  assert {
    condition     = aws_secretsmanager_secret.this["database"].name == "auth/dev/database" && aws_secretsmanager_secret.this["jwt-signing-keys"].name == "auth/dev/jwt-signing-keys" && aws_secretsmanager_secret.this["clickhouse"].name == "auth/dev/clickhouse" && aws_secretsmanager_secret.this["database-migration"].name == "auth/dev/database-migration"
    error_message = "Secret names must be <name_prefix>/<secret>."
  }

  assert {
    condition     = alltrue([for s in aws_secretsmanager_secret.this : s.kms_key_id == aws_kms_key.this.arn && s.recovery_window_in_days == 30])
    error_message = "Every secret must use the customer-managed key and the default 30-day recovery window."
  }

  assert {
    condition     = length(aws_secretsmanager_secret_version.this) == 0
    error_message = "Without secret_value_versions Terraform must not write any secret value."
  }

  assert {
    condition     = aws_secretsmanager_secret.this["database"].tags["Environment"] == "dev"
    error_message = "Tags must be merged from var.tags."
  }
}

run "kms_key_rotates_and_limits_decrypt" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true && aws_kms_key.this.deletion_window_in_days == 30
    error_message = "The key must rotate and keep the 30-day deletion window by default."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.key.statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:root"]) && !contains(data.aws_iam_policy_document.key.statement[0].actions, "kms:Decrypt") && !contains(data.aws_iam_policy_document.key.statement[0].actions, "kms:*")
    error_message = "The account root administers the key but must not be granted decrypt or kms:*."
  }

  assert {
    condition     = data.aws_iam_policy_document.key.statement[1].actions == toset(["kms:Decrypt"]) && one(data.aws_iam_policy_document.key.statement[1].principals).identifiers == toset(["arn:aws:iam::111122223333:root"])
    error_message = "Decrypt is granted through the account principal, narrowed by conditions below."
  }

  assert {
    condition     = toset(one([for c in data.aws_iam_policy_document.key.statement[1].condition : c if c.variable == "aws:PrincipalArn" && c.test == "StringEquals"]).values) == toset(["arn:aws:iam::111122223333:role/auth-dev-apprunner-instance", "arn:aws:iam::111122223333:role/break-glass"])
    error_message = "Only the reader and admin roles may decrypt."
  }

  assert {
    condition     = toset(one([for c in data.aws_iam_policy_document.key.statement[1].condition : c if c.variable == "kms:ViaService" && c.test == "StringEquals"]).values) == toset(["secretsmanager.eu-west-1.amazonaws.com"])
    error_message = "Decrypt must be limited to calls through Secrets Manager in this region."
  }

  assert {
    condition     = data.aws_iam_policy_document.key.statement[2].actions == toset(["kms:GenerateDataKey"]) && toset(one([for c in data.aws_iam_policy_document.key.statement[2].condition : c if c.variable == "aws:PrincipalArn"]).values) == toset(["arn:aws:iam::111122223333:role/auth-dev-secret-writer"])
    error_message = "Writers get only kms:GenerateDataKey through Secrets Manager (all PutSecretValue needs: Secrets Manager User Guide, \"Secret encryption and decryption\"), never kms:Decrypt."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.key.statement) == 3
    error_message = "The key policy must have exactly the admin, decrypt and writer statements."
  }
}

run "secret_policies_allow_readers_and_deny_everyone_else" {
  command = plan

  assert {
    condition     = alltrue([for p in aws_secretsmanager_secret_policy.this : p.block_public_policy == true])
    error_message = "Secret policies must block public policies."
  }

  assert {
    condition     = alltrue([for name, d in data.aws_iam_policy_document.secret : d.statement[0].effect == "Allow" && d.statement[0].actions == toset(["secretsmanager:GetSecretValue"]) && one(d.statement[0].condition).variable == "aws:PrincipalArn" && one(d.statement[0].condition).test == "StringEquals" && toset(one(d.statement[0].condition).values) == toset(["arn:aws:iam::111122223333:role/auth-dev-apprunner-instance"]) if name != "clickhouse-admin"])
    error_message = "Each app secret allows GetSecretValue to the reader roles only."
  }

  assert {
    condition     = alltrue([for name, d in data.aws_iam_policy_document.secret : d.statement[1].effect == "Deny" && one(d.statement[1].condition).test == "StringNotEquals" && one(d.statement[1].condition).variable == "aws:PrincipalArn" && toset(one(d.statement[1].condition).values) == toset(["arn:aws:iam::111122223333:role/auth-dev-apprunner-instance", "arn:aws:iam::111122223333:role/break-glass"]) if name != "clickhouse-admin"])
    error_message = "Each app secret denies GetSecretValue to every principal that is not a reader or admin: writers are write-only."
  }

  assert {
    condition     = alltrue([for name, d in data.aws_iam_policy_document.secret : d.statement[0].resources == toset([aws_secretsmanager_secret.this[name].arn])])
    error_message = "Secret policies must name their own secret, not \"*\"."
  }
}

run "clickhouse_admin_is_for_operators_only" {
  command = plan

  # Every mocked secret shares one ARN; give the admin secret its own to tell it apart from the app's.
  override_resource {
    target          = aws_secretsmanager_secret.this["clickhouse-admin"]
    override_during = plan
    values          = { arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/clickhouse-admin-AbCdEf" }
  }

  assert {
    condition     = aws_secretsmanager_secret.this["clickhouse-admin"].name == "auth/dev/clickhouse-admin" && aws_secretsmanager_secret.this["clickhouse-admin"].kms_key_id == aws_kms_key.this.arn
    error_message = "The admin secret is <name_prefix>/clickhouse-admin, encrypted with the module's key."
  }

  assert {
    condition     = data.aws_iam_policy_document.secret["clickhouse-admin"].statement[0].effect == "Allow" && toset(one(data.aws_iam_policy_document.secret["clickhouse-admin"].statement[0].condition).values) == toset(["arn:aws:iam::111122223333:role/break-glass"])
    error_message = "Only the admin roles may read the ClickHouse admin secret (writers are write-only)."
  }

  assert {
    condition     = data.aws_iam_policy_document.secret["clickhouse-admin"].statement[1].effect == "Deny" && one(data.aws_iam_policy_document.secret["clickhouse-admin"].statement[1].condition).test == "StringNotEquals" && !contains(one(data.aws_iam_policy_document.secret["clickhouse-admin"].statement[1].condition).values, "arn:aws:iam::111122223333:role/auth-dev-apprunner-instance")
    error_message = "The app's reader role must meet the explicit deny on the ClickHouse admin secret."
  }

  assert {
    condition     = length([for reference in values(output.runtime_environment_secrets) : reference if strcontains(reference, aws_secretsmanager_secret.this["clickhouse-admin"].arn)]) == 0
    error_message = "The app must not be given the ClickHouse admin secret."
  }
}

run "clickhouse_admin_without_operators_is_denied_to_everyone" {
  command = plan

  variables {
    admin_role_arns = []
  }

  assert {
    condition     = length(data.aws_iam_policy_document.secret["clickhouse-admin"].statement) == 1 && data.aws_iam_policy_document.secret["clickhouse-admin"].statement[0].effect == "Deny" && length(data.aws_iam_policy_document.secret["clickhouse-admin"].statement[0].condition) == 0
    error_message = "With no admin role, the admin secret is denied to every principal, the app and the writers included."
  }
}

run "runtime_secret_references_use_json_keys" {
  command = plan

  assert {
    condition     = output.runtime_environment_secrets["DATABASE_URL"] == "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/x-AbCdEf:url::" && output.runtime_environment_secrets["CLICKHOUSE_PASSWORD"] == "arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth/dev/x-AbCdEf:password::"
    error_message = "DATABASE_URL and CLICKHOUSE_PASSWORD must reference the url and password JSON keys."
  }

  assert {
    condition     = output.runtime_environment_secrets["DATABASE_MIGRATION_URL"] == "${aws_secretsmanager_secret.this["database-migration"].arn}:url::"
    error_message = "DATABASE_MIGRATION_URL must reference the url JSON key of the database-migration secret."
  }

  assert {
    condition     = output.runtime_environment_secrets["CLICKHOUSE_USER"] == "${aws_secretsmanager_secret.this["clickhouse"].arn}:username::"
    error_message = "CLICKHOUSE_USER must come from the username key of the clickhouse secret, so user and password switch together."
  }

  assert {
    condition     = toset(one([for c in data.aws_iam_policy_document.secret["database-migration"].statement[0].condition : c if c.variable == "aws:PrincipalArn"]).values) == toset(["arn:aws:iam::111122223333:role/auth-dev-apprunner-instance"])
    error_message = "The app's reader roles must be able to read the migration secret (the app migrates at start-up)."
  }

  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"
    error_message = "kms_key_arn must expose the key ARN."
  }
}

run "write_only_value_only_when_supplied" {
  command = plan

  variables {
    secret_value_versions = { "jwt-signing-keys" = 2 }
    secret_values_wo      = { "jwt-signing-keys" = "{\"keys\":[]}" }
  }

  assert {
    condition     = keys(aws_secretsmanager_secret_version.this) == ["jwt-signing-keys"] && aws_secretsmanager_secret_version.this["jwt-signing-keys"].secret_string_wo_version == 2
    error_message = "A version is written only for the secret the caller supplies, through secret_string_wo."
  }

  assert {
    condition     = aws_secretsmanager_secret_version.this["jwt-signing-keys"].secret_string == null
    error_message = "The value must never go through secret_string (it would be stored in state)."
  }
}

run "no_writers_means_no_encrypt_statement" {
  command = plan

  variables {
    writer_role_arns = []
  }

  assert {
    condition     = length(data.aws_iam_policy_document.key.statement) == 2
    error_message = "Without writers, nobody may encrypt with the key."
  }
}

run "rejects_bad_name_prefix" {
  command = plan
  variables {
    name_prefix = "/auth/dev/"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_empty_readers" {
  command = plan
  variables {
    reader_role_arns = []
  }
  expect_failures = [var.reader_role_arns]
}

run "rejects_wildcard_reader" {
  command = plan
  variables {
    reader_role_arns = ["arn:aws:iam::111122223333:role/*"]
  }
  expect_failures = [var.reader_role_arns]
}

run "rejects_non_role_writer" {
  command = plan
  variables {
    writer_role_arns = ["arn:aws:iam::111122223333:user/alice"]
  }
  expect_failures = [var.writer_role_arns]
}

run "rejects_bad_admin" {
  command = plan
  variables {
    admin_role_arns = ["arn:aws:iam::111122223333:root"]
  }
  expect_failures = [var.admin_role_arns]
}

run "rejects_recovery_window_out_of_range" {
  command = plan
  variables {
    recovery_window_in_days = 3
  }
  expect_failures = [var.recovery_window_in_days]
}

run "rejects_kms_deletion_window_out_of_range" {
  command = plan
  variables {
    kms_deletion_window_in_days = 45
  }
  expect_failures = [var.kms_deletion_window_in_days]
}

run "rejects_unknown_secret_value_key" {
  command = plan
  variables {
    secret_value_versions = { "redis" = 1 }
  }
  expect_failures = [var.secret_value_versions]
}

run "rejects_secret_value_version_below_one" {
  command = plan
  variables {
    secret_value_versions = { "database" = 0 }
  }
  expect_failures = [var.secret_value_versions]
}

run "rejects_version_without_value" {
  command = plan
  variables {
    secret_value_versions = { "database" = 1 }
  }
  expect_failures = [var.secret_values_wo]
}
