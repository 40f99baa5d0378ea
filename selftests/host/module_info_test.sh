#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every built mshv_fastpath.ko carries the metadata users and DKMS see in
# modinfo: GPL, a description, the release version, no unresolved imports
# outside the kernel.
. "$(dirname "$0")/../lib/tap.sh"
version=$(cat "$REPO/VERSION")
found=0
for ko in "$REPO"/kmod/mshv_fastpath.ko "$REPO"/build/kmod-*/kmod/mshv_fastpath.ko; do
	[ -f "$ko" ] || continue
	found=1
	kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	check "$kver: license GPL" test "$(modinfo -F license "$ko")" = GPL
	check "$kver: version $version" test "$(modinfo -F version "$ko")" = "$version"
	check "$kver: description" test -n "$(modinfo -F description "$ko")"
	check "$kver: no module dependencies" test -z "$(modinfo -F depends "$ko")"
	check "$kver: tracepoint section" output_matches '__tracepoints' objdump -h "$ko"
done
[ "$found" = 1 ] || check "a built module exists (run make)" false
tap_done
