#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms.conf, the version and the udev rule agree with each other.
. "$(dirname "$0")/../lib/tap.sh"
version=$(cat "$REPO/VERSION")

dkms_var() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}$/\\1/p" "$REPO/dkms.conf"; }

check "VERSION is x.y.z" output_matches '^[0-9]+\.[0-9]+\.[0-9]+$' cat "$REPO/VERSION"
check "dkms PACKAGE_NAME" test "$(dkms_var PACKAGE_NAME)" = mshv-fastpath
check "dkms PACKAGE_VERSION = VERSION" test "$(dkms_var PACKAGE_VERSION)" = "$version"
check "dkms BUILT_MODULE_NAME" test "$(dkms_var 'BUILT_MODULE_NAME\[0\]')" = mshv_fastpath
check "dkms module built where Kbuild puts it" test -f "$REPO/$(dkms_var 'BUILT_MODULE_LOCATION\[0\]')/Kbuild"
check "dkms installs to updates/dkms" test "$(dkms_var 'DEST_MODULE_LOCATION\[0\]')" = /updates/dkms
check "dkms AUTOINSTALL" test "$(dkms_var AUTOINSTALL)" = yes
check "dkms x86_64 only" test "$(dkms_var BUILD_EXCLUSIVE_ARCH)" = x86_64
check "dkms.conf parses as shell" sh -n "$REPO/dkms.conf"
check "udev rule names the device" grep -q 'KERNEL=="mshv_fastpath"' "$REPO/packaging/60-mshv-fastpath.rules"
if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
	check "udev rule verifies" udevadm verify "$REPO/packaging/60-mshv-fastpath.rules"
fi

# make modules-all and dkms-install build the module from copies of the tree:
# they must copy all that kmod/ reaches outside itself (Kbuild's -I paths and
# $(src)/../VERSION, #include "../...").
copies_module_sources() {
	for dir in $(grep -ohE '(\$\(src\)|#include ")/?\.\./[A-Za-z_]+' \
			"$REPO"/kmod/Kbuild "$REPO"/kmod/*.[ch] | sed 's|.*\.\./||' | sort -u); do
		[ "$(grep -cE "cp -r .*Kbuild .*\\b$dir\\b" "$REPO/Makefile")" -eq 2 ] ||
			{ echo "# not copied for the out-of-tree builds: $dir"; return 1; }
	done
}
check "modules-all and dkms-install copy every directory kmod/ uses" copies_module_sources

# make install / uninstall into a staging directory, as a package build does.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
installed() {
	make -s -C "$REPO" install DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1 &&
	ls "$stage"/lib/modules/*/updates/mshv_fastpath.ko >/dev/null &&
	test -x "$stage/usr/bin/mshv-vmm" &&
	test -f "$stage/etc/udev/rules.d/60-mshv-fastpath.rules"
}
uninstalled() {
	make -s -C "$REPO" uninstall DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1 &&
	test -z "$(find "$stage" -type f)"
}
check "make install DESTDIR= stages module, mshv-vmm, udev rule" installed
check "make uninstall removes them all" uninstalled
tap_done
