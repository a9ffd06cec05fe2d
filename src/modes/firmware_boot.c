/* firmware_boot.c: what booting through SeaBIOS needs in either mode: the
 * image read-only below 4 GiB and (para mode) copied below 1 MiB, or (full
 * mode) aliased there by the chipset's PAM, and fw_cfg telling it
 * the memory map, the CPU count and where the serial console is. The boot CPU
 * then starts at the reset vector, which is KVM's power-on state. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/firmware.h"
#include "boot/smbios.h"
#include "core/layout.h"
#include "core/vm.h"
#include "devices/fw_cfg.h"
#include "modes/mode.h"
#include "modes/pc_layout.h"

struct fw_boot {
	struct fw_cfg cfg;
	bool cfg_ready;
	const uint8_t *rom; /* the read-only copy KVM maps */
	size_t rom_len;
	atomic_ulong rom_writes; /* guest writes to the ROM: dropped */
};

static void fw_boot_free(void *opaque)
{
	struct fw_boot *b = opaque;
	if (b->cfg_ready)
		fw_cfg_destroy(&b->cfg);
	free(b);
}

/* Reads never exit (the slot answers them); writes do, and a ROM ignores them. */
static uint64_t fw_rom_read(void *opaque, uint64_t off, unsigned size)
{
	struct fw_boot *b = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b->rom[off + i] << (8 * i);
	return v;
}

static void fw_rom_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fw_boot *b = opaque;
	(void)off;
	(void)size;
	(void)val;
	atomic_fetch_add(&b->rom_writes, 1);
}

static const struct bus_ops fw_rom_ops = {
	.read = fw_rom_read,
	.write = fw_rom_write,
};

/* SeaBIOS takes RAM below 4 GiB from CMOS and ignores etc/e820 RAM entries
 * below that size; it uses the rest: RAM above 4 GiB and reservations
 * (src/fw/paravirt.c qemu_cfg_e820). So the file holds the RAM regions as they
 * are (one from 0, one from 4 GiB) and KVM's private pages, which SeaBIOS
 * reserves itself only when it sees KVM's CPUID signature, hidden in full
 * mode. boot/e820.c's table is not used: its reservations below 1 MiB describe
 * direct boot's structures, and SeaBIOS builds its own low map. */
static int fw_boot_e820(struct fw_boot *b, const struct guest_mem *m, struct err *e)
{
	struct e820_entry t[MEM_MAX_REGIONS + 1];
	unsigned n = 0;
	for (unsigned i = 0; i < m->nregions; i++)
		t[n++] = (struct e820_entry){ m->regions[i].gpa, m->regions[i].size, E820_TYPE_RAM };
	t[n++] = (struct e820_entry){ LAYOUT_KVM_IDENTITY_MAP, LAYOUT_KVM_PRIVATE_SIZE,
				      E820_TYPE_RESERVED };
	return fw_cfg_add_file(&b->cfg, "etc/e820", t, (uint32_t)(n * sizeof(t[0])), e);
}

/* SMBIOS tables of our own: SeaBIOS would otherwise spend ~0.2 s of emulated
 * code building legacy ones that call the machine "QEMU" (boot/smbios.h). */
static int fw_boot_smbios(struct fw_boot *b, const struct vm *vm, const struct vmm_config *cfg,
			  struct err *e)
{
	struct smbios_info info = { .cpus = cfg->cpus, .mem = &vm->mem };
	const struct kvm_cpuid_entry2 *leaf0 = cpuid_find(vm->cpuid, 0, 0);
	const struct kvm_cpuid_entry2 *leaf1 = cpuid_find(vm->cpuid, 1, 0);
	if (leaf0) {
		memcpy(info.cpu_vendor, &leaf0->ebx, 4);
		memcpy(info.cpu_vendor + 4, &leaf0->edx, 4);
		memcpy(info.cpu_vendor + 8, &leaf0->ecx, 4);
	}
	if (leaf1) {
		info.cpuid_signature = leaf1->eax;
		info.cpuid_features = leaf1->edx;
	}
	uint8_t *tables = malloc(SMBIOS_TABLES_MAX);
	uint8_t ep[SMBIOS_EP_SIZE];
	if (!tables)
		return err_set(e, ERR_HOST, "out of memory");
	size_t len = smbios_build(&info, tables, SMBIOS_TABLES_MAX, ep);
	int rc = len ? 0 : err_set(e, ERR_HOST, "SMBIOS tables do not fit in %d bytes", SMBIOS_TABLES_MAX);
	if (!rc)
		rc = fw_cfg_add_file(&b->cfg, "etc/smbios/smbios-tables", tables, (uint32_t)len, e) ||
		     fw_cfg_add_file(&b->cfg, "etc/smbios/smbios-anchor", ep, sizeof(ep), e) ? -1 : 0;
	free(tables);
	return rc;
}

static int fw_boot_items(struct fw_boot *b, const struct vm *vm, const struct vmm_config *cfg,
			 struct err *e)
{
	/* sercon: SeaBIOS's INT 10h on COM1, so the banner and boot messages
	 * reach the serial console without VGA (a 2-byte integer, SeaBIOS
	 * src/sercon.c; romfile_loadint takes 1, 2, 4 or 8 bytes). */
	const uint8_t sercon[2] = { PC_COM1_BASE & 0xFF, PC_COM1_BASE >> 8 };
	/* No bootable disk: reboot at once (vmm then ends, status 120) instead of
	 * SeaBIOS's default 60 s wait (src/boot.c boot_fail). */
	const uint8_t fail_wait[4] = { 0 };
	/* No "Press ESC for boot menu" 2.5 s wait (src/boot.c interactive_bootmenu).
	 * No etc/irq0-override: KVM's in-kernel PIT raises GSI 0 and the default
	 * routing sends it to IOAPIC pin 0, so the MADT and MP table must keep
	 * ISA IRQ 0 on pin 0; QEMU's IRQ0->GSI2 override goes with a GSI 0 ->
	 * pin 2 route vmm does not install (firmware-and-platform.md §1.5). */
	return fw_boot_e820(b, &vm->mem, e) || fw_boot_smbios(b, vm, cfg, e) ||
	       fw_cfg_add_u16(&b->cfg, FW_CFG_NB_CPUS, (uint16_t)cfg->cpus, e) ||
	       fw_cfg_add_u16(&b->cfg, FW_CFG_MAX_CPUS, (uint16_t)cfg->cpus, e) ||
	       fw_cfg_add_u16(&b->cfg, FW_CFG_BOOT_MENU, 0, e) ||
	       fw_cfg_add_file(&b->cfg, "etc/sercon-port", sercon, sizeof(sercon), e) ||
	       fw_cfg_add_file(&b->cfg, "etc/boot-fail-wait", fail_wait, sizeof(fail_wait), e)
		       ? -1 : 0;
}

/* copy_low: put the image's shadow copy in RAM below 1 MiB now (machines
 * whose chipset does not let SeaBIOS make it itself). */
static int fw_boot_setup(struct vm *vm, const struct vmm_config *cfg, bool copy_low,
			 struct fw_boot **out, struct err *e)
{
	struct firmware_image fw;
	if (firmware_load(&fw, cfg->firmware, e))
		return -1;
	struct fw_boot *b = calloc(1, sizeof(*b));
	if (!b) {
		firmware_free(&fw);
		return err_set(e, ERR_HOST, "out of memory");
	}
	if (vm_on_teardown(vm, fw_boot_free, b, e)) {
		free(b);
		firmware_free(&fw);
		return -1;
	}
	uint64_t base = firmware_rom_base(&fw);
	int rc = vm_map_rom(vm, base, fw.data, fw.len, e) ||
		 (copy_low && firmware_copy_low(&fw, &vm->mem, e));
	if (!rc) {
		b->rom = vm->roms[vm->nroms - 1].hva;
		b->rom_len = fw.len;
		rc = vm_add_mmio(vm, base, fw.len, &fw_rom_ops, b, "firmware ROM", e);
	}
	firmware_free(&fw);
	if (rc || fw_cfg_init(&b->cfg, &vm->mem, e))
		return -1;
	b->cfg_ready = true;
	if (fw_boot_items(b, vm, cfg, e))
		return -1;
	if (vm_add_pio(vm, FW_CFG_PORT_SEL, FW_CFG_PORTS, &fw_cfg_io_ops, &b->cfg, "fw_cfg", e))
		return -1;
	*out = b;
	return vm_add_pio(vm, FW_CFG_PORT_DMA, FW_CFG_DMA_PORTS, &fw_cfg_dma_ops, &b->cfg,
			  "fw_cfg DMA", e);
}

int firmware_boot_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct fw_boot *b;
	return fw_boot_setup(vm, cfg, true, &b, e);
}

int firmware_boot_attach_rom(struct vm *vm, const struct vmm_config *cfg, const uint8_t **rom,
			     size_t *rom_len, struct err *e)
{
	struct fw_boot *b;
	if (fw_boot_setup(vm, cfg, false, &b, e))
		return -1;
	*rom = b->rom;
	*rom_len = b->rom_len;
	return 0;
}
