# kvm.sh: sourced by the tests here: kvm_usable says whether /dev/kvm opens
# read-write (as vmm opens it); skip_without_kvm exits 77 (meson's SKIP) if not.
kvm_usable() {
	[ -e /dev/kvm ] && (: <>/dev/kvm) 2>/dev/null
}
skip_without_kvm() {
	if ! kvm_usable; then
		echo "SKIP: /dev/kvm is missing or cannot be opened read-write"
		exit 77
	fi
}
