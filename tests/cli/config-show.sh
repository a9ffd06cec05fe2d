#!/bin/sh
# config-show.sh: `vmm config show` prints the effective configuration: options
# override the file key by key wherever they stand, and the output reads back to
# the same text (round trip). Needs no KVM.
# usage: config-show.sh VMM
set -u
vmm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # file, substring
	grep -q -F -e "$2" "$1" || { echo "FAIL: $1 lacks '$2':"; cat "$1"; fail=1; }
}
reject() {
	grep -q -F -e "$2" "$1" && { echo "FAIL: $1 has '$2':"; cat "$1"; fail=1; }
}
show() { # output file, args...
	out=$1; shift
	"$vmm" config show "$@" >"$out" 2>"$tmp/err" || { echo "FAIL: config show $*:"; cat "$tmp/err"; fail=1; }
}

cat >"$tmp/base.json" <<JSON
{
  "cpus": 4,
  "memory": "512M",
  "boot": { "kernel": "guest.elf", "cmdline": "from-file" },
  "console": { "output": "file", "path": "console.log" },
  "exit": { "timeout": 30 },
  "disks": [ { "path": "root.img" } ]
}
JSON

# Options win over the file, even when they come first.
show "$tmp/a" --cpus 2 --config "$tmp/base.json" --set exit.timeout=1.5 --disk extra.img,ro,cache=none
expect "$tmp/a" '"cpus": 2,'
expect "$tmp/a" '"memory": "512M",'
expect "$tmp/a" '"cmdline": "from-file",'
expect "$tmp/a" '"timeout": 1.5,'
expect "$tmp/a" "\"kernel\": \"$tmp/guest.elf\","
expect "$tmp/a" "\"path\": \"$tmp/root.img\","
expect "$tmp/a" "\"path\": \"$(pwd)/extra.img\","  # relative to where vmm ran
expect "$tmp/a" '"cache": "none"'
# --console stdio takes back the file's console file.
show "$tmp/b" --config "$tmp/base.json" --console stdio
expect "$tmp/b" '"output": "stdio",'
expect "$tmp/b" '"path": null'
reject "$tmp/b" 'console.log'

# Round trip: what show prints reads back to the same text.
cp "$tmp/a" "$tmp/a.json"
show "$tmp/a2" --config "$tmp/a.json"
cmp -s "$tmp/a" "$tmp/a2" || { echo "FAIL: show output does not round-trip:"; diff "$tmp/a" "$tmp/a2"; fail=1; }
show "$tmp/c" --mode full --cpus 3 --mem 2G --kernel /k --initrd /i --cmdline "x y" \
	--firmware /fw --firmware-log /fw.log --console-file /c.log --timeout 7 --reboot poweroff \
	--seccomp --stats /s.json --disk /d0 --disk /d1,ro
cp "$tmp/c" "$tmp/c.json"
show "$tmp/c2" --config "$tmp/c.json"
cmp -s "$tmp/c" "$tmp/c2" || { echo "FAIL: full show output does not round-trip:"; diff "$tmp/c" "$tmp/c2"; fail=1; }
expect "$tmp/c" '"seccomp": true,'
show "$tmp/d" --config "$tmp/c.json" --no-seccomp
expect "$tmp/d" '"seccomp": false,'

# Errors name the file position or the option, status 2, nothing on stdout.
printf '{\n  "cpus": 2,\n  "memory": "3M"\n}\n' >"$tmp/bad.json"
"$vmm" config show --config "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: bad file exited $rc, want 2"; fail=1; }
expect "$tmp/err" "$tmp/bad.json:3:13: memory: 3M: must be a multiple of 2M between 16M and 64G"
[ -s "$tmp/out" ] && { echo "FAIL: stdout after an error"; fail=1; }
"$vmm" config show --config "$tmp/base.json" --console-file "" >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || { echo "FAIL: empty --console-file accepted"; fail=1; }
expect "$tmp/err" 'console.path: empty path'

[ "$fail" = 0 ] && echo "PASS: config show precedence and round trip"
exit "$fail"
