#!/usr/bin/env bash
# The one prepared GPU job (docs/calibration.md, "CUDA: calibration and validation on an H200"):
#   1. rooflens calibrate --device cuda --quick   (the profile users would make)
#   2. measure_torch.py: every engine layer of Llama-3.1-8B, prefill and decode, timed with
#      PyTorch (cuBLAS, FlashAttention) from CUDA graphs, plus whole forward passes
#   3. rooflens calibrate --device cuda --full, time-budgeted
# Usage: run-on-gpu.sh OUTDIR   (ROOFLENS_BIN: the rooflens binary, default .gpu/rooflens with
# its non-system libraries in .gpu/lib). compare.py turns the results into the validation tables
# on any machine.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
out="${1:?usage: run-on-gpu.sh OUTDIR}"
mkdir -p "$out"
# A binary built elsewhere travels as .gpu/gpu-bundle.tar.xz (rooflens and lib/ with the
# libraries it needs beyond glibc and libstdc++); they are on the library path of rooflens only,
# so python3 and torch keep the machine's own.
bundle="$root/.gpu/gpu-bundle.tar.xz"
if [ -z "${ROOFLENS_BIN:-}" ] && [ -f "$bundle" ]; then
  mkdir -p /tmp/rooflens-gpu && tar xJf "$bundle" -C /tmp/rooflens-gpu
  ROOFLENS_BIN=/tmp/rooflens-gpu/rooflens
fi
bin="${ROOFLENS_BIN:-$root/build/app/cli/rooflens}"
libs="$(dirname "$bin")/lib:/usr/local/cuda/lib64"
rl() { LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ROOFLENS_DATA_DIR="$root" "$bin" "$@"; }
log="$out/log.txt"
smi() {
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit,temperature.gpu,memory.used \
    --format=csv >>"$out/nvidia-smi.csv" 2>&1
}
step() { echo "== $* ($(date -u +%H:%M:%S))" | tee -a "$log"; }

smi
step "environment"
{ uname -a; nvidia-smi -L; rl --version; LD_LIBRARY_PATH="$libs" ldd "$bin" | grep -E "not found|dnnl|cuda" ; } >>"$log" 2>&1
step "calibrate --device cuda --quick"
timeout 120 env LD_LIBRARY_PATH="$libs" ROOFLENS_DATA_DIR="$root" "$bin" calibrate --device cuda --quick --out "$out/h200-cuda-quick.json" >>"$log" 2>&1
echo "exit $?" >>"$log"
smi
step "measure_torch.py"
PYTHONUNBUFFERED=1 timeout 230 python3 "$here/measure_torch.py" \
  --config "$root/tests/data/cuda-h200/llama-3.1-8b.config.json" --out "$out/torch-llama-3.1-8b.json" \
  --time-limit 170 ${MEASURE_ARGS:-} >>"$log" 2>&1
echo "exit $?" >>"$log"
smi
step "fmaFp16Kernel SASS (HFMA2 issue rate check)"
{ cuobjdump --dump-sass "$bin" 2>/dev/null | awk '/Function : .*fmaFp16/{f=1} f&&/Function : /&&!/fmaFp16/{f=0} f' \
    | grep -o -E "HFMA2(\.[A-Z0-9]+)*" | sort | uniq -c; } >>"$log" 2>&1
step "calibrate --device cuda --full --time-budget 90"
timeout 150 env LD_LIBRARY_PATH="$libs" ROOFLENS_DATA_DIR="$root" "$bin" calibrate --device cuda --full --time-budget 90 \
  --out "$out/h200-cuda-full.json" >>"$log" 2>&1
echo "exit $?" >>"$log"
smi
step "done"
tail -c 6000 "$log"
