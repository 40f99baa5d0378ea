#!/bin/sh
# Install every Debian package that building, testing and the demo need.
# Idempotent: apt-get skips what is already installed.
#
#   scripts/install-deps.sh                 bookworm packages (kernel 6.1 for the test VM)
#   scripts/install-deps.sh --extra-kernels also Linux 6.12 image + headers from
#                                           bookworm-backports (adds its own sources file)
set -eu

extra_kernels=0
for arg in "$@"; do
	case "$arg" in
	--extra-kernels) extra_kernels=1 ;;
	-h|--help)
		sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) echo "install-deps: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: needs root (apt-get install); run it with sudo" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Build: module (headers of the test VM's kernel), userspace, BPF (clang,
# bpftool skeletons, libbpf), kselftest harness (from linux-source), fuzz
# targets (libclang-rt-dev: clang's libFuzzer and sanitizer runtimes, which
# clang only recommends; it follows clang's version, 14 on bookworm).
# Test VM: kernel image, qemu, busybox, cpio. VMM's ACPI tables: iasl
# (acpica-tools). Guest disk images: e2fsprogs (mke2fs -d, debugfs; no root
# needed). Man page check: groff-base. Packaging: dkms. Exit-tracing
# benchmark: bcc's kvmexit (bpfcc-tools: /usr/sbin/kvmexit-bpfcc). The
# exit tracers' tests read mshv-exitstat's JSON with jq.
packages="
	build-essential make gcc pkg-config kmod cpio gzip xz-utils
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static acpica-tools e2fsprogs groff-base
	clang libclang-rt-dev llvm libbpf-dev bpftool bpftrace libelf-dev zlib1g-dev dwarves
	dkms openssl bpfcc-tools jq
"

if [ "$extra_kernels" = 1 ]; then
	list=/etc/apt/sources.list.d/mshv-fastpath-backports.list
	if [ ! -f "$list" ]; then
		echo "deb http://deb.debian.org/debian bookworm-backports main" > "$list"
		stamp_update=1
	fi
fi

# One apt-get update a day is enough; force it when a sources file was added.
if [ "${stamp_update:-0}" = 1 ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -q
fi

# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $packages

if [ "$extra_kernels" = 1 ]; then
	# bookworm-backports is pinned low by default; name the release explicitly.
	apt-get install -y -q --no-install-recommends -t bookworm-backports \
		linux-image-6.12-amd64 linux-headers-6.12-amd64 2>/dev/null ||
	apt-get install -y -q --no-install-recommends -t bookworm-backports \
		linux-image-amd64 linux-headers-amd64
fi

# The layout check of common/hv_abi.h (selftests/host/mshv_uapi_test) needs
# <linux/mshv.h> of a newer Debian linux-libc-dev: fetched, not installed.
"$(dirname "$0")/fetch-mshv-uapi"
echo "install-deps: done"
