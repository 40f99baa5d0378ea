// SPDX-License-Identifier: GPL-2.0
/*
 * Holds one idle KVM VM, with one vCPU and no in-kernel irqchip, open for
 * the life of the test VM; guest-run starts it once kvm is loaded. It keeps
 * KVM from flipping global state at every test's first and last VM or
 * vCPU: virtualization enabled and disabled on every CPU (on_each_cpu IPIs),
 * and static keys such as kvm_has_noapic_vcpu, whose every flip patches the
 * kernel's text live (int3 breakpoints, text_poke_bp). The test VM was seen
 * hung with a vCPU stuck at asm_exc_int3 under multi-threaded TCG.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm_keepalive");
		return 1;
	}
	for (;;)
		pause();
}
