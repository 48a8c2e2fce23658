#!/usr/bin/env bash
# Installs everything Connect needs on a fresh Debian machine with Node.js 20:
# the Debian packages (unixODBC and its headers, the SQLite3 and PostgreSQL ODBC drivers,
# a PostgreSQL server for the tests, PHP for the X-Cart module's tests, Chromium for the browser
# tests) and the npm packages from the lock file.
# Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for p in unixodbc unixodbc-dev libsqliteodbc odbc-postgresql postgresql php-cli chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm packages: reinstall when the lock file changed since the last install.
stamp=node_modules/.connect-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

# The compiled package that bin/ runs: tsc into dist/, only when the sources changed since the last
# build (dist/.source-hash; bin/ runs the sources through tsx while dist/ is not current).
node scripts/build-dist.mjs
