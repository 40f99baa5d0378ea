#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# userspace/mshv-vmm.1 renders without a single groff warning, documents
# every option and exit status the program's own help names, and
# make install / uninstall put it in and take it out of man1.
. "$(dirname "$0")/../lib/tap.sh"
page=$REPO/userspace/mshv-vmm.1
vmm=$REPO/userspace/mshv-vmm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v groff >/dev/null; then
	skip "mshv-vmm.1" "groff not found (make deps installs groff-base)"
	tap_done
fi

# groff with every warning on: the page must render silently.
renders_silently() {
	groff -man -Tutf8 -ww -z "$page" > "$tmp/warnings" 2>&1 && [ ! -s "$tmp/warnings" ] &&
		return 0
	sed 's/^/# /' "$tmp/warnings"
	return 1
}
check "groff -man -ww: no warnings" renders_silently

if command -v man >/dev/null; then
	man_l() {
		MANWIDTH=80 man -l "$page" > "$tmp/man.txt" 2> "$tmp/man.err" &&
			[ ! -s "$tmp/man.err" ] && grep -q '^NAME' "$tmp/man.txt" && return 0
		sed 's/^/# /' "$tmp/man.err"
		return 1
	}
	check "man -l renders it" man_l
else
	skip "man -l renders it" "man not found"
fi

for section in NAME SYNOPSIS DESCRIPTION 'RUN OPTIONS' CONSOLE PLACEMENT STATISTICS \
	       'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
	check "section $section" grep -qE "^\\.SH \"?$section\"?\$" "$page"
done

# Every long option `mshv-vmm COMMAND --help` lists, in man(7) spelling.
documented() {
	missing=
	for opt in $("$vmm" "$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		roff=$(echo "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$roff" "$page" || missing="$missing $opt"
	done
	[ -z "$missing" ] && return 0
	echo "# not in the man page:$missing"
	return 1
}
if [ -x "$vmm" ]; then
	check "every option of 'mshv-vmm run --help' documented" documented run
	check "every option of 'mshv-vmm version --help' documented" documented version
	# The exit statuses the help names: 0 to 4 and 128+N.
	statuses() {
		"$vmm" run --help | grep -q '128+N' || { echo "# run --help names no 128+N"; return 1; }
		for status in 0 1 2 3 4 '128+'; do
			sed -n '/^\.SH "EXIT STATUS"/,/^\.SH /p' "$page" |
				grep -qE "^\\.BI? $(echo "$status" | sed 's/+/\\+/')" ||
				{ echo "# exit status $status not documented"; return 1; }
		done
	}
	check "every exit status documented" statuses
	check "console escape Ctrl-A x documented" grep -q 'Ctrl\\-A x' "$page"
else
	skip "options documented" "mshv-vmm not built"
fi

installs() {
	make -s -C "$REPO/userspace" install DESTDIR="$tmp/stage" PREFIX=/usr > /dev/null 2>&1 &&
		cmp -s "$page" "$tmp/stage/usr/share/man/man1/mshv-vmm.1"
}
uninstalls() {
	make -s -C "$REPO/userspace" uninstall DESTDIR="$tmp/stage" PREFIX=/usr > /dev/null 2>&1 &&
		[ ! -e "$tmp/stage/usr/share/man/man1/mshv-vmm.1" ]
}
check "make install puts it in share/man/man1" installs
check "make uninstall removes it" uninstalls
tap_done
