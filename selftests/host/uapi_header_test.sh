#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The uapi header stands alone, as the kernel's headers_check demands: it
# compiles by itself in strict C90 and C11 and in C++, with gcc and clang.
. "$(dirname "$0")/../lib/tap.sh"
hdr=$REPO/include/uapi/linux/mshv_fastpath.h

compiles() {	# COMPILER LANG STD
	printf '#include <linux/mshv_fastpath.h>\nstruct mshv_fp_version v;\n' |
		$1 -x "$2" -std="$3" -pedantic -Wall -Wextra -Werror -fsyntax-only \
			-I"$REPO/include/uapi" -
}

check "gcc -std=c90" compiles gcc c c90
check "gcc -std=c11" compiles gcc c c11
check "g++ -std=c++11" compiles g++ c++ c++11
if command -v clang >/dev/null; then
	check "clang -std=c11" compiles clang c c11
else
	skip "clang -std=c11" "clang not installed (make deps)"
fi
check "no libc types (uint32_t...), only __u32" sh -c "! grep -nE '\\b(u?int[0-9]+_t|size_t)\\b' '$hdr'"
check "SPDX tag with syscall note" grep -q 'SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note' "$hdr"
tap_done
