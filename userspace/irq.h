/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's interrupt line. Devices model the line's level; the owner
 * (the hypervisor backend, or a unit test) decides how it reaches the
 * guest. Callable from any thread.
 */
#ifndef MSHV_VMM_IRQ_H
#define MSHV_VMM_IRQ_H

struct irq_line {
	void (*set_level)(struct irq_line *line, int level);
	unsigned int gsi;
	void *ctx;
};

static inline void irq_line_set(struct irq_line *line, int level)
{
	line->set_level(line, level);
}

/* Edge-triggered interrupt (virtio-mmio): one rising edge. */
static inline void irq_line_pulse(struct irq_line *line)
{
	line->set_level(line, 1);
	line->set_level(line, 0);
}

#endif
