#!/bin/bash
# Run once on a Debian 12 (bookworm) x86-64 machine that reaches Debian's archive, from the
# repository root:   tests/device/prepare.sh
# Fills .device-deps/ (ignored by git) with what tests/device/cuda_check.sh needs on a GPU
# machine that has a compiler, CMake, ninja and a Python torch but no Graft dependencies and no
# network: the Debian packages listed in tests/device/packages.txt, unpacked, pruned (no docs,
# no static libraries but the two that CMake files name, no programs but pkgconf), two stub
# libraries (tests/device/stubs) and the paths in pkg-config files pointed at the folder the
# device script unpacks into, packed as .device-deps/graft-device-deps.tar.xz (~25 MiB).
# Needs: apt-get, dpkg-deb, cc, xz, tar. Does not need root unless apt's lists must be updated
# (it keeps its own lists in the work folder and updates them itself).
# Then, with the archive in place (the device tool: carry .device-deps):
#   tests/device/cuda_check.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/device
out=$root/.device-deps
work=${GRAFT_DEVICE_PREP_WORK:-$root/.device-deps-work}
# The fixed folder cuda_check.sh unpacks into (paths inside .pc files must be absolute).
prefix=${GRAFT_DEVICE_PREFIX:-/tmp/graft-device-deps}

mkdir -p "$out" "$work/debs" "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
apt_opts=(-o APT::Architecture=amd64 -o APT::Architectures=amd64
          -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache"
          -o Debug::NoLocking=1)

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt" | tr -s ' \n' ' ')

if [ -z "$(ls "$work/apt/lists" 2>/dev/null | grep -v partial || true)" ]; then
  echo "== apt-get update (private lists in $work/apt)"
  apt-get "${apt_opts[@]}" update >"$work/apt-update.log" 2>&1 || {
    cat "$work/apt-update.log"; echo "apt-get update failed" >&2; exit 1; }
fi

# Download what is not there yet (a package's file name starts with its name and '_').
wanted=""
for p in $packages; do
  ls "$work/debs/${p}_"*.deb >/dev/null 2>&1 || wanted="$wanted $p"
done
echo "== $(echo $packages | wc -w) packages,$(echo $wanted | wc -w) to download"
if [ -n "$wanted" ]; then
  (cd "$work/debs" && apt-get "${apt_opts[@]}" download $wanted >"$work/download.log" 2>&1) || {
    cat "$work/download.log"; exit 1; }
fi
du -sh "$work/debs" | sed 's/^/   .debs: /'

stage=$work/stage
rm -rf "$stage" && mkdir -p "$stage"
: >"$stage/MANIFEST"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$stage"
  dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$stage/MANIFEST"
done
sort -o "$stage/MANIFEST" "$stage/MANIFEST"

echo "== pruning"
lib=usr/lib/x86_64-linux-gnu
(
  cd "$stage"
  # Debian 12 still installs some libraries under /lib: merge them into /usr/lib as usrmerge
  # does, and make absolute links (libz.so -> /lib/...) relative.
  if [ -d lib/x86_64-linux-gnu ]; then
    cp -a lib/x86_64-linux-gnu/. $lib/ && rm -rf lib
  fi
  find usr -type l -lname '/*' | while read -r link; do
    ln -sfn "$(basename "$(readlink "$link")")" "$link"
  done
  # What update-alternatives would have linked: the reference BLAS and LAPACK.
  ln -sfn blas/libblas.so.3 $lib/libblas.so.3
  ln -sfn lapack/liblapack.so.3 $lib/liblapack.so.3
  rm -rf usr/share/doc usr/share/man usr/share/info usr/share/locale usr/share/lintian \
         usr/share/bug usr/share/licenses usr/share/bash-completion usr/share/aclocal \
         usr/share/gdcm-3.0 etc $lib/gconv $lib/krb5
  # Static libraries: only the ones CMake files require to exist (GTest links them).
  find . -name '*.a' ! -name 'libgtest.a' ! -name 'libgtest_main.a' \
         ! -name 'libonnxifi_loader.a' -delete
  # Programs: pkgconf only (curl-config, xml2-config, h5cc and the OpenCV tools would point
  # at /usr; a found h5cc would make FindHDF5 ask it for the device's own HDF5).
  find usr/bin -type f ! -name pkgconf -delete 2>/dev/null || true
  find usr/bin -type l -delete 2>/dev/null || true
  # HDF5's Fortran and C++ libraries (Graft uses C and HL).
  find . \( -name 'libhdf5*fortran*' -o -name 'libhdf5*_cpp*' \) -delete
  # OpenCV 4.6 headers of modules Graft does not use stay (the -dev packages hold only the
  # four modules'); the icu and gdal runtime libraries are replaced by stubs below.
  rm -rf usr/src  # GoogleTest's sources (the prebuilt libgtest.a is used)
  find . -xtype l -delete  # links to what is not carried (libprotobuf-lite.so)
  find . -empty -type d -delete
)

echo "== stubs"
cc -O2 -shared -fPIC -Wl,-soname,libgdal.so.32 -o "$stage/$lib/libgdal.so.32" "$here/stubs/gdal_stub.c"
cc -O2 -shared -fPIC -Wl,-soname,libicuuc.so.72 -o "$stage/$lib/libicuuc.so.72" "$here/stubs/icu_stub.c"

# OpenCV's CMake package names all 40-odd modules' libraries and fails when one is missing:
# keep the imported locations of the modules carried (core, imgproc, imgcodecs, dnn) only.
python3 - "$stage/$lib/cmake/opencv4/OpenCVModules-release.cmake" "$stage" <<'PY'
import os, re, sys
path, stage = sys.argv[1], sys.argv[2]
text = open(path).read()
head, *blocks = re.split(r'(?=^# Import target ")', text, flags=re.M)
tail = ""
if blocks:  # the text after the last block (the file's closing lines) stays
    last = blocks[-1]
    cut = last.find("# Commands beyond this point")
    if cut >= 0:
        blocks[-1], tail = last[:cut], last[cut:]
kept = []
for block in blocks:
    files = re.findall(r'IMPORTED_LOCATION_RELEASE "\$\{_IMPORT_PREFIX\}/([^"]+)"', block)
    if all(os.path.exists(os.path.join(stage, "usr", f)) for f in files):
        kept.append(block)
open(path, "w").write(head + "".join(kept) + tail)
print("   OpenCV modules kept:", ", ".join(re.search(r'"(\w+)"', b).group(1) for b in kept))
PY

# pkg-config for FindPkgConfig: Debian's pkgconf reading only the carried .pc files.
cat >"$stage/usr/bin/pkg-config" <<WRAPPER
#!/bin/sh
# Debian 12's pkgconf, reading only the .pc files carried in $prefix (tests/device/prepare.sh).
export PKG_CONFIG_LIBDIR=$prefix/$lib/pkgconfig:$prefix/usr/share/pkgconfig
export LD_LIBRARY_PATH=$prefix/$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
exec $prefix/usr/bin/pkgconf "\$@"
WRAPPER
chmod +x "$stage/usr/bin/pkg-config"

echo "== pkg-config files: prefix=/usr -> $prefix/usr"
find "$stage" -name '*.pc' -print0 | xargs -0 sed -i -E \
  -e "s@^(prefix|exec_prefix|libdir|includedir|sharedlibdir)=/usr@\1=$prefix/usr@" \
  -e "s@([= ]-[IL])/usr/@\1$prefix/usr/@g"

echo "== checking that every carried library resolves inside the folder"
# Resolve with only the staged folder and the C/C++ runtime; report what is missing.
missing=0
while IFS= read -r so; do
  result=$(LD_LIBRARY_PATH="$stage/$lib" ldd -r "$so" 2>&1 || true)
  bad=$(echo "$result" | grep -E 'not found|undefined symbol' | grep -v -E 'undefined symbol: (_ZTI|_ZTV|__cxa|PyExc|Py)' || true)
  outside=$(echo "$result" | awk '/=>/ && $3 ~ /^\// {print $3}' | grep -v "^$stage" |
            grep -v -E '/(libc|libm|libdl|libpthread|librt|libresolv|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so' || true)
  if [ -n "$bad" ] || [ -n "$outside" ]; then
    echo "   $so:"; echo "$bad$outside" | sed 's/^/      /'; missing=1
  fi
done < <(find "$stage" -name '*.so*' -type f)
[ "$missing" = 0 ] && echo "   all resolve (only glibc, libstdc++ and libgcc_s from the system)"

echo "== the stubs at work (tests/device/stubs/stub_check.cpp)"
check=$work/stub-check && rm -rf "$check" && mkdir -p "$check"
c++ -std=c++17 -O1 -I"$stage/usr/include/opencv4" -I"$stage/usr/include/libxml2" -I"$stage/usr/include" \
    "$here/stubs/stub_check.cpp" -o "$check/stub_check" -L"$stage/$lib" \
    -lopencv_dnn -lopencv_imgcodecs -lopencv_imgproc -lopencv_core -lxml2 \
    -Wl,--disable-new-dtags -Wl,-rpath,"$stage/$lib" -Wl,-rpath-link,"$stage/$lib" &&
  "$check/stub_check" "$check" || missing=1

echo "== packing"
rm -f "$out"/graft-device-deps.tar.*
tar -C "$stage" -cf - . | xz -T0 -9e >"$out/graft-device-deps.tar.xz"
cp "$stage/MANIFEST" "$out/MANIFEST"
echo "   unpacked: $(du -sh "$stage" | cut -f1)   packed: $(du -h "$out/graft-device-deps.tar.xz" | cut -f1)"
tracked=$(cd "$root" && git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "   tracked files: $((tracked / 1048576)) MiB; the device tool's limit is 64 MiB in all"
echo "done: .device-deps/ (carry it: .device-deps); on the GPU machine run tests/device/cuda_check.sh"
[ "$missing" = 0 ]
