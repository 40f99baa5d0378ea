#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-vmm run on a toy bzImage (toy_bzimage.S): the bzImage loader and the
# 64-bit entry, the UART both ways, power off, reset and triple fault and
# their exit statuses, signals and the console escape, --stats; and the
# command-line errors, which need no hypervisor.
# The guests need /dev/kvm. The vmm collection runs this test in the test VM
# with VMM_TOY_GUESTS=required (module loaded): there a missing /dev/kvm is a
# failure. In the host tier, a host without /dev/kvm checks the command line
# only and says so; the guests are the VM tier's to run.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
toy=$REPO/selftests/host/toy_bzimage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$vmm" ] || [ ! -f "$toy" ]; then
	skip "mshv-vmm on a toy bzImage" "mshv-vmm or toy_bzimage not built (make)"
	tap_done
fi

# What a failed case shows: the status and everything the VMM printed.
diagnose() {
	echo "# exit status $status; stdout (guest console):"
	sed 's/^/#   /' "$tmp/out"
	echo "# stderr:"
	sed 's/^/#   /' "$tmp/err"
}

# usage_error WANT_STATUS PATTERN ARGS...: `mshv-vmm run ARGS` fails with
# that status and one line on stderr matching PATTERN, nothing on stdout.
usage_error() {
	want=$1 pattern=$2
	shift 2
	"$vmm" run "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	status=$?
	if [ $status -eq "$want" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
	   [ ! -s "$tmp/out" ] && grep -qE -- "$pattern" "$tmp/err"; then
		return 0
	fi
	echo "# want exit status $want and one stderr line matching '$pattern'"
	diagnose
	return 1
}

printf 'not a kernel, just text\n' > "$tmp/text"
head -c 8192 /dev/zero > "$tmp/zeros"
: > "$tmp/empty"
# The toy's header, but claiming boot protocol 2.03 (no 64-bit entry yet).
cp "$toy" "$tmp/old_protocol"
printf '\003\002' | dd of="$tmp/old_protocol" bs=1 seek=518 conv=notrunc 2>/dev/null
# The toy without XLF_KERNEL_64.
cp "$toy" "$tmp/not_64bit"
printf '\000' | dd of="$tmp/not_64bit" bs=1 seek=566 conv=notrunc 2>/dev/null

check "usage: no --kernel" usage_error 2 'kernel is required'
check "usage: unknown option" usage_error 2 "unknown option '--frobnicate'" \
	--kernel "$toy" --frobnicate
check "usage: option without its argument" usage_error 2 'needs an argument' --kernel
check "usage: stray argument" usage_error 2 "unexpected argument 'extra'" --kernel "$toy" extra
check "kernel: missing file" usage_error 2 "$tmp/missing.*No such file" --kernel "$tmp/missing"
check "kernel: a directory" usage_error 2 "$tmp" --kernel "$tmp"
check "kernel: empty file" usage_error 2 'empty' --kernel "$tmp/empty"
check "kernel: not a regular file" usage_error 2 'not a regular file' --kernel /dev/null
check "kernel: a text file is no bzImage" usage_error 2 'not a Linux bzImage' --kernel "$tmp/text"
check "kernel: zeros are no bzImage" usage_error 2 'not a Linux bzImage' --kernel "$tmp/zeros"
check "kernel: boot protocol 2.03 refused" usage_error 2 'too old' --kernel "$tmp/old_protocol"
check "kernel: no 64-bit entry refused" usage_error 2 '64-bit' --kernel "$tmp/not_64bit"
check "initrd: missing file" usage_error 2 "initrd.*No such file" \
	--kernel "$toy" --initrd "$tmp/missing"
for mem in 0 12X -1 1 16M 1.5G 100T ''; do
	check "usage: --mem '$mem'" usage_error 2 '--mem' --kernel "$toy" --mem "$mem"
done
for cpus in 0 -1 abc 65 1x ''; do
	check "usage: --cpus '$cpus'" usage_error 2 '--cpus' --kernel "$toy" --cpus "$cpus"
done
check "usage: --disk without a path" usage_error 2 'needs a path' --kernel "$toy" --disk ''
check "usage: --disk PATH,rw" usage_error 2 "only option is ',ro'" \
	--kernel "$toy" --disk "$tmp/text,rw"
check "usage: --console bogus" usage_error 2 'serial or virtio' --kernel "$toy" --console vga
check "usage: --stats=xml" usage_error 2 'text or json' --kernel "$toy" --stats=xml
check "usage: --hypervisor xen" usage_error 2 'auto, kvm or mshv' --kernel "$toy" --hypervisor xen
# No hypervisor: one line saying what is missing and what would provide it.
if [ ! -e /dev/mshv ]; then
	check "--hypervisor mshv without /dev/mshv: what provides it" usage_error 1 \
		"/dev/mshv is not there: the Microsoft Hypervisor.s root driver provides it.*Mariner" \
		--kernel "$toy" --hypervisor mshv
	[ -e /dev/kvm ] ||
		check "--hypervisor auto without either: both named" usage_error 1 \
			'cannot open /dev/kvm.*; and cannot open /dev/mshv' --kernel "$toy"
fi
check "usage: 9 disks" usage_error 2 'at most' --kernel "$toy" \
	-d a -d b -d c -d d -d e -d f -d g -d h -d i

if [ ! -c /dev/kvm ]; then
	if [ "${VMM_TOY_GUESTS:-}" = required ]; then
		check "toy guests: /dev/kvm is there" false
	else
		echo "# toy guests: no /dev/kvm on this host; the vmm collection runs them in the test VM"
	fi
	tap_done
fi

# run_toy ACTION [ARGS...]: boot the toy with toy=ACTION; sets $status.
run_toy() {
	action=$1
	shift
	timeout -s KILL 120 "$vmm" run --kernel "$toy" --cmdline "toy=$action" "$@" \
		> "$tmp/out" 2> "$tmp/err" < /dev/null
	status=$?
}

# toy_ends ACTION WANT_STATUS PATTERN [ARGS...]: the toy ends with that
# status, its console matches PATTERN, and the VMM stopped at the request.
toy_ends() {
	action=$1 want=$2 pattern=$3
	shift 3
	run_toy "$action" "$@"
	if [ $status -eq "$want" ] && grep -q '^toy: hello from a 64-bit bzImage$' "$tmp/out" &&
	   grep -qE -- "$pattern" "$tmp/out" && ! grep -q 'STILL RUNNING' "$tmp/out"; then
		return 0
	fi
	echo "# want exit status $want and console lines matching '$pattern'"
	diagnose
	return 1
}

check "toy: power off (ACPI S5) exits 0" toy_ends p 0 '^toy: power off$'
check "toy: no toy= powers off, 0" toy_ends none 0 '^toy: unknown toy= action'
check "toy: 2 vCPUs, 64M, power off" toy_ends p 0 '^toy: power off$' --cpus 2 --mem 64M
check "toy: reset (i8042) exits 3" toy_ends r 3 '^toy: reset$'
check "toy: triple fault exits 4" toy_ends t 4 '^toy: triple fault$'

reset_said() {
	run_toy r
	grep -qi 'reset' "$tmp/err" && [ "$(wc -l < "$tmp/err")" -eq 1 ] && return 0
	echo "# want one stderr line about the reset"
	diagnose
	return 1
}
check "toy: reset explained in one line" reset_said

crash_said() {
	run_toy t
	grep -q 'guest crashed' "$tmp/err" && return 0
	diagnose
	return 1
}
check "toy: triple fault explained" crash_said

# 500 numbered lines, all there, in order, intact.
lines_intact() {
	run_toy o
	grep '^toy: abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ [0-9]*$' "$tmp/out" |
		sed 's/.* //' > "$tmp/numbers"
	seq 0 499 > "$tmp/want"
	if [ $status -eq 0 ] && cmp -s "$tmp/numbers" "$tmp/want" &&
	   grep -q '^toy: lines done$' "$tmp/out"; then
		return 0
	fi
	echo "# $(wc -l < "$tmp/numbers") of 500 lines intact and in order"
	diagnose
	return 1
}
check "toy: 500 console lines intact and in order" lines_intact

# wait_for_output PATTERN: up to 60 s for the console to show PATTERN.
wait_for_output() {
	n=0
	until grep -q -- "$1" "$tmp/out" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 600 ] && return 1
		sleep 0.1
	done
}

# stopped_by SIGNAL WANT_STATUS: a spinning guest (no exits at all) stops
# soon after SIGNAL, with WANT_STATUS.
stopped_by() {
	sig=$1 want=$2
	"$vmm" run --kernel "$toy" --cmdline toy=h > "$tmp/out" 2> "$tmp/err" < /dev/null &
	pid=$!
	if ! wait_for_output '^toy: spinning$'; then
		kill -KILL $pid
		wait $pid
		status=$?
		echo "# the toy never said it was spinning"
		diagnose
		return 1
	fi
	kill -"$sig" $pid
	n=0
	while kill -0 $pid 2>/dev/null && [ $n -lt 100 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	kill -0 $pid 2>/dev/null && { kill -KILL $pid; echo "# still running 10 s after SIG$sig"; }
	wait $pid
	status=$?
	[ $status -eq "$want" ] && return 0
	echo "# want exit status $want"
	diagnose
	return 1
}
check "toy: SIGTERM stops a spinning guest, 143" stopped_by TERM 143
check "toy: SIGINT stops a spinning guest, 130" stopped_by INT 130

# The console escape from a pipe: Ctrl-A x once the guest runs.
escape_quits() {
	{
		wait_for_output '^toy: spinning$'
		printf '\001x'
	} | timeout -s KILL 60 "$vmm" run --kernel "$toy" --cmdline toy=h > "$tmp/out" 2> "$tmp/err"
	status=$?
	[ $status -eq 130 ] && grep -q '^toy: spinning$' "$tmp/out" && return 0
	echo "# want exit status 130 after Ctrl-A x"
	diagnose
	return 1
}
check "toy: Ctrl-A x quits, 130" escape_quits

# Console input reaches the guest (UART receive); Ctrl-A Ctrl-A is one Ctrl-A.
echo_input() {
	{
		wait_for_output '^toy: echo until q$'
		printf 'ab\001\001cd'
		sleep 1
		printf 'q'
	} | timeout -s KILL 60 "$vmm" run --kernel "$toy" --cmdline toy=e > "$tmp/out" 2> "$tmp/err"
	status=$?
	[ $status -eq 0 ] && grep -q "^$(printf 'ab\001cd')\$" "$tmp/out" &&
		grep -q '^toy: echo done$' "$tmp/out" && return 0
	echo "# want the guest to echo 'ab', one Ctrl-A, 'cd', then power off"
	diagnose
	return 1
}
check "toy: console input echoed, Ctrl-A Ctrl-A sends Ctrl-A" echo_input

# --stats: the text block, and where the UART's line-status reads went.
if [ -e /dev/mshv_fastpath ]; then lsr_layer=module module_state=loaded
else lsr_layer=userspace module_state="not loaded"; fi
stats_text() {
	run_toy p --stats
	if [ $status -eq 0 ] &&
	   grep -q "^mshv-vmm stats: hypervisor kvm, fast-path module $module_state\$" "$tmp/err" &&
	   grep -qE "^  uart0 line status +fixed-read +$lsr_layer +[0-9]+\$" "$tmp/err" &&
	   grep -qE '^  exits that reached userspace: +[1-9][0-9]* ' "$tmp/err"; then
		return 0
	fi
	echo "# want the stats block, uart0 line status in $lsr_layer"
	diagnose
	return 1
}
check "toy: --stats prints placement and exits" stats_text

stats_json() {
	run_toy p --stats=json
	last=$(tail -n 1 "$tmp/err")
	case "$last" in
	'{"hypervisor": "kvm", '*'"rules": ['*'"exits": {'*'}}') ;;
	*) echo "# want one JSON object as the last stderr line"; diagnose; return 1 ;;
	esac
	echo "$last" | grep -q '"userspace": [1-9]' && return 0
	echo "# no userspace exits counted"
	diagnose
	return 1
}
check "toy: --stats=json is one object" stats_json

no_fastpath_all_userspace() {
	run_toy p --stats=json --no-fastpath
	last=$(tail -n 1 "$tmp/err")
	if [ $status -eq 0 ] && echo "$last" | grep -q '"layer": "userspace"' &&
	   ! echo "$last" | grep -qE '"layer": "(module|hypervisor)"' &&
	   echo "$last" | grep -q '"module": "disabled (--no-fastpath)"'; then
		return 0
	fi
	echo "# want every rule in userspace with --no-fastpath"
	diagnose
	return 1
}
check "toy: --no-fastpath keeps every rule in userspace" no_fastpath_all_userspace

missing_disk() {
	usage_error 2 "$tmp/missing" --kernel "$toy" --disk "$tmp/missing"
}
check "disk: missing image file named" missing_disk
tap_done
