#!/bin/sh
# Run once by the postgres image, when compose creates the database's volume
# (/docker-entrypoint-initdb.d). The migrations run as POSTGRES_USER, the tables' owner;
# the service logs in as {{ cookiecutter.package_name }}_app, a member of the role that
# migration 0006 grants data rights only (created here first, so the login can join it).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v role={{ cookiecutter.package_name }}_service \
  -v login={{ cookiecutter.package_name }}_app \
  -v password="$SERVICE_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I NOLOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', :'login', :'password', :'role') \gexec
SQL
