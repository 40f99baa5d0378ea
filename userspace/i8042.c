// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller, enough for Linux's i8042 and atkbd
 * drivers to probe quickly and quietly, and for the reboot path.
 *
 * The keyboard answers its commands (reset, ID, LEDs, rate, scanning)
 * like a PS/2 keyboard that nobody types on. There is no AUX port: the
 * controller's AUX loop answers as keyboard data and its AUX test reports
 * a stuck clock line, which is how Linux recognises an AT-style
 * controller without one (no 250 ms IRQ test, no psmouse probe).
 * Pulsing the CPU reset line (command 0xfe, or an output port write with
 * bit 0 clear) asks the VMM to stop for a reset.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "bus.h"
#include "i8042.h"
#include "irq.h"
#include "machine.h"
#include "vmm.h"

#define I8042_DATA_PORT		MACHINE_I8042_PORT
#define I8042_CMD_PORT		(MACHINE_I8042_PORT + 4)

/* Status register. */
#define STR_OBF			0x01	/* output buffer full */
#define STR_SYS			0x04	/* system flag: self test passed */
#define STR_CMD			0x08	/* last write was a command */
#define STR_KEYLOCK		0x10	/* 1: keyboard not inhibited */

/* Controller command byte (CTR). */
#define CTR_KBDINT		0x01
#define CTR_SYS			0x04
#define CTR_KBDDIS		0x10
#define CTR_AUXDIS		0x20
#define CTR_XLATE		0x40
/* As a BIOS leaves it: translated keyboard, interrupts on, no AUX. */
#define CTR_DEFAULT		(CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)

/* Controller commands (port 0x64). */
#define CMD_READ_CTR		0x20
#define CMD_WRITE_CTR		0x60
#define CMD_AUX_DISABLE		0xa7
#define CMD_AUX_ENABLE		0xa8
#define CMD_AUX_TEST		0xa9
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_KBD_DISABLE		0xad
#define CMD_KBD_ENABLE		0xae
#define CMD_READ_OUTPORT	0xd0
#define CMD_WRITE_OUTPORT	0xd1
#define CMD_WRITE_KBD_OUTBUF	0xd2
#define CMD_WRITE_AUX_OUTBUF	0xd3	/* Linux's AUX loop test */
#define CMD_WRITE_AUX		0xd4
#define CMD_PULSE_FIRST		0xf0	/* 0xf0-0xff: pulse output lines */

#define SELF_TEST_OK		0x55
#define PORT_TEST_OK		0x00
#define AUX_TEST_CLOCK_HIGH	0x02	/* "clock line stuck high" */
#define OUTPORT_RESET_LINE	0x01	/* 0 = hold the CPU in reset */
#define OUTPORT_A20		0x02
#define OUTPORT_DEFAULT		(OUTPORT_RESET_LINE | OUTPORT_A20)

/* Keyboard commands and replies. */
#define KBD_CMD_SET_LEDS	0xed
#define KBD_CMD_ECHO		0xee
#define KBD_CMD_SCANCODE_SET	0xf0
#define KBD_CMD_GET_ID		0xf2
#define KBD_CMD_SET_RATE	0xf3
#define KBD_CMD_ENABLE		0xf4
#define KBD_CMD_RESET		0xff
#define KBD_REPLY_ACK		0xfa
#define KBD_REPLY_RESEND	0xfe
#define KBD_REPLY_BAT_OK	0xaa
#define KBD_ID_FIRST		0xab
#define KBD_ID_SECOND		0x83
#define KBD_ID_SECOND_XLATED	0x41	/* 0x83 as the controller translates it */
#define KBD_QUEUE_SIZE		16

struct i8042 {
	struct vm *vm;
	struct irq_line *irq;
	pthread_mutex_t lock;

	uint8_t ctr;
	uint8_t outport;
	uint8_t pending_cmd;	/* controller command awaiting its data byte */
	bool last_write_cmd;
	uint8_t outbuf;
	bool outbuf_full;
	int irq_level;

	/* The keyboard: replies waiting for the output buffer. */
	uint8_t kbd_queue[KBD_QUEUE_SIZE];
	unsigned int kbd_head, kbd_count;
	uint8_t kbd_pending_cmd; /* keyboard command awaiting its parameter */
	uint8_t kbd_set;	/* scan code set */
};

static void kbd_reply(struct i8042 *kbc, uint8_t byte)
{
	/* Only a guest flooding commands fills it: drop the excess. */
	if (kbc->kbd_count == KBD_QUEUE_SIZE)
		return;
	kbc->kbd_queue[(kbc->kbd_head + kbc->kbd_count) % KBD_QUEUE_SIZE] = byte;
	kbc->kbd_count++;
}

/*
 * The controller's own answers take the output buffer at once (Linux
 * flushes it before each command, so nothing is lost that it wanted).
 */
static void ctrl_reply(struct i8042 *kbc, uint8_t byte)
{
	kbc->outbuf = byte;
	kbc->outbuf_full = true;
}

/* Under the lock after each access: refill the buffer, set IRQ 1. */
static void i8042_update(struct i8042 *kbc)
{
	int level;

	if (!kbc->outbuf_full && kbc->kbd_count && !(kbc->ctr & CTR_KBDDIS)) {
		ctrl_reply(kbc, kbc->kbd_queue[kbc->kbd_head]);
		kbc->kbd_head = (kbc->kbd_head + 1) % KBD_QUEUE_SIZE;
		kbc->kbd_count--;
	}
	level = kbc->outbuf_full && (kbc->ctr & CTR_KBDINT);
	if (level != kbc->irq_level) {
		kbc->irq_level = level;
		irq_line_set(kbc->irq, level);
	}
}

static void kbd_write(struct i8042 *kbc, uint8_t byte)
{
	uint8_t cmd = kbc->kbd_pending_cmd;

	if (cmd) {
		kbc->kbd_pending_cmd = 0;
		kbd_reply(kbc, KBD_REPLY_ACK);
		if (cmd == KBD_CMD_SCANCODE_SET) {
			if (byte == 0)
				kbd_reply(kbc, kbc->kbd_set);
			else if (byte <= 3)
				kbc->kbd_set = byte;
		}
		/* SET_LEDS, SET_RATE: nothing to show, nothing to repeat. */
		return;
	}

	switch (byte) {
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SCANCODE_SET:
	case KBD_CMD_SET_RATE:
		kbc->kbd_pending_cmd = byte;
		kbd_reply(kbc, KBD_REPLY_ACK);
		break;
	case KBD_CMD_ECHO:
		kbd_reply(kbc, KBD_CMD_ECHO);
		break;
	case KBD_CMD_GET_ID:
		kbd_reply(kbc, KBD_REPLY_ACK);
		kbd_reply(kbc, KBD_ID_FIRST);
		kbd_reply(kbc, kbc->ctr & CTR_XLATE ? KBD_ID_SECOND_XLATED :
			  KBD_ID_SECOND);
		break;
	case KBD_CMD_RESET:
		kbc->kbd_count = 0;
		kbc->kbd_set = 2;
		kbd_reply(kbc, KBD_REPLY_ACK);
		kbd_reply(kbc, KBD_REPLY_BAT_OK);
		break;
	default:
		/* Enable/disable scanning, defaults, set-3 modes, resend. */
		if (byte >= KBD_CMD_ENABLE)
			kbd_reply(kbc, KBD_REPLY_ACK);
		else
			kbd_reply(kbc, KBD_REPLY_RESEND);
		break;
	}
}

static void i8042_reset_cpu(struct i8042 *kbc)
{
	vm_request_stop(kbc->vm, VM_STOP_RESET, "guest reset through the i8042");
}

static void i8042_command(struct i8042 *kbc, uint8_t cmd)
{
	kbc->pending_cmd = 0;
	switch (cmd) {
	case CMD_READ_CTR:
		ctrl_reply(kbc, kbc->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
	case CMD_WRITE_KBD_OUTBUF:
	case CMD_WRITE_AUX_OUTBUF:
	case CMD_WRITE_AUX:
		kbc->pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		kbc->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		kbc->ctr &= ~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
		ctrl_reply(kbc, AUX_TEST_CLOCK_HIGH);
		break;
	case CMD_SELF_TEST:
		ctrl_reply(kbc, SELF_TEST_OK);
		break;
	case CMD_KBD_TEST:
		ctrl_reply(kbc, PORT_TEST_OK);
		break;
	case CMD_KBD_DISABLE:
		kbc->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		kbc->ctr &= ~CTR_KBDDIS;
		break;
	case CMD_READ_OUTPORT:
		ctrl_reply(kbc, kbc->outport);
		break;
	default:
		/* 0xf0-0xff pulse the output lines low where a bit is 0. */
		if (cmd >= CMD_PULSE_FIRST && !(cmd & OUTPORT_RESET_LINE))
			i8042_reset_cpu(kbc);
		break;
	}
}

static void i8042_data(struct i8042 *kbc, uint8_t byte)
{
	uint8_t cmd = kbc->pending_cmd;

	kbc->pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		kbc->ctr = byte;
		break;
	case CMD_WRITE_OUTPORT:
		kbc->outport = byte;
		if (!(byte & OUTPORT_RESET_LINE))
			i8042_reset_cpu(kbc);
		break;
	case CMD_WRITE_KBD_OUTBUF:
	case CMD_WRITE_AUX_OUTBUF:	/* no AUX port: it comes back as keyboard data */
		ctrl_reply(kbc, byte);
		break;
	case CMD_WRITE_AUX:		/* no mouse to hear it */
		break;
	default:
		/* Talking to the keyboard enables its interface, as on hardware. */
		kbc->ctr &= ~CTR_KBDDIS;
		kbd_write(kbc, byte);
		break;
	}
}

static uint8_t i8042_status(const struct i8042 *kbc)
{
	return (kbc->outbuf_full ? STR_OBF : 0) |
	       (kbc->ctr & CTR_SYS ? STR_SYS : 0) |
	       (kbc->last_write_cmd ? STR_CMD : 0) | STR_KEYLOCK;
}

static uint8_t i8042_read_outbuf(struct i8042 *kbc)
{
	kbc->outbuf_full = false;
	/* Lower the line first: the next byte is a new edge. */
	if (kbc->irq_level) {
		kbc->irq_level = 0;
		irq_line_set(kbc->irq, 0);
	}
	return kbc->outbuf;
}

static void i8042_access(struct i8042 *kbc, bool cmd_port, uint8_t *data,
			 bool is_write)
{
	pthread_mutex_lock(&kbc->lock);
	if (is_write) {
		kbc->last_write_cmd = cmd_port;
		if (cmd_port)
			i8042_command(kbc, data[0]);
		else
			i8042_data(kbc, data[0]);
	} else {
		data[0] = cmd_port ? i8042_status(kbc) : i8042_read_outbuf(kbc);
	}
	i8042_update(kbc);
	pthread_mutex_unlock(&kbc->lock);
}

/* Each port is a one-port range: the bus hands over single bytes only. */

static void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data,
			  unsigned int len, bool is_write)
{
	(void)offset;
	(void)len;
	i8042_access(opaque, false, data, is_write);
}

static void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int len, bool is_write)
{
	(void)offset;
	(void)len;
	i8042_access(opaque, true, data, is_write);
}

struct i8042 *i8042_create(struct vm *vm, struct irq_line *irq)
{
	struct i8042 *kbc = calloc(1, sizeof(*kbc));
	int err;

	if (!kbc)
		return NULL;
	kbc->vm = vm;
	kbc->irq = irq;
	kbc->ctr = CTR_DEFAULT;
	kbc->outport = OUTPORT_DEFAULT;
	kbc->kbd_set = 2;
	pthread_mutex_init(&kbc->lock, NULL);

	err = bus_register(&vm->bus, BUS_PIO, I8042_DATA_PORT, 1, i8042_data_io,
			   kbc, "i8042 data");
	if (err) {
		i8042_destroy(kbc);
		errno = -err;
		return NULL;
	}
	/* Past here the bus points at it: on failure the VM is abandoned. */
	err = bus_register(&vm->bus, BUS_PIO, I8042_CMD_PORT, 1, i8042_cmd_io,
			   kbc, "i8042 command");
	if (err) {
		errno = -err;
		return NULL;
	}
	return kbc;
}

void i8042_destroy(struct i8042 *kbc)
{
	if (!kbc)
		return;
	pthread_mutex_destroy(&kbc->lock);
	free(kbc);
}
