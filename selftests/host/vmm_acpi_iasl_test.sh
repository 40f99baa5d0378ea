#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VMM's ACPI tables through ACPICA's own tools: iasl disassembles them
# without a warning (bad checksums, lengths or AML all show up), the DSDT
# names the devices the guest kernel must find, and recompiling the
# disassembly gives back the very same AML, so every PkgLength, integer and
# resource descriptor is encoded as iasl encodes it.
. "$(dirname "$0")/../lib/tap.sh"
dumper=$REPO/selftests/host/vmm_acpi_test

if ! command -v iasl >/dev/null; then
	skip "iasl checks" "iasl not installed (acpica-tools: make deps)"
	tap_done
fi
if [ ! -x "$dumper" ]; then
	check "vmm_acpi_test is built (run make)" false
	tap_done
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# vmm_acpi_test's own checks report in its own run (TESTS); here only the
# dumped files count, so that iasl judges the tables on its own.
dump() {
	VMM_ACPI_DUMP_DIR=$dir "$dumper" >"$dir/dump.log" 2>&1
	for table in dsdt facp apic xsdt; do
		[ -s "$dir/$table.dat" ] || return 1
	done
}

# Show a failed step's log as TAP diagnostics.
show_log() {
	sed 's/^/# /' "$1"
	return 1
}

# iasl reports bad tables as warnings and still exits 0: its log must be clean.
disassembles() {	# TABLE
	if (cd "$dir" && iasl -d "$1.dat" >"$1.log" 2>&1) && [ -s "$dir/$1.dsl" ] &&
		! grep -qiE 'warning|error|incorrect|invalid|unknown' "$dir/$1.log"; then
		return 0
	fi
	show_log "$dir/$1.log"
}

fadt_field() {	# FIELD PATTERN: PATTERN within the lines of that FADT field
	grep -A5 -- "$1" "$dir/facp.dsl" | grep -qE -- "$2"
}

dsl_has() {	# TABLE PATTERN [COUNT]
	[ "$(grep -cE -- "$2" "$dir/$1.dsl")" -eq "${3:-1}" ]
}

# -oa: no optimizations, so iasl keeps \_SB_ as written and the AML matches.
recompiles_identically() {
	mkdir -p "$dir/recompiled" && cp "$dir/dsdt.dsl" "$dir/recompiled/" || return 1
	if ! (cd "$dir/recompiled" && iasl -oa dsdt.dsl >compile.log 2>&1) ||
		! grep -q '0 Errors, 0 Warnings, 0 Remarks' "$dir/recompiled/compile.log"; then
		show_log "$dir/recompiled/compile.log"
		return 1
	fi
	# The header names iasl as the compiler; the AML after it must match.
	cmp -i 36 "$dir/recompiled/dsdt.aml" "$dir/dsdt.dat" | sed 's/^/# /'
	cmp -s -i 36 "$dir/recompiled/dsdt.aml" "$dir/dsdt.dat"
}

# acpiexec runs ACPICA, the guest kernel's own ACPI core, over the tables:
# poweroff (S5) must take the hardware-reduced path through the sleep
# registers, with SLP_TYP 5 from \_S5_ (MACHINE_ACPI_S5_TYPE).
powers_off() {
	log=$dir/acpiexec.log
	if (cd "$dir" && timeout 60 acpiexec -b 'sleep 5' dsdt.dat facp.dat apic.dat xsdt.dat \
		>"$log" 2>&1) &&
		grep -q 'Sleep-A: 05' "$log" &&
		grep -q 'HwExtendedSleep.*Entering sleep state \[S5\]' "$log" &&
		! grep -qiE 'error|warning' "$log"; then
		return 0
	fi
	show_log "$log"
}

if ! dump; then
	show_log "$dir/dump.log"
	check "tables dumped by vmm_acpi_test" false
	tap_done
fi
check "tables dumped by vmm_acpi_test" true
for table in dsdt facp apic xsdt; do
	check "iasl -d $table: no warnings or errors" disassembles $table
done
check "DSDT: three virtio-mmio devices (LNRO0005)" dsl_has dsdt '"LNRO0005"' 3
check "DSDT: COM1 (PNP0501)" dsl_has dsdt 'EisaId \("PNP0501"\)'
check "DSDT: UART I/O at 0x3F8" dsl_has dsdt '0x03F8, +// Range Minimum'
check "DSDT: i8042 (PNP0303)" dsl_has dsdt 'EisaId \("PNP0303"\)'
check "DSDT: RTC (PNP0B00)" dsl_has dsdt 'EisaId \("PNP0B00"\)'
check "DSDT: edge-triggered interrupts" dsl_has dsdt 'Interrupt \(ResourceConsumer, Edge, ActiveHigh, Exclusive' 6
check "DSDT: _S5_ at the root" output_matches '^    Name \(_S5, Package \(0x04\)  // _S5_' cat "$dir/dsdt.dsl"
check "DSDT: recompiles to the same AML" recompiles_identically
if command -v acpiexec >/dev/null; then
	check "acpiexec: S5 through the sleep control register" powers_off
else
	skip "acpiexec: S5" "acpiexec not installed (acpica-tools)"
fi
check "FADT: hardware reduced" dsl_has facp 'Hardware Reduced \(V5\) : 1'
check "FADT: reset register supported" dsl_has facp 'Reset Register Supported \(V2\) : 1'
check "FADT: sleep control register: port 0x600" \
	fadt_field 'Sleep Control Register' 'Address : 0000000000000600'
check "FADT: sleep status register: port 0x601" \
	fadt_field 'Sleep Status Register' 'Address : 0000000000000601'
check "FADT: reset and sleep registers in system I/O" dsl_has facp 'Space ID : 01 \[SystemIO\]' 3
check "FADT: reset register: port 0x602" fadt_field 'Reset Register :' 'Address : 0000000000000602'
check "FADT: X_DSDT in the ACPI area" output_matches 'DSDT Address : 00000000000E' cat "$dir/facp.dsl"
check "MADT: four local APICs" dsl_has apic 'Subtable Type : 00 \[Processor Local APIC\]' 4
check "MADT: I/O APIC at 0xFEC00000" dsl_has apic 'Address : FEC00000'
check "MADT: no interrupt source overrides" dsl_has apic 'Interrupt Source Override' 0
tap_done
