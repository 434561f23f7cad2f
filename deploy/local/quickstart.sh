#!/usr/bin/env bash
# The README's first command: set up what is missing, then run the demo — a real local
# Prometheus over a generated canary/stable dataset, and `metricgate run` judging a healthy and
# a broken canary with the same template.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/setup.sh
exec node dist/cli/main.js demo "$@"
