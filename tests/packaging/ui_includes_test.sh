#!/usr/bin/env bash
# The UI's sources (ui/, ui/doc/) must not include LibTorch or OpenCV, directly or through a
# core header (#22): they compile against plain headers, fast, and the document stays a view
# of data. CMake keeps those include paths off the UI targets; this reads what the compiler
# itself recorded for every UI object (ninja's dependency log) and names each offending file.
# Usage: ui_includes_test.sh BUILD_DIR MAKE_PROGRAM. Exit 77 (skipped) for a non-Ninja build.
set -euo pipefail
build=$1
make_program=$2
if [[ "$(basename "$make_program")" != ninja* ]]; then
  echo "skipped: the dependency log is Ninja's; this build uses $make_program"
  exit 77
fi
deps=$("$make_program" -C "$build" -t deps)
report=$(awk '
  /^[^ \t].*: #deps/ { target = $1; sub(/:$/, "", target); ui = target ~ /CMakeFiles\/graft_(ui|doc)\.dir\//; if (ui) objects++; next }
  ui && /\/(torch|ATen|c10|opencv2)\// { if (!(target in seen)) { seen[target] = 1; print target " includes " $1 } }
  END { print "objects " objects + 0 > "/dev/stderr" }
' <<<"$deps" 2>/tmp/ui_includes_count.$$)
objects=$(awk '{print $2}' /tmp/ui_includes_count.$$)
rm -f /tmp/ui_includes_count.$$
if [ "$objects" -lt 20 ]; then
  echo "FAIL: only $objects UI object(s) in $build's dependency log: build graft_ui first"
  exit 1
fi
if [ -n "$report" ]; then
  echo "FAIL: UI sources that reach LibTorch or OpenCV headers (first header each):"
  echo "$report"
  exit 1
fi
echo "ok: $objects UI objects, none includes LibTorch or OpenCV"
