#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mshv-exitstat counts exactly the exits of a guest whose exits are known
# (exit_loop: N OUTs to port 0x500, finished in the kernel by the module's
# doorbell rule; M OUTs to 0x501 and K MMIO writes to 0x9000, forwarded to
# userspace; one OUT to 0xe9 that ends a pass): with the module (the
# default, and --source all with KVM's exit reasons), on the plain KVM path
# (--source kvm and with the module unloaded), per interval (-i, whose
# reports add up), with the -t and --vcpu filters, in text, and its errors:
# a missing source, no privilege, a VMM that does not use the module. Runs in the test VM (selftests/testvm/run-vm).
. "$(dirname "$0")/../lib/tap.sh"
exitstat=$REPO/bpf/mshv-exitstat
exit_loop=$REPO/selftests/bpf/exit_loop
N=1000 M=300 K=20
PORT_HANDLED=1280 PORT_FORWARDED=1281 PORT_DONE=233 MMIO_ADDR=36864	# 0x500 0x501 0xe9 0x9000
tmp=$(mktemp -d)

cleanup() {
	module_restore
	rm -rf "$tmp"
}
trap cleanup EXIT

# In the test VM everything below is there: a missing piece is a failure.
missing=
[ -c /dev/kvm ] || missing="$missing /dev/kvm"
[ -e /dev/mshv_fastpath ] || missing="$missing mshv_fastpath"
[ -x "$exitstat" ] || missing="$missing $exitstat"
[ -x "$exit_loop" ] || missing="$missing $exit_loop"
command -v jq >/dev/null || missing="$missing jq"
if [ -n "$missing" ]; then
	check "prerequisites:$missing" false
	tap_done
fi

# trace NAME "EXITSTAT OPTIONS" "EXIT_LOOP OPTIONS": exit_loop under
# mshv-exitstat -p (its pid), stopped with SIGINT once exit_loop is done.
# Leaves NAME.json (the report), NAME.err, NAME.loop (exit_loop's JSON)
# and NAME.rc (mshv-exitstat's exit status) in $tmp. %PID% in the
# exitstat options is exit_loop's pid.
trace() {
	name=$1 stat_opts=$2 loop_opts=$3
	rm -f "$tmp/go"
	mkfifo "$tmp/go"
	# The shell waits for the go, then becomes exit_loop: its pid is known first.
	# shellcheck disable=SC2086
	sh -c 'read -r _ < "$0"; exec "$@"' "$tmp/go" "$exit_loop" --json $loop_opts \
		> "$tmp/$name.loop" 2>&1 &
	loop_pid=$!
	stat_opts=$(echo "$stat_opts" | sed "s/%PID%/$loop_pid/g")
	# shellcheck disable=SC2086
	"$exitstat" --json -p "$loop_pid" $stat_opts > "$tmp/$name.json" 2> "$tmp/$name.err" &
	stat_pid=$!
	wait_for_tracing "$name"
	echo go > "$tmp/go"
	wait "$loop_pid"
	kill -INT "$stat_pid" 2>/dev/null
	wait "$stat_pid"
	echo $? > "$tmp/$name.rc"
}

# mshv-exitstat says it is tracing (its BPF programs are attached), or has died.
wait_for_tracing() {
	i=0
	while [ $i -lt 600 ] && ! grep -q 'tracing exits' "$tmp/$1.err" 2>/dev/null; do
		kill -0 "$stat_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
}

# The last report of NAME, through a jq filter.
q() {
	tail -n 1 "$tmp/$1.json" | jq -r "$2"
}

# The count of NAME's row for a port or address: q_row NAME KIND ADDR WRITE BY
row_count() {
	q "$1" "[.exits[] | select(.kind == \"$2\" and .addr == $3 and .write == $4 and
		.by == \"$5\") | .count] | add // 0"
}

# NAME's report says VALUE for jq FILTER; else show what it says.
expect() {
	name=$1 filter=$2 want=$3
	got=$(q "$name" "$filter")
	[ "$got" = "$want" ] && return 0
	echo "# $name: $filter = '$got', expected '$want'"
	sed 's/^/# stderr: /' "$tmp/$name.err"
	return 1
}

expect_row() {
	name=$1 kind=$2 addr=$3 write=$4 by=$5 want=$6
	got=$(row_count "$name" "$kind" "$addr" "$write" "$by")
	[ "$got" = "$want" ] && return 0
	echo "# $name: $kind $addr write=$write by $by: $got exits, expected $want"
	q "$name" '.exits[] | "#   \(.kind) \(.addr // .reason_name) \(.by) \(.count)"'
	sed 's/^/# stderr: /' "$tmp/$name.err"
	sed 's/^/# exit_loop: /' "$tmp/$name.loop"
	return 1
}

# The histograms hold every timed exit once: in the kernel, and round trips.
hists_match_rows() {
	name=$1
	kernel_hist=$(q "$name" '[.histograms.kernel_ns[].count] | add // 0')
	kernel_rows=$(q "$name" '[.exits[] | select(.in_kernel) | .timed] | add // 0')
	user_hist=$(q "$name" '[.histograms.userspace_ns[].count] | add // 0')
	user_rows=$(q "$name" '[.exits[] | select(.in_kernel | not) | .timed] | add // 0')
	[ "$kernel_hist" = "$kernel_rows" ] && [ "$user_hist" = "$user_rows" ] && return 0
	echo "# $name: kernel histogram $kernel_hist vs rows $kernel_rows," \
		"userspace histogram $user_hist vs rows $user_rows"
	return 1
}

# One pass of the guest (GUEST, not loop_opts: trace() sets that one).
GUEST="--handled $N --forwarded $M --mmio $K"

# ---- With the module: by default its tracepoints alone ----
trace fp "" "--module $GUEST"
check "module: exit status 0 after SIGINT" test "$(cat "$tmp/fp.rc")" = 0
check "module: only its tracepoints by default" \
	expect fp '"\(.sources.mshv_fastpath) \(.sources.kvm) \(.hardware)"' "true null null"
check "module: $N OUTs to 0x500 finished by the doorbell rule" \
	expect_row fp pio $PORT_HANDLED true doorbell $N
check "module: $M OUTs to 0x501 forwarded" expect_row fp pio $PORT_FORWARDED true forwarded $M
check "module: $K MMIO writes to 0x9000 forwarded" \
	expect_row fp mmio $MMIO_ADDR true forwarded $K
check "module: the end-of-pass OUT to 0xe9 forwarded" \
	expect_row fp pio $PORT_DONE true forwarded 1
total=$((N + M + K + 1))
check "module: it saw $total exits, finished $N" \
	expect fp '"\(.fastpath.exits) \(.fastpath.handled)"' "$total $N"
check "module: hit ratio $N/$total" \
	expect fp "(.fastpath.hit_ratio * 1e6 | round) == ($N / $total * 1e6 | round)" true
check "module: a time for every finished exit" \
	expect fp "[.exits[] | select(.by == \"doorbell\") | .timed] | add" $N
check "module: 0 < min <= avg <= max, for every timed row" \
	expect fp '[.exits[] | select(.timed > 0) |
		.min_ns > 0 and .min_ns <= .avg_ns and .avg_ns <= .max_ns] | all' true
# Every forwarded exit but the last comes back: its round trip is timed.
check "module: round trips through userspace: $((M + K))" \
	expect fp '[.histograms.userspace_ns[].count] | add' $((M + K))
check "module: histograms add up to the timed exits" hists_match_rows fp
check "module: no row from KVM" expect fp '[.exits[] | select(.origin == "kvm")] | length' 0
check "module: its own statistics agree (exit_loop)" \
	test "$(jq -r '.module.handled.doorbell' "$tmp/fp.loop")" = $N

# ---- The module's tracepoints and kvm_exit's reasons ----
trace all "-s all" "--module $GUEST"
check "-s all: the module's tracepoints, and kvm_exit for the reasons" \
	expect all '"\(.sources.mshv_fastpath) \(.sources.kvm)"' "true reasons"
check "-s all: $N finished, $((M + K + 1)) forwarded" \
	expect all '"\(.fastpath.handled) \(.fastpath.forwarded)"' "$N $((M + K + 1))"
check "-s all: kvm_exit saw every exit the module saw, and KVM's own" \
	expect all '.hardware.exits > .fastpath.exits' true
check "-s all: kvm_exit saw $((N + M + 1)) port I/O exits" \
	expect all '[.hardware.reasons[] | select(.name == "ioio" or .name == "io_instruction") |
		.count] | add' $((N + M + 1))

# ---- A VMM that does not use the module: the default sees nothing, says why ----
trace bypass "" "--no-module $GUEST"
check "module loaded, VM without it: no exits, and a hint to use -s kvm" \
	grep -q "no exit went through mshv_fastpath; if a VM ran, its VMM does not use the module: try -s kvm" \
	"$tmp/bypass.err"

# ---- KVM's tracepoints, the guest on plain KVM_RUN ----
trace kvm "-s kvm" "--no-module $GUEST"
check "-s kvm: only KVM's tracepoints" \
	expect kvm '"\(.sources.mshv_fastpath) \(.sources.kvm) \(.fastpath)"' "false exits null"
check "-s kvm: $N OUTs to 0x500 forwarded" expect_row kvm pio $PORT_HANDLED true forwarded $N
check "-s kvm: $M OUTs to 0x501 forwarded" expect_row kvm pio $PORT_FORWARDED true forwarded $M
check "-s kvm: $K MMIO writes to 0x9000 forwarded" expect_row kvm mmio $MMIO_ADDR true forwarded $K
check "-s kvm: round trips through userspace: $((N + M + K))" \
	expect kvm '[.histograms.userspace_ns[].count] | add' $((N + M + K))
check "-s kvm: histograms add up to the timed exits" hists_match_rows kvm
check "-s kvm: KVM finished some exits itself, none of them port I/O or MMIO" \
	expect kvm '[.exits[] | select(.by == "kvm") | .kind] | length > 0 and all(. == "other")' true
check "-s kvm: 0 < min <= avg <= max, for every timed row" \
	expect kvm '[.exits[] | select(.timed > 0) |
		.min_ns > 0 and .min_ns <= .avg_ns and .avg_ns <= .max_ns] | all' true
check "-s kvm: kvm_exit saw $((N + M + 1)) port I/O exits" \
	expect kvm '[.hardware.reasons[] | select(.name == "ioio" or .name == "io_instruction") |
		.count] | add' $((N + M + 1))

# ---- Filters ----
trace tid "-t %PID%" "--module $GUEST"
check "-t: the vCPU thread's exits, all of them" expect_row tid pio $PORT_HANDLED true doorbell $N
trace vcpu0 "--vcpu 0" "--module $GUEST"
check "--vcpu 0: all of vCPU 0's exits" expect_row vcpu0 pio $PORT_HANDLED true doorbell $N
trace vcpu1 "--vcpu 1" "--module $GUEST"
check "--vcpu 1: none of vCPU 0's" expect vcpu1 '.totals.exits' 0
check "--vcpu: the filter is in the report" expect vcpu1 '.filter.vcpu' 1

# ---- Intervals: the reports add up to the whole ----
trace interval "-i 0.5" "--module $GUEST --seconds 3"
passes=$(jq -r '.passes' "$tmp/interval.loop")
intervals_add_up() {
	reports=$(wc -l < "$tmp/interval.json")
	sum=$(jq -s "[.[].exits[] | select(.kind == \"pio\" and .addr == $PORT_HANDLED) |
		.count] | add" "$tmp/interval.json")
	numbers=$(jq -s '[.[].interval] | join(",")' "$tmp/interval.json")
	[ "$reports" -ge 4 ] && [ "$sum" = $((passes * N)) ] && return 0
	echo "# $reports reports ($numbers), $sum doorbell exits; exit_loop made $passes passes"
	return 1
}
check "-i 0.5: reports add up to exit_loop's $passes passes of $N" intervals_add_up
check "-i: reports numbered from 1" test "$(head -n 1 "$tmp/interval.json" | jq .interval)" = 1

# ---- Duration, text, signals ----
duration_ends() {
	timeout 120 "$exitstat" -d 1 --json > "$tmp/d.json" 2> "$tmp/d.err" || return 1
	[ "$(wc -l < "$tmp/d.json")" = 1 ] && jq -e '.interval == 0 and .seconds >= 1' \
		"$tmp/d.json" > /dev/null
}
check "-d 1: one report, then exit 0" duration_ends

text_table() {
	"$exitstat" -p $$ > "$tmp/text.out" 2> "$tmp/text.err" &
	stat_pid=$!
	wait_for_tracing text
	kill -TERM "$stat_pid"
	wait "$stat_pid" || return 1
	grep -q '^KIND  *PORT/ADDRESS/REASON  *DIR  *BY  *COUNT' "$tmp/text.out" &&
		grep -q '^Fast path: ' "$tmp/text.out"
}
check "text: the table after SIGTERM, exit 0" text_table

# ---- Errors ----
not_root() {
	# A copy that user nobody can reach ($tmp is root's alone).
	mkdir -p /tmp/exitstat-nobody.$$
	cp "$exitstat" /tmp/exitstat-nobody.$$/
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		/tmp/exitstat-nobody.$$/mshv-exitstat -d 1 2>&1)
	rc=$?
	rm -rf /tmp/exitstat-nobody.$$
	[ $rc = 1 ] && echo "$out" | grep -q 'needs root (or CAP_BPF and CAP_PERFMON)' && return 0
	echo "# exit $rc: $out"
	return 1
}
check "not root: exit 1, says what it needs" not_root
check "usage error: exit 2" exits_with 2 "$exitstat" --interval 0

if module_unload; then
	module_source_missing() {
		out=$("$exitstat" -s module -d 1 2>&1)
		rc=$?
		[ $rc = 1 ] && echo "$out" | grep -q \
			'mshv_fastpath:exit_batch: the module is not loaded (sudo modprobe mshv_fastpath)' &&
			return 0
		echo "# exit $rc: $out"
		return 1
	}
	check "module unloaded: -s module fails, saying why" module_source_missing
	trace nomod "" "--no-module $GUEST"
	check "module unloaded: says it uses KVM's tracepoints" \
		grep -q "the module is not loaded (sudo modprobe mshv_fastpath) - using KVM's tracepoints" \
		"$tmp/nomod.err"
	check "module unloaded: KVM saw $N OUTs to 0x500" \
		expect_row nomod pio $PORT_HANDLED true forwarded $N
	check "module unloaded: KVM saw $M OUTs to 0x501" \
		expect_row nomod pio $PORT_FORWARDED true forwarded $M
	module_reload
	check "module loaded again" test $module_removed = 0
else
	check "rmmod mshv_fastpath for the unloaded cases" false
fi

tap_done
