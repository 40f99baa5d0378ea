#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Command lines: help that teaches, one-line errors, exit status 2 for
# usage errors; mshv-vmm version explains a missing module.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
runvm=$REPO/selftests/testvm/run-vm

check "mshv-vmm --help exits 0" exits_with 0 "$vmm" --help
check "mshv-vmm --help lists version" output_matches '^  version ' "$vmm" --help
check "mshv-vmm without command: usage, 2" exits_with 2 "$vmm"
check "mshv-vmm unknown command: 2" exits_with 2 "$vmm" frobnicate
check "mshv-vmm unknown command named" output_matches "unknown command 'frobnicate'" "$vmm" frobnicate
check "mshv-vmm version --bogus: 2" exits_with 2 "$vmm" version --bogus
check "mshv-vmm version extra arg: 2" exits_with 2 "$vmm" version extra
check "mshv-vmm help version" output_matches '^Usage: mshv-vmm version' "$vmm" help version
check "mshv-vmm --version" output_matches "^mshv-vmm $(cat "$REPO/VERSION")\$" "$vmm" --version
if [ ! -e /dev/mshv_fastpath ]; then
	check "version without module: how to load it" output_matches 'modprobe mshv_fastpath' "$vmm" version
	check "version --json without module" output_matches '^\{"tools_version":"[0-9.]+","abi":"[0-9]+\.[0-9]+","module":\{"loaded":false,"error":"No such file or directory"\}\}$' "$vmm" version --json
else
	skip "version without module" "/dev/mshv_fastpath exists here"
fi
check "run-vm --help exits 0" exits_with 0 "$runvm" --help
check "run-vm bad option: 2" exits_with 2 "$runvm" --frobnicate
check "run-vm bad rootfs named" output_matches "rootfs must be 9p or initramfs" "$runvm" --rootfs nfs
check "run-vm unknown kernel explained" output_matches 'no kernel /boot/vmlinuz-9.9' "$runvm" --kernel 9.9
# A module for another kernel: an object whose .modinfo names another vermagic.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'const char vermagic[] __attribute__((section(".modinfo"))) = "vermagic=9.9.9-other SMP mod_unload";\n' |
	gcc -x c -c -o "$tmp/other.ko" -
check "run-vm module for another kernel refused" output_matches 'is built for 9.9.9-other' "$runvm" --module "$tmp/other.ko"
tap_done
