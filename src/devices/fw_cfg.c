/* fw_cfg.c: QEMU firmware configuration items over port I/O and DMA (see fw_cfg.h). */
#include "devices/fw_cfg.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

struct fw_cfg_dma_desc {
	uint32_t control; /* all big-endian */
	uint32_t length;
	uint64_t address;
} __attribute__((packed));

static int fw_cfg_find(const struct fw_cfg *f, uint16_t key)
{
	for (unsigned i = 0; i < f->nitems; i++)
		if (f->items[i].key == key)
			return (int)i;
	return -1;
}

int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len,
		     struct err *e)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return err_set(e, ERR_HOST, "fw_cfg: out of memory for item 0x%x", key);
	if (len)
		memcpy(copy, data, len);
	pthread_mutex_lock(&f->lock);
	int i = fw_cfg_find(f, key);
	if (i < 0 && f->nitems == FW_CFG_MAX_ITEMS) {
		pthread_mutex_unlock(&f->lock);
		free(copy);
		return err_set(e, ERR_HOST, "fw_cfg: too many items");
	}
	if (i < 0) {
		i = (int)f->nitems++;
	} else {
		free(f->items[i].data);
		if (f->cur == i)
			f->cur_off = 0;
	}
	f->items[i] = (struct fw_cfg_item){ .key = key, .len = len, .data = copy };
	pthread_mutex_unlock(&f->lock);
	return 0;
}

int fw_cfg_add_u16(struct fw_cfg *f, uint16_t key, uint16_t v, struct err *e)
{
	uint8_t le[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	return fw_cfg_add_bytes(f, key, le, sizeof(le), e);
}

static int fw_cfg_rebuild_dir(struct fw_cfg *f, struct err *e)
{
	uint32_t len = 4 + f->nfiles * FW_CFG_DIR_ENTRY;
	uint8_t dir[4 + FW_CFG_MAX_FILES * FW_CFG_DIR_ENTRY];
	memset(dir, 0, len);
	uint32_t count = htobe32(f->nfiles);
	memcpy(dir, &count, 4);
	for (unsigned n = 0; n < f->nfiles; n++) {
		uint8_t *ent = dir + 4 + n * FW_CFG_DIR_ENTRY;
		int i = fw_cfg_find(f, (uint16_t)(FW_CFG_FILE_FIRST + n));
		uint32_t size = htobe32(i >= 0 ? f->items[i].len : 0);
		uint16_t key = htobe16((uint16_t)(FW_CFG_FILE_FIRST + n));
		memcpy(ent, &size, 4);
		memcpy(ent + 4, &key, 2);
		memcpy(ent + 8, f->files[n], FW_CFG_NAME_LEN);
	}
	return fw_cfg_add_bytes(f, FW_CFG_FILE_DIR, dir, len, e);
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len,
		    struct err *e)
{
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen >= FW_CFG_NAME_LEN)
		return err_set(e, ERR_HOST, "fw_cfg: bad file name '%s'", name);
	for (unsigned n = 0; n < f->nfiles; n++)
		if (!strcmp(f->files[n], name))
			return err_set(e, ERR_HOST, "fw_cfg: file '%s' added twice", name);
	if (f->nfiles == FW_CFG_MAX_FILES)
		return err_set(e, ERR_HOST, "fw_cfg: too many files");
	if (fw_cfg_add_bytes(f, (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles), data, len, e))
		return -1;
	memset(f->files[f->nfiles], 0, FW_CFG_NAME_LEN);
	memcpy(f->files[f->nfiles], name, nlen);
	f->nfiles++;
	return fw_cfg_rebuild_dir(f, e);
}

/* Lock held. QEMU's selector keeps the arch-local bit and drops the write
 * channel bit; an unknown key selects nothing and reads as zeros. */
static void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
	f->cur = fw_cfg_find(f, key & (FW_CFG_ARCH_LOCAL | FW_CFG_ENTRY_MASK));
	f->cur_off = 0;
}

/* Lock held: the next byte of the selected item, 0 past its end. */
static uint8_t fw_cfg_next_byte(struct fw_cfg *f)
{
	if (f->cur < 0)
		return 0;
	const struct fw_cfg_item *it = &f->items[f->cur];
	if (f->cur_off >= it->len)
		return 0;
	return it->data[f->cur_off++];
}

static uint64_t fw_cfg_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct fw_cfg *f = opaque;
	(void)off; /* QEMU's combined region reads data at either port */
	if (size != 1) {
		atomic_fetch_add(&f->bad_accesses, 1);
		return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	}
	pthread_mutex_lock(&f->lock);
	uint8_t v = fw_cfg_next_byte(f);
	pthread_mutex_unlock(&f->lock);
	return v;
}

static void fw_cfg_io_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fw_cfg *f = opaque;
	if (off != 0 || size != 2) {
		/* Byte writes were the old data-write path: ignored since QEMU 2.4. */
		atomic_fetch_add(&f->bad_accesses, 1);
		return;
	}
	pthread_mutex_lock(&f->lock);
	fw_cfg_select(f, (uint16_t)val);
	pthread_mutex_unlock(&f->lock);
}

const struct bus_ops fw_cfg_io_ops = {
	.read = fw_cfg_io_read,
	.write = fw_cfg_io_write,
};

/* Lock held. Move len bytes of the selected item to guest RAM at addr (READ)
 * or past them (SKIP). Returns false when the guest range is not RAM. */
static bool fw_cfg_dma_move(struct fw_cfg *f, bool read, uint64_t addr, uint32_t len)
{
	while (len > 0) {
		const struct fw_cfg_item *it = f->cur >= 0 ? &f->items[f->cur] : NULL;
		uint32_t n = len;
		const uint8_t *src = NULL;
		if (it && f->cur_off < it->len) {
			if (n > it->len - f->cur_off)
				n = it->len - f->cur_off;
			src = it->data + f->cur_off;
			f->cur_off += n;
		}
		if (read) {
			uint8_t *dst = gpa_to_hva(f->mem, addr, n);
			if (!dst)
				return false;
			if (src)
				memcpy(dst, src, n);
			else
				memset(dst, 0, n); /* past the end: zeros */
		}
		addr += n;
		len -= n;
	}
	return true;
}

/* Lock held: run the descriptor at desc_addr and write its status back. */
static void fw_cfg_dma_run(struct fw_cfg *f, uint64_t desc_addr)
{
	struct fw_cfg_dma_desc d;
	if (!f->mem || mem_read(f->mem, desc_addr, &d, sizeof(d))) {
		atomic_fetch_add(&f->dma_errors, 1); /* nowhere to report it */
		return;
	}
	uint32_t control = be32toh(d.control);
	uint32_t len = be32toh(d.length);
	uint64_t addr = be64toh(d.address);
	if (control & FW_CFG_DMA_CTL_SELECT)
		fw_cfg_select(f, (uint16_t)(control >> 16));
	bool ok = true;
	if (control & FW_CFG_DMA_CTL_READ)
		ok = fw_cfg_dma_move(f, true, addr, len);
	else if (control & FW_CFG_DMA_CTL_WRITE)
		ok = len == 0; /* nothing here is writable */
	else if (control & FW_CFG_DMA_CTL_SKIP)
		ok = fw_cfg_dma_move(f, false, addr, len);
	uint32_t status = htobe32(ok ? 0 : FW_CFG_DMA_CTL_ERROR);
	if (!ok)
		atomic_fetch_add(&f->dma_errors, 1);
	if (mem_write(f->mem, desc_addr, &status, sizeof(status)))
		atomic_fetch_add(&f->dma_errors, 1);
}

static uint64_t fw_cfg_dma_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	static const char sig[] = FW_CFG_DMA_SIGNATURE;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(uint8_t)sig[off + i] << (8 * i);
	return v;
}

static void fw_cfg_dma_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fw_cfg *f = opaque;
	if (size != 4 || (off != 0 && off != 4)) {
		atomic_fetch_add(&f->bad_accesses, 1);
		return;
	}
	/* The register is big-endian: the guest stores cpu_to_be32(half). */
	uint64_t half = be32toh((uint32_t)val);
	pthread_mutex_lock(&f->lock);
	if (off == 0) {
		f->dma_addr = half << 32;
	} else {
		uint64_t desc = f->dma_addr | half;
		f->dma_addr = 0;
		fw_cfg_dma_run(f, desc);
	}
	pthread_mutex_unlock(&f->lock);
}

const struct bus_ops fw_cfg_dma_ops = {
	.read = fw_cfg_dma_read,
	.write = fw_cfg_dma_write,
};

int fw_cfg_init(struct fw_cfg *f, const struct guest_mem *mem, struct err *e)
{
	memset(f, 0, sizeof(*f));
	f->mem = mem;
	f->cur = -1;
	atomic_init(&f->bad_accesses, 0);
	atomic_init(&f->dma_errors, 0);
	int rc = pthread_mutex_init(&f->lock, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "fw_cfg lock");
	uint32_t id = htole32(FW_CFG_ID_TRADITIONAL | (mem ? FW_CFG_ID_DMA : 0));
	if (fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4, e) ||
	    fw_cfg_add_bytes(f, FW_CFG_ID, &id, sizeof(id), e))
		return -1;
	return fw_cfg_rebuild_dir(f, e);
}

void fw_cfg_destroy(struct fw_cfg *f)
{
	for (unsigned i = 0; i < f->nitems; i++)
		free(f->items[i].data);
	f->nitems = 0;
	pthread_mutex_destroy(&f->lock);
}
