#!/bin/sh
# Score `codeanatomy callgraph --format pycg` on the PyCG micro-benchmark (119 cases with
# expected call graphs): precision, recall, exact/complete/sound cases per category.
#
#   bench/score_pycg.sh                 # one `codeanatomy` process per case (as a user runs it)
#   bench/score_pycg.sh --show-diff     # plus the false positive/negative edges
#   FAST=1 bench/score_pycg.sh          # in process (bench/pycg_adapter.py): seconds, not a minute
#
# SHARED defaults to ../shared next to this repository (score_callgraph.py, pycg_micro/).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$REPO/../shared}
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
if [ -n "${FAST:-}" ]; then
    exec "$PYTHON" "$SHARED/tools/score_callgraph.py" "$SHARED/pycg_micro" \
        --py "$REPO/bench/pycg_adapter.py:callgraph" "$@"
fi
exec "$PYTHON" "$SHARED/tools/score_callgraph.py" "$SHARED/pycg_micro" \
    --cmd "$REPO/.venv/bin/codeanatomy callgraph . --format pycg" "$@"
