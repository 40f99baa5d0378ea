#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-vmm doctor where a VM can be launched: the test VM has nested KVM and
# the module loaded, but no /dev/mshv. The diagnosis must say so, point at
# KVM as the hypervisor it will use, and exit 0.
. "$(dirname "$0")/../lib/tap.sh"
vmm=$REPO/userspace/mshv-vmm
out=$(mktemp)
json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT

if [ ! -c /dev/kvm ] || [ ! -c /dev/mshv_fastpath ]; then
	# Not a skip: this test exists for the test VM, which has both.
	check "the test VM has /dev/kvm and the module loaded" false
	tap_done
fi

"$vmm" doctor > "$out" 2>&1
status=$?
sed 's/^/# /' "$out"
check "doctor exits 0: a VM can be launched (status $status)" [ "$status" = 0 ]
check "/dev/mshv reported absent, not a failure when KVM works" \
	grep -qE '^  (warn|info) +/dev/mshv +absent' "$out"
check "KVM reported usable" grep -qE '^  ok +/dev/kvm' "$out"
check "module reported loaded with matching version" \
	grep -qE "^  ok +fast-path module .*$(cat "$REPO/VERSION")" "$out"
check "verdict names KVM" grep -qi 'launch.*kvm\|kvm.*launch' "$out"

"$vmm" doctor --json > "$json" 2>&1
json_ok() {
	python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["can_launch"] is True, d
assert d["hypervisor"] == "kvm", d
names = {c["name"]: c["status"] for c in d["checks"]}
assert names["kvm"] == "ok" and names["module"] == "ok", names
PY
}
check "doctor --json: can_launch, hypervisor kvm, kvm and module ok" json_ok
tap_done
