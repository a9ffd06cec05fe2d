/* console.h: virtio-console with a single port (virtio 1.2 §5.3), the guest's
 * hvc0 on host file descriptors.
 *
 * Port 0's receiveq (queue 0) is fed from the host's input through a
 * console_fd: input the driver has no buffers for stays in the console_fd
 * (its reading stops) until the driver adds receive buffers, so nothing is
 * dropped. Port 0's transmitq (1) goes to the console's output.
 *
 * VIRTIO_CONSOLE_F_MULTIPORT is offered for one reason: with it the driver
 * says when the port is open (the control queues 2 and 3, §5.3.6.2), and
 * Linux drops console input that arrives before that (virtio_console.c
 * discards data for a port that is not yet connected). So with MULTIPORT
 * negotiated, input waits for the guest's PORT_OPEN; without it, input flows
 * as soon as the driver gives receive buffers. max_nr_ports is 1.
 * VIRTIO_CONSOLE_F_EMERG_WRITE is offered too: a byte written to emerg_wr
 * goes straight out, usable before any queue exists.
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
#define VIRTIO_CONSOLE_CFG_MAX_PORTS 4
#define VIRTIO_CONSOLE_CFG_EMERG_WR  8
#define VIRTIO_CONSOLE_CONFIG_LEN    12
/* Queues (§5.3.2): port 0's pair, then the control pair. */
#define VIRTIO_CONSOLE_RXQ     0
#define VIRTIO_CONSOLE_TXQ     1
#define VIRTIO_CONSOLE_CTRL_RX 2 /* device -> driver control messages */
#define VIRTIO_CONSOLE_CTRL_TX 3 /* driver -> device */
#define VIRTIO_CONSOLE_NQUEUES 4

/* struct virtio_console_control (§5.3.6.2): le32 id, le16 event, le16 value. */
#define VIRTIO_CONSOLE_CTRL_SIZE     8
#define VIRTIO_CONSOLE_DEVICE_READY  0
#define VIRTIO_CONSOLE_DEVICE_ADD    1
#define VIRTIO_CONSOLE_PORT_READY    3
#define VIRTIO_CONSOLE_CONSOLE_PORT  4
#define VIRTIO_CONSOLE_PORT_OPEN     6
#define VIRTIO_CONSOLE_MAX_PENDING   8 /* control messages waiting for buffers */

struct virtio_console_ctrl {
	uint32_t id;
	uint16_t event, value;
};

struct virtio_console {
	struct virtio_dev vdev;
	struct virtio_pci pci;
	struct console_fd fd;
	struct console_sink out;
	uint8_t config[VIRTIO_CONSOLE_CONFIG_LEN];
	bool rx_waiting;     /* input is held back until receive buffers arrive */
	bool port_open;      /* MULTIPORT: the guest opened port 0 */
	struct virtio_console_ctrl pending[VIRTIO_CONSOLE_MAX_PENDING];
	unsigned npending;
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
