/* pci_msix.c: MSI-X capability, vector table, pending bits and delivery through irqfds (see pci_msix.h). */
#include "devices/pci_msix.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const struct pci_host *msix_host(const struct pci_msix *m)
{
	return m->dev->bus ? &m->dev->bus->host : NULL;
}

static bool msix_vec_masked(const struct pci_msix_vector *v)
{
	return v->ctrl & PCI_MSIX_ENTRY_MASKED;
}

/* Lock held. Tell the host where vector v goes now: a masked vector goes
 * nowhere. If the host refuses (KVM rejects a hostile address), the route is
 * pulled rather than left pointing at the previous address. */
static void msix_vec_route(struct pci_msix *m, unsigned v)
{
	const struct pci_host *h = msix_host(m);
	struct pci_msix_vector *vec = &m->vec[v];
	if (vec->gsi < 0 || !h || !h->msi_set)
		return;
	bool valid = !msix_vec_masked(vec);
	if (h->msi_set(h->ctx, vec->gsi, valid, vec->addr, vec->data) && valid) {
		m->route_failures++;
		h->msi_set(h->ctx, vec->gsi, false, 0, 0);
	}
}

/* Lock held. Give vector v a GSI and irqfd if it has none yet. */
static bool msix_vec_alloc(struct pci_msix *m, unsigned v)
{
	struct pci_msix_vector *vec = &m->vec[v];
	if (vec->gsi >= 0)
		return true;
	const struct pci_host *h = msix_host(m);
	if (!h || !h->msi_alloc)
		return false;
	int efd = -1;
	int gsi = h->msi_alloc(h->ctx, &efd);
	if (gsi < 0 || efd < 0) {
		m->route_failures++;
		return false;
	}
	vec->gsi = gsi;
	vec->efd = efd;
	if (!msix_vec_masked(vec))
		msix_vec_route(m, v);
	return true;
}

/* Lock held; the vector is enabled and unmasked. One eventfd write: KVM
 * injects the MSI on this thread, with no VM exit. */
static void msix_vec_fire(struct pci_msix *m, unsigned v)
{
	struct pci_msix_vector *vec = &m->vec[v];
	if (!msix_vec_alloc(m, v)) {
		m->undelivered++;
		return;
	}
	uint64_t one = 1;
	/* EAGAIN only when the counter is saturated: an interrupt is pending anyway. */
	if (write(vec->efd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		m->undelivered++;
}

/* Lock held. Deliver what was held back while masked (§6.8.2.9: a pending
 * message is sent once both masks are clear). */
static void msix_flush_pending(struct pci_msix *m)
{
	if (!m->enabled || m->func_masked)
		return;
	for (unsigned v = 0; v < m->nvec; v++) {
		struct pci_msix_vector *vec = &m->vec[v];
		if (vec->pending && !msix_vec_masked(vec)) {
			vec->pending = false;
			msix_vec_fire(m, v);
		}
	}
}

int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nvec, int bar,
		  uint32_t table_off, uint32_t pba_off, struct err *e)
{
	const char *name = d->name ? d->name : "PCI device";
	if (nvec == 0 || nvec > PCI_MSIX_MAX_VECTORS)
		return err_set(e, ERR_HOST, "%s: %u MSI-X vectors (1 to %d)", name, nvec,
			       PCI_MSIX_MAX_VECTORS);
	if (bar < 0 || bar >= PCI_NUM_BARS || !d->bars[bar].size ||
	    (d->bars[bar].flags & PCI_BAR_IO))
		return err_set(e, ERR_HOST, "%s: MSI-X needs a declared memory BAR, not BAR %d", name, bar);
	uint64_t size = d->bars[bar].size, table_len = (uint64_t)nvec * PCI_MSIX_ENTRY_SIZE;
	if ((table_off | pba_off) % 8 || table_off > size || table_len > size - table_off ||
	    pba_off > size || PCI_MSIX_PBA_SIZE > size - pba_off ||
	    (pba_off < table_off + table_len && table_off < pba_off + PCI_MSIX_PBA_SIZE))
		return err_set(e, ERR_HOST, "%s: MSI-X table 0x%x or PBA 0x%x misplaced in BAR %d",
			       name, table_off, pba_off, bar);
	if (d->msix)
		return err_set(e, ERR_HOST, "%s: MSI-X added twice", name);

	memset(m, 0, sizeof(*m));
	m->dev = d;
	m->nvec = nvec;
	/* Reset state (§6.8.2.9): every vector masked. */
	for (unsigned v = 0; v < PCI_MSIX_MAX_VECTORS; v++)
		m->vec[v] = (struct pci_msix_vector){ .ctrl = PCI_MSIX_ENTRY_MASKED, .gsi = -1, .efd = -1 };
	int rc = pthread_mutex_init(&m->lock, NULL);
	if (rc)
		return err_errno(e, ERR_HOST, rc, "%s: MSI-X lock", name);

	/* The body follows the ID and next bytes, so field offsets shift by 2. */
	uint8_t body[PCI_MSIX_CAP_SIZE - 2] = { 0 };
	uint16_t ctrl = (uint16_t)(nvec - 1);
	uint32_t table = table_off | (uint32_t)bar, pba = pba_off | (uint32_t)bar;
	memcpy(&body[PCI_MSIX_FLAGS - 2], &ctrl, sizeof(ctrl));
	memcpy(&body[PCI_MSIX_TABLE - 2], &table, sizeof(table));
	memcpy(&body[PCI_MSIX_PBA - 2], &pba, sizeof(pba));
	m->cap = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, body, sizeof(body));
	if (m->cap < 0) {
		pthread_mutex_destroy(&m->lock);
		return err_set(e, ERR_HOST, "%s: no room in config space for MSI-X", name);
	}
	d->wmask[m->cap + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	d->msix = m;
	if (d->bus)
		pci_msix_bus_attached(m);
	return 0;
}

void pci_msix_destroy(struct pci_msix *m)
{
	/* The eventfds belong to the host's routes (irqroute closes them). */
	if (m->dev)
		pthread_mutex_destroy(&m->lock);
	m->dev = NULL;
}

void pci_msix_bus_attached(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned v = 0; v < m->nvec; v++)
		msix_vec_alloc(m, v);
	pthread_mutex_unlock(&m->lock);
}

void pci_msix_ctrl_written(struct pci_msix *m)
{
	uint16_t ctrl = (uint16_t)pci_cfg_get(m->dev, (unsigned)m->cap + PCI_MSIX_FLAGS, 2);
	pthread_mutex_lock(&m->lock);
	m->enabled = ctrl & PCI_MSIX_FLAGS_ENABLE;
	m->func_masked = ctrl & PCI_MSIX_FLAGS_MASKALL;
	/* Vectors that missed allocation at bus time get it on enable. */
	for (unsigned v = 0; m->enabled && v < m->nvec; v++)
		if (!msix_vec_masked(&m->vec[v]))
			msix_vec_alloc(m, v);
	msix_flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

bool pci_msix_enabled(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	bool on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

void pci_msix_notify(struct pci_msix *m, unsigned v)
{
	pthread_mutex_lock(&m->lock);
	if (v >= m->nvec || !m->enabled)
		m->undelivered++;
	else if (m->func_masked || msix_vec_masked(&m->vec[v]))
		m->vec[v].pending = true;
	else
		msix_vec_fire(m, v);
	pthread_mutex_unlock(&m->lock);
}

/* The table and PBA take aligned dword and qword accesses only (§6.8.2). */
static bool msix_access_ok(uint64_t off, unsigned size)
{
	return (size == 4 || size == 8) && off % size == 0;
}

static uint32_t msix_entry_dword(const struct pci_msix_vector *vec, unsigned field)
{
	switch (field) {
	case PCI_MSIX_ENTRY_ADDR_LO: return (uint32_t)vec->addr;
	case PCI_MSIX_ENTRY_ADDR_HI: return (uint32_t)(vec->addr >> 32);
	case PCI_MSIX_ENTRY_DATA: return vec->data;
	default: return vec->ctrl;
	}
}

uint64_t pci_msix_table_read(struct pci_msix *m, uint64_t off, unsigned size)
{
	pthread_mutex_lock(&m->lock);
	uint64_t v = 0;
	if (!msix_access_ok(off, size)) {
		m->bad_accesses++;
		v = size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
	} else if (off / PCI_MSIX_ENTRY_SIZE < m->nvec) {
		const struct pci_msix_vector *vec = &m->vec[off / PCI_MSIX_ENTRY_SIZE];
		unsigned field = (unsigned)(off % PCI_MSIX_ENTRY_SIZE);
		v = msix_entry_dword(vec, field);
		if (size == 8)
			v |= (uint64_t)msix_entry_dword(vec, field + 4) << 32;
	}
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void msix_entry_store(struct pci_msix_vector *vec, unsigned field, uint32_t val)
{
	switch (field) {
	case PCI_MSIX_ENTRY_ADDR_LO:
		vec->addr = (vec->addr & ~(uint64_t)UINT32_MAX) | val;
		break;
	case PCI_MSIX_ENTRY_ADDR_HI:
		vec->addr = (vec->addr & UINT32_MAX) | (uint64_t)val << 32;
		break;
	case PCI_MSIX_ENTRY_DATA:
		vec->data = val;
		break;
	default:
		vec->ctrl = val & PCI_MSIX_ENTRY_MASKED; /* the other bits are reserved */
		break;
	}
}

void pci_msix_table_write(struct pci_msix *m, uint64_t off, unsigned size, uint64_t val)
{
	pthread_mutex_lock(&m->lock);
	if (!msix_access_ok(off, size) || off / PCI_MSIX_ENTRY_SIZE >= m->nvec) {
		m->bad_accesses++;
		pthread_mutex_unlock(&m->lock);
		return;
	}
	unsigned v = (unsigned)(off / PCI_MSIX_ENTRY_SIZE), field = (unsigned)(off % PCI_MSIX_ENTRY_SIZE);
	struct pci_msix_vector *vec = &m->vec[v];
	const struct pci_msix_vector old = *vec;
	msix_entry_store(vec, field, (uint32_t)val);
	if (size == 8)
		msix_entry_store(vec, field + 4, (uint32_t)(val >> 32));

	bool was_masked = msix_vec_masked(&old), masked = msix_vec_masked(vec);
	bool moved = old.addr != vec->addr || old.data != vec->data;
	/* Address and data of a masked entry only matter once it is unmasked. */
	if (!masked && m->enabled && vec->gsi < 0)
		msix_vec_alloc(m, v);
	else if (was_masked != masked || (!masked && moved))
		msix_vec_route(m, v);
	if (was_masked && !masked)
		msix_flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

uint64_t pci_msix_pba_read(struct pci_msix *m, uint64_t off, unsigned size)
{
	pthread_mutex_lock(&m->lock);
	uint64_t bits = 0;
	if (!msix_access_ok(off, size)) {
		m->bad_accesses++;
		bits = size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
	} else if (off < PCI_MSIX_PBA_SIZE) {
		for (unsigned v = 0; v < m->nvec; v++)
			if (m->vec[v].pending)
				bits |= 1ULL << v;
		bits >>= 8 * off;
		if (size == 4)
			bits &= UINT32_MAX;
	}
	pthread_mutex_unlock(&m->lock);
	return bits;
}
