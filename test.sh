#!/usr/bin/env bash
# Runs every test: unit tests, store tests on H2 and PostgreSQL, end-to-end tests with real
# agent processes. Needs PostgreSQL on 127.0.0.1:5432 (trust auth, database "test");
# without it the PostgreSQL variants are skipped (under CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-env.sh
exec ./mvnw -B verify "$@"
