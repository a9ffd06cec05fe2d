/* test_devices_i8042.c: the PS/2 controller as SeaBIOS and Linux probe it. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "devices/i8042.h"

#define KBD_IRQ 1
#define AUX_IRQ 12

struct rig {
	struct i8042 k;
	int level[16];      /* per GSI */
	unsigned raises[16]; /* 0 -> 1 edges per GSI */
	unsigned resets;
};

static void rig_irq_set(void *ctx, unsigned gsi, int level)
{
	struct rig *r = ctx;
	ck_assert_uint_lt(gsi, 16);
	ck_assert_int_ne(r->level[gsi], level); /* the device drives changes only */
	if (level)
		r->raises[gsi]++;
	r->level[gsi] = level;
}

static void rig_reset(void *ctx)
{
	struct rig *r = ctx;
	r->resets++;
}

static struct rig *rig_new_aux(bool with_aux)
{
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	struct irq_line kbd = { rig_irq_set, r, KBD_IRQ };
	struct irq_line aux = { rig_irq_set, r, AUX_IRQ };
	ck_assert_int_eq(i8042_init(&r->k, &kbd, rig_reset, r), 0);
	if (with_aux)
		i8042_set_aux_irq(&r->k, &aux);
	return r;
}

static struct rig *rig_new(void)
{
	return rig_new_aux(true);
}

static void rig_free(struct rig *r)
{
	i8042_destroy(&r->k);
	free(r);
}

static uint8_t status(struct rig *r)
{
	return (uint8_t)i8042_cmd_ops.read(&r->k, 0, 1);
}

static uint8_t data(struct rig *r)
{
	return (uint8_t)i8042_data_ops.read(&r->k, 0, 1);
}

static void cmd(struct rig *r, uint8_t val)
{
	i8042_cmd_ops.write(&r->k, 0, 1, val);
}

static void put(struct rig *r, uint8_t val)
{
	i8042_data_ops.write(&r->k, 0, 1, val);
}

/* Read one byte the way i8042_wait_read does: OBF must be set. */
static uint8_t expect(struct rig *r)
{
	ck_assert_uint_eq(status(r) & I8042_STR_OBF, I8042_STR_OBF);
	return data(r);
}

START_TEST(test_self_tests_and_obf)
{
	struct rig *r = rig_new();
	uint8_t st = status(r);
	ck_assert_uint_ne(st, 0xff); /* present */
	ck_assert_uint_eq(st & (I8042_STR_OBF | I8042_STR_IBF), 0);
	ck_assert_uint_eq(st & I8042_STR_SYS, I8042_STR_SYS);
	cmd(r, I8042_CMD_SELF_TEST);
	ck_assert_uint_eq(status(r) & I8042_STR_CMD, I8042_STR_CMD);
	ck_assert_uint_eq(expect(r), I8042_REPLY_TEST_OK);
	ck_assert_uint_eq(status(r) & I8042_STR_OBF, 0);
	ck_assert_uint_eq(data(r), I8042_REPLY_TEST_OK); /* empty buffer repeats the old byte */
	cmd(r, I8042_CMD_KBD_TEST);
	ck_assert_uint_eq(expect(r), 0x00);
	cmd(r, I8042_CMD_AUX_TEST);
	ck_assert_uint_eq(expect(r), 0x00);
	ck_assert_uint_eq(status(r) & I8042_STR_OBF, 0);
	rig_free(r);
}
END_TEST

START_TEST(test_command_byte)
{
	struct rig *r = rig_new();
	cmd(r, I8042_CMD_READ_RAM);
	ck_assert_uint_eq(expect(r), I8042_CTR_RESET);
	cmd(r, I8042_CMD_WRITE_RAM);
	put(r, I8042_CTR_XLATE | I8042_CTR_KBDDIS);
	ck_assert_uint_eq(status(r) & (I8042_STR_CMD | I8042_STR_OBF | I8042_STR_SYS), 0);
	cmd(r, I8042_CMD_READ_RAM);
	ck_assert_uint_eq(expect(r), I8042_CTR_XLATE | I8042_CTR_KBDDIS);
	cmd(r, I8042_CMD_KBD_EN);
	cmd(r, I8042_CMD_AUX_DIS);
	cmd(r, I8042_CMD_READ_RAM);
	ck_assert_uint_eq(expect(r), I8042_CTR_XLATE | I8042_CTR_AUXDIS);
	cmd(r, I8042_CMD_AUX_EN); /* i8042_toggle_aux polls CTR for this */
	cmd(r, I8042_CMD_KBD_DIS);
	cmd(r, I8042_CMD_READ_RAM);
	ck_assert_uint_eq(expect(r), I8042_CTR_XLATE | I8042_CTR_KBDDIS);
	/* Other RAM bytes are plain storage. */
	cmd(r, I8042_CMD_WRITE_RAM + 5);
	put(r, 0x42);
	cmd(r, I8042_CMD_READ_RAM + 5);
	ck_assert_uint_eq(expect(r), 0x42);
	rig_free(r);
}
END_TEST

START_TEST(test_keyboard_reset_and_irq)
{
	struct rig *r = rig_new();
	put(r, I8042_KBD_RESET);
	/* Two bytes, one IRQ 1 edge each: reading drops the line, the next
	 * byte raises it again. */
	ck_assert_int_eq(r->level[KBD_IRQ], 1);
	ck_assert_uint_eq(status(r) & I8042_STR_AUXDATA, 0);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_int_eq(r->level[KBD_IRQ], 1);
	ck_assert_uint_eq(expect(r), I8042_REPLY_BAT_OK);
	ck_assert_int_eq(r->level[KBD_IRQ], 0);
	ck_assert_uint_eq(r->raises[KBD_IRQ], 2);
	ck_assert_uint_eq(r->raises[AUX_IRQ], 0);
	/* With KBDINT off, no IRQ; turning it on while data waits raises it. */
	cmd(r, I8042_CMD_WRITE_RAM);
	put(r, I8042_CTR_SYS);
	put(r, I8042_KBD_ENABLE);
	ck_assert_int_eq(r->level[KBD_IRQ], 0);
	cmd(r, I8042_CMD_WRITE_RAM);
	put(r, I8042_CTR_SYS | I8042_CTR_KBDINT);
	ck_assert_int_eq(r->level[KBD_IRQ], 1);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_int_eq(r->level[KBD_IRQ], 0);
	rig_free(r);
}
END_TEST

START_TEST(test_keyboard_commands)
{
	struct rig *r = rig_new();
	/* Translated (the reset command byte has XLATE): MF2 id 0xab 0x41. */
	put(r, I8042_KBD_GET_ID);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_uint_eq(expect(r), I8042_KBD_ID0);
	ck_assert_uint_eq(expect(r), I8042_KBD_ID1_XLATE);
	cmd(r, I8042_CMD_WRITE_RAM);
	put(r, I8042_CTR_SYS);
	put(r, I8042_KBD_GET_ID);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_uint_eq(expect(r), I8042_KBD_ID0);
	ck_assert_uint_eq(expect(r), I8042_KBD_ID1);
	/* Commands with a parameter ACK twice. */
	put(r, I8042_KBD_SET_LEDS);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	put(r, 0x02);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	put(r, I8042_KBD_SCANSET);
	put(r, 0);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_uint_eq(expect(r), 2);
	put(r, I8042_KBD_DISABLE);
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	put(r, I8042_KBD_ECHO);
	ck_assert_uint_eq(expect(r), I8042_KBD_ECHO);
	put(r, 0xe0); /* unknown: ACKed, counted */
	ck_assert_uint_eq(expect(r), I8042_REPLY_ACK);
	ck_assert_uint_eq(atomic_load(&r->k.unknown_cmds), 1);
	ck_assert_uint_eq(status(r) & I8042_STR_OBF, 0);
	rig_free(r);
}
END_TEST

START_TEST(test_pulse_reset)
{
	struct rig *r = rig_new();
	cmd(r, I8042_CMD_PULSE | 0x0f); /* mask all: pulses nothing */
	ck_assert_uint_eq(r->resets, 0);
	cmd(r, I8042_CMD_RESET);
	ck_assert_uint_eq(r->resets, 1);
	/* Output port: reads back, and clearing bit 0 resets too. */
	cmd(r, I8042_CMD_READ_OUT);
	ck_assert_uint_eq(expect(r), I8042_OUT_INIT);
	cmd(r, I8042_CMD_WRITE_OUT);
	put(r, I8042_OUT_RESET); /* A20 off: stored only */
	ck_assert_uint_eq(r->resets, 1);
	cmd(r, I8042_CMD_READ_OUT);
	ck_assert_uint_eq(expect(r), I8042_OUT_RESET);
	cmd(r, I8042_CMD_WRITE_OUT);
	put(r, I8042_OUT_A20);
	ck_assert_uint_eq(r->resets, 2);
	rig_free(r);
}
END_TEST

START_TEST(test_aux_port_without_mouse)
{
	struct rig *r = rig_new();
	cmd(r, I8042_CMD_WRITE_RAM);
	put(r, I8042_CTR_SYS | I8042_CTR_KBDINT | I8042_CTR_AUXINT);
	/* Linux's AUX loop test: the byte returns marked as AUX data, on IRQ 12. */
	cmd(r, I8042_CMD_WRITE_AUX_OBUF);
	put(r, 0x5a);
	ck_assert_int_eq(r->level[AUX_IRQ], 1);
	ck_assert_int_eq(r->level[KBD_IRQ], 0);
	ck_assert_uint_eq(status(r) & I8042_STR_AUXDATA, I8042_STR_AUXDATA);
	ck_assert_uint_eq(expect(r), 0x5a);
	ck_assert_int_eq(r->level[AUX_IRQ], 0);
	/* A byte for the mouse: nobody there, 0xfe with the timeout bit. */
	cmd(r, I8042_CMD_WRITE_AUX);
	put(r, 0xf2);
	uint8_t st = status(r);
	ck_assert_uint_eq(st & (I8042_STR_AUXDATA | I8042_STR_TIMEOUT), I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
	ck_assert_uint_eq(data(r), I8042_REPLY_RESEND);
	ck_assert_uint_eq(status(r) & (I8042_STR_AUXDATA | I8042_STR_TIMEOUT | I8042_STR_OBF), 0);
	/* 0xd2 fakes keyboard data. */
	cmd(r, I8042_CMD_WRITE_KBD_OBUF);
	put(r, 0x1c);
	ck_assert_int_eq(r->level[KBD_IRQ], 1);
	ck_assert_uint_eq(expect(r), 0x1c);
	ck_assert_uint_eq(r->raises[AUX_IRQ], 2);
	ck_assert_uint_eq(r->raises[KBD_IRQ], 1);
	rig_free(r);
}
END_TEST

START_TEST(test_output_queue_overflow)
{
	struct rig *r = rig_new();
	for (int i = 0; i < I8042_OUTQ_SIZE + 2; i++)
		cmd(r, I8042_CMD_SELF_TEST);
	ck_assert_uint_eq(atomic_load(&r->k.out_dropped), 2);
	for (int i = 0; i < I8042_OUTQ_SIZE; i++)
		ck_assert_uint_eq(expect(r), I8042_REPLY_TEST_OK);
	ck_assert_uint_eq(status(r) & I8042_STR_OBF, 0);
	cmd(r, 0x01); /* not a command we know */
	ck_assert_uint_eq(atomic_load(&r->k.unknown_cmds), 1);
	rig_free(r);
}
END_TEST

/* Linux's i8042_check_aux against a controller without an AUX port: the loop
 * command comes back as keyboard data (auxerr), then 0xa9 reports a stuck
 * line, so Linux drops the port without a single timeout. */
START_TEST(test_no_aux_port_fails_fast)
{
	struct rig *r = rig_new_aux(false);
	cmd(r, I8042_CMD_WRITE_AUX_OBUF);
	put(r, 0x5a);
	uint8_t st = status(r);
	ck_assert_uint_eq(st & I8042_STR_OBF, I8042_STR_OBF);
	ck_assert_uint_eq(st & I8042_STR_AUXDATA, 0);
	data(r);
	cmd(r, I8042_CMD_AUX_TEST);
	uint8_t res = expect(r);
	ck_assert(res != 0x00 && res != 0xfa && res != 0xff);
	cmd(r, I8042_CMD_WRITE_AUX);
	/* 0xd3, 0xd4, and 0x5a as a keyboard command. */
	unsigned long unknown = atomic_load(&r->k.unknown_cmds);
	ck_assert_uint_eq(unknown, 3);
	ck_assert_uint_eq(r->raises[AUX_IRQ], 0);
	rig_free(r);
}
END_TEST

static Suite *i8042_suite(void)
{
	Suite *s = suite_create("devices_i8042");
	TCase *tc = tcase_create("i8042");
	tcase_add_test(tc, test_self_tests_and_obf);
	tcase_add_test(tc, test_command_byte);
	tcase_add_test(tc, test_keyboard_reset_and_irq);
	tcase_add_test(tc, test_keyboard_commands);
	tcase_add_test(tc, test_pulse_reset);
	tcase_add_test(tc, test_aux_port_without_mouse);
	tcase_add_test(tc, test_output_queue_overflow);
	tcase_add_test(tc, test_no_aux_port_fails_fast);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(i8042_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
