#!/usr/bin/env bash
# The .deb as a user gets it: built by CPack from this build, checked by lintian (no errors),
# its desktop entry and AppStream metainfo validated, unpacked into a scratch root with
# `dpkg -x` and run from there.
# Usage: deb_package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$scratch/out" > "$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; fail "cpack could not build the package"; }
deb=$(ls "$scratch"/out/*.deb)
echo "package: $(basename "$deb")"

# Depends must name the Debian runtime libraries Graft links (computed by dpkg-shlibdeps).
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libtorch libopencv-core libhdf5 libqt6widgets6 libqt6charts6 libgvc6 libcurl4; do
  grep -q "$lib" <<< "$depends" || fail "Depends does not name $lib"
done

lintian --fail-on error --no-tag-display-limit "$deb" > "$scratch/lintian.log" 2>&1 ||
  { cat "$scratch/lintian.log"; fail "lintian reports errors"; }
grep '^W:' "$scratch/lintian.log" || true

root="$scratch/root"
dpkg -x "$deb" "$root"
for f in usr/bin/graft usr/bin/graft-cli \
         usr/share/applications/io.github.graft.Graft.desktop \
         usr/share/metainfo/io.github.graft.Graft.metainfo.xml \
         usr/share/mime/packages/io.github.graft.Graft.xml \
         usr/share/icons/hicolor/scalable/apps/io.github.graft.Graft.svg \
         usr/share/icons/hicolor/48x48/apps/io.github.graft.Graft.png \
         usr/share/icons/hicolor/256x256/apps/io.github.graft.Graft.png \
         usr/share/man/man1/graft-cli.1.gz \
         usr/share/doc/graft/copyright; do
  [ -e "$root/$f" ] || fail "the package has no /$f"
done
desktop-file-validate "$root/usr/share/applications/io.github.graft.Graft.desktop" ||
  fail "desktop entry does not validate"
appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.graft.Graft.metainfo.xml" ||
  fail "AppStream metainfo does not validate"
file "$root/usr/share/icons/hicolor/48x48/apps/io.github.graft.Graft.png" | grep -q "48 x 48" ||
  fail "the 48x48 icon is not 48 x 48"

# Run from the unpacked root, away from the build tree.
version=$("$root/usr/bin/graft-cli" --version)
echo "$version"
grep -q "graft-cli" <<< "$version" || fail "graft-cli --version printed '$version'"
summary=$(cd "$scratch" && HOME="$scratch" KERAS_HOME="$scratch/keras" \
  "$root/usr/bin/graft-cli" summary mobilenet --alpha 0.25 --no-top)
grep -q "Total params: 218,544" <<< "$summary" ||
  { echo "$summary"; fail "summary of MobileNet 0.25 without top is not Keras's 218,544 parameters"; }
man -l "$root/usr/share/man/man1/graft-cli.1.gz" 2>/dev/null | grep -q "fetch-weights\|export" ||
  fail "the man page does not document the subcommands"
echo "PASS"
