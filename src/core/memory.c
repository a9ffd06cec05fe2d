/* memory.c: guest RAM on one memfd, split around the 32-bit PCI hole. */
#include "core/memory.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/layout.h"

int mem_plan(struct guest_mem *m, uint64_t ram_size, struct err *e)
{
	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	if (ram_size < MEM_MIN_SIZE || ram_size > MEM_MAX_SIZE || ram_size % (2 * MiB))
		return err_set(e, ERR_INPUT,
			       "memory size %llu MiB: must be a multiple of 2 MiB between %llu MiB and %llu GiB",
			       (unsigned long long)(ram_size / MiB), MEM_MIN_SIZE / MiB,
			       MEM_MAX_SIZE / GiB);
	uint64_t low = ram_size < MEM_LOW_TOP ? ram_size : MEM_LOW_TOP;
	m->regions[0] = (struct mem_region){ .gpa = 0, .size = low };
	m->nregions = 1;
	if (ram_size > low) {
		m->regions[1] = (struct mem_region){ .gpa = MEM_HIGH_BASE, .size = ram_size - low };
		m->nregions = 2;
	}
	m->ram_size = ram_size;
	return 0;
}

int mem_init(struct guest_mem *m, uint64_t ram_size, struct err *e)
{
	if (mem_plan(m, ram_size, e))
		return -1;
	m->memfd = memfd_create("vmm-guest-ram", MFD_CLOEXEC);
	if (m->memfd < 0)
		return err_errno(e, ERR_HOST, errno, "memfd_create");
	if (ftruncate(m->memfd, (off_t)ram_size)) {
		int saved = errno;
		mem_destroy(m);
		return err_errno(e, ERR_HOST, saved, "sizing guest RAM to %llu MiB",
				 (unsigned long long)(ram_size / MiB));
	}
	off_t off = 0;
	for (unsigned i = 0; i < m->nregions; i++) {
		struct mem_region *r = &m->regions[i];
		void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			       m->memfd, off);
		if (p == MAP_FAILED) {
			int saved = errno;
			mem_destroy(m);
			return err_errno(e, ERR_HOST, saved, "mapping guest RAM");
		}
		r->hva = p;
		off += (off_t)r->size;
	}
	return 0;
}

void mem_destroy(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nregions; i++) {
		if (m->regions[i].hva)
			munmap(m->regions[i].hva, m->regions[i].size);
		m->regions[i].hva = NULL;
	}
	if (m->memfd >= 0)
		close(m->memfd);
	m->memfd = -1;
}

static const struct mem_region *mem_find(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t last;
	if (len == 0 || __builtin_add_overflow(gpa, len - 1, &last))
		return NULL;
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct mem_region *r = &m->regions[i];
		if (gpa >= r->gpa && last <= r->gpa + (r->size - 1))
			return r;
	}
	return NULL;
}

unsigned mem_slot_plan(const struct guest_mem *m, uint64_t hole_gpa, uint64_t hole_len,
		       struct mem_region out[MEM_MAX_SLOTS])
{
	const uint64_t page = 4096;
	const struct mem_region *in = NULL;
	if (hole_len) {
		in = mem_find(m, hole_gpa, hole_len);
		if (!in || hole_gpa % page || hole_len % page)
			return 0;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct mem_region *r = &m->regions[i];
		if (r != in) {
			out[n++] = *r;
			continue;
		}
		uint64_t below = hole_gpa - r->gpa, above = r->size - below - hole_len;
		if (below)
			out[n++] = (struct mem_region){ r->gpa, below, r->hva };
		if (above)
			out[n++] = (struct mem_region){ hole_gpa + hole_len, above,
							r->hva ? r->hva + below + hole_len : NULL };
	}
	return n;
}

void *gpa_to_hva(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	const struct mem_region *r = mem_find(m, gpa, len);
	if (!r || !r->hva)
		return NULL;
	return r->hva + (gpa - r->gpa);
}

bool mem_is_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	return mem_find(m, gpa, len) != NULL;
}

int mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = gpa_to_hva(m, gpa, len);
	if (!p)
		return -1;
	memcpy(p, src, len);
	return 0;
}

int mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = gpa_to_hva(m, gpa, len);
	if (!p)
		return -1;
	memcpy(dst, p, len);
	return 0;
}

uint64_t mem_top(const struct guest_mem *m)
{
	const struct mem_region *r = &m->regions[m->nregions - 1];
	return r->gpa + r->size;
}
