#!/usr/bin/env bash
# Check xcnn on a CUDA machine in one go: the test suite on CuPy and PyTorch CUDA,
# then `xcnn bench` on CuPy against PyTorch (cuDNN, TF32 off) on the same GPU.
#
# Usage: scripts/gpu-check.sh [OUTDIR]      (run from the repository root)
# Wheels for packages the machine lacks (array-api-compat, array-api-strict)
# may sit in .whl/; they are installed into /tmp/site first.
# Time limits per step: TEST_TIMEOUT, BENCH_TIMEOUT, TORCH_BENCH_TIMEOUT (seconds).
set -u
out=${1:-${OUT:-gpu-results}}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step install
if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=/tmp/site
fi
if ! python3 -m pip install -q --no-index --no-deps --no-build-isolation -e . >"$out/install.log" 2>&1; then
    echo "editable install failed (see install.log); running from the source tree"
    export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/env.txt"
python3 -m xcnn info 2>&1 | tee -a "$out/env.txt"

step smoke
python3 - <<'PY'
import array_api_compat, numpy as np, cupy, torch, xcnn
from xcnn import functional as F
rng = np.random.default_rng(0)
x, w, b = rng.standard_normal((2, 9, 9, 3)), rng.standard_normal((3, 3, 3, 4)), rng.standard_normal(4)
ref = F.conv2d(x, w, b, stride=2, padding=1)
for name, dev in (("cupy", "cuda:0"), ("torch", "cuda:0")):
    with xcnn.use_backend(name, dev):
        out = F.conv2d(*(xcnn.asarray(a) for a in (x, w, b)), stride=2, padding=1)
        print(name, type(out).__module__, array_api_compat.device(out),
              "max |diff| vs NumPy:", float(np.abs(xcnn.to_numpy(out) - ref).max()))
PY

step "bench: cupy vs PyTorch CUDA"
timeout "${BENCH_TIMEOUT:-140}" python3 -m xcnn bench --backend cupy --device cuda:0 --repeat 20 --warmup 3 --warmup-seconds 0.1 \
    --json "$out/bench-cupy.json" --markdown "$out/bench-cupy.md" >"$out/bench-cupy.txt"
echo "exit $?"

step "tests: cupy and torch on cuda:0"
# pytest-xdist spreads the tests over 8 processes where it is installed; pytest-benchmark's
# warning under xdist would be an error here (warnings are errors), so that plugin stays off.
parallel=$(python3 -c "import xdist" 2>/dev/null && echo "-n 8")
XCNN_TEST_BACKENDS=cupy,torch:cuda:0 timeout "${TEST_TIMEOUT:-170}" python3 -m pytest -q $parallel \
    -p no:cacheprovider -p no:benchmark \
    --ignore=tests/test_example_figures.py --ignore=tests/test_examples.py --tb=short -rfE \
    >"$out/pytest.log" 2>&1
echo "exit $?"
grep -E "^(FAILED|ERROR)" "$out/pytest.log" | cut -c1-300 | sort | uniq | head -60
tail -n 3 "$out/pytest.log"

step "dask: CuPy chunks (needs dask in .whl/ or installed; skipped with the reason otherwise)"
timeout 60 python3 -m pytest -q -p no:cacheprovider -p no:benchmark tests/test_dask.py -k cupy -rs \
    >"$out/pytest-dask.log" 2>&1
echo "exit $?"
tail -n 3 "$out/pytest-dask.log"

step "bench: torch CUDA backend vs PyTorch CUDA"
timeout "${TORCH_BENCH_TIMEOUT:-50}" python3 -m xcnn bench --backend torch --device cuda:0 --repeat 10 --warmup 3 --warmup-seconds 0.1 \
    --json "$out/bench-torch-cuda.json" --markdown "$out/bench-torch-cuda.md" >"$out/bench-torch-cuda.txt"
echo "exit $?"

step summary
grep -E "geometric mean|peak on|best convolution" "$out"/bench-*.md
