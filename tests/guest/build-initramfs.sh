#!/bin/sh
# build-initramfs.sh: an uncompressed cpio initramfs (gzip costs ~35 s of
# emulated inflate on PVM hosts) with Debian's busybox-static and init.sh.
# Cached like build-kernel.sh; prints the path of initramfs.cpio.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmm
bb=/bin/busybox
[ -x "$bb" ] && "$bb" 2>&1 | head -1 | grep -q BusyBox || { echo "build-initramfs.sh: $bb missing (apt-get install busybox-static)" >&2; exit 1; }
file "$bb" 2>/dev/null | grep -q 'statically linked' || [ -n "$(ldd "$bb" 2>&1 | grep -i 'not a dynamic')" ] || { echo "build-initramfs.sh: $bb is not static" >&2; exit 1; }
key=$( (cat "$here/init.sh"; ls -l "$bb") | sha256sum | cut -c1-16)
out=$cache/initramfs-$key.cpio
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/mnt"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
mkdir -p "$cache"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
