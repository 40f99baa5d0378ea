#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-vmm resvd show / check / generate on made-up hosts: fake roots
# (MSHV_VMM_ROOT) with a /proc/cmdline, a /proc/iomem from
# fixtures/resvd/ (the kernel reserved every range; one range in plain
# System RAM; a kernel that reserved nothing; memmap= reservations; a
# range the module claimed; the all-zero view of a user who is not root),
# the firmware's map, the boot stub's setup_data entries (sparse data files
# of the right size; a FIFO and unreadable files prove that their content
# is never read) and the mshv_fastpath module's resvd directory.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
fixtures=$REPO/selftests/host/fixtures/resvd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
azure='0x1000!0x933000,0x17400000!0x104e00000,0x1000!0x1000,0x4e00000!0x100000000'
# The system's Python: a version manager's python3 shim costs seconds a call.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

# resvd's output in $tmp/out, stderr in $tmp/err, status in $tmp/status.
resvd() {
	"$vmm" resvd "$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/status"
}
in_root() {
	root=$1
	shift
	MSHV_VMM_ROOT=$root resvd "$@"
}
status_is() {
	[ "$(cat "$tmp/status")" -eq "$1" ] && return 0
	echo "# status $(cat "$tmp/status"), want $1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err"
	return 1
}
# A line of the output matches the extended regex.
says() {
	grep -qE -- "$1" "$tmp/out" && return 0
	echo "# no line matches: $1"
	sed 's/^/#   /' "$tmp/out"
	return 1
}
says_not() {
	! grep -qE -- "$1" "$tmp/out" && return 0
	echo "# a line matches: $1"
	return 1
}
# Exactly one line on stderr, matching the regex; nothing on stdout.
one_line_error() {
	[ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -qE -- "$1" "$tmp/err" &&
		return 0
	echo "# stderr:"
	sed 's/^/#   /' "$tmp/err"
	return 1
}
# The output is JSON and the Python expression $1 (doc = the object) holds.
json_holds() {
	"$python" - "$tmp/out" "$1" <<'EOF'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError as e:
    print("# not JSON: %s" % e)
    sys.exit(1)
ok = eval(sys.argv[2], {"doc": doc})
if not ok:
    print("# does not hold: " + sys.argv[2])
    for line in json.dumps(doc, indent=1).splitlines():
        print("#   " + line)
sys.exit(0 if ok else 1)
EOF
}

# ---- Fake hosts ----
# new_root NAME CMDLINE [IOMEM-FIXTURE]: a root with /proc and the firmware map.
new_root() {
	root=$tmp/$1
	mkdir -p "$root/proc" "$root/sys/kernel"
	printf '%s\n' "$2" > "$root/proc/cmdline"
	[ -n "$3" ] && cp "$fixtures/iomem-$3.txt" "$root/proc/iomem"
	n=0
	while read -r start end type; do
		mkdir -p "$root/sys/firmware/memmap/$n"
		echo "$start" > "$root/sys/firmware/memmap/$n/start"
		echo "$end" > "$root/sys/firmware/memmap/$n/end"
		echo "$type" > "$root/sys/firmware/memmap/$n/type"
		n=$((n + 1))
	done < "$fixtures/memmap-azure.txt"
}
# setup_data ROOT TYPE:SIZE...: the entries, in order; data files sparse.
setup_data() {
	dir=$1/sys/kernel/boot_params/setup_data
	shift
	n=0
	for entry in "$@"; do
		mkdir -p "$dir/$n"
		echo "${entry%%:*}" > "$dir/$n/type"
		truncate -s "$((${entry#*:}))" "$dir/$n/data"
		n=$((n + 1))
	done
}
# The boot stub's four entries for Azure's string, after a PCI ROM (type 3).
azure_setup_data() {
	setup_data "$1" 0x3:0x10000 0x7:0x1000 0x7:0x17400000 0x7:0x1000 0x7:0x4e00000
}
# module ROOT STATUS ERROR: the module's resvd directory, no ranges yet.
module() {
	dir=$1/sys/kernel/mshv_fastpath/resvd
	mkdir -p "$dir"
	echo "$2" > "$dir/status"
	echo 0 > "$dir/count"
	echo "$3" > "$dir/error"
}
# module_range ROOT START SIZE STATUS DETAIL: the next range.
module_range() {
	dir=$1/sys/kernel/mshv_fastpath/resvd
	i=$(cat "$dir/count")
	mkdir -p "$dir/$i"
	echo "$2" > "$dir/$i/start"
	echo "$3" > "$dir/$i/size"
	printf '0x%x\n' $(($2 + $3 - 1)) > "$dir/$i/end"
	echo "$4" > "$dir/$i/status"
	echo "$5" > "$dir/$i/detail"
	echo $((i + 1)) > "$dir/count"
}
# module_setup ROOT "START SIZE"...: the boot stub's entries as the module lists them.
module_setup() {
	file=$1/sys/kernel/mshv_fastpath/resvd/setup_data
	shift
	: > "$file"
	for line in "$@"; do
		echo "$line" >> "$file"
	done
}
# azure_module ROOT STATUS S0 S1 S2 S3: the module's view of Azure's four ranges.
azure_module() {
	module "$1" "$2" ""
	module_range "$1" 0x933000 0x1000 "$3" "the module's detail for range 0"
	module_range "$1" 0x104e00000 0x17400000 "$4" "the module's detail for range 1"
	module_range "$1" 0x1000 0x1000 "$5" "the module's detail for range 2"
	module_range "$1" 0x100000000 0x4e00000 "$6" "the module's detail for range 3"
	module_setup "$1" "0x933000 0x1000" "0x104e00000 0x17400000" "0x1000 0x1000" \
		"0x100000000 0x4e00000"
}

# ---- show ----
new_root azure "BOOT_IMAGE=/vmlinuz-5.15.126.mshv9-2.cm2 ro quiet hyperv_resvd_new=$azure"
in_root "$tmp/azure" show
check "show: exit 0" status_is 0
check "show: headline with count and total" \
	says '^hyperv_resvd_new on /proc/cmdline: 4 ranges, 450\.0 MiB in all$'
check "show: range 0, 4 KiB, exact hex" says '^  0  0x933000     0x933fff     4 KiB \(0x1000\) *$'
check "show: range 1, 372 MiB, touches range 3" \
	says '^  1  0x104e00000  0x11c1fffff  372 MiB \(0x17400000\) +touches range 3$'
check "show: range 2 below 1 MiB" says '^  2  0x1000       0x1fff       4 KiB \(0x1000\) *$'
check "show: range 3, 78 MiB, touches range 1" \
	says '^  3  0x100000000  0x104dfffff  78 MiB \(0x4e00000\) +touches range 1$'
check "show: total, exact" says '^ +total +450\.0 MiB \(0x1c202000\)$'
check "show: nothing on stderr" test ! -s "$tmp/err"

in_root "$tmp/azure" show --json
check "show --json: exit 0" status_is 0
check "show --json: python3 -m json.tool" "$python" -m json.tool "$tmp/out" /dev/null
check "show --json: status, source, total" json_holds \
	'doc["status"] == "ok" and doc["source"] == "/proc/cmdline" and doc["occurrences"] == 1 and doc["total"] == 0x1c202000 and doc["error"] is None'
check "show --json: ranges with start, end, size, adjacent_to" json_holds \
	'[(r["start"], r["end"], r["size"], r["adjacent_to"]) for r in doc["ranges"]] == [(0x933000, 0x933fff, 0x1000, []), (0x104e00000, 0x11c1fffff, 0x17400000, [3]), (0x1000, 0x1fff, 0x1000, []), (0x100000000, 0x104dfffff, 0x4e00000, [1])]'
check "show --json: the value" json_holds "doc['values'] == ['$azure']"

resvd show --cmdline "$azure"
check "show --cmdline VALUE: the value alone" says '^hyperv_resvd_new on --cmdline: 4 ranges'
resvd show --cmdline "ro hyperv-resvd-new=\"0x2000!0x10000,0x1000!0x12000\" quiet"
check "show --cmdline: a whole command line, quotes and '-' as the kernel reads them" \
	says '^  0  0x10000  0x11fff +8 KiB \(0x2000\) +touches range 1$'
resvd show --cmdline "hyperv_resvd_new=0x1000!0x2000 ro hyperv_resvd_new=$azure"
check "show: two occurrences, exit 0" status_is 0
check "show: two occurrences: the last one shown" says '^hyperv_resvd_new on --cmdline: 4 ranges'
check "show: two occurrences: the kernel reserves each, the others listed" \
	says '^hyperv_resvd_new appears 2 times: the kernel reserves the ranges of each'
check "show: the other occurrence" says '^  hyperv_resvd_new=0x1000!0x2000$'

# Errors: the parser's message, the parameter, a caret under the place.
caret_under() {
	# The character above the caret, in the line before it.
	got=$(awk '/^ *\^$/ { print substr(prev, index($0, "^"), 1); found = 1 } { prev = $0 }
		END { if (!found) print "none" }' "$tmp/out")
	[ "$got" = "$1" ] && return 0
	echo "# caret under '$got', want '$1'"
	sed 's/^/#   /' "$tmp/out"
	return 1
}
new_root overlap "ro hyperv_resvd_new=0x1000!0x933000,0x2000!0x932000 quiet"
in_root "$tmp/overlap" show
check "show invalid: exit 1" status_is 1
check "show invalid: the parser's message" \
	says '^hyperv_resvd_new on /proc/cmdline is invalid: range 1 at offset 16: 0x932000-0x933fff overlaps range 0$'
check "show invalid: the parameter" says '^  hyperv_resvd_new=0x1000!0x933000,0x2000!0x932000$'
check "show invalid: a caret under range 1" caret_under 0
check "show invalid: the caret at offset 16 of the value" \
	says '^                                   \^$'
in_root "$tmp/overlap" show --json
check "show invalid --json: exit 1" status_is 1
check "show invalid --json: error code, range, offset" json_holds \
	'doc["status"] == "invalid" and doc["ranges"] == [] and doc["error"]["code"] == "overlap" and doc["error"]["range"] == 1 and doc["error"]["offset"] == 16 and doc["error"]["occurrence"] == 0'
resvd show --cmdline "0x1000!0x933000,0x1000!0x934000,0x1000!0x935000,0x1000!0x936000,0x1000!0x937000,0x1000!0x938000,0x1000!0x939x00,0x1000!0x940000,0x1000!0x941000,0x1000!0x942000,0x1000!0x943000"
check "show: a long value is cut around the caret" says '^  \.\.\..*\.\.\.$'
check "show: the caret under the bad byte of a long value" caret_under x
check "show: the bad byte named" says "range 6 at offset 108: expected ',' after the start, found 'x'"
resvd show --cmdline "hyperv_resvd_new=0x1000!0x1001"
check "show: unaligned start" says 'range 0 at offset 7: start not aligned to 4 KiB'
check "show: caret under the start" caret_under 0
new_root old "ro hyperv_resvd_new=0x80,0x7f6f6018"
in_root "$tmp/old" show
check "show old form: exit 1" status_is 1
check "show old form: recognised" \
	says 'is invalid: range 0 at offset 0: the 2023 form <size>,<addr>: an array of struct resource, 0x80 bytes at 0x7f6f6018'
check "show old form: explains the ranges are in memory" says 'in memory, not on the command line'
in_root "$tmp/old" show --json
check "show old form --json: code old_form" json_holds 'doc["error"]["code"] == "old_form"'
new_root absent "BOOT_IMAGE=/vmlinuz ro quiet"
in_root "$tmp/absent" show
check "show absent: exit 1" status_is 1
check "show absent: says so" \
	says "^no hyperv_resvd_new on /proc/cmdline: the kernel was not told which memory is the hypervisor's$"
in_root "$tmp/absent" show --json
check "show absent --json: status absent, no ranges" json_holds \
	'doc["status"] == "absent" and doc["ranges"] == [] and doc["occurrences"] == 0 and doc["error"] is None'

# ---- check: the kernel reserved every range ----
new_root good "BOOT_IMAGE=/vmlinuz ro hyperv_resvd_new=$azure" azure
azure_setup_data "$tmp/good"
in_root "$tmp/good" check
check "check, all reserved: exit 0" status_is 0
check "check: header" says '^  #  start +end +size +verdict +firmware map +/proc/iomem$'
for row in '0  0x933000 +0x933fff +4 KiB' '1  0x104e00000  0x11c1fffff  372 MiB' \
	   '2  0x1000 +0x1fff +4 KiB' '3  0x100000000  0x104dfffff  78 MiB'; do
	check "check: range ${row%% *} reserved, System RAM to the firmware" \
		says "^  $row +reserved +System RAM +Hypervisor Code and Data\$"
done
check "check: the iomem entries" \
	says '^/proc/iomem: 4 "Hypervisor Code and Data" entries, each one within the command line'
check "check: setup_data sizes match, the PCI ROM entry ignored" \
	says "^setup_data: 4 SETUP_MSHV entries \(4 KiB, 372 MiB, 4 KiB, 78 MiB\): the sizes of the command line's ranges; their addresses need the mshv_fastpath module\$"
check "check: module not loaded, what it would add" \
	says '^module: mshv_fastpath not loaded: .*sudo modprobe mshv_fastpath'
check "check: verdict ok" says '^ok: every range is protected: 4 reserved$'
in_root "$tmp/good" check --json
check "check --json: exit 0" status_is 0
check "check --json: python3 -m json.tool" "$python" -m json.tool "$tmp/out" /dev/null
check "check --json: overall, cmdline, iomem, firmware map" json_holds \
	'doc["status"] == "ok" and doc["cmdline"]["status"] == "ok" and doc["iomem"] == {"status": "ok", "hypervisor_entries": 4, "error": None} and doc["firmware_map"]["available"]'
check "check --json: ranges with their sources and verdicts" json_holds \
	'[(r["source"], r["index"], r["start"], r["size"], r["verdict"], r["iomem"]["where"], r["firmware"], r["module"], r["fix"]) for r in doc["ranges"]] == [("cmdline", 0, 0x933000, 0x1000, "reserved", "Hypervisor Code and Data", "System RAM", None, None), ("cmdline", 1, 0x104e00000, 0x17400000, "reserved", "Hypervisor Code and Data", "System RAM", None, None), ("cmdline", 2, 0x1000, 0x1000, "reserved", "Hypervisor Code and Data", "System RAM", None, None), ("cmdline", 3, 0x100000000, 0x4e00000, "reserved", "Hypervisor Code and Data", "System RAM", None, None)]'
check "check --json: setup_data entries by size, the module section" json_holds \
	'[(e["number"], e["type"], e["size"], e["mshv"]) for e in doc["setup_data"]["entries"]] == [(0, 3, 0x10000, False), (1, 7, 0x1000, True), (2, 7, 0x17400000, True), (3, 7, 0x1000, True), (4, 7, 0x4e00000, True)] and not doc["setup_data"]["addresses_from_module"] and doc["module"]["loaded"] is False'

# ---- check: one range in plain System RAM ----
new_root ram "ro hyperv_resvd_new=$azure" one-in-ram
azure_setup_data "$tmp/ram"
in_root "$tmp/ram" check
check "check, one range in RAM: exit 1" status_is 1
check "check: range 2 UNPROTECTED, System RAM not reserved" \
	says '^  2  0x1000 +0x1fff +4 KiB +UNPROTECTED +System RAM +System RAM, not reserved$'
check "check: its fix names memmap= with its size and start" \
	says '^ +fix: the kernel reserved other ranges but not this one: boot with the parameter the boot stub wrote .*memmap=0x1000\$0x1000'
check "check: the others still reserved" says '^  0  0x933000 .* reserved '
check "check: verdict UNPROTECTED, 1 of 4" says '^UNPROTECTED: 1 of 4 ranges: Linux may hand'
in_root "$tmp/ram" check --json
check "check --json: unprotected, the fix in range 2" json_holds \
	'doc["status"] == "unprotected" and doc["ranges"][2]["verdict"] == "unprotected" and "memmap=0x1000$0x1000" in doc["ranges"][2]["fix"] and doc["ranges"][0]["fix"] is None'

# ---- check: a kernel that reserved nothing, and knows no memory above 4 GiB ----
new_root missing "ro hyperv_resvd_new=$azure" missing
azure_setup_data "$tmp/missing"
in_root "$tmp/missing" check
check "check, nothing reserved: exit 1" status_is 1
check "check: a range in RAM" says '^  0  0x933000 .* UNPROTECTED +System RAM +System RAM, not reserved$'
check "check: a range in no resource" \
	says '^  1  0x104e00000 .* UNPROTECTED +System RAM +nothing \(not in /proc/iomem\)$'
check "check: fix: a kernel that reads the parameter, or memmap=" \
	says '^ +fix: this kernel reserved none of the ranges: boot a kernel that reads hyperv_resvd_new .*memmap=0x17400000\$0x104e00000'
check "check: 0 iomem entries" says '^/proc/iomem: 0 "Hypervisor Code and Data" entries$'
check "check: 4 of 4 unprotected" says '^UNPROTECTED: 4 of 4 ranges'

# ---- check: memmap= reservations instead of the kernel's ----
new_root memmap "ro memmap=0x1000\$0x1000 hyperv_resvd_new=$azure" memmap
in_root "$tmp/memmap" check
check "check, memmap= reservations: exit 0" status_is 0
check "check: a range in a firmware-type Reserved entry" \
	says '^  1  0x104e00000 .* reserved +System RAM +Reserved$'
check "check: no setup_data directory: said, not a failure" \
	says '^setup_data: no SETUP_MSHV entries \(no /sys/kernel/boot_params/setup_data\): this kernel was not started by the mshv boot stub'

# ---- check as a user who is not root: every address reads 0 ----
new_root nonroot "ro hyperv_resvd_new=$azure" nonroot
azure_setup_data "$tmp/nonroot"
in_root "$tmp/nonroot" check
check "check, iomem hidden: exit 1" status_is 1
check "check: per range: unknown, addresses hidden" \
	says '^  0  0x933000 .* unknown +System RAM +addresses hidden \(not root\)$'
check "check: says run as root, does not guess" \
	says '^cannot tell: run as root: /proc/iomem hides addresses from other users$'
check "check: no fix guessed" says_not 'fix:'
in_root "$tmp/nonroot" check --json
check "check --json: unknown, iomem hidden" json_holds \
	'doc["status"] == "unknown" and doc["iomem"]["status"] == "hidden" and "run as root" in doc["iomem"]["error"] and {r["verdict"] for r in doc["ranges"]} == {"unknown"}'

# ---- check: an /proc/iomem that is not one ----
new_root garbled "ro hyperv_resvd_new=$azure" azure
printf '00001000-0009ffff : System RAM\n      00001000-00001fff : Hypervisor Code and Data\n' \
	> "$tmp/garbled/proc/iomem"
in_root "$tmp/garbled" check
check "check, a garbled /proc/iomem: exit 1" status_is 1
check "check: the line named, no verdict guessed" \
	says '^cannot tell: /proc/iomem line 2 is not "START-END : NAME" under its parent'
printf '00100000-3ffeffff : System RAM\n00001000-0009ffff : System RAM\n' > "$tmp/garbled/proc/iomem"
in_root "$tmp/garbled" check
check "check: entries out of order refused" says '^cannot tell: /proc/iomem line 2 .* is out of order$'

# ---- check: the parameter invalid, old, absent ----
new_root bad "ro hyperv_resvd_new=0x1000!0x933000,0x2000!0x932000" azure
in_root "$tmp/bad" check
check "check invalid: exit 1" status_is 1
check "check invalid: the parser's message and a caret" says '^                                   \^$'
check "check invalid: verdict" says '^invalid: hyperv_resvd_new does not parse'
in_root "$tmp/bad" check --json
check "check invalid --json" json_holds \
	'doc["status"] == "invalid" and doc["cmdline"]["error"]["code"] == "overlap" and doc["ranges"] == []'
new_root old2 "ro hyperv_resvd_new=0x80,0x7f6f6018" azure
in_root "$tmp/old2" check
check "check old form: exit 1, invalid" status_is 1
check "check old form: named" says 'the 2023 form <size>,<addr>'
new_root lost "ro quiet" azure
azure_setup_data "$tmp/lost"
in_root "$tmp/lost" check
check "check absent: exit 1" status_is 1
check "check absent, setup_data present: the parameter was lost" \
	says '^absent: no hyperv_resvd_new on /proc/cmdline: .*yet the boot stub left 4 SETUP_MSHV entries'
in_root "$tmp/lost" check --json
check "check absent --json" json_holds 'doc["status"] == "absent" and doc["cmdline"]["status"] == "absent"'

# ---- check: setup_data that does not match, a CC blob ----
new_root stale "ro hyperv_resvd_new=$azure" azure
setup_data "$tmp/stale" 0x7:0x1000 0x7:0x17400000 0x7:0x2000 0x7:0x4e00000
in_root "$tmp/stale" check
check "check, setup_data sizes differ: exit 1" status_is 1
check "check: the sizes named" \
	says "^setup_data: 4 SETUP_MSHV entries \(4 KiB, 372 MiB, 8 KiB, 78 MiB\), but the command line's ranges make 4 \(4 KiB, 372 MiB, 4 KiB, 78 MiB\)"
check "check: verdict mismatch" says '^mismatch: every range is protected, but the sources disagree'
in_root "$tmp/stale" check --json
check "check mismatch --json" json_holds 'doc["status"] == "mismatch"'
new_root merged "ro hyperv_resvd_new=0x1000!0x933000,0x4e00000!0x100000000,0x17400000!0x104e00000,0x1000!0x1000" azure
setup_data "$tmp/merged" 0x7:0x1000 0x7:0x1c200000 0x7:0x1000
in_root "$tmp/merged" check
check "check: the boot stub merges consecutive touching ranges for setup_data" status_is 0
check "check: merged sizes match" says '^setup_data: 3 SETUP_MSHV entries \(4 KiB, 450 MiB, 4 KiB\): the sizes'
new_root ccblob "ro hyperv_resvd_new=$azure" azure
setup_data "$tmp/ccblob" 0x7:40
in_root "$tmp/ccblob" check
check "check: type 7 of 40 bytes is not the boot stub's" \
	says '^  setup_data 0: type 0x7 but 40 bytes, not whole pages: not the boot stub.s \(upstream Linux uses 7 for SETUP_CC_BLOB'
check "check: no SETUP_MSHV entries then" says '^setup_data: no SETUP_MSHV entries:'
check "check: the CC blob is no reason to fail" status_is 0

# ---- setup_data's data is never read ----
new_root fifo "ro hyperv_resvd_new=$azure" azure
azure_setup_data "$tmp/fifo"
rm "$tmp/fifo/sys/kernel/boot_params/setup_data/2/data"
mkfifo "$tmp/fifo/sys/kernel/boot_params/setup_data/2/data"
fifo_check() {
	MSHV_VMM_ROOT=$tmp/fifo timeout 20 "$vmm" resvd check > "$tmp/out" 2>&1
	[ $? -ne 124 ] || { echo "# check opened the FIFO: it hung"; return 1; }
	grep -q '^  setup_data 2: type 0x7 but 0 bytes' "$tmp/out"
}
check "check: a FIFO as data: only stat()ed, never opened (an open would hang)" fifo_check
MSHV_VMM_ROOT=$tmp/fifo timeout 20 "$vmm" resvd show > "$tmp/out" 2>&1
check "show: never near setup_data (FIFO)" test $? -eq 0
new_root sealed "ro hyperv_resvd_new=$azure" azure
azure_setup_data "$tmp/sealed"
chmod 000 "$tmp/sealed"/sys/kernel/boot_params/setup_data/*/data
chmod -R a+rX "$tmp/sealed/proc" "$tmp/sealed/sys/firmware"
chmod a+rx "$tmp/sealed" "$tmp/sealed/sys" "$tmp/sealed/sys/kernel" "$tmp/sealed/sys/kernel/boot_params" \
	"$tmp/sealed/sys/kernel/boot_params/setup_data" "$tmp/sealed"/sys/kernel/boot_params/setup_data/*
chmod a+r "$tmp/sealed"/sys/kernel/boot_params/setup_data/*/type
MSHV_VMM_ROOT=$tmp/sealed setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$vmm" resvd check > "$tmp/out" 2>&1
echo $? > "$tmp/status"
check "check as nobody, data files mode 000: exit 0" status_is 0
check "check as nobody: the sizes all the same, from stat()" \
	says '^setup_data: 4 SETUP_MSHV entries \(4 KiB, 372 MiB, 4 KiB, 78 MiB\): the sizes'

# ---- check with the module loaded ----
new_root mod "ro hyperv_resvd_new=$azure" azure
azure_setup_data "$tmp/mod"
azure_module "$tmp/mod" ok reserved reserved reserved reserved
in_root "$tmp/mod" check
check "check with the module, agreeing: exit 0" status_is 0
check "check: a module column" says '^  #  start +end +size +verdict +module +firmware map +/proc/iomem$'
check "check: the module's verdict next to ours" \
	says '^  1  0x104e00000  0x11c1fffff  372 MiB  reserved +reserved +System RAM +Hypervisor Code and Data$'
check "check: setup_data addresses from the module match" \
	says "^setup_data: 4 SETUP_MSHV entries at the addresses the module lists: the same memory as the command line's ranges\$"
check "check: the module agrees" says '^module: status ok, 4 ranges; it agrees with /proc/iomem on every range$'
in_root "$tmp/mod" check --json
check "check --json with the module" json_holds \
	'doc["status"] == "ok" and doc["module"]["loaded"] and doc["module"]["status"] == "ok" and doc["module"]["count"] == 4 and doc["setup_data"]["addresses_from_module"] and [r["module"]["status"] for r in doc["ranges"]] == ["reserved"] * 4 and [r["setup_data"] for r in doc["ranges"]] == [0, 1, 2, 3] and not any(r["disagree"] for r in doc["ranges"])'

new_root disagree "ro hyperv_resvd_new=$azure" azure
azure_setup_data "$tmp/disagree"
azure_module "$tmp/disagree" unprotected unprotected reserved reserved reserved
in_root "$tmp/disagree" check
check "check, the module disagrees: exit 1" status_is 1
check "check: the disagreement flagged in the row" \
	says '^  0  0x933000 .* UNPROTECTED +unprotected \(!\) +System RAM +Hypervisor Code and Data$'
check "check: what each one says" \
	says "^ +the module says unprotected: the module's detail for range 0; /proc/iomem shows Hypervisor Code and Data\$"
check "check: the module summary says it disagrees" says '^module: status unprotected, 4 ranges; it DISAGREES'
in_root "$tmp/disagree" check --json
check "check --json: disagree" json_holds \
	'doc["status"] == "unprotected" and doc["ranges"][0]["disagree"] and doc["ranges"][0]["iomem"]["verdict"] == "reserved"'

# A kernel that reserved nothing; the module claimed the two ranges outside RAM.
new_root claimed "ro hyperv_resvd_new=$azure" claimed
azure_setup_data "$tmp/claimed"
azure_module "$tmp/claimed" unprotected unprotected claimed reserved claimed
in_root "$tmp/claimed" check
check "check, two ranges claimed, two in RAM: exit 1" status_is 1
check "check: range 1 claimed by the module" \
	says '^  1  0x104e00000 .* claimed +claimed +System RAM +Hypervisor Code and Data \(mshv_fastpath\)$'
check "check: range 0 unprotected, the module agrees" \
	says '^  0  0x933000 .* UNPROTECTED +unprotected +System RAM +System RAM, not reserved$'
check "check: range 2 (in the first MiB), the module sees no allocatable page: flagged" \
	says '^  2  0x1000 .* UNPROTECTED +reserved \(!\) +System RAM +System RAM, not reserved$'
in_root "$tmp/claimed" check --json
check "check --json: claimed" json_holds \
	'doc["ranges"][1]["verdict"] == "claimed" and doc["ranges"][1]["iomem"]["verdict"] == "claimed" and doc["ranges"][3]["verdict"] == "claimed" and doc["ranges"][2]["disagree"]'
new_root claimed2 "ro hyperv_resvd_new=0x17400000!0x104e00000,0x4e00000!0x100000000" claimed
module "$tmp/claimed2" ok ""
module_range "$tmp/claimed2" 0x104e00000 0x17400000 claimed "claimed"
module_range "$tmp/claimed2" 0x100000000 0x4e00000 claimed "claimed"
in_root "$tmp/claimed2" check
check "check, every range claimed: exit 0" status_is 0
check "check: verdict counts the claims" says '^ok: every range is protected: 2 claimed by mshv_fastpath$'

# A range where a PCI host bridge window lies: a device may be given it.
new_root window "ro hyperv_resvd_new=$azure" window
in_root "$tmp/window" check
check "check, a range in a PCI window: exit 1" status_is 1
check "check: the window and the device in it, part by part" \
	says '^  1  0x104e00000 .* UNPROTECTED +System RAM +only a PCI window \(PCI Bus 0000:00\) 0x104e00000-0x10fffffff; MMIO of 0000:00:02\.0, in a PCI window 0x110000000-0x1100fffff; only a PCI window \(PCI Bus 0000:00\) 0x110100000-0x11c1fffff$'
check "check: only that range unprotected" says '^UNPROTECTED: 1 of 4 ranges'

# The command line lost range 2; the boot stub's setup_data still has it.
new_root dropped "ro hyperv_resvd_new=0x1000!0x933000,0x17400000!0x104e00000,0x4e00000!0x100000000" one-in-ram
azure_setup_data "$tmp/dropped"
module "$tmp/dropped" ok ""
module_range "$tmp/dropped" 0x933000 0x1000 reserved ""
module_range "$tmp/dropped" 0x104e00000 0x17400000 reserved ""
module_range "$tmp/dropped" 0x100000000 0x4e00000 reserved ""
module_setup "$tmp/dropped" "0x933000 0x1000" "0x104e00000 0x17400000" "0x1000 0x1000" \
	"0x100000000 0x4e00000"
in_root "$tmp/dropped" check
check "check, a boot stub range missing from the command line: exit 1" status_is 1
check "check: a row for it (s2), unprotected" \
	says '^  s2  0x1000 +0x1fff +4 KiB +UNPROTECTED +- +System RAM +System RAM, not reserved$'
check "check: noted as the boot stub's" \
	says '^ +note: a range of the boot stub \(setup_data\) that the command line lacks$'
check "check: its fix: a stale copy or a command line cut short" \
	says '^ +fix: this range of the boot stub is not on the command line: .*memmap=0x1000\$0x1000'
check "check: setup_data summary counts it" says '^setup_data: 4 SETUP_MSHV entries at the addresses the module lists: 1 not on the command line'
in_root "$tmp/dropped" check --json
check "check --json: the setup_data row" json_holds \
	'doc["ranges"][3]["source"] == "setup_data" and doc["ranges"][3]["index"] == 2 and doc["ranges"][3]["verdict"] == "unprotected"'

new_root modbad "ro hyperv_resvd_new=$azure" azure
module "$tmp/modbad" ok ""
echo 1 > "$tmp/modbad/sys/kernel/mshv_fastpath/resvd/count"
mkdir -p "$tmp/modbad/sys/kernel/mshv_fastpath/resvd/0"
echo banana > "$tmp/modbad/sys/kernel/mshv_fastpath/resvd/0/start"
in_root "$tmp/modbad" check
check "check: a module file that does not parse is named" \
	says '^module: its verdicts cannot be used: /sys/kernel/mshv_fastpath/resvd/0/start: not a number$'
check "check: our own verdict stands" status_is 0
new_root modold "ro hyperv_resvd_new=$azure" azure
mkdir -p "$tmp/modold/sys/kernel/mshv_fastpath"
in_root "$tmp/modold" check
check "check: a module without resvd" says '^module: mshv_fastpath is loaded, without /sys/kernel/mshv_fastpath/resvd'

# ---- generate ----
in_root "$tmp/mod" generate
check "generate from the module's setup_data: exit 0" status_is 0
check "generate: Azure's string, in the boot stub's order" \
	test "$(cat "$tmp/out")" = "hyperv_resvd_new=$azure"
resvd show --cmdline "$(cat "$tmp/out")"
check "generate's output parses back (show --cmdline)" status_is 0
check "generate's output reads back the same ranges" says '^  1  0x104e00000  0x11c1fffff  372 MiB'
in_root "$tmp/mod" generate --json
check "generate --json" json_holds \
	"doc['parameter'] == 'hyperv_resvd_new=$azure' and doc['from'] == 'setup-data' and [(r['start'], r['end'], r['size']) for r in doc['ranges']][1] == (0x104e00000, 0x11c1fffff, 0x17400000)"
in_root "$tmp/mod" generate --sort --merge
check "generate --sort --merge: touching ranges joined" \
	test "$(cat "$tmp/out")" = 'hyperv_resvd_new=0x1000!0x1000,0x1000!0x933000,0x1c200000!0x100000000'
resvd show --cmdline "$(cat "$tmp/out")"
check "generate --sort --merge parses back" status_is 0
in_root "$tmp/good" generate --from iomem
check "generate --from iomem: exit 0" status_is 0
check "generate --from iomem: the Hypervisor Code and Data entries, by address" \
	test "$(cat "$tmp/out")" = 'hyperv_resvd_new=0x1000!0x1000,0x1000!0x933000,0x4e00000!0x100000000,0x17400000!0x104e00000'
resvd show --cmdline "$(cat "$tmp/out")"
check "generate --from iomem parses back" status_is 0
in_root "$tmp/nonroot" generate --from iomem
check "generate --from iomem, not root: exit 1" status_is 1
check "generate --from iomem, not root: says so" one_line_error 'run as root: /proc/iomem hides addresses'
in_root "$tmp/missing" generate --from iomem
check "generate --from iomem, nothing reserved: exit 1" status_is 1
check "generate --from iomem, nothing reserved: says so" \
	one_line_error 'no "Hypervisor Code and Data" in /proc/iomem'
in_root "$tmp/good" generate
check "generate without the module: exit 1" status_is 1
check "generate without the module: what would work" \
	one_line_error 'need the mshv_fastpath module.*--from iomem.*give the ranges'
resvd generate 0x1000@0x933000 372M@0x104e00000 0x1000-0x1fff 0x100000000-0x104dfffff
check "generate from arguments: SIZE@START, START-END, suffixes" \
	test "$(cat "$tmp/out")" = "hyperv_resvd_new=$azure"
resvd generate 4K@9646080 4096-8191
check "generate: decimal numbers" test "$(cat "$tmp/out")" = 'hyperv_resvd_new=0x1000!0x933000,0x1000!0x1000'
resvd generate 0x1000@0x933000 0x2000@0x932000
check "generate overlapping ranges: exit 2" status_is 2
check "generate overlapping ranges: the parser's reason, one line" \
	one_line_error 'refused: range 1 at offset 16: 0x932000-0x933fff overlaps range 0, in hyperv_resvd_new='
resvd generate 0x1000@0x1001
check "generate unaligned: exit 2" status_is 2
check "generate unaligned: said" one_line_error 'start not aligned to 4 KiB'
resvd generate 0x1000@0
check "generate start 0: refused" one_line_error 'start 0'
resvd generate 1000x@0x1000
check "generate bad RANGE: exit 2" status_is 2
check "generate bad RANGE: named, one line" one_line_error "'1000x@0x1000' is not SIZE@START or START-END"
resvd generate 0x2000-0x1000
check "generate END before START: exit 2" status_is 2
many=
i=1
while [ $i -le 33 ]; do
	many="$many $(printf '0x1000@0x%x' $((i * 0x2000)))"
	i=$((i + 1))
done
# shellcheck disable=SC2086
resvd generate $many
check "generate 33 ranges: exit 2" status_is 2
check "generate 33 ranges: the kernel's limit" one_line_error '33 ranges: the kernel takes at most 32'
resvd generate --from iomem 0x1000@0x1000
check "generate --from with RANGEs: exit 2" status_is 2
resvd generate --from nowhere
check "generate --from nowhere: exit 2, one line" one_line_error "--from takes setup-data or iomem, not 'nowhere'"

# ---- Usage ----
resvd
check "resvd alone: exit 2" status_is 2
check "resvd alone: one line" one_line_error '^mshv-vmm resvd: show, check or generate\?'
resvd frobnicate
check "resvd unknown subcommand: exit 2, one line" one_line_error "unknown subcommand 'frobnicate'"
resvd show --bogus
check "show --bogus: exit 2" status_is 2
check "show --bogus: one line naming it" one_line_error "^mshv-vmm resvd show: unknown option '--bogus'"
resvd show --cmdline
check "show --cmdline without a value: one line" one_line_error "^mshv-vmm resvd show: --cmdline needs a value"
resvd check extra
check "check extra argument: exit 2, one line" one_line_error "^mshv-vmm resvd check: unexpected argument 'extra'"
resvd check --cmdline x
check "check --cmdline (show's option): exit 2" status_is 2
check "resvd --help: exit 0" exits_with 0 "$vmm" resvd --help
check "resvd show --help: exit 0" exits_with 0 "$vmm" resvd show --help
check "help resvd" output_matches '^Usage: mshv-vmm resvd show' "$vmm" help resvd
check "mshv-vmm --help lists resvd" output_matches '^  resvd ' "$vmm" --help
for topic in 'silent corruption' 'run as root' 'SIZE@START or START-END' GRUB_CMDLINE_LINUX \
	     KDUMP_COMMANDLINE_APPEND 'memmap=SIZE\$START' 'Exit status: show: 0' \
	     'reserved \(the kernel' 'claimed \(the mshv_fastpath'; do
	check "resvd --help explains: $topic" output_matches "$topic" "$vmm" resvd --help
done
# Every option of the help is in the man page, in man(7) spelling.
documented() {
	missing=
	for opt in $("$vmm" resvd --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		roff=$(echo "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$roff" "$REPO/userspace/mshv-vmm.1" || missing="$missing $opt"
	done
	[ -z "$missing" ] && return 0
	echo "# not in the man page:$missing"
	return 1
}
check "every option of 'mshv-vmm resvd --help' in the man page" documented
check "the man page documents MSHV_VMM_ROOT" grep -q '^\.B MSHV_VMM_ROOT$' "$REPO/userspace/mshv-vmm.1"

# ---- This machine, as it is ----
"$vmm" resvd check > "$tmp/out" 2>&1
echo $? > "$tmp/status"
if grep -qE '(^| )hyperv[_-]resvd[_-]new' /proc/cmdline; then
	check "this host has the parameter: check ends with a verdict" \
		says '^(ok|UNPROTECTED|invalid|cannot tell|mismatch): '
else
	check "this host: no parameter, exit 1" status_is 1
	check "this host: absent" says '^absent: no hyperv_resvd_new on /proc/cmdline'
fi
tap_done
