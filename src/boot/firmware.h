/* firmware.h: the SeaBIOS image: load and check it, and copy it into the
 * BIOS area below 1 MiB.
 *
 * A PC maps its firmware ROM just below 4 GiB, where the reset vector
 * (0xFFFFFFF0) lies, and the chipset aliases the last 128 KiB at 0xE0000-
 * 0xFFFFF (QEMU hw/i386/x86.c x86_bios_rom_init). SeaBIOS then shadows itself
 * into RAM below 1 MiB, its image laid out so that the ROM's last byte lands
 * at 0xFFFFF (src/fw/shadow.c copies from BIOS_SRC_OFFSET). vmm keeps the
 * pristine image in a read-only slot at 4 GiB - size. Full mode's i440FX
 * models the alias and the shadowing (modes/full/pam.h). Para mode has no
 * i440FX, so SeaBIOS cannot unlock the area ("bridge not found") and vmm
 * puts the shadow copy in RAM up front: the whole image, ending at 1 MiB,
 * which for a 128 KiB bios.bin is exactly the alias and for bios-256k.bin
 * also fills 0xC0000-0xDFFFF, where its code sits (firmware-and-platform.md
 * §1.1).
 */
#ifndef VMM_BOOT_FIRMWARE_H
#define VMM_BOOT_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/memory.h"

#define FIRMWARE_DEFAULT_PATH "/usr/share/seabios/bios.bin"
#define FIRMWARE_SIZE_UNIT    0x10000ULL    /* 64 KiB: ROM sizes come in these */
#define FIRMWARE_MAX_SIZE     0x40000ULL    /* 256 KiB: the most the layout leaves room for */
#define FIRMWARE_ROM_END      0x100000000ULL /* the image ends at 4 GiB */
#define FIRMWARE_SHADOW_END   0x100000ULL   /* the RAM copy ends at 1 MiB */

struct firmware_image {
	uint8_t *data; /* malloc'd */
	size_t len;
};

/* Read path (NULL: FIRMWARE_DEFAULT_PATH). Errors (ERR_INPUT) name the file:
 * missing, not a regular file, empty, not a multiple of 64 KiB, larger than
 * 256 KiB. */
int firmware_load(struct firmware_image *fw, const char *path, struct err *e);
void firmware_free(struct firmware_image *fw);

/* Where the ROM goes: FIRMWARE_ROM_END - len. */
uint64_t firmware_rom_base(const struct firmware_image *fw);

/* Copy the whole image into RAM ending at 1 MiB (0xC0000 at the lowest). */
int firmware_copy_low(const struct firmware_image *fw, const struct guest_mem *m, struct err *e);

#endif
