#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's check of hyperv_resvd_new (kmod/resvd.c), in the test VM.
#
# Booted with vm-args (the resvd tier, make check-resvd): a memmap=
# reservation that the parameter names (reserved), a range of ordinary RAM
# (unprotected: the allocator's pages), a range that no iomem resource
# covers and one only in a PCI host bridge window (both unprotected;
# claimed with resvd_claim=1, released at unload), and one in a device's
# BAR within the window (unprotected, never claimed: 0xfebfe000 is where
# the firmware puts BAR 1, the MSI-X table, of 00:02.0, one of run-vm's
# virtio-9p devices; no driver requests it). Then command lines that the
# module reads from a file bind-mounted over /proc/cmdline: malformed, two
# occurrences, absent.
# Booted without the parameter (the vm tier): absent, and not a word logged.
. "$(dirname "$0")/../lib/tap.sh"
sys=/sys/kernel/mshv_fastpath/resvd
claim_name="Hypervisor Code and Data (mshv_fastpath)"
vm_args=$(cat "$REPO/selftests/resvd/vm-args")
fake=$(mktemp)
trap 'umount /proc/cmdline 2>/dev/null; rm -f "$fake"' EXIT

is() {	# FILE EXPECTED: the sysfs file under resvd/ holds EXPECTED
	got=$(cat "$sys/$1" 2>&1)
	[ "$got" = "$2" ] && return 0
	echo "# $sys/$1: '$got', expected '$2'"
	return 1
}

matches() {	# FILE REGEX
	got=$(cat "$sys/$1" 2>&1)
	echo "$got" | grep -qE -- "$2" && return 0
	echo "# $sys/$1: '$got' does not match '$2'"
	return 1
}

range_is() {	# N START SIZE END STATUS
	is "$1/start" "$2" && is "$1/size" "$3" && is "$1/end" "$4" && is "$1/status" "$5"
}

# The module's log lines since the last reload.
log_mark=0
resvd_log() { dmesg | tail -n "+$((log_mark + 1))" | grep 'hyperv_resvd_new: '; }
log_has() {	# FIXED-STRING
	resvd_log | grep -qF -- "$1" && return 0
	echo "# no log line with '$1'; the module's:"
	resvd_log | sed 's/^/#   /'
	return 1
}
log_lines() {	# COUNT
	n=$(resvd_log | wc -l)
	[ "$n" = "$1" ] && return 0
	echo "# $n log lines, expected $1:"
	resvd_log | sed 's/^/#   /'
	return 1
}

reload() {	# [MODULE PARAMETERS]
	rmmod mshv_fastpath 2>/dev/null
	log_mark=$(dmesg | wc -l)
	insmod "$MSHV_FP_MODULE" "$@"
}

iomem_claims() { grep -cF "$claim_name" /proc/iomem; }

if [ ! -d "$sys" ] || [ -z "${MSHV_FP_MODULE:-}" ]; then
	# Not a skip: this collection exists for the test VM, which loads the module.
	check "the module is loaded and MSHV_FP_MODULE names it" false
	tap_done
fi
cmdline=$(cat /proc/cmdline)

case " $cmdline " in
*" $vm_args "*) ;;
*hyperv_resvd_new*)
	if [ -n "${MSHV_FP_RESVD_TIER:-}" ]; then
		check "booted with selftests/resvd/vm-args" false
	else
		skip "hyperv_resvd_new" "booted with a parameter this test does not know"
	fi
	tap_done ;;
*)
	if [ -n "${MSHV_FP_RESVD_TIER:-}" ]; then
		check "booted with selftests/resvd/vm-args (run make check-resvd)" false
		tap_done
	fi
	check "absent: status absent" is status absent
	check "absent: count 0" is count 0
	check "absent: error empty" is error ""
	check "absent: no range directory" test ! -e "$sys/0"
	check "absent: setup_data empty (no SETUP_MSHV in QEMU's boot)" is setup_data ""
	check "absent: resvd_claim off by default" \
		test "$(cat /sys/module/mshv_fastpath/parameters/resvd_claim)" = N
	# Every load since boot, the kmod collection's included: not a word.
	check "absent: no log line on a host without /dev/mshv" log_lines 0
	tap_done ;;
esac

# mshv-vmm resvd check on the same host: the module's verdicts, exit 1
# (a range is unprotected). VERDICTS: of ranges 0 to 4.
vmm=$REPO/userspace/mshv-vmm
vmm_check() {	# VERDICT0 ... VERDICT4
	if ! "$vmm" resvd --help >/dev/null 2>&1; then
		check "mshv-vmm has a resvd command" false
		return
	fi
	out=$("$vmm" resvd check 2>&1)
	status=$?
	echo "$out" | sed 's/^/# /'
	check "mshv-vmm resvd check exits 1: a range is unprotected (status $status)" \
		test "$status" = 1
	check "mshv-vmm resvd check --json: verdicts $*, the module's too" \
		vmm_json_verdicts "$@"
}
vmm_json_verdicts() {
	"$vmm" resvd check --json 2>/dev/null | python3 -c '
import json, sys
want = [(0x30000000, sys.argv[1]), (0x10000000, sys.argv[2]), (0x400000000, sys.argv[3]),
        (0x100000000, sys.argv[4]), (0xfebfe000, sys.argv[5])]
rows = [r for r in json.load(sys.stdin)["ranges"] if r["source"] == "cmdline"]
got = [(r["start"], r["verdict"]) for r in rows]
module = [(r["start"], (r["module"] or {}).get("status")) for r in rows]
assert got == want and module == want, (got, module)
' "$@"
}

# The module as run-vm loaded it, loaded again to see its log lines.
reload
check "overall status unprotected" is status unprotected
check "count 5" is count 5
check "error empty" is error ""
check "setup_data empty (no SETUP_MSHV in QEMU's boot)" is setup_data ""
check "range 0, memmap=4M\$0x30000000: reserved" \
	range_is 0 0x30000000 0x400000 0x303fffff reserved
check "range 0: detail" is 0/detail "covered by iomem resources, no allocatable page"
check "range 1, ordinary RAM: unprotected" \
	range_is 1 0x10000000 0x200000 0x101fffff unprotected
check "range 1: detail counts the allocator's pages" matches 1/detail \
	'^[0-9]+ pages? of System RAM the allocator manages, first at 0x10[0-9a-f]{6}$'
check "range 2, beyond RAM: unprotected" \
	range_is 2 0x400000000 0x1000 0x400000fff unprotected
check "range 2: detail" is 2/detail "no iomem resource covers 0x400000000-0x400000fff"
check "range 3, in the 64-bit PCI window: unprotected" \
	range_is 3 0x100000000 0x200000 0x1001fffff unprotected
check "range 3: detail" is 3/detail "0x100000000-0x1001fffff is in a PCI host bridge window"
check "range 4, a BAR in the 32-bit PCI window: unprotected" \
	range_is 4 0xfebfe000 0x1000 0xfebfefff unprotected
check "range 4: detail" is 4/detail "0xfebfe000-0xfebfefff is in a PCI host bridge window"
check "no range 5" test ! -e "$sys/5"
check "log: range 1 unprotected, with the memmap= that would fix it" \
	log_has "mshv_fastpath: hyperv_resvd_new: range 1 (0x10000000-0x101fffff, 2.00 MiB) unprotected: "
# shellcheck disable=SC2016
check "log: range 1's line names memmap=0x200000\$0x10000000" \
	log_has 'add memmap=0x200000$0x10000000'
check "log: range 2 unprotected, resvd_claim=1 would try to claim it" \
	log_has "range 2 (0x400000000-0x400000fff, 4.00 KiB) unprotected: no iomem resource covers 0x400000000-0x400000fff; resvd_claim=1 would try to claim it"
check "log: range 3 unprotected, resvd_claim=1 would try to claim it" \
	log_has "range 3 (0x100000000-0x1001fffff, 2.00 MiB) unprotected: 0x100000000-0x1001fffff is in a PCI host bridge window; resvd_claim=1 would try to claim it"
check "log: range 4 unprotected" \
	log_has "range 4 (0xfebfe000-0xfebfefff, 4.00 KiB) unprotected: 0xfebfe000-0xfebfefff is in a PCI host bridge window; resvd_claim=1 would try to claim it"
check "log: one line per problem, nothing on range 0" log_lines 4
check "nothing claimed without resvd_claim" test "$(iomem_claims)" = 0
vmm_check reserved unprotected unprotected unprotected unprotected

reload resvd_claim=1
check "resvd_claim=1: parameter shown" \
	test "$(cat /sys/module/mshv_fastpath/parameters/resvd_claim)" = Y
check "resvd_claim=1: range 2 claimed" is 2/status claimed
check "resvd_claim=1: range 2 detail says so" is 2/detail \
	"no iomem resource covers 0x400000000-0x400000fff; claimed as \"$claim_name\""
check "resvd_claim=1: range 2 busy in /proc/iomem" \
	grep -qx "400000000-400000fff : $claim_name" /proc/iomem
check "resvd_claim=1: range 3 claimed" is 3/status claimed
check "resvd_claim=1: range 3 busy in /proc/iomem, inside the window" \
	grep -qx "  100000000-1001fffff : $claim_name" /proc/iomem
check "resvd_claim=1: range 4 (in a device's BAR) given back" is 4/detail \
	"0xfebfe000-0xfebfefff is in a PCI host bridge window; not claimed: it lies inside 0xfebfe000-0xfebfefff, a resource in the window (a device's?)"
check "resvd_claim=1: range 4 unprotected" is 4/status unprotected
check "resvd_claim=1: range 1 (the allocator's pages) untouched" is 1/status unprotected
check "resvd_claim=1: range 0 still reserved" is 0/status reserved
check "resvd_claim=1: nothing else claimed" test "$(iomem_claims)" = 2
check "resvd_claim=1: overall still unprotected" is status unprotected
check "resvd_claim=1: log says range 2 is claimed" \
	log_has "range 2 (0x400000000-0x400000fff, 4.00 KiB): no iomem resource covers 0x400000000-0x400000fff; claimed as"
check "resvd_claim=1: log says range 3 is claimed" \
	log_has "range 3 (0x100000000-0x1001fffff, 2.00 MiB): 0x100000000-0x1001fffff is in a PCI host bridge window; claimed as"
check "resvd_claim=1: log still warns about range 1" log_has "range 1 (0x10000000-0x101fffff"
check "resvd_claim=1: log says range 4 was not claimed" \
	log_has "range 4 (0xfebfe000-0xfebfefff, 4.00 KiB) unprotected: 0xfebfe000-0xfebfefff is in a PCI host bridge window; not claimed: "
check "resvd_claim=1: four log lines" log_lines 4
vmm_check reserved unprotected claimed claimed unprotected
rmmod mshv_fastpath
check "unload releases the claim" test "$(iomem_claims)" = 0

# Other command lines, read by the module from a file over /proc/cmdline.
with_cmdline() {	# COMMAND LINE
	printf '%s\n' "$1" > "$fake"
	mount --bind "$fake" /proc/cmdline && reload
	rc=$?
	umount /proc/cmdline
	return $rc
}

with_cmdline "console=ttyS0 hyperv_resvd_new=0x1000!0x1000,0x1000!0x1000"
check "duplicate ranges: the module loads" test -d "$sys"
check "duplicate ranges: status invalid" is status invalid
check "duplicate ranges: count 0, no range directory" \
	sh -c "[ \"\$(cat $sys/count)\" = 0 ] && [ ! -e $sys/0 ]"
check "duplicate ranges: error names range and offset" \
	is error "range 1 at offset 14: the same as range 0"
check "duplicate ranges: one log line" \
	log_has "hyperv_resvd_new: invalid: range 1 at offset 14: the same as range 0"

with_cmdline "hyperv_resvd_new=0x1000,0x7e6c7000"
check "2023 form: invalid, and said so" matches error '^range 0 at offset 0: the 2023 form'

with_cmdline "hyperv_resvd_new=0x400000!0x30000000 quiet hyperv-resvd-new"
check "second occurrence without a value: named" \
	matches error "^occurrence 2: .*no '=' and no value"

with_cmdline "hyperv_resvd_new=0x1000!0x10000000 hyperv_resvd_new=0x400000!0x30000000"
check "two occurrences: the last one's ranges" \
	sh -c "[ \"\$(cat $sys/count)\" = 1 ] && [ \"\$(cat $sys/0/start)\" = 0x30000000 ]"
check "two occurrences: all reserved, status ok" is status ok
check "two occurrences: noted in the log" log_has "hyperv_resvd_new: 2 occurrences: "
check "all reserved: one summary line" log_has "hyperv_resvd_new: 1 range, 4.00 MiB, all reserved"

with_cmdline "console=ttyS0 quiet"
check "absent: status absent, count 0" \
	sh -c "[ \"\$(cat $sys/status)\" = absent ] && [ \"\$(cat $sys/count)\" = 0 ]"
check "absent: no log line on a host without /dev/mshv" log_lines 0

reload
tap_done
