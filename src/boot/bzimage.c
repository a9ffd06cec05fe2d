/* bzimage.c: bzImage loader, Linux boot protocol 2.12+ (boot.rst). */
#include "boot/bzimage.h"

#include <string.h>

#include "boot/bytes.h"
#include "boot/zeropage.h"
#include "core/layout.h"

#define BZ_SECTOR 512
/* The boot sector plus at least one setup sector: every header field vmm
 * reads (up to init_size at 0x260) lies inside it. */
#define BZ_MIN_LEN (2 * BZ_SECTOR)
/* boot.rst: "If this field is 0, the real value is 4." */
#define BZ_DEFAULT_SETUP_SECTS 4
/* The protected-mode kernel loads at 1 MiB; the 64-bit entry is 0x200 past it. */
#define BZ_LOAD_ADDR LAYOUT_HIMEM_START
#define BZ_ENTRY64_OFFSET 0x200
/* boot.rst "Sample Boot Configuration": heap_end = 0xe000 for a LOADED_HIGH
 * 2.02+ kernel, heap_end_ptr = heap_end - 0x200. Unused on the 64-bit path,
 * where no setup code runs, but it is what the protocol asks a loader to say. */
#define BZ_HEAP_END_PTR (0xE000 - 0x200)

_Static_assert(HDR_INIT_SIZE + 4 <= BZ_MIN_LEN, "header fields lie in the first two sectors");
_Static_assert(HDR_HEADER + 0xFF < BZ_MIN_LEN, "longest setup header lies in the first two sectors");

bool bzimage_is_bzimage(const uint8_t *buf, size_t len)
{
	return len >= HDR_HEADER + 4 && le_get32(buf + HDR_HEADER) == HDR_HEADER_MAGIC;
}

static int bzimage_check_header(const uint8_t *buf, size_t len, const char *path, struct err *e)
{
	if (len < BZ_MIN_LEN)
		return err_set(e, ERR_INPUT, "kernel %s: truncated bzImage header (%zu bytes)", path, len);
	if (le_get16(buf + HDR_BOOT_FLAG) != HDR_BOOT_FLAG_MAGIC)
		return err_set(e, ERR_INPUT, "kernel %s: no boot flag 0xAA55 at 0x1FE", path);
	if (le_get32(buf + HDR_HEADER) != HDR_HEADER_MAGIC)
		return err_set(e, ERR_INPUT, "kernel %s: no \"HdrS\" setup header signature at 0x202",
			       path);
	unsigned ver = le_get16(buf + HDR_VERSION);
	if (ver < BZIMAGE_MIN_VERSION)
		return err_set(e, ERR_INPUT,
			       "kernel %s: boot protocol %u.%02u is older than 2.12, the first with a 64-bit entry",
			       path, ver >> 8, ver & 0xff);
	if (!(le_get16(buf + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return err_set(e, ERR_INPUT,
			       "kernel %s: bzImage has no 64-bit entry point (xloadflags XLF_KERNEL_64 clear)",
			       path);
	if (!(buf[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
		return err_set(e, ERR_INPUT, "kernel %s: zImage (LOADED_HIGH clear) is not supported",
			       path);
	return 0;
}

/* Where the kernel decompresses and runs (boot.rst init_size): a relocatable
 * kernel aligns its load address up to kernel_alignment, and the decompressor
 * never goes below LOAD_PHYSICAL_ADDR, which pref_address carries
 * (arch/x86/boot/compressed/head_64.S); a fixed one runs at pref_address. */
static int bzimage_runtime_start(const uint8_t *buf, const char *path, uint64_t *start,
				 struct err *e)
{
	uint64_t pref = le_get64(buf + HDR_PREF_ADDRESS);
	uint64_t align = le_get32(buf + HDR_KERNEL_ALIGNMENT);
	if (!buf[HDR_RELOCATABLE]) {
		*start = pref;
	} else {
		if (align == 0 || (align & (align - 1)))
			return err_set(e, ERR_INPUT, "kernel %s: kernel_alignment 0x%llx is not a power of two",
				       path, (unsigned long long)align);
		uint64_t a = (BZ_LOAD_ADDR + align - 1) & ~(align - 1);
		*start = a > pref ? a : pref;
	}
	if (*start < BZ_LOAD_ADDR)
		return err_set(e, ERR_INPUT,
			       "kernel %s: runs at 0x%llx, below 1 MiB, where vmm keeps its boot structures",
			       path, (unsigned long long)*start);
	return 0;
}

/* The kernel needs init_size bytes from its runtime start before it reads
 * the memory map; all of it must be RAM. Returns the end in *end. */
static int bzimage_check_room(const struct guest_mem *m, const uint8_t *buf, const char *path,
			      uint64_t *end, struct err *e)
{
	uint64_t start = 0, size = le_get32(buf + HDR_INIT_SIZE);
	if (bzimage_runtime_start(buf, path, &start, e))
		return -1;
	if (size == 0)
		return err_set(e, ERR_INPUT, "kernel %s: init_size is 0", path);
	if (!mem_is_ram(m, start, size))
		return err_set(e, ERR_INPUT,
			       "kernel %s: decompressing needs RAM from 0x%llx to 0x%llx (init_size), past the end of guest RAM (%llu MiB)",
			       path, (unsigned long long)start, (unsigned long long)(start + size),
			       (unsigned long long)(m->ram_size / MiB));
	*end = start + size;
	return 0;
}

/* boot.rst "64-bit Boot Protocol": copy the setup header into boot_params
 * (its end is 0x202 + the byte at 0x201), then write the loader's fields. */
static void bzimage_fill_header(const uint8_t *buf, uint8_t *bp)
{
	size_t hdr_end = HDR_HEADER + buf[HDR_JUMP + 1];
	memcpy(bp + HDR_START, buf + HDR_START, hdr_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = HDR_LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] |= LOADFLAG_LOADED_HIGH | LOADFLAG_CAN_USE_HEAP;
	le_put16(bp + HDR_HEAP_END_PTR, BZ_HEAP_END_PTR);
	le_put16(bp + HDR_VID_MODE, HDR_VID_MODE_NORMAL);
}

int bzimage_load(struct guest_mem *m, const uint8_t *buf, size_t len, const char *path,
		 uint8_t *bp, struct boot_image *img, struct err *e)
{
	if (bzimage_check_header(buf, len, path, e))
		return -1;
	unsigned sects = buf[HDR_SETUP_SECTS] ? buf[HDR_SETUP_SECTS] : BZ_DEFAULT_SETUP_SECTS;
	size_t setup_len = ((size_t)sects + 1) * BZ_SECTOR;
	if (setup_len >= len)
		return err_set(e, ERR_INPUT,
			       "kernel %s: truncated bzImage: %zu bytes, but the setup code alone takes %zu",
			       path, len, setup_len);
	size_t body_len = len - setup_len;
	uint8_t *dst = gpa_to_hva(m, BZ_LOAD_ADDR, body_len);
	if (!dst)
		return err_set(e, ERR_INPUT,
			       "kernel %s: %zu-byte protected-mode kernel does not fit in guest RAM at 1 MiB",
			       path, body_len);
	uint64_t run_end = 0;
	if (bzimage_check_room(m, buf, path, &run_end, e))
		return -1;
	memcpy(dst, buf + setup_len, body_len);
	bzimage_fill_header(buf, bp);

	img->entry = BZ_LOAD_ADDR + BZ_ENTRY64_OFFSET;
	img->end = BZ_LOAD_ADDR + body_len > run_end ? BZ_LOAD_ADDR + body_len : run_end;
	img->initrd_addr_max = le_get32(buf + HDR_INITRD_ADDR_MAX);
	img->cmdline_max = le_get32(buf + HDR_CMDLINE_SIZE);
	return 0;
}
