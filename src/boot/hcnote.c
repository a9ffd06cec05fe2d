/* hcnote.c: find the hypercall ABI note of a direct-boot kernel without
 * loading it (only the ELF headers and note segments are read). */
#include "boot/hcnote.h"

#include <unistd.h>

#include "boot/bootfile.h"
#include "boot/elf.h"
#include "vmm/hypercall.h"

int hcnote_read(const char *path, uint64_t max, bool *found, uint32_t *abi, struct err *e)
{
	int fd = -1;
	uint64_t size = 0;
	uint32_t desc = 0, desc_len = 0;
	*found = false;
	*abi = 0;
	if (bootfile_open("kernel", path, max, &fd, &size, e))
		return -1;
	int rc = elf_file_find_note(fd, size, path, VMM_HC_NOTE_NAME, VMM_HC_NOTE_TYPE, &desc,
				    sizeof(desc), &desc_len, e);
	close(fd);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	if (desc_len != sizeof(desc))
		return err_set(e, ERR_INPUT,
			       "kernel %s: its hypercall ABI note has a %u-byte descriptor, need 4",
			       path, desc_len);
	*found = true;
	*abi = desc;
	return 0;
}
