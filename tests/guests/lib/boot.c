/* boot.c: the C entry from start.S, and readers for the two boot structures we may be handed. */
#include "guest.h"

/* Linux boot_params offsets (Documentation/arch/x86/zero-page.rst). */
#define ZP_EXT_CMD_LINE_PTR 0x0C8 /* u32: high half of the command line address */
#define ZP_E820_ENTRIES     0x1E8 /* u8 */
#define ZP_CMD_LINE_PTR     0x228 /* u32 */
#define ZP_E820_TABLE       0x2D0 /* 128 x { u64 addr, u64 size, u32 type } */
#define ZP_E820_MAX         128
#define ZP_E820_ENTRY_SIZE  20

/* struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h). */
#define PVH_MAGIC           0x336ec578
#define PVH_VERSION         4  /* u32 */
#define PVH_CMDLINE_PADDR   24 /* u64 */
#define PVH_MEMMAP_PADDR    40 /* u64, version >= 1 */
#define PVH_MEMMAP_ENTRIES  48 /* u32, version >= 1 */
#define PVH_MEMMAP_ENTRY_SIZE 24

static struct guest_boot boot;

static uint32_t rd32(uintptr_t pa)
{
	uint32_t v;
	memcpy(&v, phys(pa), sizeof(v));
	return v;
}

static uint64_t rd64(uintptr_t pa)
{
	uint64_t v;
	memcpy(&v, phys(pa), sizeof(v));
	return v;
}

static const char *find_cmdline(void)
{
	uint64_t pa = 0;
	if (!boot.info)
		return "";
	if (boot.proto == BOOT_PROTO_ZEROPAGE)
		pa = rd32(boot.info + ZP_CMD_LINE_PTR) | (uint64_t)rd32(boot.info + ZP_EXT_CMD_LINE_PTR) << 32;
	else if (rd32(boot.info) == PVH_MAGIC)
		pa = rd64(boot.info + PVH_CMDLINE_PADDR);
	/* Only what our identity map covers (4 GiB) is reachable. */
	if (!pa || pa >= (4ULL << 30))
		return "";
	return phys(pa);
}

/* Called from start.S on the boot stack with .bss zeroed. */
__attribute__((noreturn)) void guest_c_start(uintptr_t info, int proto);
void guest_c_start(uintptr_t info, int proto)
{
	boot.proto = proto;
	boot.info = info;
	boot.cmdline = find_cmdline();
	cpu_init_bsp();
	guest_exit(guest_main(&boot));
}

const struct guest_boot *boot_info(void)
{
	return &boot;
}

int boot_e820(int i, struct e820_entry *out)
{
	int n = 0;
	uintptr_t ent = 0;
	if (boot.proto == BOOT_PROTO_ZEROPAGE && boot.info) {
		n = *(volatile uint8_t *)phys(boot.info + ZP_E820_ENTRIES);
		if (n > ZP_E820_MAX)
			n = ZP_E820_MAX;
		ent = boot.info + ZP_E820_TABLE + (uintptr_t)i * ZP_E820_ENTRY_SIZE;
	} else if (boot.proto == BOOT_PROTO_PVH && boot.info && rd32(boot.info) == PVH_MAGIC &&
		   rd32(boot.info + PVH_VERSION) >= 1) {
		n = (int)rd32(boot.info + PVH_MEMMAP_ENTRIES);
		ent = rd64(boot.info + PVH_MEMMAP_PADDR) + (uintptr_t)i * PVH_MEMMAP_ENTRY_SIZE;
	}
	if (i >= 0 && i < n && out) {
		out->addr = rd64(ent);
		out->size = rd64(ent + 8);
		out->type = rd32(ent + 16);
	}
	return n;
}

const char *cmdline_get(const char *key)
{
	return cmdline_find(boot.cmdline, key);
}

uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
	const char *p = cmdline_get(key), *end;
	uint64_t v;
	if (!p || !parse_u64(p, &v, &end) || (*end && *end != ' '))
		return dflt;
	return v;
}
