#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Validate mshv-fastpath on a real host and pack a report to attach to a bug.
#
#   scripts/mshv-validate.sh [OPTIONS]
#
# Meant for an mshv root partition (an Azure DCas_cc_v5 VM with its Mariner
# *.mshv* kernel, or Linux >= 6.15 with CONFIG_MSHV_ROOT); run it as root.
# It records the system (uname, /proc/cmdline, os-release, the devices,
# loaded mshv modules, the kernel log's mshv/Hyper-V lines), loads the
# mshv_fastpath module, runs `mshv-vmm doctor` (text and --json), boots a
# guest twice - with the fast path and with --no-fastpath - and puts the
# exit counts side by side. Every file goes into one directory, packed into
# DIR.tar.gz; both paths are printed at the end. A step that fails is
# recorded and the next one runs. It never changes the boot configuration.
#
#   -o, --output DIR        report directory (default ./mshv-validate-HOST-DATE)
#   -k, --kernel FILE       guest kernel (default /boot/vmlinuz-$(uname -r))
#   -i, --initrd FILE       guest initramfs (default: built by
#                           selftests/guest/mkguest for the guest kernel)
#   -c, --cmdline STR       guest command line (default 'guest.test=boot panic=-1')
#   -m, --module FILE.ko    insmod this module instead of modprobe mshv_fastpath
#       --no-module         do not load the module (when it is loaded already)
#       --no-boot           skip the two guest boots
#       --hypervisor NAME   mshv (default), kvm or auto, for mshv-vmm run
#       --vmm FILE          the mshv-vmm to use (default: this checkout's
#                           userspace/mshv-vmm if built, else mshv-vmm in PATH)
#       --timeout SECONDS   per guest boot (default 180)
#   -h, --help              this text
#
# Exit status: 0 every step passed, 1 some step failed (the report says
# which; it is complete either way), 2 bad command line.
set -u

here=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$here/..")
usage() { awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"; }
die_usage() { echo "mshv-validate: $*" >&2; echo "Try 'mshv-validate.sh --help'." >&2; exit 2; }

out='' kernel='' initrd='' cmdline='guest.test=boot panic=-1' module='' no_module='' no_boot=''
hypervisor=mshv vmm='' timeout=180
while [ $# -gt 0 ]; do
	case "$1" in
	-o|--output) out=${2:?--output needs a directory}; shift ;;
	-k|--kernel) kernel=${2:?--kernel needs a file}; shift ;;
	-i|--initrd) initrd=${2:?--initrd needs a file}; shift ;;
	-c|--cmdline) cmdline=${2?--cmdline needs a string}; shift ;;
	-m|--module) module=${2:?--module needs a file}; shift ;;
	--no-module) no_module=1 ;;
	--no-boot) no_boot=1 ;;
	--hypervisor) hypervisor=${2:?--hypervisor needs mshv, kvm or auto}; shift ;;
	--vmm) vmm=${2:?--vmm needs a file}; shift ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die_usage "unknown argument '$1'" ;;
	esac
	shift
done
case "$hypervisor" in mshv|kvm|auto) ;; *) die_usage "--hypervisor $hypervisor: want mshv, kvm or auto" ;; esac
case "$timeout" in ''|*[!0-9]*) die_usage "--timeout $timeout: want whole seconds" ;; esac
[ -n "$module" ] && [ -n "$no_module" ] && die_usage "--module and --no-module exclude each other"

[ -n "$out" ] || out=./mshv-validate-$(hostname -s 2>/dev/null || echo host)-$(date +%Y%m%d-%H%M%S)
[ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ] && die_usage "$out exists and is not empty"
mkdir -p "$out" || die_usage "cannot create $out"
out=$(readlink -f "$out")
failed=0

# One line per step, on the terminal and in summary.txt: STATUS STEP DETAIL.
step() {
	printf '%-5s %-22s %s\n' "$1" "$2" "$3" | tee -a "$out/summary.txt"
	[ "$1" = FAIL ] && failed=1
	return 0
}
# Run a command with its output (both streams) in FILE; its status is returned.
record() {
	local file=$1
	shift
	{ printf '$'; printf ' %q' "$@"; echo; "$@"; } > "$out/$file" 2>&1
	local status=$?
	echo "[exit status $status]" >> "$out/$file"
	return $status
}

{
	echo "mshv-validate report, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "repository: $repo ($(git -C "$repo" describe --always --dirty 2>/dev/null || echo 'not a git checkout'))"
	echo "version: $(cat "$repo/VERSION" 2>/dev/null || echo unknown)"
	echo "running as: $(id)"
	echo
} > "$out/summary.txt"
cat "$out/summary.txt"

# ---- The system ----
record uname.txt uname -a
cat /proc/cmdline > "$out/cmdline.txt" 2>&1
cat /etc/os-release > "$out/os-release.txt" 2>&1
record devices.txt sh -c 'ls -l /dev/mshv* /dev/kvm 2>&1; true'
if [ -r /proc/modules ]; then
	record lsmod.txt sh -c 'grep -iE "^(mshv|hv_|hyperv|kvm)" /proc/modules; true'
else
	echo "no /proc/modules: this kernel was built without module support" > "$out/lsmod.txt"
fi
if dmesg > "$out/dmesg-all.tmp" 2>&1; then
	grep -iE 'mshv|hyper-?v|hv_|hypervisor' "$out/dmesg-all.tmp" | tail -n 300 > "$out/dmesg-mshv.txt"
	step ok system "uname -a, /proc/cmdline, os-release, devices, modules, $(wc -l < "$out/dmesg-mshv.txt") kernel log lines"
else
	sed 's/^/dmesg: /' "$out/dmesg-all.tmp" > "$out/dmesg-mshv.txt"
	step FAIL system "dmesg failed (run as root): $(head -n 1 "$out/dmesg-all.tmp")"
fi
rm -f "$out/dmesg-all.tmp"
# Where the kernel put the hypervisor's memory (root sees the addresses).
grep -i -B1 -A1 'hypervisor' /proc/iomem > "$out/iomem-hypervisor.txt" 2>&1 ||
	echo "(no 'Hypervisor' entries in /proc/iomem)" >> "$out/iomem-hypervisor.txt"

# ---- The tools ----
if [ -z "$vmm" ]; then
	if [ -x "$repo/userspace/mshv-vmm" ]; then
		vmm=$repo/userspace/mshv-vmm
	else
		vmm=$(command -v mshv-vmm)
	fi
fi
if [ -z "$vmm" ] || [ ! -x "$vmm" ]; then
	step FAIL mshv-vmm "not found: build it (make -C userspace) or pass --vmm"
	vmm=
else
	step ok mshv-vmm "$vmm, $("$vmm" --version 2>&1)"
fi

# ---- The module ----
if [ -n "$no_module" ]; then
	echo "not loaded by this script (--no-module)" > "$out/module.txt"
	step skip module "--no-module"
elif [ -n "$module" ]; then
	if record module.txt insmod "$module"; then
		step ok module "insmod $module"
	else
		step FAIL module "insmod $module: $(sed -n 2p "$out/module.txt")"
	fi
elif [ -e /dev/mshv_fastpath ]; then
	echo "already loaded: /dev/mshv_fastpath exists; not reloaded" > "$out/module.txt"
	step ok module "already loaded"
elif record module.txt modprobe mshv_fastpath; then
	step ok module "modprobe mshv_fastpath"
else
	step FAIL module "modprobe mshv_fastpath: $(sed -n 2p "$out/module.txt")"
fi
if [ -n "$vmm" ]; then
	record version.txt "$vmm" version
	"$vmm" version --json > "$out/version.json" 2>&1
fi

# ---- doctor ----
if [ -n "$vmm" ]; then
	record doctor.txt "$vmm" doctor
	doctor_status=$?
	"$vmm" doctor --json > "$out/doctor.json" 2>&1
	fails=$(grep -cE '^  FAIL ' "$out/doctor.txt")
	verdict=$(grep -E '^mshv-vmm (can|cannot) launch' "$out/doctor.txt")
	if [ "$doctor_status" -eq 0 ] && [ "$fails" -eq 0 ]; then
		step ok doctor "$verdict"
	elif [ "$doctor_status" -eq 0 ]; then
		step ok doctor "$verdict; $fails FAIL line(s) below"
	else
		step FAIL doctor "${verdict:-exit status $doctor_status}; see doctor.txt"
	fi
	grep -E '^  (FAIL|warn) ' "$out/doctor.txt" | sed 's/^  /      /' | tee -a "$out/summary.txt"
else
	step FAIL doctor "no mshv-vmm"
fi

# ---- Two boots: with the fast path, without ----
find_initrd() {
	local kver mkguest=$repo/selftests/guest/mkguest
	kver=$(basename "$kernel")
	kver=${kver#vmlinuz-}
	if [ ! -x "$mkguest" ]; then
		echo "no --initrd and no $mkguest" > "$out/initrd.txt"
		return 1
	fi
	record initrd.txt "$mkguest" -k "$kver" || return 1
	initrd=$(tail -n 2 "$out/initrd.txt" | head -n 1)
	[ -f "$initrd" ]
}

# boot NAME [EXTRA RUN OPTIONS]: command, console, stderr, stats, status in boot-NAME.*
boot() {
	local name=$1 start end status
	shift
	set -- "$vmm" run --hypervisor "$hypervisor" --kernel "$kernel" --initrd "$initrd" \
		--cmdline "$cmdline" --stats=json "$@"
	printf '%q ' "$@" > "$out/boot-$name.cmd"
	echo >> "$out/boot-$name.cmd"
	start=$(date +%s.%N)
	timeout -k 10 "$timeout" "$@" < /dev/null > "$out/boot-$name.console" \
		2> "$out/boot-$name.stderr"
	status=$?
	end=$(date +%s.%N)
	echo "$status" > "$out/boot-$name.status"
	echo "$start $end" | awk '{ printf "%.2f\n", $2 - $1 }' > "$out/boot-$name.seconds"
	grep '^{"hypervisor"' "$out/boot-$name.stderr" | tail -n 1 > "$out/boot-$name.stats.json"
	if [ "$status" -eq 0 ] && grep -q 'MSHV-GUEST: init' "$out/boot-$name.console"; then
		step ok "boot $name" "guest reached init and powered off in $(cat "$out/boot-$name.seconds") s"
	elif [ "$status" -eq 0 ]; then
		step ok "boot $name" "exit status 0 in $(cat "$out/boot-$name.seconds") s (no MSHV-GUEST marker: another initrd?)"
	elif [ "$status" -eq 124 ]; then
		step FAIL "boot $name" "no poweroff within $timeout s; last console line: $(tail -n 1 "$out/boot-$name.console")"
	else
		step FAIL "boot $name" "exit status $status: $(grep -m1 '^mshv-vmm' "$out/boot-$name.stderr")"
	fi
}

# The two runs' exit counts in one table (exits.txt).
compare_exits() {
	command -v python3 >/dev/null ||
		{ echo "python3 not found: see boot-*.stats.json" > "$out/exits.txt"; return 1; }
	python3 - "$out" > "$out/exits.txt" 2>&1 <<'EOF'
import json, sys
out = sys.argv[1]
names = ("fastpath", "no-fastpath")
runs, missing = [], []
for name in names:
    try:
        run = json.load(open("%s/boot-%s.stats.json" % (out, name)))
    except (OSError, ValueError):
        run = {}
        missing.append(name)
    run["seconds"] = open("%s/boot-%s.seconds" % (out, name)).read().strip()
    runs.append(run)
def get(run, *path):
    for key in path:
        if not isinstance(run, dict) or key not in run:
            return "-"
        run = run[key]
    return "-" if run is None else run
rows = [
    ("hypervisor", ("hypervisor",)),
    ("fast-path module", ("module",)),
    ("exits taken by the hypervisor", ("exits", "hypervisor")),
    ("handled in the module", ("exits", "module_handled")),
    ("exits that reached userspace", ("exits", "userspace")),
    ("  port I/O read", ("exits", "userspace_pio_read")),
    ("  port I/O write", ("exits", "userspace_pio_write")),
    ("  MMIO read", ("exits", "userspace_mmio_read")),
    ("  MMIO write", ("exits", "userspace_mmio_write")),
    ("  halt", ("exits", "userspace_hlt")),
    ("  other", ("exits", "userspace_other")),
    ("coalesced writes drained (module)", ("drained", "module")),
    ("boot wall time (s)", ("seconds",)),
]
print("%-36s %-20s %s" % ("", "with the fast path", "--no-fastpath"))
for label, path in rows:
    print("%-36s %-20s %s" % (label, get(runs[0], *path), get(runs[1], *path)))
for name, run in zip(("fast path", "no fast path"), runs):
    if "rules" in run:
        layers = {}
        for rule in run["rules"]:
            layers[rule["layer"]] = layers.get(rule["layer"], 0) + 1
        print("rules placed (%s): %s" % (name, ", ".join(
            "%s %d" % kv for kv in sorted(layers.items()))))
a, b = get(runs[0], "exits", "userspace"), get(runs[1], "exits", "userspace")
if isinstance(a, int) and isinstance(b, int) and b:
    print("userspace exits with the fast path: %.1f %% of those without" % (100.0 * a / b))
if missing:
    print("no --stats=json line from the boot%s: %s" % ("s" if len(missing) > 1 else "",
                                                       ", ".join(missing)))
sys.exit(1 if missing else 0)
EOF
}

if [ -n "$no_boot" ]; then
	step skip boots "--no-boot"
elif [ -z "$vmm" ]; then
	step FAIL boots "no mshv-vmm"
else
	[ -n "$kernel" ] || kernel=/boot/vmlinuz-$(uname -r)
	if [ ! -r "$kernel" ]; then
		step FAIL boots "guest kernel $kernel not readable: pass --kernel"
	elif [ -z "$initrd" ] && ! find_initrd; then
		step FAIL boots "no guest initramfs: pass --initrd, or see initrd.txt"
	elif [ ! -r "$initrd" ]; then
		step FAIL boots "initrd $initrd not readable"
	else
		echo "kernel $kernel, initrd $initrd, cmdline '$cmdline'" > "$out/guest.txt"
		boot fastpath
		boot no-fastpath --no-fastpath
		if compare_exits; then
			step ok exits "side by side in exits.txt"
			sed 's/^/      /' "$out/exits.txt"
		else
			step FAIL exits "$(tail -n 1 "$out/exits.txt")"
		fi
	fi
fi

# ---- Pack ----
tarball=$out.tar.gz
if tar -czf "$tarball" -C "$(dirname "$out")" "$(basename "$out")"; then
	echo
	echo "report:  $out"
	echo "attach:  $tarball"
else
	echo "mshv-validate: cannot write $tarball; the report is in $out" >&2
	failed=1
fi
exit $failed
