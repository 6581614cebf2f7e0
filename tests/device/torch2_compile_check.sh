#!/usr/bin/env bash
# On-demand check (issue #23; not run by CI or ctest: it downloads): compiles every Graft
# translation unit that includes LibTorch against the headers of a LibTorch 2.x — Debian
# trixie's PyTorch 2.6 (`libtorch-dev`, CPU, and contrib's `libtorch-cuda-dev`, the CUDA build's
# headers) — once as a CPU build and once as a CUDA build (GRAFT_CUDA, GRAFT_NCCL, CUDA's
# headers). Graft is otherwise only ever compiled against Debian 12's LibTorch 1.13, so the code
# behind TORCH_VERSION_* floors and GRAFT_CUDA would break unseen until a GPU machine built it.
# Trixie's libraries need glibc 2.38, so nothing is linked or run: syntax only (-fsyntax-only:
# what the front end reports, templates instantiated, not the warnings that need code
# generation).
#
# The flags are the build's own (BUILD_DIR/compile_commands.json; the unity units, so each
# unit pays LibTorch's headers once), with LibTorch 1.13's include folder swapped for the 2.6
# package's `include` and `include/torch/csrc/api/include` (what TorchConfig.cmake's
# TORCH_INCLUDE_DIRS are), -Werror dropped so that every warning is counted, and the torch
# precompiled header rebuilt from the 2.6 headers. TorchConfig/Caffe2Targets also give
# -D_GLIBCXX_USE_CXX11_ABI=1, USE_DISTRIBUTED, USE_C10D_GLOO (torch_cpu) and, with CUDA,
# USE_C10D_NCCL (torch_cuda): the CPU build's command lines have the first three already; the
# CUDA run adds USE_C10D_NCCL, GRAFT_CUDA=1 everywhere and GRAFT_NCCL=1 on graft_runtime (what
# CMakeLists.txt sets when the NCCL check passes). Every unit's dependency list is checked for
# LibTorch 1.13 headers (/usr/include/{ATen,c10,torch,caffe2}), which would mean a header the
# 2.6 package lacks was taken from 1.13.
#
# Usage: tests/device/torch2_compile_check.sh [BUILD_DIR] [--cpu|--cuda] [-jN] [--only=REGEX]
#   --only: just the units whose path matches REGEX (e.g. graft_runtime/unit_3), after a fix.
#   BUILD_DIR: a configured build of this checkout (default build). Cache: GRAFT_TORCH2_CACHE
#   (default /tmp/graft-torch2): the .debs, their contents, logs per unit. CUDA headers:
#   CUDA_HOME, else /usr/local/cuda*/include (needs cuda_runtime.h and nccl.h).
# Exit 0 when every unit compiles in every configuration run, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
source_dir=$PWD
build=build
configs=(cpu cuda)
jobs=2
only=""
for arg in "$@"; do
  case $arg in
  --cpu) configs=(cpu) ;;
  --cuda) configs=(cuda) ;;
  -j*) jobs=${arg#-j} ;;
  --only=*) only=${arg#--only=} ;;
  -*) echo "unknown option $arg" >&2; exit 2 ;;
  *) build=$arg ;;
  esac
done
build=$(cd "$build" && pwd)
cache=${GRAFT_TORCH2_CACHE:-/tmp/graft-torch2}
mirror=${GRAFT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
declare -A debs=(
  [cpu]=pool/main/p/pytorch/libtorch-dev_2.6.0+dfsg-7_amd64.deb
  [cuda]=pool/contrib/p/pytorch-cuda/libtorch-cuda-dev_2.6.0+dfsg-7+b1_amd64.deb
)

[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json: configure first" >&2; exit 2; }

# The packages: downloaded once, unpacked once (into CACHE/<config>/root).
mkdir -p "$cache/debs"
for config in "${configs[@]}"; do
  deb="$cache/debs/$(basename "${debs[$config]}")"
  if [ ! -s "$deb" ]; then
    echo "downloading $mirror/${debs[$config]}"
    curl -fsSL --retry 3 -o "$deb.part" "$mirror/${debs[$config]}"
    mv "$deb.part" "$deb"
  fi
  if [ ! -f "$cache/$config/root/usr/include/torch/csrc/api/include/torch/version.h" ]; then
    rm -rf "$cache/$config/root"
    mkdir -p "$cache/$config/root"
    dpkg-deb -x "$deb" "$cache/$config/root"
  fi
done

cuda_include=""
if [[ " ${configs[*]} " == *" cuda "* ]]; then
  for candidate in ${CUDA_HOME:+"$CUDA_HOME/include"} /usr/local/cuda/include /usr/local/cuda-*/include; do
    if [ -f "$candidate/cuda_runtime.h" ] && [ -f "$candidate/nccl.h" ]; then
      cuda_include=$candidate
      break
    fi
  done
  if [ -z "$cuda_include" ]; then
    echo "no CUDA toolkit headers with nccl.h (CUDA_HOME, /usr/local/cuda*): the CUDA run is skipped"
    configs=("${configs[@]/cuda/}")
  fi
fi

# One line per LibTorch unit of the build: target, unity unit or source, whether it used the
# precompiled torch header, then its flags (JSON). Dropped from the flags: ccache, the output,
# -c, the dependency file, the precompiled header, -Werror; 1.13's include folder is replaced
# by the placeholder @TORCH@ (the 2.6 package's two folders).
read_units='
import json, shlex, sys
api = "/usr/include/torch/csrc/api/include"
for entry in json.load(open(sys.argv[1])):
    command = entry["command"]
    if api not in command or entry["file"].endswith("cmake_pch.hxx.cxx"):
        continue
    words = shlex.split(command)
    launcher = [i for i, w in enumerate(words) if w.endswith("ccache")]
    if launcher:
        words = words[launcher[0] + 1:]
    target = words[words.index("-o") + 1].split("CMakeFiles/")[1].split(".dir/")[0]
    out, skip, pch = [], 0, False
    for i, w in enumerate(words[:-1]):  # the last word is the source
        if skip:
            skip -= 1
        elif w in ("-o", "-c", "-MF", "-MT"):
            skip = 1
        elif w == "-include" and words[i + 1].endswith("cmake_pch.hxx"):
            skip, pch = 1, True
        elif w == "-isystem" and words[i + 1] == api:
            skip = 1
            out.append("@TORCH@")
        elif w not in ("-MD", "-Werror", "-Winvalid-pch"):
            out.append(w)
    print(target, entry["file"], int(pch), json.dumps(out), sep="\t")
'
mapfile -t units < <(python3 -c "$read_units" "$build/compile_commands.json")
if [ "${#units[@]}" -lt 10 ]; then
  echo "FAIL: only ${#units[@]} LibTorch units in $build/compile_commands.json" >&2
  exit 1
fi
all_units=("${units[@]}")
if [ -n "$only" ]; then
  mapfile -t units < <(printf '%s\n' "${all_units[@]}" | awk -F'\t' -v re="$only" '$2 ~ re')
fi
if [ "${#units[@]}" -eq 0 ]; then
  echo "FAIL: no LibTorch unit matches --only=$only" >&2
  exit 1
fi
pch_text="$build/core/CMakeFiles/graft_runtime.dir/cmake_pch.hxx"

# Compiles one unit (or the header, $3 = pch) of one configuration: its log and dependency list
# go to CACHE/<config>/logs. Run by xargs, so everything it needs is exported.
compile_unit() {
  local config=$1 line=$2 mode=${3:-unit}
  local target file pch flags_json
  IFS=$'\t' read -r target file pch flags_json <<<"$line"
  local root="$cache/$config/root/usr/include"
  mapfile -t flags < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$flags_json")
  local args=() f
  for f in "${flags[@]:1}"; do
    if [ "$f" = @TORCH@ ]; then
      args+=(-isystem "$root" -isystem "$root/torch/csrc/api/include")
    else
      args+=("$f")
    fi
  done
  if [ "$config" = cuda ]; then
    args+=(-isystem "$CUDA_INCLUDE" -DGRAFT_CUDA=1 -DUSE_C10D_NCCL)
    [ "$target" = graft_runtime ] && args+=(-DGRAFT_NCCL=1)
  fi
  local name
  name=$(echo "$target/${file#"$SOURCE_DIR"/}" | tr '/' '_')
  local log="$cache/$config/logs/$name"
  if [ "$mode" = pch ]; then
    log="$cache/$config/logs/precompiled_header"
    "${flags[0]}" "${args[@]}" -x c++-header -o "$cache/$config/torch_pch.hxx.gch" \
      -c "$cache/$config/torch_pch.hxx" >"$log.log" 2>&1
    return
  fi
  [ "$pch" = 1 ] && args+=(-include "$cache/$config/torch_pch.hxx")
  local start=$SECONDS status=0
  "${flags[0]}" "${args[@]}" -fsyntax-only -MD -MF "$log.d" "$file" >"$log.log" 2>&1 || status=$?
  echo "$status $((SECONDS - start))s $target ${file#"$SOURCE_DIR"/}" >"$log.status"
}
export -f compile_unit
export SOURCE_DIR=$source_dir CUDA_INCLUDE=$cuda_include cache

failed=0
for config in "${configs[@]}"; do
  [ -n "$config" ] || continue
  root="$cache/$config/root/usr/include"
  version=$(grep -E '#define TORCH_VERSION_(MAJOR|MINOR|PATCH)' \
    "$root/torch/csrc/api/include/torch/version.h" | awk '{print $3}' | paste -sd.)
  rm -rf "$cache/$config/logs"
  mkdir -p "$cache/$config/logs"
  # The precompiled header: a copy of CMake's, under another name so that 1.13's .gch next to
  # CMake's is never picked up; built with graft_runtime's flags, as CMake does.
  # It includes CMake's text, as CMake's own does, so that its `#pragma GCC system_header` is
  # inside an included file.
  cp "$pch_text" "$cache/$config/torch_pch_text.hxx"
  echo '#include "torch_pch_text.hxx"' >"$cache/$config/torch_pch.hxx"
  rm -f "$cache/$config/torch_pch.hxx.gch"
  runtime_line=$(printf '%s\n' "${all_units[@]}" | awk -F'\t' '$1 == "graft_runtime" && $3 == 1' | head -1)
  echo "== $config: LibTorch $version headers ($root)${cuda_include:+, CUDA headers $cuda_include}" \
    "— precompiled header, then ${#units[@]} units, -j$jobs"
  if ! nice -n 10 bash -c 'compile_unit "$@"' _ "$config" "$runtime_line" pch; then
    echo "  the precompiled header failed (each unit then parses the headers itself):"
    grep -E 'error' "$cache/$config/logs/precompiled_header.log" | head -20 | sed 's/^/    /'
    rm -f "$cache/$config/torch_pch.hxx.gch"
  fi
  printf '%s\0' "${units[@]}" |
    nice -n 10 xargs -0 -P "$jobs" -I{} bash -c 'compile_unit "$1" "$2"' _ "$config" {}

  # Summary: per unit its status and time; per source file (the unity units include several)
  # its errors and warnings; the warning kinds; any 1.13 header that leaked in.
  python3 - "$cache/$config/logs" "$source_dir" "$config" <<'EOF' || failed=1
import collections, glob, os, re, sys
logs, source_dir, config = sys.argv[1:]
diag = re.compile(r"^(/[^:]+):(\d+):\d+: (fatal error|error|warning): (.*)$")
errors, warnings, kinds = collections.Counter(), collections.Counter(), collections.Counter()
first_errors = collections.defaultdict(list)
bad_units, leaked = [], set()
statuses = sorted(glob.glob(os.path.join(logs, "*.status")))
for status_file in statuses:
    status, seconds, target, unit = open(status_file).read().split()
    if status != "0":
        bad_units.append(f"{target} {unit} (exit {status}, {seconds})")
    base = status_file[: -len(".status")]
    seen = set()
    for line in open(base + ".log", errors="replace"):
        m = diag.match(line.rstrip("\n"))
        if not m or line in seen:
            continue
        seen.add(line)
        path = os.path.relpath(m.group(1), source_dir) if m.group(1).startswith(source_dir) else m.group(1)
        if m.group(3).endswith("error"):
            errors[path] += 1
            if len(first_errors[path]) < 3:
                first_errors[path].append(f"{m.group(2)}: {m.group(4)[:160]}")
        else:
            warnings[path] += 1
            kind = re.search(r"\[(-W[^\]]+)\]$", m.group(4))
            kinds[kind.group(1) if kind else m.group(4)[:80]] += 1
    if os.path.exists(base + ".d"):
        for word in open(base + ".d").read().split():
            if re.match(r"/usr/include/(ATen|c10|torch|caffe2)/", word):
                leaked.add(word)
print(f"  {config}: {len(statuses)} units compiled, {len(bad_units)} failed; "
      f"{sum(errors.values())} errors in {len(errors)} files, {sum(warnings.values())} warnings "
      f"in {len(warnings)} files")
for unit in bad_units:
    print(f"    failed unit: {unit}")
for path, count in sorted(errors.items()):
    print(f"    errors {count:3d} {path}")
    for text in first_errors[path]:
        print(f"             {text}")
for path, count in sorted(warnings.items()):
    print(f"    warnings {count:3d} {path}")
for kind, count in kinds.most_common():
    print(f"    warning kind {count:3d} {kind}")
for header in sorted(leaked)[:10]:
    print(f"    LibTorch 1.13 header used: {header}")
sys.exit(1 if bad_units or leaked or len(statuses) == 0 else 0)
EOF
  echo "  logs: $cache/$config/logs"
done
exit $failed
