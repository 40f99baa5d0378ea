#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The uapi header stands alone: it compiles by itself as the kernel's own
# uapi header test compiles them (usr/include/Makefile: -std=c90 -Wall), in
# pedantic C11, and in C++, with gcc and clang.
. "$(dirname "$0")/../lib/tap.sh"
hdr=$REPO/include/uapi/linux/mshv_fastpath.h

compiles() {	# COMPILER LANG STD [FLAGS...]
	cc=$1 lang=$2 std=$3
	shift 3
	printf '#include <linux/mshv_fastpath.h>\nstruct mshv_fp_version v;\n' |
		$cc -x "$lang" -std="$std" -Wall -Werror "$@" -fsyntax-only \
			-I"$REPO/include/uapi" -
}

check "gcc -std=c90 (as the kernel checks uapi)" compiles gcc c c90
check "gcc -std=c11 -pedantic -Wextra" compiles gcc c c11 -pedantic -Wextra
check "g++ -std=c++11 -Wextra" compiles g++ c++ c++11 -Wextra
if command -v clang >/dev/null; then
	check "clang -std=c11 -pedantic -Wextra" compiles clang c c11 -pedantic -Wextra
else
	skip "clang -std=c11" "clang not installed (make deps)"
fi
check "no libc types (uint32_t...), only __u32" sh -c "! grep -nE '\\b(u?int[0-9]+_t|size_t)\\b' '$hdr'"
check "SPDX tag with syscall note" grep -q 'SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note' "$hdr"
tap_done
