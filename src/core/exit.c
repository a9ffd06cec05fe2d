/* exit.c: port I/O and MMIO exit dispatch, and the PVM instruction quirks. */
#include "core/exit.h"

#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

int exit_handle_io(struct bus *pio, struct kvm_run *run, size_t run_size)
{
	unsigned size = run->io.size;
	uint64_t total = (uint64_t)run->io.count * size;
	if (size == 0 || size > 4 || run->io.data_offset > run_size ||
	    total > run_size - run->io.data_offset)
		return -1;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bus_count_exit(pio, run->io.port);
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		uint64_t v = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&v, data, size);
			bus_write(pio, run->io.port, size, v);
		} else {
			bus_read(pio, run->io.port, size, &v);
			memcpy(data, &v, size);
		}
	}
	return 0;
}

int exit_handle_mmio(struct bus *mmio, struct kvm_run *run)
{
	unsigned len = run->mmio.len;
	if (len == 0 || len > sizeof(run->mmio.data))
		return -1;
	uint64_t v = 0;
	bus_count_exit(mmio, run->mmio.phys_addr);
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len);
		bus_write(mmio, run->mmio.phys_addr, len, v);
	} else {
		/* Odd lengths (3, 5..7) from unusual instructions are unclaimed. */
		bus_read(mmio, run->mmio.phys_addr, len, &v);
		if (len != 1 && len != 2 && len != 4 && len != 8)
			v = ~0ULL;
		memcpy(run->mmio.data, &v, len);
	}
	return 0;
}

enum quirk_insn quirk_classify(const uint8_t *bytes, unsigned n)
{
	if (n >= 1 && bytes[0] == 0xCC)
		return QUIRK_INT3;
	if (n >= 2 && bytes[0] == 0x0F && bytes[1] == 0x0B)
		return QUIRK_UD2;
	if (n >= 1 && bytes[0] == 0x9B)
		return QUIRK_FWAIT;
	if (n >= 3 && bytes[0] == 0x0F && bytes[1] == 0x01 && bytes[2] == 0xCA)
		return QUIRK_CLAC;
	if (n >= 3 && bytes[0] == 0x0F && bytes[1] == 0x01 && bytes[2] == 0xCB)
		return QUIRK_STAC;
	return QUIRK_NONE;
}

unsigned quirk_length(enum quirk_insn q)
{
	switch (q) {
	case QUIRK_INT3:
	case QUIRK_FWAIT:
		return 1;
	case QUIRK_UD2:
		return 2;
	case QUIRK_CLAC:
	case QUIRK_STAC:
		return 3;
	default:
		return 0;
	}
}

void exit_format_bytes(const uint8_t *bytes, unsigned n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && used + 4 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%02x", i ? " " : "", bytes[i]);
}
