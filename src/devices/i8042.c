/* i8042.c: PS/2 controller with a silent keyboard and an empty AUX port (see i8042.h). */
#include "devices/i8042.h"

#include <string.h>

static void i8042_queue(struct i8042 *k, uint8_t val, uint8_t status)
{
	if (k->out_count == I8042_OUTQ_SIZE) {
		atomic_fetch_add(&k->out_dropped, 1);
		return;
	}
	k->outq[(k->out_head + k->out_count) % I8042_OUTQ_SIZE] = (struct i8042_byte){ val, status };
	k->out_count++;
}

/* With XLATE set the controller rewrites set-2 codes to set 1 on their way in.
 * Of the bytes our keyboard sends, only the scancode-set numbers and the
 * second ID byte change: 0x83 -> 0x41 is why a translated MF2 keyboard
 * identifies as 0xab 0x41. ACK, BAT and the other replies pass unchanged. */
static uint8_t i8042_xlate(uint8_t val)
{
	switch (val) {
	case 0x01: return 0x43;
	case 0x02: return 0x41;
	case 0x03: return 0x3f;
	case 0x83: return 0x41;
	default: return val;
	}
}

static void i8042_kbd_send(struct i8042 *k, uint8_t val)
{
	k->kbd_last = val;
	i8042_queue(k, (k->ram[0] & I8042_CTR_XLATE) ? i8042_xlate(val) : val, 0);
}

static void i8042_kbd_defaults(struct i8042 *k)
{
	k->kbd_scanset = 2;
	k->kbd_pending = 0;
}

/* The parameter byte of SET_LEDS, TYPEMATIC or SCANSET. */
static void i8042_kbd_param(struct i8042 *k, uint8_t cmd, uint8_t val)
{
	i8042_kbd_send(k, I8042_REPLY_ACK);
	if (cmd != I8042_KBD_SCANSET)
		return; /* LEDs and typematic rate: nothing to show them on */
	if (val == 0)
		i8042_kbd_send(k, k->kbd_scanset); /* 0 means "which set?" */
	else if (val <= 3)
		k->kbd_scanset = val;
}

/* A byte for the keyboard (IBM PS/2 keyboard command set). Parameters are
 * always below 0x80 and commands at or above 0xed, so a command byte that
 * arrives while a parameter is expected starts over, as keyboards do. */
static void i8042_kbd_write(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->kbd_pending;

	k->kbd_pending = 0;
	if (cmd && val < 0x80) {
		i8042_kbd_param(k, cmd, val);
		return;
	}
	switch (val) {
	case I8042_KBD_SET_LEDS:
	case I8042_KBD_TYPEMATIC:
	case I8042_KBD_SCANSET:
		k->kbd_pending = val;
		i8042_kbd_send(k, I8042_REPLY_ACK);
		break;
	case I8042_KBD_ECHO:
		i8042_kbd_send(k, I8042_KBD_ECHO); /* echo is its own reply, no ACK */
		break;
	case I8042_KBD_GET_ID:
		i8042_kbd_send(k, I8042_REPLY_ACK);
		i8042_kbd_send(k, I8042_KBD_ID0);
		i8042_kbd_send(k, I8042_KBD_ID1);
		break;
	case I8042_KBD_ENABLE:
		k->kbd_scanning = true;
		i8042_kbd_send(k, I8042_REPLY_ACK);
		break;
	case I8042_KBD_DISABLE: /* also restores defaults, per the command set */
		i8042_kbd_defaults(k);
		k->kbd_scanning = false;
		i8042_kbd_send(k, I8042_REPLY_ACK);
		break;
	case I8042_KBD_RESEND:
		i8042_kbd_send(k, k->kbd_last);
		break;
	case I8042_KBD_RESET: /* ACK, then the basic assurance test result */
		i8042_kbd_defaults(k);
		k->kbd_scanning = true;
		i8042_kbd_send(k, I8042_REPLY_ACK);
		i8042_kbd_send(k, I8042_REPLY_BAT_OK);
		break;
	case I8042_KBD_DEFAULTS:
		i8042_kbd_defaults(k);
		i8042_kbd_send(k, I8042_REPLY_ACK);
		break;
	default: /* typematic/make-break modes and the like: accept and ignore */
		atomic_fetch_add(&k->unknown_cmds, 1);
		i8042_kbd_send(k, I8042_REPLY_ACK);
		break;
	}
}

/* The data byte that completes a controller command (0x60-0x7f, 0xd1-0xd4). */
static void i8042_ctl_data(struct i8042 *k, uint8_t cmd, uint8_t val)
{
	if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + I8042_RAM_SIZE) {
		k->ram[cmd - I8042_CMD_WRITE_RAM] = val;
		return;
	}
	switch (cmd) {
	case I8042_CMD_WRITE_OUT:
		k->outport = val;
		if (!(val & I8042_OUT_RESET))
			k->reset_due = true;
		break;
	case I8042_CMD_WRITE_KBD_OBUF:
		i8042_queue(k, val, 0);
		break;
	case I8042_CMD_WRITE_AUX_OBUF:
		i8042_queue(k, val, I8042_STR_AUXDATA);
		break;
	default: /* I8042_CMD_WRITE_AUX: no mouse answers; report "no device" */
		i8042_queue(k, I8042_REPLY_RESEND, I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
		break;
	}
}

static void i8042_write_data(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->ctl_pending;

	k->ctl_pending = 0;
	k->last_was_cmd = false;
	if (cmd)
		i8042_ctl_data(k, cmd, val);
	else
		i8042_kbd_write(k, val);
}

static bool i8042_aux_present(const struct i8042 *k)
{
	return k->aux_irq.set != NULL;
}

static bool i8042_cmd_takes_data(uint8_t cmd)
{
	return (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + I8042_RAM_SIZE) ||
	       (cmd >= I8042_CMD_WRITE_OUT && cmd <= I8042_CMD_WRITE_AUX);
}

static void i8042_write_cmd(struct i8042 *k, uint8_t cmd)
{
	bool aux_cmd = cmd == I8042_CMD_WRITE_AUX_OBUF || cmd == I8042_CMD_WRITE_AUX;

	k->last_was_cmd = true;
	k->ctl_pending = 0;
	if (aux_cmd && !i8042_aux_present(k)) {
		atomic_fetch_add(&k->unknown_cmds, 1); /* an AT-style controller */
		return;
	}
	if (i8042_cmd_takes_data(cmd)) {
		k->ctl_pending = cmd;
		return;
	}
	if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + I8042_RAM_SIZE) {
		i8042_queue(k, k->ram[cmd - I8042_CMD_READ_RAM], 0);
		return;
	}
	if (cmd >= I8042_CMD_PULSE) {
		/* Low nibble is a mask; a 0 bit pulses that output line low.
		 * Line 0 is CPU reset (0xfe is the usual reboot command). */
		if (!(cmd & I8042_OUT_RESET))
			k->reset_due = true;
		return;
	}
	switch (cmd) {
	case I8042_CMD_AUX_DIS:
		k->ram[0] |= I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_EN:
		k->ram[0] &= ~I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_KBD_DIS:
		k->ram[0] |= I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_KBD_EN:
		k->ram[0] &= ~I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_AUX_TEST:
		i8042_queue(k, i8042_aux_present(k) ? I8042_TEST_OK : I8042_TEST_CLK_HIGH, 0);
		break;
	case I8042_CMD_KBD_TEST:
		i8042_queue(k, I8042_TEST_OK, 0);
		break;
	case I8042_CMD_SELF_TEST:
		k->ram[0] |= I8042_CTR_SYS; /* passing the self-test sets SYS */
		i8042_queue(k, I8042_REPLY_TEST_OK, 0);
		break;
	case I8042_CMD_READ_OUT:
		i8042_queue(k, k->outport, 0);
		break;
	default:
		atomic_fetch_add(&k->unknown_cmds, 1);
		break;
	}
}

static void i8042_drive(const struct irq_line *line, bool *level, bool want)
{
	if (*level != want) {
		*level = want;
		irq_line_set(line, want);
	}
}

/* IRQ 1 / IRQ 12 follow "the waiting byte is mine and my interrupt is on". */
static void i8042_update_irq(struct i8042 *k)
{
	bool kbd = false, aux = false;

	if (k->out_count) {
		bool is_aux = k->outq[k->out_head].status & I8042_STR_AUXDATA;
		kbd = !is_aux && (k->ram[0] & I8042_CTR_KBDINT);
		aux = is_aux && (k->ram[0] & I8042_CTR_AUXINT);
	}
	i8042_drive(&k->kbd_irq, &k->kbd_level, kbd);
	i8042_drive(&k->aux_irq, &k->aux_level, aux);
}

static uint8_t i8042_read_data(struct i8042 *k)
{
	if (!k->out_count)
		return k->last_read; /* the output buffer still holds the old byte */
	k->last_read = k->outq[k->out_head].val;
	k->out_head = (k->out_head + 1) % I8042_OUTQ_SIZE;
	k->out_count--;
	/* Reading empties the buffer, which drops the IRQ; the next queued byte
	 * then raises it again, so the edge-triggered PIC sees one edge per byte
	 * (Linux's i8042_interrupt reads one byte per interrupt). */
	i8042_drive(&k->kbd_irq, &k->kbd_level, false);
	i8042_drive(&k->aux_irq, &k->aux_level, false);
	return k->last_read;
}

static uint8_t i8042_read_status(const struct i8042 *k)
{
	uint8_t st = I8042_STR_UNLOCK;

	if (k->ram[0] & I8042_CTR_SYS)
		st |= I8042_STR_SYS;
	if (k->last_was_cmd)
		st |= I8042_STR_CMD;
	if (k->out_count)
		st |= I8042_STR_OBF | k->outq[k->out_head].status;
	return st;
}

/* Shared tail of every access: settle IRQs, unlock, then call reset if due. */
static void i8042_unlock(struct i8042 *k)
{
	bool reset;

	i8042_update_irq(k);
	reset = k->reset_due;
	k->reset_due = false;
	pthread_mutex_unlock(&k->lock);
	if (reset && k->reset)
		k->reset(k->reset_ctx);
}

/* Both ranges are one port long, so size is always 1. */
static uint64_t i8042_data_read(void *opaque, uint64_t off, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t val;

	(void)off;
	(void)size;
	pthread_mutex_lock(&k->lock);
	val = i8042_read_data(k);
	i8042_unlock(k);
	return val;
}

static void i8042_data_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)size;
	pthread_mutex_lock(&k->lock);
	i8042_write_data(k, (uint8_t)val);
	i8042_unlock(k);
}

static uint64_t i8042_cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t val;

	(void)off;
	(void)size;
	pthread_mutex_lock(&k->lock);
	val = i8042_read_status(k);
	pthread_mutex_unlock(&k->lock);
	return val;
}

static void i8042_cmd_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)size;
	pthread_mutex_lock(&k->lock);
	i8042_write_cmd(k, (uint8_t)val);
	i8042_unlock(k);
}

const struct bus_ops i8042_data_ops = {
	.read = i8042_data_read,
	.write = i8042_data_write,
};

const struct bus_ops i8042_cmd_ops = {
	.read = i8042_cmd_read,
	.write = i8042_cmd_write,
};

int i8042_init(struct i8042 *k, const struct irq_line *kbd_irq, void (*reset)(void *ctx),
	       void *reset_ctx)
{
	memset(k, 0, sizeof(*k));
	if (kbd_irq)
		k->kbd_irq = *kbd_irq;
	k->reset = reset;
	k->reset_ctx = reset_ctx;
	k->ram[0] = I8042_CTR_RESET;
	k->outport = I8042_OUT_INIT;
	k->kbd_scanning = true;
	k->kbd_scanset = 2;
	atomic_init(&k->unknown_cmds, 0);
	atomic_init(&k->out_dropped, 0);
	return -pthread_mutex_init(&k->lock, NULL);
}

void i8042_set_aux_irq(struct i8042 *k, const struct irq_line *aux_irq)
{
	pthread_mutex_lock(&k->lock);
	if (aux_irq)
		k->aux_irq = *aux_irq;
	pthread_mutex_unlock(&k->lock);
}

void i8042_destroy(struct i8042 *k)
{
	pthread_mutex_destroy(&k->lock);
}
