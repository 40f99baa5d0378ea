#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-vmm boots the test VM's own Debian kernel on nested KVM with the
# guest initramfs (selftests/guest) and fresh ext4 images: 1 and 2 vCPUs,
# with the mshv_fastpath module loaded, unloaded, and bypassed with
# --no-fastpath. Each boot is checked from both sides: the exit status and
# the guest's "MSHV-GUEST:" lines, then the disk image read back with
# debugfs on the host side, and the --stats placement of the rules.
# A read-only disk, a panic, a reboot, the virtio console, console input and
# the default command line have a boot each. A failed case shows the console.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
mkguest=$REPO/selftests/guest/mkguest
kernel=/boot/vmlinuz-$(uname -r)
sysfs=/sys/kernel/mshv_fastpath
# Below run-vm's idle watchdog (180 s): a boot's console goes to a file.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-90}
tmp=$(mktemp -d)

cleanup() {
	module_restore
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -c /dev/kvm ]; then
	skip "Linux guests of mshv-vmm" "no /dev/kvm (run in the test VM: selftests/testvm/run-vm)"
	tap_done
fi
if [ ! -f "$kernel" ]; then
	skip "Linux guests of mshv-vmm" "no $kernel to boot"
	tap_done
fi
if ! initrd=$("$mkguest" 2> "$tmp/mkguest.err"); then
	check "guest initramfs built" false
	sed 's/^/# /' "$tmp/mkguest.err"
	tap_done
fi
module_loaded=0
grep -q '^mshv_fastpath ' /proc/modules && module_loaded=1

# boot NAME [ARGS...]: run the guest; console in $tmp/NAME.out, the VMM's
# messages and stats in $tmp/NAME.err, exit status in $tmp/NAME.status.
boot() {
	name=$1
	shift
	start=$(date +%s)
	timeout -s KILL "$BOOT_TIMEOUT" "$vmm" run --kernel "$kernel" --initrd "$initrd" "$@" \
		> "$tmp/$name.out" 2> "$tmp/$name.err" < /dev/null
	echo $? > "$tmp/$name.status"
	# The guest's tty ends its lines with CR LF.
	sed -i 's/\r$//' "$tmp/$name.out"
	echo "# boot $name: exit status $(cat "$tmp/$name.status"), $(( $(date +%s) - start )) s"
}

# Show a boot's console and messages, once per boot.
show() {
	[ -f "$tmp/$1.shown" ] && { echo "# (console of boot $1 shown above)"; return; }
	touch "$tmp/$1.shown"
	echo "# boot $1: exit status $(cat "$tmp/$1.status"); console (last 60 lines):"
	tail -n 60 "$tmp/$1.out" | sed 's/^/#   /'
	echo "# boot $1: stderr:"
	sed 's/^/#   /' "$tmp/$1.err"
}

# exited NAME STATUS
exited() {
	[ "$(cat "$tmp/$1.status")" = "$2" ] && return 0
	echo "# want exit status $2"
	show "$1"
	return 1
}

# says NAME TEXT...: the guest printed the line "MSHV-GUEST: TEXT" (a regex).
says() {
	name=$1
	shift
	grep -qE "^MSHV-GUEST: $*\$" "$tmp/$name.out" && return 0
	echo "# the guest did not say '$*'"
	show "$name"
	return 1
}

# no_failures NAME: the guest reported no "FAIL" line.
no_failures() {
	grep -q '^MSHV-GUEST: FAIL' "$tmp/$1.out" || return 0
	grep '^MSHV-GUEST: FAIL' "$tmp/$1.out" | sed 's/^/# /'
	show "$1"
	return 1
}

# The value the guest printed after "MSHV-GUEST: KEY ".
guest_value() {
	sed -n "s/^MSHV-GUEST: $2 //p" "$tmp/$1.out" | tail -n 1
}

# image_has NAME IMAGE PATH CONTENT: the host reads CONTENT back from PATH.
image_has() {
	got=$("$mkguest" cat "$2" "$3" 2>&1)
	[ "$got" = "$4" ] && return 0
	echo "# $3 in the image holds '$got', want '$4'"
	show "$1"
	return 1
}

# image_sha NAME IMAGE PATH: PATH's sha256 is what the guest said it wrote.
image_sha() {
	want=$(guest_value "$1" "wrote sha256")
	got=$("$mkguest" cat "$2" "$3" | sha256sum | cut -d' ' -f1)
	[ -n "$want" ] && [ "$got" = "$want" ] && return 0
	echo "# $3: sha256 $got in the image, the guest wrote ${want:-nothing}"
	show "$1"
	return 1
}

# placed NAME RULE_REGEX KIND LAYER: every rule matching RULE_REGEX in the
# --stats table has KIND and was placed in LAYER (and there is one).
placed() {
	lines=$(grep -E "^  $2 " "$tmp/$1.err")
	if [ -n "$lines" ] && ! echo "$lines" | grep -qvE "^  $2 +$3 +$4 +[0-9]+\$"; then
		return 0
	fi
	echo "# want every '$2' rule: $3 in $4; got:"
	echo "${lines:-(none)}" | sed 's/^/#   /'
	show "$1"
	return 1
}

# module_state NAME STATE: the stats headline names the module's state.
module_state() {
	grep -q "^mshv-vmm stats: hypervisor kvm, fast-path module $2\$" "$tmp/$1.err" && return 0
	echo "# want 'fast-path module $2' in the stats"
	show "$1"
	return 1
}

# The disk cases: boot NAME with a fresh image and check everything.
# disk_boot NAME CPUS [ARGS...]
disk_boot() {
	name=$1 cpus=$2
	shift 2
	from_host=$("$mkguest" disk "$tmp/$name.img") || { echo "# mkguest disk failed"; return 1; }
	echo "$from_host" > "$tmp/$name.from-host"
	token=$name-$$-$(date +%s)
	echo "$token" > "$tmp/$name.token"
	boot "$name" --cpus "$cpus" --disk "$tmp/$name.img" --stats "$@" \
		--cmdline "panic=-1 guest.test=disk guest.token=$token"
}

disk_checks() {
	name=$1 cpus=$2 what=$3
	check "$what: powered off, exit 0" exited "$name" 0
	check "$what: init ran" says "$name" init
	check "$what: no guest failures" no_failures "$name"
	check "$what: guest read the host's file intact" \
		says "$name" "read sha256 $(cat "$tmp/$name.from-host")"
	check "$what: disk written, unmounted" says "$name" "disk ok"
	check "$what: virtio-rng gave 64 bytes" says "$name" "rng ok virtio_rng.*"
	check "$what: guest sees $cpus CPU(s)" says "$name" "cpus $cpus online 0(-$((cpus - 1)))?"
	check "$what: image holds this boot's token" \
		image_has "$name" "$tmp/$name.img" /mshv-guest.txt "mshv-guest token=$(cat "$tmp/$name.token")"
	check "$what: image holds the guest's 1 MiB intact" image_sha "$name" "$tmp/$name.img" /guest.bin
}

vms_before=$(cat $sysfs/vms 2>/dev/null)

if [ $module_loaded = 1 ]; then
	disk_boot mod1 1
	disk_checks mod1 1 "1 vCPU, module"
	check "1 vCPU, module: stats say loaded" module_state mod1 loaded
	check "1 vCPU, module: doorbells in the hypervisor" \
		placed mod1 'virtio-[a-z]+[0-9]* notify q[0-9]+' doorbell hypervisor
	check "1 vCPU, module: UART line status in the module" \
		placed mod1 'uart0 line status' fixed-read module
	check "1 vCPU, module: UART transmit coalesced in the hypervisor" \
		placed mod1 'uart0 transmit' coalesce hypervisor

	disk_boot mod2 2
	disk_checks mod2 2 "2 vCPUs, module"
	check "2 vCPUs, module: UART line status in the module" \
		placed mod2 'uart0 line status' fixed-read module
else
	skip "Linux guest with the module" "mshv_fastpath is not loaded (run-vm --module none?)"
fi

disk_boot nofp2 2 --no-fastpath
disk_checks nofp2 2 "2 vCPUs, --no-fastpath"
check "2 vCPUs, --no-fastpath: stats say disabled" module_state nofp2 'disabled (--no-fastpath)'
check "2 vCPUs, --no-fastpath: doorbells in userspace" \
	placed nofp2 'virtio-[a-z]+[0-9]* notify q[0-9]+' doorbell userspace
check "2 vCPUs, --no-fastpath: UART line status in userspace" \
	placed nofp2 'uart0 line status' fixed-read userspace

if [ $module_loaded = 1 ] && [ -n "${MSHV_FP_MODULE:-}" ]; then
	if module_unload; then
		disk_boot nomod1 1
		module_reload
		disk_checks nomod1 1 "1 vCPU, module unloaded"
		check "1 vCPU, module unloaded: stats say not loaded" module_state nomod1 'not loaded'
		check "1 vCPU, module unloaded: doorbells still in the hypervisor" \
			placed nomod1 'virtio-[a-z]+[0-9]* notify q[0-9]+' doorbell hypervisor
		check "1 vCPU, module unloaded: UART line status in userspace" \
			placed nomod1 'uart0 line status' fixed-read userspace
		check "module reloaded after the unloaded case" test $module_removed = 0
	else
		check "rmmod mshv_fastpath for the unloaded case" false
	fi
else
	skip "Linux guest, module unloaded" "the module was not loaded by the VM session"
fi

# Two disks: the first --disk is /dev/vda, and only it is written.
two_disks() {
	"$mkguest" disk "$tmp/first.img" > "$tmp/first.from-host" &&
		"$mkguest" disk "$tmp/second.img" > /dev/null || return 1
	second_before=$(sha256sum < "$tmp/second.img")
	boot disks --disk "$tmp/first.img" --disk "$tmp/second.img" \
		--cmdline "panic=-1 guest.test=disk guest.token=two-disks"
	exited disks 0 && says disks "disks: vda vdb" && says disks "disk ok" &&
		says disks "read sha256 $(cat "$tmp/first.from-host")" &&
		image_has disks "$tmp/first.img" /mshv-guest.txt "mshv-guest token=two-disks" &&
		[ "$(sha256sum < "$tmp/second.img")" = "$second_before" ] ||
		{ echo "# the second image changed"; show disks; return 1; }
}
check "two disks: the first --disk is /dev/vda" two_disks

# A read-only disk: the guest sees it read-only, writes fail, the image is
# unchanged.
read_only_disk() {
	"$mkguest" disk "$tmp/ro.img" > "$tmp/ro.from-host" || return 1
	before=$(sha256sum < "$tmp/ro.img")
	boot ro --disk "$tmp/ro.img,ro" --cmdline "panic=-1 guest.test=disk-ro"
	exited ro 0 && says ro "ro ok" && no_failures ro &&
		says ro "read sha256 $(cat "$tmp/ro.from-host")" || return 1
	[ "$(sha256sum < "$tmp/ro.img")" = "$before" ] && return 0
	echo "# the read-only image changed"
	return 1
}
check "read-only disk: writes refused, image unchanged" read_only_disk

# A kernel panic with reboot=t ends in a triple fault: "guest crashed", 4.
panic_crashes() {
	boot panic --cmdline "panic=-1 reboot=t guest.test=panic"
	exited panic 4 && grep -q 'Kernel panic' "$tmp/panic.out" &&
		grep -q 'guest crashed' "$tmp/panic.err" && return 0
	echo "# want 'Kernel panic' on the console and 'guest crashed' on stderr"
	show panic
	return 1
}
check "guest panic (reboot=t): exit 4, guest crashed" panic_crashes

reboot_resets() {
	boot reboot --cmdline "panic=-1 guest.test=reboot"
	exited reboot 3 && says reboot reboot && ! grep -q 'MSHV-GUEST: FAIL' "$tmp/reboot.out" &&
		return 0
	show reboot
	return 1
}
check "guest reboot -f: exit 3" reboot_resets

# --console virtio: console=hvc0 is added, the guest writes /dev/hvc0.
virtio_console() {
	boot hvc --console virtio --cmdline "panic=-1 guest.test=console"
	exited hvc 0 && says hvc "hvc0 ok" && return 0
	show hvc
	return 1
}
check "--console virtio: the guest's hvc0 reaches stdout" virtio_console

# Console input over the UART: a line typed on stdin reaches the guest's
# shell once it waits for it.
console_input() {
	: > "$tmp/input.out"
	{
		n=0
		until grep -q 'MSHV-GUEST: waiting for a line' "$tmp/input.out"; do
			n=$((n + 1))
			[ $n -gt $((BOOT_TIMEOUT * 10)) ] && exit 0
			sleep 0.1
		done
		# Then EOF: mshv-vmm stops reading its input, the guest goes on.
		echo hello-from-the-host
	} | timeout -s KILL "$BOOT_TIMEOUT" "$vmm" run --kernel "$kernel" --initrd "$initrd" \
		--cmdline "panic=-1 guest.test=input" > "$tmp/input.out" 2> "$tmp/input.err"
	echo $? > "$tmp/input.status"
	sed -i 's/\r$//' "$tmp/input.out"
	exited input 0 && says input "got 'hello-from-the-host'"
}
check "console input reaches the guest" console_input

# No --cmdline: console=ttyS0 by default; the guest boots and powers off.
default_cmdline() {
	boot default
	exited default 0 && says default init && says default poweroff
}
check "no --cmdline: console on ttyS0, power off" default_cmdline

if [ -n "$vms_before" ] && [ $module_loaded = 1 ]; then
	vms_after=$(cat $sysfs/vms 2>/dev/null)
	check "module: no VM left behind ($vms_before before, ${vms_after:-?} after)" \
		test "$vms_after" = "$vms_before"
fi
tap_done
