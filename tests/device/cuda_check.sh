#!/bin/bash
# The GPU check of issue #23, run from the repository root on a Linux x86-64 machine with an
# NVIDIA GPU, a compiler (g++ 13 on Ubuntu 24.04 was planned for), CMake, ninja and a Python
# whose torch has CUDA; no network. What Graft's non-GUI build needs beyond that travels in
# .device-deps/ (tests/device/prepare.sh fills it on a Debian 12 machine; the device tool carries
# it: carry [".device-deps"]). Within ~10 minutes on 16 cores it:
#   1. reports the machine (GPU, compiler, CMake, torch) and unpacks the dependencies;
#   2. runs tests/device/torch_reference_bench.py: PyTorch's fine-tuning images/s on the GPU;
#   3. configures Graft against the Python torch's LibTorch (-DGRAFT_BUILD_GUI=OFF), builds it
#      with every core;
#   4. runs the runtime and CLI tests (ctest -L): their default device, `auto`, is the GPU here,
#      and the CudaFidelity / DeviceTraining tests compare CUDA with the CPU (#23, point 7);
#   5. runs tests/bench/bench_train --device cuda: Graft and the same job in PyTorch side by side
#      (MobileNet a0.25 @128 and ResNet50 @224, fine-tuning, fp32 and bf16; #23, point 6), then
#      Graft alone with --cuda-graph: eager and with the training step captured as a CUDA graph.
# Every stage has a time limit and the next one runs even when one fails; the summary says what
# happened. Files: $OUT/ (the device tool's) or build-cuda/check-out/: summary.txt and one log per
# stage (at most 8 files, as the device tool brings back).
# Usage: tests/device/cuda_check.sh [--configure-only] [--no-bench]
# Environment: GRAFT_CHECK_BUDGET (seconds for everything, default 570), GRAFT_TORCH_PREFIX (a
# LibTorch's CMake prefix instead of python3's torch), GRAFT_CHECK_PYTHON (default python3),
# GRAFT_CUDA_BUILD (build folder, default build-cuda), GRAFT_DEVICE_PREFIX (default
# /tmp/graft-device-deps; must match the prefix prepare.sh wrote into the pkg-config files).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

configure_only=0
bench=1
for arg in "$@"; do
  case $arg in
    --configure-only) configure_only=1 ;;
    --no-bench) bench=0 ;;
    *) echo "usage: $0 [--configure-only] [--no-bench]" >&2; exit 2 ;;
  esac
done

budget=${GRAFT_CHECK_BUDGET:-570}
start=$SECONDS
out=${OUT:-$root/build-cuda/check-out}
mkdir -p "$out"
build=${GRAFT_CUDA_BUILD:-$root/build-cuda}
prefix=${GRAFT_DEVICE_PREFIX:-/tmp/graft-device-deps}
deps=$root/.device-deps/graft-device-deps.tar.xz
py=${GRAFT_CHECK_PYTHON:-python3}
jobs=$(nproc)
summary=$out/summary.txt
rm -f "$out"/*.log "$out"/*.json; : >"$summary"

note() { echo "$*" | tee -a "$summary"; }
left() { echo $((budget - (SECONDS - start))); }
# stage NAME CAP RESERVE LOG COMMAND...: runs COMMAND with a limit of CAP seconds, or less so
# that RESERVE seconds stay for the stages after it; appends to LOG; records the outcome.
declare -A status
stage() {
  local name=$1 cap=$2 reserve=$3 log=$4; shift 4
  local limit=$(($(left) - reserve))
  [ "$limit" -gt "$cap" ] && limit=$cap
  if [ "$limit" -lt 5 ]; then
    status[$name]="skipped (no time left)"; note "[$name] skipped: no time left"; return 1
  fi
  echo "== [$name] limit ${limit}s: $*" | tee -a "$log"
  local t0=$SECONDS
  # bash -c: COMMAND may be one of this script's functions (exported below).
  timeout -k 10 "$limit" bash -c '"$@"' "$name" "$@" >>"$log" 2>&1
  local rc=$?
  local took=$((SECONDS - t0))
  case $rc in
    0) status[$name]="ok (${took}s)" ;;
    124|137) status[$name]="TIMED OUT after ${took}s (limit ${limit}s)" ;;
    *) status[$name]="FAILED rc=$rc (${took}s)" ;;
  esac
  note "[$name] ${status[$name]}"
  return $rc
}

# --- 1. the machine -------------------------------------------------------------------------
env_log=$out/env.log
{
  echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -a)"
  grep PRETTY_NAME /etc/os-release 2>/dev/null
  echo "cores: $jobs"; free -g 2>/dev/null | head -2
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -4
  for tool in c++ g++ cmake ninja nvcc "$py"; do
    printf '%s: ' "$tool"; command -v "$tool" >/dev/null && { "$tool" --version 2>&1 | head -1; } || echo "not found"
  done
  git log -1 --format='graft: %h %s' 2>/dev/null
} >"$env_log" 2>&1
# CUDA's compiler is where the NVIDIA images put it; LibTorch's CMake files look for it.
for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do
  if [ -x "$d/nvcc" ] && ! command -v nvcc >/dev/null; then export PATH=$d:$PATH; fi
done
torch_info=$("$py" - <<'EOF' 2>>"$env_log"
import torch
print(torch.__version__, torch.version.cuda, torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")
print(torch.utils.cmake_prefix_path)
EOF
)
torch_prefix=${GRAFT_TORCH_PREFIX:-$(echo "$torch_info" | sed -n 2p)}
note "machine: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1), $jobs cores, $(grep -h PRETTY_NAME /etc/os-release 2>/dev/null | cut -d'"' -f2)"
note "compiler: $(c++ --version 2>/dev/null | head -1); $(cmake --version 2>/dev/null | head -1); ninja $(ninja --version 2>/dev/null)"
note "python torch: $(echo "$torch_info" | sed -n 1p) (version, CUDA, available, device)"
note "LibTorch prefix: ${torch_prefix:-none found}"
echo "torch: $torch_info" >>"$env_log"

# --- the dependencies -----------------------------------------------------------------------
unpack() {
  [ -f "$deps" ] || { echo "missing $deps: run tests/device/prepare.sh on Debian 12 and carry .device-deps"; return 1; }
  local sum; sum=$(sha256sum "$deps" | cut -d' ' -f1)
  if [ "$(cat "$prefix/.archive-sha256" 2>/dev/null)" = "$sum" ]; then
    echo "already unpacked in $prefix"
  else
    rm -rf "$prefix" && mkdir -p "$prefix" && tar -C "$prefix" -xJf "$deps" || return 1
    echo "$sum" >"$prefix/.archive-sha256"
  fi
  # Every carried library must load with the carried folder and this machine's glibc/libstdc++.
  local lib=$prefix/usr/lib/x86_64-linux-gnu bad=0 so
  for so in "$lib"/libopencv_{core,imgproc,imgcodecs,dnn}.so.406 "$lib"/libxml2.so.2 \
            "$lib"/libcurl.so.4 "$lib"/libhdf5_serial.so.103 "$lib"/libhdf5_serial_hl.so.100 \
            "$lib"/libonnx.so.1 "$lib"/libzip.so.4 "$lib"/libfmt.so.9 "$lib"/libcrypto.so.3; do
    if LD_LIBRARY_PATH=$lib ldd -r "$so" 2>&1 | grep -E 'not found|undefined symbol'; then
      echo "does not load: $so"; bad=1
    fi
  done
  [ "$bad" = 0 ] && echo "carried libraries load"
}
export root deps prefix py build torch_prefix
export -f unpack
stage deps 60 400 "$env_log" unpack
lib=$prefix/usr/lib/x86_64-linux-gnu

# --- 2. PyTorch's side of the benchmark (first: nothing else runs on the machine yet) ----------
bench_log=$out/bench.log
if [ "$bench" = 1 ] && [ "$configure_only" = 0 ]; then
  stage torch_bench 80 420 "$bench_log" env PYTHONUNBUFFERED=1 "$py" tests/device/torch_reference_bench.py \
    --seconds 3 --out "$out/torch_bench.json"
  grep -E '^(RESULT|SKIP)' "$bench_log" | sed 's/^/  /' | tee -a "$summary"
fi

# --- 3. configure and build -----------------------------------------------------------------
cfg_log=$out/configure.log
cudnn_args=""
cudnn_h=$(find "$("$py" -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)"/nvidia \
          -name cudnn.h 2>/dev/null | head -1)
if [ -n "$cudnn_h" ]; then
  cudnn_root=$(dirname "$(dirname "$cudnn_h")")
  cudnn_args="-DCUDNN_ROOT=$cudnn_root -DCUDNN_INCLUDE_DIR=$cudnn_root/include -DCUDNN_INCLUDE_PATH=$cudnn_root/include"
  cudnn_so=$(ls "$cudnn_root"/lib/libcudnn.so* 2>/dev/null | head -1)
  [ -n "$cudnn_so" ] && cudnn_args="$cudnn_args -DCUDNN_LIBRARY=$cudnn_so -DCUDNN_LIBRARY_PATH=$cudnn_so"
fi
link_flags="-Wl,--disable-new-dtags -Wl,-rpath,$lib -Wl,-rpath-link,$lib -L$lib"
configure() {
  # H100 and H200: sm_90; naming it spares LibTorch's CMake files a GPU detection run.
  TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0} \
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGRAFT_BUILD_GUI=OFF -DGRAFT_WERROR=OFF \
    -DCMAKE_PREFIX_PATH="$prefix/usr;$torch_prefix" \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
    -DPKG_CONFIG_EXECUTABLE="$prefix/usr/bin/pkg-config" \
    -DHDF5_ROOT="$lib/hdf5/serial" -DHDF5_PREFER_PARALLEL=OFF \
    -DGRAFT_TEST_PYTHON="$(command -v "$py")" \
    -DCMAKE_EXE_LINKER_FLAGS="$link_flags" -DCMAKE_SHARED_LINKER_FLAGS="$link_flags" \
    -DCMAKE_MODULE_LINKER_FLAGS="$link_flags" \
    $cudnn_args ${GRAFT_CHECK_CMAKE_ARGS:-} || return 1
  # Where each dependency was found: the carried ones must come from $prefix.
  echo "== found:"
  grep -E '^(nlohmann_json_DIR|HDF5_C_INCLUDE_DIR|HDF5_C_LIBRARY_hdf5|HDF5_HL_LIBRARY|fmt_DIR|CLI11_DIR|LibXml2_DIR|LIBXML2_LIBRARY|LIBXML2_INCLUDE_DIR|Torch_DIR|OpenCV_DIR|Protobuf_LIBRARY|Protobuf_INCLUDE_DIR|ONNX_DIR|CURL_LIBRARY|CURL_INCLUDE_DIR|OPENSSL_CRYPTO_LIBRARY|OPENSSL_INCLUDE_DIR|GTest_DIR|PKG_CONFIG_EXECUTABLE|pkgcfg_lib_LIBZIP_zip)[:=]' \
       "$build/CMakeCache.txt" | sed 's/^/   /'
}
export lib link_flags cudnn_args
export -f configure
stage configure 90 360 "$cfg_log" configure
grep -E 'Graft: LibTorch|CUDA' "$cfg_log" | grep -v '^==' | head -5 | sed 's/^/  /' | tee -a "$summary"

if [ "$configure_only" = 1 ]; then
  note "configure only: done in $((SECONDS - start))s"
  exit "$([ "${status[configure]}" != "${status[configure]#ok}" ] && echo 0 || echo 1)"
fi

build_log=$out/build.log
# Everything the non-GUI build has (libraries, graft-cli, the four test programs, benchmarks);
# -k 0 so one failing file does not stop the rest.
stage build 420 120 "$build_log" cmake --build "$build" -j "$jobs" -- -k 0
note "  compiler warnings: $(grep -c 'warning:' "$build_log") (GRAFT_WERROR is off here, see tests/device/README.md)"
grep -E 'error:|FAILED:' "$build_log" | head -5 | sed 's/^/  /' | tee -a "$summary"

# --- 4. tests on CUDA ------------------------------------------------------------------------
test_log=$out/ctest.log
for suite in graft_runtime_tests graft_cli_tests; do
  if [ -x "$build/tests/$suite" ]; then
    stage "$suite" 120 40 "$test_log" ctest --test-dir "$build" -L "^$suite\$" \
      -j "$jobs" --timeout 120 --output-on-failure --no-tests=error
    grep -E 'tests passed|tests failed|Total Test time' "$test_log" | tail -2 | sed "s/^/  $suite: /" | tee -a "$summary"
  else
    status[$suite]="not built"; note "[$suite] not built"
  fi
done
grep -E '^\s+[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)' "$test_log" | head -20 | sed 's/^/  /' | tee -a "$summary"

# --- 5. Graft's side of the benchmark ---------------------------------------------------------
if [ "$bench" = 1 ] && [ -x "$build/tests/bench_train" ]; then
  side_by_side() {
    for precision in fp32 bf16; do
      "$build/tests/bench_train" --device cuda --precision "$precision" --repeats 1 --passes 3 \
        --no-cache-job --job mobilenet128 --job resnet224 || return 1
    done
    "$build/tests/bench_train" --device cuda --repeats 1 --passes 3 --no-cache-job \
      --job latency224 || return 1
    # CUDA graph capture of the training step (opt-in, never run on a GPU before): Graft alone,
    # eager and captured back to back in one process per precision ("<job>+graph" rows), last,
    # so that a capture that breaks the process cannot cost the measurements above.
    for precision in fp32 bf16; do
      "$build/tests/bench_train" --device cuda --precision "$precision" --repeats 1 --passes 3 \
        --no-cache-job --graft-only --cuda-graph --job mobilenet128 --job resnet224 || return 1
    done
  }
  export -f side_by_side
  stage graft_bench 240 5 "$bench_log" side_by_side
  grep -iE 'images/s|ratio|graft|pytorch|graph' "$bench_log" | grep -v '^==' | tail -60 | sed 's/^/  /' | tee -a "$summary"
fi

note "total: $((SECONDS - start))s of ${budget}s; logs in $out"
failed=0
for name in "${!status[@]}"; do
  case ${status[$name]} in ok*) ;; *) failed=1 ;; esac
done
exit $failed
