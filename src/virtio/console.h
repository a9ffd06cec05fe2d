/* console.h: virtio-console with a single port (virtio 1.2 §5.3), the guest's
 * hvc0 on host file descriptors.
 *
 * receiveq (queue 0) is fed from the host's input through a console_fd:
 * input the driver has no buffers for stays in the console_fd (its reading
 * stops) until the driver adds receive buffers, so nothing is dropped. Input
 * also waits until the driver has first sent something on transmitq (1):
 * Linux posts receive buffers before it marks the port connected and drops
 * what arrives in between, and it always writes to the console after that
 * point (boot messages, a prompt). transmitq goes to the console's output.
 * VIRTIO_CONSOLE_F_EMERG_WRITE is offered: a byte written to emerg_wr goes
 * straight out, usable before any queue exists. No multiport, no size.
 */
#ifndef VMM_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_CONSOLE_H

#include "backends/console_fd.h"
#include "virtio/pci.h"
#include "virtio/virtio.h"

/* Feature bits and config (§5.3.3, §5.3.4): cols, rows (le16), max_nr_ports,
 * emerg_wr (le32). */
#define VIRTIO_CONSOLE_F_SIZE        0
#define VIRTIO_CONSOLE_F_MULTIPORT   1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2
#define VIRTIO_CONSOLE_CFG_EMERG_WR  8
#define VIRTIO_CONSOLE_CONFIG_LEN    12
#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1
#define VIRTIO_CONSOLE_NQUEUES 2

struct virtio_console {
	struct virtio_dev vdev;
	struct virtio_pci pci;
	struct console_fd fd;
	struct console_sink out;
	uint8_t config[VIRTIO_CONSOLE_CONFIG_LEN];
	bool rx_waiting;     /* input is held back until receive buffers arrive */
	bool tx_seen;        /* the driver has written: input may flow */
	bool vdev_ready, fd_ready;
	struct vq_elem el;
	unsigned long rx_bytes, tx_bytes;
};

/* Host side as cfg says (console_fd_open: stdio fds, a file, none, or the
 * output callback). */
int virtio_console_create(struct virtio_console **out, const struct vmm_config *cfg,
			  const struct guest_mem *mem, struct evloop *loop, struct pci_bus *bus,
			  struct err *e);
/* After the I/O thread stopped. */
void virtio_console_destroy(struct virtio_console *c);

#endif
