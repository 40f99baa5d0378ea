#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The libFuzzer targets of selftests/fuzz/, parsers of untrusted input (the
# hyperv_resvd_new= value, hypervisor intercept messages, MMIO
# instructions): each runs once over its seed corpus, then fuzzes for a
# fixed time from a copy of it. A crash, leak, timeout, sanitizer report or
# broken invariant fails, with the reproducer kept in build/fuzz/ and the
# first lines of the report shown. FUZZ_SECONDS=N fuzzes each target N
# seconds instead of its own time (35 s for resvd, 20 s for the others).
. "$(dirname "$0")/../lib/tap.sh"
fuzz=$REPO/selftests/fuzz
keep=$REPO/build/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The first line of a report: a broken invariant, a sanitizer's or libFuzzer's.
report='FUZZ INVARIANT|ERROR: |runtime error:|deadly signal|ALARM:'

# The target's options, its dictionary if it has one.
options() {
	echo "-timeout=10 -rss_limit_mb=2048 -artifact_prefix=$tmp/$1/artifacts/"
	[ -f "$fuzz/$1.dict" ] && echo "-dict=$fuzz/$1.dict"
}

# A fresh copy of target $1's seeds in $tmp/$1/corpus.
fresh_corpus() {
	rm -rf "${tmp:?}/$1"
	mkdir -p "$tmp/$1/corpus" "$tmp/$1/artifacts"
	cp "$fuzz/corpus/$1/"* "$tmp/$1/corpus/"
}

# Run target $1 with options $2...; its output in $tmp/$1/log, its status in $tmp/$1/status.
run() {
	t=$1
	shift
	# shellcheck disable=SC2046
	timeout -k 10 600 "$fuzz/${t}_fuzz" $(options "$t") "$@" > "$tmp/$t/log" 2>&1
	echo $? > "$tmp/$t/status"
}

# The run of target $1 was clean: status 0, no reproducer written, no report.
clean_run() {
	[ "$(cat "$tmp/$1/status")" -eq 0 ] &&
	[ -z "$(ls -A "$tmp/$1/artifacts")" ] &&
	! grep -qE "$report" "$tmp/$1/log"
}

# Why the run of target $1 was not clean, as TAP comments; its reproducers kept.
explain() {
	t=$1
	echo "# $t: exit status $(cat "$tmp/$t/status")"
	mkdir -p "$keep"
	for f in "$tmp/$t/artifacts"/*; do
		[ -e "$f" ] || continue
		cp "$f" "$keep/$t-${f##*/}"
		echo "# reproducer: build/fuzz/$t-${f##*/} ($(wc -c < "$f") bytes); run it:" \
			"selftests/fuzz/${t}_fuzz build/fuzz/$t-${f##*/}"
		od -An -tx1 -N 96 "$f" | sed 's/^ */#   /'
	done
	first=$(grep -nE -m1 "$report" "$tmp/$t/log" | cut -d: -f1)
	cp "$tmp/$t/log" "$keep/$t.log"
	echo "# report (all of it: build/fuzz/$t.log):"
	if [ -n "$first" ]; then
		sed -n "$first,$((first + 11))p" "$tmp/$t/log"
	else
		tail -n 12 "$tmp/$t/log"
	fi | sed 's/^/#   /'
}

# Every seed of target $1 runs once (libFuzzer skips empty files).
seeds_run() {
	t=$1
	fresh_corpus "$t"
	n=$(find "$tmp/$t/corpus" -type f -size +0 | wc -l)
	run "$t" -runs=0 "$tmp/$t/corpus"
	if ! clean_run "$t"; then
		explain "$t"
		return 1
	fi
	grep -q "seed corpus: files: $n " "$tmp/$t/log" && grep -q INITED "$tmp/$t/log" && return 0
	echo "# $t: $n seeds, but libFuzzer did not say it ran them:"
	sed 's/^/#   /' "$tmp/$t/log"
	return 1
}

# Target $1 fuzzes for $2 seconds from its seeds.
fuzz_for() {
	t=$1
	fresh_corpus "$t"
	run "$t" -max_total_time="$2" -print_final_stats=1 "$tmp/$t/corpus"
	if ! clean_run "$t" || ! grep -q '^Done [0-9]* runs' "$tmp/$t/log"; then
		explain "$t"
		return 1
	fi
	echo "# $t: $(grep -o '^Done [0-9]* runs in [0-9]* second(s)' "$tmp/$t/log" | cut -c6-)," \
		"$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$tmp/$t/log" | tail -1)"
}

# The checks above can fail: a report (out of memory under a 1 MB limit) is seen.
report_is_seen() {
	fresh_corpus resvd
	run resvd -rss_limit_mb=1 -max_total_time=20 "$tmp/resvd/corpus"
	! clean_run resvd && grep -q 'out-of-memory' "$tmp/resvd/log" &&
		[ -n "$(ls -A "$tmp/resvd/artifacts")" ]
}

for t in resvd hv_intercept x86_emul; do
	case $t in
	resvd) seconds=${FUZZ_SECONDS:-35} ;;
	*) seconds=${FUZZ_SECONDS:-20} ;;
	esac
	check "$t: each seed runs once" seeds_run "$t"
	check "$t: ${seconds} s of fuzzing, no crash, leak, timeout or sanitizer report" \
		fuzz_for "$t" "$seconds"
done
check "a sanitizer or libFuzzer report fails the run" report_is_seen
tap_done
