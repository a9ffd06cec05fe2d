#!/bin/sh
# embed-installed.sh: `meson install` into a directory inside the build tree,
# then build examples/embed.c against what was installed (the header, vmm.pc
# and the versioned libvmm.so, nothing from the build tree) and run a guest
# through it. Also checks that the library exports only the vmm_* API and that
# the man pages were installed.
# usage: embed-installed.sh BUILD_ROOT SRC_ROOT MESON CC SANITIZE HELLO.elf EXITCODE.elf
set -u
. "$(dirname "$0")/kvm.sh"
build=$1 src=$2 meson=$3 cc=$4 sanitize=$5 hello=$6 exitcode=$7
dest=$build/tests/cli/embed-destdir
fail=0
rm -rf "$dest"
"$meson" install -C "$build" --destdir "$dest" --no-rebuild >"$build/tests/cli/embed-install.log" 2>&1 ||
	{ echo "FAIL: meson install:"; cat "$build/tests/cli/embed-install.log"; exit 1; }

pc=$(find "$dest" -name vmm.pc | head -n 1)
header=$(find "$dest" -path '*/include/vmm/vmm.h' | head -n 1)
lib=$(find "$dest" -name 'libvmm.so.0.*' | head -n 1)
[ -n "$pc" ] || { echo "FAIL: no vmm.pc installed"; exit 1; }
[ -n "$header" ] || { echo "FAIL: no vmm/vmm.h installed"; exit 1; }
[ -n "$lib" ] || { echo "FAIL: no versioned libvmm.so.0.* installed"; exit 1; }
libdir=$(dirname "$lib")
[ -L "$libdir/libvmm.so.0" ] && [ -L "$libdir/libvmm.so" ] ||
	{ echo "FAIL: libvmm.so / libvmm.so.0 links missing in $libdir"; fail=1; }
[ -n "$(find "$dest" -name vmm.1)" ] && [ -n "$(find "$dest" -name vmm-config.5)" ] ||
	{ echo "FAIL: man pages not installed"; fail=1; }
[ -n "$(find "$dest" -type f -name vmm -perm -u+x)" ] || { echo "FAIL: vmm not installed"; fail=1; }

# The API and nothing else.
if command -v nm >/dev/null 2>&1; then
	extra=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^vmm_/ { print $3 }')
	[ -z "$extra" ] || { echo "FAIL: libvmm.so exports internals:"; echo "$extra" | head; fail=1; }
fi

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags vmm) && libs=$(pkg-config --libs vmm) ||
	{ echo "FAIL: pkg-config vmm"; exit 1; }
case "$cflags $libs" in
*"$build/src"* | *"$src/include"*) echo "FAIL: pkg-config points into the tree: $cflags $libs"; fail=1 ;;
esac
san=
[ "$sanitize" = none ] || san="-fsanitize=$sanitize"
# shellcheck disable=SC2086 # word splitting of the flag lists is intended
"$cc" -std=gnu11 -Wall -Wextra -Werror $san $cflags -o "$dest/embed" "$src/examples/embed.c" $libs ||
	{ echo "FAIL: examples/embed.c does not build against the installed library"; exit 1; }
echo "built examples/embed.c with: $cflags $libs"

if ! kvm_usable; then
	echo "SKIP: built against the installed library; /dev/kvm is not usable to run it"
	exit 77
fi
out=$dest/embed.out
LD_LIBRARY_PATH=$libdir timeout 30 "$dest/embed" "$hello" embedded </dev/null >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: embed hello exited $rc"; fail=1; }
for s in 'guest| Hello from vmm guest' 'guest| cmdline: "embedded"' 'ended with exit-port (status 0)' \
	'"exit": "exit-port"'; do
	grep -q -F -e "$s" "$out" || { echo "FAIL: embed output lacks '$s'"; fail=1; }
done
LD_LIBRARY_PATH=$libdir timeout 30 "$dest/embed" "$exitcode" code=33 </dev/null >"$out.2" 2>&1
rc=$?
[ "$rc" = 33 ] || { echo "FAIL: embed exitcode exited $rc, want 33"; cat "$out.2"; fail=1; }
LD_LIBRARY_PATH=$libdir timeout 30 "$dest/embed" "$dest/no-such-kernel" </dev/null >"$out.3" 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: a missing kernel exited $rc, want 2"; fail=1; }
grep -q 'boot.kernel: no such file' "$out.3" || { echo "FAIL: missing-kernel message"; cat "$out.3"; fail=1; }
[ "$fail" = 0 ] && { echo "PASS: embed.c against the installed library"; cat "$out"; }
exit "$fail"
