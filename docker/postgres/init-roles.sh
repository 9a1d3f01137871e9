#!/bin/sh
# Creates the least-privilege roles on the first start of the compose PostgreSQL (an empty data volume), and
# on every native start (scripts/lib/services/postgres.mjs runs this same script), mirroring the cloud: auth_owner owns the database and runs migrations, auth_app
# serves requests with DML only. User names and passwords come from the same URLs the app reads from .env
# (DATABASE_MIGRATION_URL and DATABASE_URL), so they are written in one place only.
# Local passwords must be URL-safe (no percent-encoding is decoded here).
set -eu

# postgres://user:password@host:port/db -> user / password / db
url_user() { printf '%s' "$1" | sed -E 's#^[a-z]+://([^:@/]+).*#\1#'; }
url_password() { printf '%s' "$1" | sed -E 's#^[a-z]+://[^:@/]+:([^@]*)@.*#\1#'; }
url_database() { printf '%s' "$1" | sed -E 's#^[^/]*//[^/]+/([^?]+).*#\1#'; }

: "${DATABASE_URL:?DATABASE_URL must be set (from .env)}"
: "${DATABASE_MIGRATION_URL:?DATABASE_MIGRATION_URL must be set (from .env)}"

owner_user=$(url_user "$DATABASE_MIGRATION_URL")
owner_password=$(url_password "$DATABASE_MIGRATION_URL")
app_user=$(url_user "$DATABASE_URL")
app_password=$(url_password "$DATABASE_URL")
database=$(url_database "$DATABASE_URL")

# psql variables (:"name" identifiers, :'name' literals) quote the values, so no SQL is built by hand.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner="$owner_user" -v owner_password="$owner_password" \
  -v app="$app_user" -v app_password="$app_password" -v database="$database" <<'SQL'
create role :"owner" login password :'owner_password';
create role :"app" login password :'app_password';
create database :"database" owner :"owner";
\connect :"database"
revoke all on database :"database" from public;
grant connect on database :"database" to :"app";
alter schema public owner to :"owner";
grant usage on schema public to :"app";
alter default privileges for role :"owner" in schema public grant select, insert, update, delete on tables to :"app";
alter default privileges for role :"owner" in schema public grant usage, select on sequences to :"app";
SQL
