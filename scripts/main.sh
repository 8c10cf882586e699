#!/usr/bin/env bash
# The main job end to end on the embedded default (bundled data, offline
# models), creating or reusing .venv first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/lgir pipeline "$@"
