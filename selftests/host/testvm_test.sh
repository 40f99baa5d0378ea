#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test VM runner fails when it must: a failing command, a kernel
# WARNING, a module that will not unload, a VM that goes silent.
. "$(dirname "$0")/../lib/tap.sh"
runvm=$REPO/selftests/testvm/run-vm
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! command -v qemu-system-x86_64 >/dev/null || ! ls /boot/vmlinuz-6.1.* >/dev/null 2>&1; then
	skip "run-vm failure modes" "no qemu or no 6.1 kernel (make deps)"
	tap_done
fi

# run-vm ARGS... must exit 1 and print a TAP line matching PATTERN.
fails_with() {
	pattern=$1
	shift
	"$runvm" --no-kvm --out "$out" "$@" > "$out/tap" 2> "$out/err"
	status=$?
	grep -qE -- "$pattern" "$out/tap" "$out/err" && [ $status -eq 1 ] && return 0
	echo "exit status $status; output:"
	cat "$out/tap" "$out/err"
	return 1
}

# A chosen kernel (6.12 when installed) and extra command-line arguments.
kernel=6.1
ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 && kernel=6.12
kernel_and_append() {
	"$runvm" --no-kvm --module none --out "$out" --kernel $kernel --append testvm_marker=42 \
		-- sh -c "uname -r | grep -q '^$kernel[.-]' && grep -qw testvm_marker=42 /proc/cmdline" \
		> "$out/tap" 2>&1 || { cat "$out/tap"; return 1; }
}
check "--kernel $kernel --append reach the VM" kernel_and_append
check "failing command" fails_with '^not ok [0-9]+ testvm: command exited 0 # exit status 3' -- sh -c 'exit 3'
check "kernel WARNING" fails_with '^not ok [0-9]+ testvm: kernel log free' \
	-- sh -c 'echo "<4>WARNING: CPU: 0 PID: 1 at selftest injected" > /dev/kmsg'
check "module that will not unload" fails_with '^not ok [0-9]+ testvm: module unloaded' \
	-- sh -c 'sleep 600 < /dev/mshv_fastpath > /dev/null 2>&1 & sleep 1'
check "silent VM" fails_with 'console silent for 10s' --idle 10 --no-retry -- sleep 600
tap_done
