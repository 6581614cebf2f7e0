#!/usr/bin/env bash
# The code behind GRAFT_CUDA and GRAFT_NCCL is compiled only against a LibTorch with CUDA, which
# CI does not have (#23): without this check an edit could break it unseen until a GPU machine
# builds it. Where this machine has CUDA's headers (a CUDA toolkit, e.g. /usr/local/cuda-*) and
# the LibTorch found ships its CUDA headers (Debian's does), every core source that names either
# definition is compiled here with both set, with the very flags the build uses for
# graft_runtime's sources, syntax only (-fsyntax-only: what the front end reports, not the
# warnings that need code generation, such as unused functions): nothing is linked or run. What
# it cannot see: API differences between this LibTorch's headers and a newer one's.
# Usage: cuda_sources_compile_test.sh SOURCE_DIR BUILD_DIR. Exit 77 (skipped) without CUDA's
# headers or LibTorch's CUDA headers.
set -euo pipefail
source_dir=$1
build=$2

cuda_include=""
# /usr/include (Debian's nvidia-cuda-toolkit) is searched by the compiler anyway: -isystem on it
# would break libstdc++'s #include_next, so it is never added (cuda_flag stays empty).
cuda_flag=()
for candidate in ${CUDA_HOME:+"$CUDA_HOME/include"} /usr/local/cuda/include /usr/local/cuda-*/include \
  /usr/include; do
  if [ -f "$candidate/cuda_runtime.h" ] && [ -f "$candidate/nccl.h" ]; then
    cuda_include=$candidate
    [ "$candidate" != /usr/include ] && cuda_flag=(-isystem "$candidate")
    break
  fi
done
if [ -z "$cuda_include" ]; then
  echo "skipped: no CUDA toolkit headers with nccl.h here (CUDA_HOME, /usr/local/cuda*)"
  exit 77
fi

# One graft_runtime compile command: its compiler and flags are the ones the CUDA sources get in
# a build. Dropped: ccache, the output, the source, the dependency file and the precompiled
# header (made without the definitions this check sets). One argument a line.
read_flags='
import json, shlex, sys
for entry in json.load(open(sys.argv[1])):
    # A real source of graft_runtime (the first entry is often its precompiled header, compiled
    # with -x c++-header).
    if "/graft_runtime.dir/" not in entry.get("output", entry["command"]):
        continue
    if not entry["file"].endswith(".cpp") or "cmake_pch" in entry["file"]:
        continue
    words = shlex.split(entry["command"])
    # "cmake -E env VAR=... ccache c++ ...": the compiler follows ccache, else it comes first.
    launcher = [i for i, w in enumerate(words) if w.endswith("ccache")]
    if launcher:
        words = words[launcher[0] + 1:]
    out, skip = [], 0
    for i, w in enumerate(words):
        if skip:
            skip -= 1
        elif w in ("-o", "-c", "-MF", "-MT", "-include", "-include-pch", "-x"):
            skip = 1
        elif w == "-Xclang" and i + 1 < len(words) and words[i + 1] in ("-include", "-include-pch"):
            skip = 3  # -Xclang -include -Xclang FILE
        elif w not in ("-MD", "-Winvalid-pch"):
            out.append(w)
    print("\n".join(out))
    break
'
mapfile -t words < <(python3 -c "$read_flags" "$build/compile_commands.json")
if [ "${#words[@]}" -lt 2 ]; then
  echo "FAIL: no graft_runtime compile command in $build/compile_commands.json"
  exit 1
fi
compiler=${words[0]}
flags=("${words[@]:1}")
include_dirs=()
for ((i = 1; i < ${#words[@]}; ++i)); do
  if [ "${words[i - 1]}" = "-isystem" ] || [ "${words[i - 1]}" = "-I" ]; then
    include_dirs+=("${words[i]}")
  fi
done

# The LibTorch the build uses: its include folders first, the compiler's default last.
torch_include=""
for dir in "${include_dirs[@]}" /usr/include; do
  if [ -f "$dir/ATen/ATen.h" ]; then
    torch_include=$dir
    break
  fi
done
# Every CUDA header of LibTorch's that the two sources reach; a LibTorch built without CUDA may
# ship some (ATen/cuda) and not others (c10/cuda).
for header in ATen/cuda/CUDAContext.h c10/cuda/CUDAStream.h c10/cuda/CUDAFunctions.h \
  torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp; do
  if [ -z "$torch_include" ] || [ ! -f "$torch_include/$header" ]; then
    echo "skipped: the LibTorch found (${torch_include:-none}) ships no $header"
    exit 77
  fi
done

# A LibTorch built without CUDA lacks the one header its CMake generates for c10's CUDA library.
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
if [ ! -f "$torch_include/c10/cuda/impl/cuda_cmake_macros.h" ]; then
  mkdir -p "$shim/c10/cuda/impl"
  printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' >"$shim/c10/cuda/impl/cuda_cmake_macros.h"
fi

mapfile -t sources < <(grep -rlE 'GRAFT_(CUDA|NCCL)' "$source_dir/core" --include=*.cpp | sort)
if [ "${#sources[@]}" -lt 2 ]; then
  echo "FAIL: expected the CUDA sources (device.cpp, data_parallel.cpp), found ${#sources[@]}"
  exit 1
fi
failed=0
for source in "${sources[@]}"; do
  if "$compiler" "${flags[@]}" -isystem "$shim" "${cuda_flag[@]}" -DGRAFT_CUDA=1 \
    -DGRAFT_NCCL=1 -DUSE_C10D_NCCL -fsyntax-only "$source"; then
    echo "ok: ${source#"$source_dir"/}"
  else
    echo "FAIL: ${source#"$source_dir"/} does not compile with GRAFT_CUDA and GRAFT_NCCL"
    failed=1
  fi
done
echo "(CUDA headers: $cuda_include; LibTorch's CUDA headers: $torch_include)"
exit $failed
