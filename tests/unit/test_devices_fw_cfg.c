/* test_devices_fw_cfg.c: fw_cfg items, the file directory, selector/offset rules and DMA. */
#include <check.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "core/layout.h"
#include "devices/fw_cfg.h"

#define DESC 0x1000ULL
#define BUF  0x2000ULL

static struct guest_mem mem;
static struct fw_cfg f;

static void setup(void)
{
	struct err e = { 0 };
	ck_assert_int_eq(mem_init(&mem, MEM_MIN_SIZE, &e), 0);
	ck_assert_int_eq(fw_cfg_init(&f, &mem, &e), 0);
}

static void teardown(void)
{
	fw_cfg_destroy(&f);
	mem_destroy(&mem);
}

static void sel(uint16_t key)
{
	fw_cfg_io_ops.write(&f, 0, 2, key);
}

static uint8_t data(void)
{
	return (uint8_t)fw_cfg_io_ops.read(&f, 1, 1);
}

static void read_n(void *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = data();
}

START_TEST(test_signature_and_id)
{
	char sig[5] = { 0 };
	sel(FW_CFG_SIGNATURE);
	read_n(sig, 4);
	ck_assert_str_eq(sig, "QEMU");
	ck_assert_uint_eq(data(), 0); /* past the end */
	uint32_t id;
	sel(FW_CFG_ID);
	read_n(&id, 4);
	ck_assert_uint_eq(le32toh(id), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
	/* Unknown keys read zeros, also with the write-channel bit. */
	sel(0x1234);
	ck_assert_uint_eq(data(), 0);
	sel(0x4000 | FW_CFG_SIGNATURE);
	ck_assert_uint_eq(data(), 'Q');
	sel(FW_CFG_IRQ0_OVERRIDE);
	ck_assert_uint_eq(data(), 0);
	/* Without guest memory there is no DMA bit. */
	struct fw_cfg nodma;
	struct err e = { 0 };
	ck_assert_int_eq(fw_cfg_init(&nodma, NULL, &e), 0);
	fw_cfg_io_ops.write(&nodma, 0, 2, FW_CFG_ID);
	ck_assert_uint_eq(fw_cfg_io_ops.read(&nodma, 1, 1), FW_CFG_ID_TRADITIONAL);
	fw_cfg_destroy(&nodma);
}
END_TEST

START_TEST(test_directory_and_files)
{
	struct err e = { 0 };
	uint8_t port[2] = { 0xf8, 0x03 };
	ck_assert_int_eq(fw_cfg_add_file(&f, "etc/sercon-port", port, 2, &e), 0);
	ck_assert_int_eq(fw_cfg_add_file(&f, "etc/e820", "0123456789abcdefghij", 20, &e), 0);
	ck_assert_int_ne(fw_cfg_add_file(&f, "etc/e820", "x", 1, &e), 0); /* duplicate */
	uint32_t count;
	sel(FW_CFG_FILE_DIR);
	read_n(&count, 4);
	ck_assert_uint_eq(be32toh(count), 2);
	const char *names[2] = { "etc/sercon-port", "etc/e820" };
	const uint32_t sizes[2] = { 2, 20 };
	uint16_t keys[2];
	for (int i = 0; i < 2; i++) {
		uint8_t ent[FW_CFG_DIR_ENTRY];
		read_n(ent, sizeof(ent));
		uint32_t size;
		uint16_t key;
		memcpy(&size, ent, 4);
		memcpy(&key, ent + 4, 2);
		ck_assert_uint_eq(be32toh(size), sizes[i]);
		keys[i] = be16toh(key);
		ck_assert_uint_ge(keys[i], FW_CFG_FILE_FIRST);
		ck_assert_str_eq((char *)ent + 8, names[i]);
	}
	sel(keys[0]);
	ck_assert_uint_eq(data(), 0xf8);
	ck_assert_uint_eq(data(), 0x03);
	ck_assert_uint_eq(data(), 0);
	/* Selecting again rewinds. */
	sel(keys[1]);
	ck_assert_uint_eq(data(), '0');
	ck_assert_uint_eq(data(), '1');
	sel(keys[1]);
	ck_assert_uint_eq(data(), '0');
	/* u16 items are little-endian. */
	ck_assert_int_eq(fw_cfg_add_u16(&f, FW_CFG_NB_CPUS, 0x0102, &e), 0);
	sel(FW_CFG_NB_CPUS);
	ck_assert_uint_eq(data(), 0x02);
	ck_assert_uint_eq(data(), 0x01);
	ck_assert_int_ne(fw_cfg_add_file(&f, "", "x", 1, &e), 0);
}
END_TEST

START_TEST(test_port_widths)
{
	sel(FW_CFG_SIGNATURE);
	ck_assert_uint_eq(fw_cfg_io_ops.read(&f, 0, 2), 0xFFFF); /* only byte reads */
	fw_cfg_io_ops.write(&f, 1, 1, 0x55);                     /* data writes: ignored */
	fw_cfg_io_ops.write(&f, 0, 1, FW_CFG_ID);                /* a byte never selects */
	ck_assert_uint_eq(atomic_load(&f.bad_accesses), 3);
	ck_assert_uint_eq(fw_cfg_io_ops.read(&f, 0, 1), 'Q'); /* data at either port */
	ck_assert_uint_eq(fw_cfg_io_ops.read(&f, 1, 1), 'E');
}
END_TEST

/* Write a descriptor at DESC and start it through the ports, as SeaBIOS does. */
static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr)
{
	struct {
		uint32_t control, length;
		uint64_t address;
	} __attribute__((packed)) d = { htobe32(control), htobe32(len), htobe64(addr) };
	ck_assert_int_eq(mem_write(&mem, DESC, &d, sizeof(d)), 0);
	fw_cfg_dma_ops.write(&f, 4, 4, htobe32((uint32_t)DESC));
	ck_assert_int_eq(mem_read(&mem, DESC, &d, sizeof(d)), 0);
	return be32toh(d.control);
}

START_TEST(test_dma_reads)
{
	struct err e = { 0 };
	ck_assert_int_eq(fw_cfg_add_file(&f, "bootorder", "/pci@i0cf8/ide@1,1\n", 19, &e), 0);
	uint8_t buf[32];
	memset(buf, 0xAA, sizeof(buf));
	ck_assert_int_eq(mem_write(&mem, BUF, buf, sizeof(buf)), 0);
	/* Select + read the whole signature, then past it: zero-filled. */
	ck_assert_uint_eq(dma((FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 8, BUF), 0);
	ck_assert_int_eq(mem_read(&mem, BUF, buf, 9), 0);
	ck_assert_int_eq(memcmp(buf, "QEMU\0\0\0\0\xAA", 9), 0);
	/* Skip, then read the rest of the file (the offset carries over). */
	ck_assert_uint_eq(dma(((FW_CFG_FILE_FIRST) << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 5, 0), 0);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_READ, 4, BUF), 0);
	ck_assert_int_eq(mem_read(&mem, BUF, buf, 4), 0);
	ck_assert_int_eq(memcmp(buf, "i0cf", 4), 0);
	/* The port interface continues where DMA stopped. */
	ck_assert_uint_eq(data(), '8');
	/* No operation bits: nothing happens, success. */
	ck_assert_uint_eq(dma(0, 100, BUF), 0);
	ck_assert_uint_eq(atomic_load(&f.dma_errors), 0);
	/* The DMA register reads as its signature. */
	ck_assert_uint_eq(fw_cfg_dma_ops.read(&f, 0, 1), 'Q');
	ck_assert_uint_eq(fw_cfg_dma_ops.read(&f, 4, 4), 0x47464320); /* " CFG" */
}
END_TEST

START_TEST(test_dma_bad_addresses)
{
	uint32_t rd = (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ;
	/* Buffer outside RAM, straddling its end, or wrapping the address space. */
	ck_assert_uint_eq(dma(rd, 4, MEM_MIN_SIZE), FW_CFG_DMA_CTL_ERROR);
	ck_assert_uint_eq(dma(rd, 8, MEM_MIN_SIZE - 4), FW_CFG_DMA_CTL_ERROR);
	ck_assert_uint_eq(dma(rd, 16, ~0ULL - 3), FW_CFG_DMA_CTL_ERROR);
	/* A huge zero-fill past the item that runs out of RAM. */
	ck_assert_uint_eq(dma(rd, 0xFFFFFFFFu, BUF), FW_CFG_DMA_CTL_ERROR);
	/* Writes are refused. */
	ck_assert_uint_eq(dma((FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 4, BUF),
			  FW_CFG_DMA_CTL_ERROR);
	ck_assert_uint_eq(atomic_load(&f.dma_errors), 5);
	/* A descriptor outside RAM: nothing to write back, counted. */
	fw_cfg_dma_ops.write(&f, 4, 4, htobe32((uint32_t)MEM_MIN_SIZE));
	ck_assert_uint_eq(atomic_load(&f.dma_errors), 6);
	/* The high half applies to the next start only, then resets to 0. */
	fw_cfg_dma_ops.write(&f, 0, 4, htobe32(1));
	fw_cfg_dma_ops.write(&f, 4, 4, htobe32((uint32_t)DESC)); /* 4 GiB + DESC: not RAM */
	ck_assert_uint_eq(atomic_load(&f.dma_errors), 7);
	ck_assert_uint_eq(dma(rd, 4, BUF), 0);
	/* Wrong widths are ignored. */
	fw_cfg_dma_ops.write(&f, 4, 2, 0);
	fw_cfg_dma_ops.write(&f, 2, 4, 0);
	ck_assert_uint_eq(atomic_load(&f.bad_accesses), 2);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
	Suite *s = suite_create("fw_cfg");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_signature_and_id);
	tcase_add_test(tc, test_directory_and_files);
	tcase_add_test(tc, test_port_widths);
	tcase_add_test(tc, test_dma_reads);
	tcase_add_test(tc, test_dma_bad_addresses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fw_cfg_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
