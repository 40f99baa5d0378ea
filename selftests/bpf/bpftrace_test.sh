#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The bpftrace scripts of bpf/bpftrace/ against exit_loop's known exits, in
# the test VM: each script runs as `bpftrace -c 'exit_loop ...' SCRIPT`
# (its probes attached before the guest starts, its maps printed when
# exit_loop ends) and must print the exact counts, through mshv_fastpath and
# through plain KVM_RUN.
. "$(dirname "$0")/../lib/tap.sh"
scripts=$REPO/bpf/bpftrace
exit_loop=$REPO/selftests/bpf/exit_loop
# One pass of the guest: N writes to port 0x500 (1280, the doorbell rule's),
# M to 0x501 (1281), K MMIO writes to 0x9000 (36864), one to 0xe9 (233).
N=1000 M=300 K=20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# trace NAME SCRIPT EXIT_LOOP_ARGS...: one run; its output is $tmp/NAME.
trace() {
	name=$1 script=$2
	shift 2
	timeout 300 bpftrace -c "$exit_loop $*" "$scripts/$script" > "$tmp/$name" 2>&1
}

# has NAME LINE...: the output NAME has every LINE, whole.
has() {
	out=$tmp/$1
	shift
	for line in "$@"; do
		grep -qxF -- "$line" "$out" && continue
		echo "# no line '$line' in:"
		sed 's/^/#   /' "$out"
		return 1
	done
}

# lacks NAME PATTERN: no line of the output NAME matches the extended regex.
lacks() {
	grep -qE -- "$2" "$tmp/$1" || return 0
	echo "# unexpected:"
	grep -E -- "$2" "$tmp/$1" | sed 's/^/#   /'
	return 1
}

# count NAME PATTERN EXPECTED: that many lines of the output NAME match.
count() {
	n=$(grep -cE -- "$2" "$tmp/$1")
	[ "$n" -eq "$3" ] && return 0
	echo "# $n lines match '$2', not $3, in:"
	sed 's/^/#   /' "$tmp/$1"
	return 1
}

# json NAME PATH: a value of exit_loop's --json line in the output NAME,
# by its jq path: json loop .passes, json loop .module.handled.doorbell.
json() {
	grep '^{"pid"' "$tmp/$1" | jq -r "$2"
}

# same A B [A B]...: each pair is equal.
same() {
	while [ $# -ge 2 ]; do
		[ "$1" = "$2" ] || { echo "# '$1' where '$2' was expected"; return 1; }
		shift 2
	done
}

# pct H F: H / (H + F) in percent, two decimals, as fastpath_ratio.bt rounds.
pct() {
	echo "$1 $2" | awk '{ h = int($1 * 10000 / ($1 + $2)); printf "%d.%02d", h / 100, h % 100 }'
}

installed() { command -v "$1" > /dev/null; }

# The test VM has all of these: a missing one is a failure, not a skip.
check "bpftrace is installed" installed bpftrace
check "/dev/kvm exists" test -c /dev/kvm
check "mshv_fastpath is loaded" test -c /dev/mshv_fastpath
check "exit_loop is built" test -x "$exit_loop"
check "jq is installed" installed jq

for script in "$scripts"/*.bt; do
	name=$(basename "$script")
	check "$name: header says how to run it" \
		grep -qF "Run:   sudo bpftrace bpf/bpftrace/$name" "$script"
	check "$name: header says what it needs" grep -q '^ \* Needs: ' "$script"
done


# exit_loop itself, which every count below relies on: one pass, exact.
"$exit_loop" --handled $N --forwarded $M --mmio $K --json > "$tmp/loop" 2>&1
check "exit_loop --module: one pass" same "$(json loop .passes)" 1
check "exit_loop --module: N doorbells, in the kernel" same \
	"$(json loop .doorbells)" $N "$(json loop .module.handled.doorbell)" $N \
	"$(json loop .userspace.handled_port)" 0
check "exit_loop --module: M + K + 1 forwarded" same \
	"$(json loop .module.forwarded)" $((M + K + 1)) \
	"$(json loop .userspace.forwarded_port)" $M "$(json loop .userspace.mmio)" $K
check "exit_loop --module: N + M + K + 1 exits" same "$(json loop .exits)" $((N + M + K + 1))
"$exit_loop" --no-module --handled $N --forwarded $M --mmio $K --json > "$tmp/loop_kvm" 2>&1
check "exit_loop --no-module: every exit in userspace" same \
	"$(json loop_kvm .userspace.handled_port)" $N \
	"$(json loop_kvm .userspace.forwarded_port)" $M \
	"$(json loop_kvm .userspace.mmio)" $K "$(json loop_kvm .exits)" $((N + M + K + 1))

# exits_by_kind.bt: N doorbells, M + 1 port writes and K MMIO writes forwarded.
trace kind exits_by_kind.bt --handled $N --forwarded $M --mmio $K
check "exits_by_kind.bt: doorbells, forwarded pio and mmio" has kind \
	"@exits[kvm, pio, doorbell]: $N" "@exits[kvm, pio, forwarded]: $((M + 1))" \
	"@exits[kvm, mmio, forwarded]: $K"
check "exits_by_kind.bt: no other exits" count kind '^@exits\[' 3
check "exits_by_kind.bt: the module's time per exit" count kind '^@module_avg_ns\[kvm, ' 3
# With an argument, the script counts only that PID's exits: init's, none.
timeout 300 bpftrace -c "$exit_loop --handled $N --forwarded 0" \
	"$scripts/exits_by_kind.bt" 1 > "$tmp/kind_pid1" 2>&1
check "exits_by_kind.bt PID: another process's exits left out" lacks kind_pid1 '^@exits\['
check "exits_by_kind.bt PID: the run happened" grep -q '^exits: *1001,' "$tmp/kind_pid1"

# fastpath_ratio.bt: the totals, and a line a second while the guest runs.
trace ratio fastpath_ratio.bt --handled $N --forwarded $M --mmio $K
check "fastpath_ratio.bt: totals and hit ratio" has ratio \
	"$(printf 'total    %12d %12d %8s' $N $((M + K + 1)) "$(pct $N $((M + K + 1)))")"
trace ratio_s fastpath_ratio.bt --handled 100 --forwarded 100 --seconds 3 --json
passes=$(json ratio_s .passes)
check "fastpath_ratio.bt: totals of a 3-second run" has ratio_s \
	"$(printf 'total    %12d %12d %8s' $((passes * 100)) $((passes * 101)) \
		"$(pct $((passes * 100)) $((passes * 101)))")"
check "fastpath_ratio.bt: a line each second" [ "$(grep -cE \
	'^[0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9]+ +[0-9]+ +[0-9]+\.[0-9]{2}$' "$tmp/ratio_s")" -ge 2 ]

# top_ports.bt: every port and address with its outcome, in decimal.
trace top top_ports.bt --handled $N --forwarded $M --mmio $K
check "top_ports.bt: ports and addresses with their outcome" has top \
	"@top[pio, 1280, write, doorbell]: $N" "@top[pio, 1281, write, forwarded]: $M" \
	"@top[mmio, 36864, write, forwarded]: $K" "@top[pio, 233, write, forwarded]: 1"
check "top_ports.bt: nothing else" count top '^@top\[' 4

# userspace_latency.bt: a round trip per forwarded exit but the last (after
# which exit_loop stops); through the module none is taken for KVM_RUN's.
trace lat_fp userspace_latency.bt --handled $N --forwarded $M --mmio $K
check "userspace_latency.bt: MSHV_FP_RUN round trips" has lat_fp \
	"@round_trips[MSHV_FP_RUN (kvm)]: $((M + K))"
check "userspace_latency.bt: their histogram" count lat_fp '^@fastpath_kvm_ns: ?$' 1
check "userspace_latency.bt: in-kernel exits are no KVM_RUN round trips" \
	lacks lat_fp 'KVM_RUN|@kvm_run_ns'
trace lat_kvm userspace_latency.bt --no-module --handled $N --forwarded $M --mmio $K
check "userspace_latency.bt --no-module: KVM_RUN round trips" has lat_kvm \
	"@round_trips[KVM_RUN]: $((N + M + K))"
check "userspace_latency.bt --no-module: their histogram" count lat_kvm '^@kvm_run_ns: ?$' 1
check "userspace_latency.bt --no-module: no MSHV_FP_RUN" lacks lat_kvm 'MSHV_FP_RUN|@fastpath_'

# kvm_exits.bt: plain KVM; port exits by hardware reason (SVM in the test VM).
trace kvm kvm_exits.bt --no-module --handled $N --forwarded $M --mmio $K
check "kvm_exits.bt: port exits by hardware reason" count kvm \
	"^@exit_reason\[(svm, 123, ioio|vmx, 30, io_instruction)\]: $((N + M + 1))\$" 1
check "kvm_exits.bt: KVM_RUN returns by exit reason" has kvm \
	"@to_vmm[io]: $((N + M + 1))" "@to_vmm[mmio]: $K"
check "kvm_exits.bt: ports and addresses" has kvm \
	"@pio[1280, write]: $N" "@pio[1281, write]: $M" "@pio[233, write]: 1" \
	"@mmio[36864, write]: $K"
check "kvm_exits.bt: round-trip histogram" count kvm '^@vmm_round_trip_ns: ?$' 1
# KVM's view does not depend on who finishes the exit.
trace kvm_fp kvm_exits.bt --handled $N --forwarded $M --mmio $K
check "kvm_exits.bt with the module: the same port exits" has kvm_fp \
	"@pio[1280, write]: $N" "@pio[1281, write]: $M" "@mmio[36864, write]: $K"

tap_done
