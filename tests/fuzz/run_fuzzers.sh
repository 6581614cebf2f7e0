#!/usr/bin/env bash
# Fuzzes Graft's loaders with libFuzzer (clang, AddressSanitizer, UndefinedBehaviorSanitizer):
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s, every target)
# Configures and builds ./build-fuzz (GRAFT_CORE_ONLY, GRAFT_FUZZ), writes the seed corpora,
# runs each target for the bounded time one after the other, and prints executions and crashes
# per target. The corpora grow in build-fuzz/fuzz/corpus across runs; a crashing input is kept
# in build-fuzz/fuzz/crashes/TARGET/ (turn it into a regression test: tests/fuzz/regressions/).
# Not part of ctest. Builds with FUZZ_JOBS jobs (default 1: the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_keras_h5 fuzz_model_config fuzz_project fuzz_recipe fuzz_image)

build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# Warnings are gcc's job (the normal build); clang warns about different things.
CC=clang CXX=clang++ cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGRAFT_CORE_ONLY=ON -DGRAFT_FUZZ=ON -DGRAFT_WERROR=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
nice -n 10 cmake --build $build -j"${FUZZ_JOBS:-1}" --target make_fuzz_seeds "${targets[@]}"

work=$build/fuzz
seeds=$work/seeds
rm -rf "$seeds"
"$build/tests/fuzz/make_fuzz_seeds" "$seeds"
# Real zoo model_configs (Keras 1 and 2 spellings) when ../shared/fixtures is there.
cp ../shared/fixtures/keras-configs/*.json "$seeds/model_config/" 2>/dev/null || true
# The recipes in the documentation.
awk '/^```json/{n++; f=1; next} /^```/{f=0} f{print > ("'"$seeds"'/recipe/docs_" n ".json")}' docs/recipes.md

# Allocations over 1 GiB fail (std::bad_alloc, accepted by the targets) instead of exhausting
# the shared machine; libFuzzer itself then need not police single mallocs.
# Full unwinding lets the third-party leak suppressions (tests/sanitizers/lsan.supp) match.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=1024:fast_unwind_on_malloc=0
export ASAN_OPTIONS=$ASAN_OPTIONS:suppressions=$PWD/tests/sanitizers/asan.supp
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1
summary=""
status=0
for t in "${targets[@]}"; do
  kind=${t#fuzz_}
  mkdir -p "$work/corpus/$t" "$work/crashes/$t"
  log=$work/$t.log
  before=$(ls "$work/crashes/$t" | wc -l)
  echo "== $t: ${seconds}s"
  set +e
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=1000000 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$t/" \
    "$work/corpus/$t" "$seeds/$kind" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  found=$(( $(ls "$work/crashes/$t" | wc -l) - before ))
  if [ $rc -ne 0 ]; then
    status=1
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" || tail -5 "$log"
  fi
  summary+=$(printf '%-18s executions %-10s new crashes %s (log %s)' "$t" "$execs" "$found" "$log")$'\n'
done
echo
printf '%s' "$summary"
exit $status
