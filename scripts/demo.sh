#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the test VM: the module loaded, its device
# and sysfs, mshv-vmm asking it for its version, the tracepoint firing, the
# fast path at work, and mshv-vmm booting Linux with its statistics.
set -e
step() { printf '\n== %s\n' "$*"; }

step "mshv_fastpath.ko is loaded ($(uname -r))"
grep '^mshv_fastpath ' /proc/modules
modinfo -F description mshv_fastpath 2>/dev/null || modinfo -F description "$MSHV_FP_MODULE"

step "Its device and sysfs directory"
ls -l /dev/mshv_fastpath
for f in /sys/kernel/mshv_fastpath/*; do
	[ -f "$f" ] && printf '%s: %s\n' "$f" "$(cat "$f")"
done

step "mshv-vmm asks the module (ioctl MSHV_FP_GET_VERSION)"
T=/sys/kernel/tracing
echo 1 > $T/events/mshv_fastpath/ioctl/enable
userspace/mshv-vmm version
userspace/mshv-vmm version --json
echo 0 > $T/events/mshv_fastpath/ioctl/enable

step "The ioctls, as the mshv_fastpath:ioctl tracepoint saw them"
grep 'ioctl:' $T/trace

step "Nested KVM for the fast path's tests"
ls -l /dev/kvm

step "The fast path at work: a guest's port writes finished in the kernel"
selftests/bench/fastpath_bench 1 600 | sed -n '1,3p;/^fastpath_/p'

step "What the module counted (/sys/kernel/mshv_fastpath/stats, all VMs)"
for f in /sys/kernel/mshv_fastpath/stats/*; do
	printf '%-20s %s\n' "$(basename "$f")" "$(cat "$f")"
done

step "mshv-vmm boots this VM's own kernel ($(uname -r)) on nested KVM: 2 vCPUs, an ext4 disk"
initrd=$(selftests/guest/mkguest)
disk=$(mktemp)
selftests/guest/mkguest disk "$disk" > /dev/null
echo "mshv-vmm run --kernel /boot/vmlinuz-$(uname -r) --initrd $(basename "$initrd") \\"
echo "    --disk disk.img --cpus 2 --stats --cmdline 'quiet panic=-1 guest.test=demo'"
# The guest's tty ends lines with CR LF; the log wants LF.
{
	userspace/mshv-vmm run --kernel "/boot/vmlinuz-$(uname -r)" --initrd "$initrd" \
		--disk "$disk" --cpus 2 --stats --cmdline 'quiet panic=-1 guest.test=demo guest.token=demo' \
		< /dev/null 2>&1
	echo "mshv-vmm exit status: $? (0: the guest powered off)"
} | tr -d '\r'

step "What the guest wrote, read back from the disk image (debugfs, no mount)"
selftests/guest/mkguest cat "$disk" /mshv-guest.txt
rm -f "$disk"
