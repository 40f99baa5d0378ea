// SPDX-License-Identifier: GPL-2.0
/*
 * Holds one idle KVM VM open for the life of the test VM, started by
 * guest-run once kvm is loaded. While any VM exists KVM never disables and
 * re-enables virtualization on every CPU (on_each_cpu IPIs), which happens
 * whenever the last VM goes away; under TCG-emulated SVM that cycle, run
 * once per test, is where the test VM was seen to hang.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0 || ioctl(kvm, KVM_CREATE_VM, 0) < 0) {
		perror("kvm_keepalive");
		return 1;
	}
	for (;;)
		pause();
}
