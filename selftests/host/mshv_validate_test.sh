#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/mshv-validate.sh on a machine without mshv: the report is written
# whole, each failing step is recorded (doctor: no /dev/mshv; the boots:
# mshv-vmm cannot run), and nothing stops it half-way.
. "$(dirname "$0")/../lib/tap.sh"
validate=$REPO/scripts/mshv-validate.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# doctor's verdict must not depend on whether this CI host has a /dev/kvm.
export MSHV_VMM_KVM_DEVICE="$tmp/no-kvm"

check "--help exits 0" exits_with 0 "$validate" --help
check "--help says it never changes the boot configuration" \
	output_matches 'never changes the boot configuration' "$validate" --help
check "--help: every option has a line" \
	output_matches '--no-boot .*--hypervisor|--hypervisor' "$validate" --help
check "unknown option: 2" exits_with 2 "$validate" --frobnicate
check "bad --hypervisor: 2" exits_with 2 "$validate" --hypervisor xen
check "bad --timeout: 2" exits_with 2 "$validate" --timeout 1m
mkdir "$tmp/full" && : > "$tmp/full/x"
check "a non-empty output directory is refused: 2" exits_with 2 "$validate" --output "$tmp/full"

# ---- --no-boot --no-module: what this machine can do ----
report=$tmp/report
"$validate" --no-boot --no-module --output "$report" > "$tmp/stdout" 2> "$tmp/stderr"
status=$?
check "no mshv here: exit 1 (a step failed), report written" test "$status" -eq 1
check "nothing on stderr" test ! -s "$tmp/stderr"
for f in summary.txt uname.txt cmdline.txt os-release.txt devices.txt lsmod.txt dmesg-mshv.txt \
	 iomem-hypervisor.txt module.txt version.txt version.json doctor.txt doctor.json; do
	check "report has $f" test -s "$report/$f"
done
check "uname.txt is uname -a" grep -qF "$(uname -a)" "$report/uname.txt"
check "cmdline.txt is /proc/cmdline" cmp -s /proc/cmdline "$report/cmdline.txt"
check "summary: system recorded" grep -qE '^(ok|FAIL) +system ' "$report/summary.txt"
check "summary: module skipped (--no-module)" grep -qE '^skip +module +--no-module$' "$report/summary.txt"
check "summary: doctor failed, with its verdict" \
	grep -qE '^FAIL +doctor +mshv-vmm cannot launch a VM here' "$report/summary.txt"
check "summary: doctor's FAIL lines copied" grep -qE '^ +FAIL +/dev/mshv +absent' "$report/summary.txt"
check "summary: boots skipped" grep -qE '^skip +boots +--no-boot$' "$report/summary.txt"
check "doctor.txt: no /dev/mshv" grep -qE '^  FAIL  /dev/mshv +absent: ' "$report/doctor.txt"
check "doctor.txt: exit status recorded" grep -qx '\[exit status 1\]' "$report/doctor.txt"
check "doctor.json parses" python3 -m json.tool "$report/doctor.json" /dev/null
check "stdout: the summary and both paths" \
	grep -qx "attach:  $report.tar.gz" "$tmp/stdout"
check "stdout: the report directory" grep -qx "report:  $report" "$tmp/stdout"
check "tarball holds the report" \
	sh -c "tar -tzf '$report.tar.gz' | grep -qx 'report/doctor.json'"
check "no boot files without boots" test ! -e "$report/boot-fastpath.stderr"

# ---- A module that is not there; boots that cannot run ----
report=$tmp/report2
: > "$tmp/empty-initrd"
"$validate" --module "$tmp/no-such.ko" --kernel "$REPO/selftests/host/toy_bzimage" \
	--initrd "$tmp/empty-initrd" --timeout 30 --output "$report" > "$tmp/stdout" 2>&1
status=$?
check "failing boots: exit 1, report written" test "$status" -eq 1 -a -s "$report.tar.gz"
check "insmod failure recorded" grep -qE "^FAIL +module +insmod $tmp/no-such.ko" "$report/summary.txt"
for run in fastpath no-fastpath; do
	check "boot $run: failure recorded with mshv-vmm's status" \
		grep -qE "^FAIL +boot $run +exit status [1-9]" "$report/summary.txt"
	check "boot $run: stderr kept" test -s "$report/boot-$run.stderr"
	check "boot $run: status kept" grep -qE '^[1-9][0-9]*$' "$report/boot-$run.status"
done
check "boot commands recorded, --stats=json on both" \
	grep -q -- '--stats=json' "$report/boot-fastpath.cmd" "$report/boot-no-fastpath.cmd"
check "the first boot with the fast path" \
	sh -c "! grep -q -- --no-fastpath '$report/boot-fastpath.cmd'"
check "the second boot with --no-fastpath" grep -q -- '--no-fastpath' "$report/boot-no-fastpath.cmd"
check "exits: recorded as missing" grep -qE '^FAIL +exits ' "$report/summary.txt"
check "exits.txt: the table, with no numbers" \
	grep -qE '^exits that reached userspace +- +-$' "$report/exits.txt"

# ---- The whole way through, with a stand-in for mshv-vmm on an mshv host ----
cat > "$tmp/fake-vmm" <<'FAKE'
#!/bin/sh
# Answers as mshv-vmm would on a working mshv root.
case "$1 ${2:-}" in
"--version "*) echo "mshv-vmm 9.9.9" ;;
"version --json") echo '{"tools_version":"9.9.9","abi":"0.3","module":{"loaded":true}}' ;;
"version "*) echo "mshv-vmm  9.9.9 (ABI 0.3)" ;;
"doctor --json") echo '{"can_launch":true,"hypervisor":"mshv","mshv_abi":"upstream","checks":[]}' ;;
"doctor "*) printf '  ok    /dev/mshv          upstream ABI (Linux >= 6.15)\n\n'
	echo "mshv-vmm can launch VMs here: on /dev/mshv, upstream ABI (Linux >= 6.15)" ;;
"run "*)
	echo "MSHV-GUEST: init"
	case " $* " in
	*" --no-fastpath "*) module='"disabled (--no-fastpath)"' handled=0 user=5000 read=3000 ;;
	*) module='"loaded"' handled=4600 user=400 read=100 ;;
	esac
	echo "mshv-vmm: a line before the statistics" >&2
	printf '{"hypervisor": "mshv", "module": %s, "cpus": 1, "rules": [{"name": "uart0 transmit", "kind": "coalesce", "layer": "module", "userspace_hits": 0}], "exits": {"hypervisor": null, "module_handled": %s, "userspace": %s, "userspace_pio_read": %s, "userspace_pio_write": 7, "userspace_mmio_read": 0, "userspace_mmio_write": 0, "userspace_hlt": 1, "userspace_other": 0}, "drained": {"hypervisor": 0, "module": 3}, "unclaimed": {"pio": 0, "mmio": 0}}\n' \
		"$module" "$handled" "$user" "$read" >&2
	;;
*) exit 2 ;;
esac
FAKE
chmod 755 "$tmp/fake-vmm"
report=$tmp/report3
"$validate" --vmm "$tmp/fake-vmm" --no-module --kernel "$REPO/selftests/host/toy_bzimage" \
	--initrd "$tmp/empty-initrd" --output "$report" > "$tmp/stdout" 2>&1
status=$?
check "all steps pass: exit 0" test "$status" -eq 0
check "doctor ok with its verdict" \
	grep -qE '^ok +doctor +mshv-vmm can launch VMs here: on /dev/mshv' "$report/summary.txt"
for run in fastpath no-fastpath; do
	check "boot $run: reached init" \
		grep -qE "^ok +boot $run +guest reached init and powered off" "$report/summary.txt"
	check "boot $run: the stats line, alone" \
		python3 -m json.tool "$report/boot-$run.stats.json" /dev/null
done
check "exits side by side: userspace" \
	grep -qE '^exits that reached userspace +400 +5000$' "$report/exits.txt"
check "exits side by side: handled in the module" \
	grep -qE '^handled in the module +4600 +0$' "$report/exits.txt"
check "exits side by side: port I/O reads" grep -qE '^  port I/O read +100 +3000$' "$report/exits.txt"
check "exits: the ratio" \
	grep -qx 'userspace exits with the fast path: 8.0 % of those without' "$report/exits.txt"
check "exits: rule placement" grep -qx 'rules placed (fast path): module 1' "$report/exits.txt"
check "exits table on stdout too" grep -qE '^ +exits that reached userspace +400 +5000$' "$tmp/stdout"
tap_done
