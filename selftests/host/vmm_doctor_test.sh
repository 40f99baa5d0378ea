#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-vmm doctor: the diagnosis of this machine (no /dev/mshv, no KVM, no
# module), then of made-up hosts: a fake root for /proc and /sys
# (MSHV_VMM_ROOT) and device paths (MSHV_VMM_MSHV_DEVICE,
# MSHV_VMM_KVM_DEVICE) - /dev/null as a /dev/mshv that answers no probe.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
azure='0x1000!0x933000,0x17400000!0x104e00000,0x1000!0x1000,0x4e00000!0x100000000'

# doctor's output in $tmp/out, its status in $tmp/status.
doctor() {
	"$vmm" doctor "$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/status"
}
status_is() { [ "$(cat "$tmp/status")" -eq "$1" ] || { echo "# status $(cat "$tmp/status")"; return 1; }; }
# One line of the output matches the extended regex.
says() {
	grep -qE -- "$1" "$tmp/out" && return 0
	echo "# no line matches: $1"
	sed 's/^/#   /' "$tmp/out"
	return 1
}
# Under the check labelled $1, a fix line matching $2.
fix_after() {
	awk -v want="^  (ok|warn|FAIL|info) +$1 " -v fix="$2" '
		found { ok = ($0 ~ "^ +fix: " && $0 ~ fix); exit }
		$0 ~ want { found = 1 }
		END { exit !ok }' "$tmp/out" && return 0
	echo "# no fix matching '$2' under '$1'"
	sed 's/^/#   /' "$tmp/out"
	return 1
}
# Under the check labelled $1, no fix line.
no_fix_after() {
	awk -v want="^  (ok|warn|FAIL|info) +$1 " '
		found { bad = ($0 ~ "^ +fix: "); exit }
		$0 ~ want { found = 1 }
		END { exit !(found && !bad) }' "$tmp/out"
}

# A fake host: $1 names it; cmdline, cpuinfo flags, kernel release.
fake_root() {
	root=$tmp/$1
	mkdir -p "$root/proc/sys/kernel"
	printf '%s\n' "$2" > "$root/proc/cmdline"
	printf 'processor\t: 0\nflags\t\t: %s\n\nprocessor\t: 1\nflags\t\t: %s\n' "$3" "$3" \
		> "$root/proc/cpuinfo"
	echo "${4:-6.1.0-test}" > "$root/proc/sys/kernel/osrelease"
	echo "$root"
}

# ---- This machine, as it is: no /dev/mshv, no /dev/kvm, no module ----
export MSHV_VMM_KVM_DEVICE="$tmp/no-kvm"	# /dev/kvm may come and go on CI hosts
check "no /dev/mshv here" test ! -e /dev/mshv
check "no mshv_fastpath module here" test ! -e /dev/mshv_fastpath
doctor
check "this host: exit 1 (no hypervisor)" status_is 1
check "this host: nothing on stderr" test ! -s "$tmp/err"
check "/dev/mshv: FAIL absent" says '^  FAIL  /dev/mshv +absent: this host is not a Microsoft Hypervisor root partition$'
check "/dev/mshv: fix names what provides it" \
	fix_after /dev/mshv 'DCas_cc_v5.*Mariner \*\.mshv\* kernel.*Linux >= 6\.15 with CONFIG_MSHV_ROOT.*root partition'
check "kernel: uname -r, informational" says "^  info  kernel +$(uname -r): not a Mariner mshv kernel\$"
check "hyperv_resvd_new: not applicable" says '^  info  hyperv_resvd_new +not applicable: no /dev/mshv$'
check "module: not loaded, a warning" says '^  warn  fast-path module +not loaded: every exit reaches mshv-vmm'
if [ -e /proc/modules ]; then
	check "module: fix is modprobe" fix_after 'fast-path module' 'sudo modprobe mshv_fastpath'
else
	check "module: fix says this kernel cannot load modules, then modprobe" \
		fix_after 'fast-path module' 'cannot load modules.*sudo modprobe mshv_fastpath'
fi
check "/dev/kvm: FAIL absent" says "^  FAIL  /dev/kvm +$tmp/no-kvm: No such file or directory"
if grep -qwE 'vmx|svm' /proc/cpuinfo; then
	check "/dev/kvm: fix loads KVM" fix_after '/dev/kvm' 'sudo modprobe kvm_(intel|amd)'
else
	check "/dev/kvm: says the CPU has no VMX/SVM" says '/dev/kvm .*neither VMX nor SVM'
	check "/dev/kvm: fix is nested virtualization" fix_after '/dev/kvm' 'nested virtualization'
fi
check "SEV-SNP: informational" says '^  info  SEV-SNP +CPU flags: .*non-isolated partitions'
check "SEV-SNP: no fix" no_fix_after 'SEV-SNP'
check "kernel: no fix" no_fix_after 'kernel'
check "verdict: cannot launch" says '^mshv-vmm cannot launch a VM here: neither /dev/mshv nor /dev/kvm is usable$'

# --json: one object with the fields programs read.
doctor --json
check "--json: exit 1 too" status_is 1
check "--json parses (python3 -m json.tool)" python3 -m json.tool "$tmp/out" /dev/null
json_fields() {
	python3 - "$tmp/out" "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = dict(arg.split("=", 1) for arg in sys.argv[2:])
checks = {c["name"]: c for c in doc["checks"]}
names = [c["name"] for c in doc["checks"]]
problems = []
if names != ["mshv", "kernel", "hyperv_resvd_new", "module", "kvm", "isolation"]:
    problems.append("names %s" % names)
for c in doc["checks"]:
    if c["status"] not in ("ok", "warn", "fail", "info") or not c["summary"]:
        problems.append("bad check %s" % c)
    if set(c) - {"name", "status", "summary", "fix"}:
        problems.append("extra keys in %s" % c)
for key, value in want.items():
    if "." in key:
        name, field = key.split(".")
        got = checks[name].get(field)
        ok = value in (got or "") if field != "status" else got == value
    else:
        got = json.dumps(doc.get(key, "<missing>"))
        ok = got == value
    if not ok:
        problems.append("%s: got %s, want %s" % (key, got, value))
for p in problems:
    print("# " + p)
sys.exit(1 if problems else 0)
EOF
}
check "--json: can_launch false, hypervisor and mshv_abi null" \
	json_fields can_launch=false hypervisor=null mshv_abi=null
check "--json: statuses and fixes" \
	json_fields mshv.status=fail mshv.fix=CONFIG_MSHV_ROOT kernel.status=info \
		hyperv_resvd_new.status=info module.status=warn module.fix=mshv_fastpath \
		kvm.status=fail isolation.status=info
check "--json: tools_version" json_fields "tools_version=\"$(cat "$REPO/VERSION")\""

# ---- Usage ----
check "doctor --help: exit 0" exits_with 0 "$vmm" doctor --help
for topic in /dev/mshv kernel hyperv_resvd_new 'fast-path module' /dev/kvm SEV-SNP \
	     'Exit status: 0'; do
	check "doctor --help explains $topic" output_matches "^  $topic|^$topic" "$vmm" doctor --help
done
check "help doctor" output_matches '^Usage: mshv-vmm doctor' "$vmm" help doctor
check "mshv-vmm --help lists doctor" output_matches '^  doctor ' "$vmm" --help
check "doctor --bogus: 2" exits_with 2 "$vmm" doctor --bogus
check "doctor extra argument: 2" exits_with 2 "$vmm" doctor extra
check "doctor extra argument named" output_matches "unexpected argument 'extra'" "$vmm" doctor extra

# ---- /dev/mshv present, answering no probe: an unknown ABI ----
good=$(fake_root good "BOOT_IMAGE=/vmlinuz ro hyperv_resvd_new=$azure quiet" \
	"fpu svm sev sev_es sev_snp" "5.15.126.mshv9-2.cm2")
mkdir -p "$good/sys/module/kvm_amd/parameters"
echo Y > "$good/sys/module/kvm_amd/parameters/sev_snp"
MSHV_VMM_ROOT=$good MSHV_VMM_MSHV_DEVICE=/dev/null doctor
check "unknown ABI: exit 1" status_is 1
check "unknown ABI: FAIL, both probes named" \
	says '^  FAIL  /dev/mshv +present, unknown ABI: /dev/null: CHECK_EXTENSION \(0x4004b800\):? Inappropriate ioctl for device; CREATE_PARTITION .*\(0x4010b800\):? Inappropriate ioctl for device$'
check "unknown ABI: fix says what is known and how to report" \
	fix_after '/dev/mshv' 'upstream.*Mariner.*mshv-validate\.sh'
check "Mariner release recognised" says '^  info  kernel +5\.15\.126\.mshv9-2\.cm2: a Mariner mshv kernel'
check "hyperv_resvd_new: Azure's string ok, 4 ranges, 450 MiB" \
	says '^  ok    hyperv_resvd_new +4 ranges, 450\.0 MiB in all$'
check "CPU with SVM: fix loads kvm_amd" fix_after '/dev/kvm' 'sudo modprobe kvm_amd'
check "CPU with SVM: said" says '/dev/kvm .*\(the CPU has SVM\)'
check "SEV-SNP flags and kvm_amd parameter read" \
	says '^  info  SEV-SNP +CPU flags: sev sev_es sev_snp; kvm_amd sev_snp on \(mshv-vmm launches non-isolated partitions\)$'
MSHV_VMM_ROOT=$good MSHV_VMM_MSHV_DEVICE=/dev/null doctor --json
check "unknown ABI: --json mshv_abi \"unknown\"" json_fields 'mshv_abi="unknown"' \
	hyperv_resvd_new.status=ok mshv.summary=CREATE_PARTITION

# ---- hyperv_resvd_new on a host with /dev/mshv ----
resvd_case() {
	root=$(fake_root "$1" "$2" "fpu vmx")
	MSHV_VMM_ROOT=$root MSHV_VMM_MSHV_DEVICE=/dev/null doctor
}
resvd_case absent "BOOT_IMAGE=/vmlinuz ro quiet"
check "resvd absent on an mshv host: warn" \
	says '^  warn  hyperv_resvd_new +absent: this kernel was not told which memory is the hypervisor'
check "resvd absent: fix points to the loader and resvd check" \
	fix_after 'hyperv_resvd_new' 'mshv loader.*mshv-vmm resvd check'
check "CPU with VMX: fix loads kvm_intel" fix_after '/dev/kvm' 'sudo modprobe kvm_intel'
resvd_case bad "ro hyperv_resvd_new=0x1000!0x933000,0x2000!0x932000 quiet"
check "resvd overlap: FAIL with range and offset" \
	says '^  FAIL  hyperv_resvd_new +malformed: range 1 at offset 16: 0x932000-0x933fff overlaps range 0$'
check "resvd malformed: fix says the boot stub writes it" fix_after 'hyperv_resvd_new' 'boot stub'
resvd_case zero "hyperv_resvd_new=0x1000!0"
check "resvd start 0: the kernel refuses it" \
	says 'malformed: range 0 at offset 7: start 0 \(the kernel refuses this\)'
resvd_case old "hyperv_resvd_new=0x80,0x7f6f6018"
check "resvd old form: recognised, a warning" \
	says '^  warn  hyperv_resvd_new +cannot be checked: range 0 at offset 0: the 2023 form <size>,<addr>'
resvd_case twice "hyperv_resvd_new=0x1000!0x2000 ro hyperv_resvd_new=$azure"
check "resvd twice: warn, the last one described" \
	says '^  warn  hyperv_resvd_new +2 occurrences: the kernel reserves the ranges of each; the last one has 4 ranges'
resvd_case second_bad "hyperv_resvd_new=$azure hyperv_resvd_new=0x1000!0x1001"
check "resvd: the bad occurrence is named" says 'malformed: occurrence 2: range 0 at offset 7: start not aligned'
root=$(fake_root present-no-mshv "hyperv_resvd_new=$azure" "fpu")
MSHV_VMM_ROOT=$root doctor
check "resvd present without /dev/mshv: info, decoded" \
	says '^  info  hyperv_resvd_new +not applicable \(no /dev/mshv\), but present: 4 ranges'

# ---- /dev/mshv absent, but its driver is a module of this kernel ----
root=$(fake_root modular "ro" "fpu" "6.15.0-mshv-test")
mkdir -p "$root/lib/modules/6.15.0-mshv-test" "$root/proc/modules"
echo "kernel/drivers/hv/mshv_root.ko: kernel/drivers/hv/hv_vmbus.ko" \
	> "$root/lib/modules/6.15.0-mshv-test/modules.dep"
MSHV_VMM_ROOT=$root doctor
check "mshv_root as a module: fix is modprobe mshv_root" fix_after '/dev/mshv' 'sudo modprobe mshv_root'
check "a kernel with modules: fix is modprobe mshv_fastpath" \
	fix_after 'fast-path module' '^ +fix: sudo modprobe mshv_fastpath'

# ---- KVM device that is not KVM; a device this user may not open ----
MSHV_VMM_KVM_DEVICE=/dev/null doctor
check "/dev/null as KVM: not KVM" says '^  FAIL  /dev/kvm +/dev/null: not KVM: KVM_GET_API_VERSION: Inappropriate ioctl'
: > "$tmp/mshv-root-only"
chmod 600 "$tmp/mshv-root-only"
MSHV_VMM_MSHV_DEVICE=$tmp/mshv-root-only setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$vmm" doctor > "$tmp/out" 2>&1
check "EACCES: FAIL with mode and owner" says '^  FAIL  /dev/mshv +present, but not for this user: mode 0600, owner 0'
check "EACCES: fix is root or a udev group" fix_after '/dev/mshv' 'run as root.*udev rule.*GROUP="kvm"'
tap_done
