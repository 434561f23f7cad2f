#!/usr/bin/env bash
# Installs what metricgate's demo and test suite need on a Debian/Ubuntu machine, only where it
# is missing: the real Prometheus, promtool, Alertmanager and Redis binaries (tests start their
# own instances on free ports), then the npm dependencies (npm ci also builds dist/).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || missing+=(prometheus-alertmanager)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci            # also builds dist/ (the prepare script)
else
  npm run build     # keep dist/ in step with src/ after a pull
fi
