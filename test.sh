#!/usr/bin/env bash
# Runs every test: unit tests, store tests on H2 and PostgreSQL, end-to-end tests with real
# agent processes. Needs PostgreSQL on 127.0.0.1:5432 (trust auth, database "test");
# without it the PostgreSQL variants are skipped (under CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-env.sh
# testkit's CliLauncherTest and RpmPackageTest run cli/target/gururmm.jar, but cli (whose tests use
# testkit) comes after testkit in the reactor: package the CLI jar first.
./mvnw -B -q package -DskipTests -pl cli -am
exec ./mvnw -B verify "$@"
