/* firmware.c: load and check a SeaBIOS image; copy it below 1 MiB (see firmware.h). */
#include "boot/firmware.h"

#include <stdlib.h>
#include <unistd.h>

#include "boot/bootfile.h"

int firmware_load(struct firmware_image *fw, const char *path, struct err *e)
{
	int fd;
	uint64_t size;
	fw->data = NULL;
	fw->len = 0;
	if (!path)
		path = FIRMWARE_DEFAULT_PATH;
	if (bootfile_open("firmware", path, UINT64_MAX, &fd, &size, e))
		return -1;
	int rc = 0;
	if (size % FIRMWARE_SIZE_UNIT)
		rc = err_set(e, ERR_INPUT, "firmware %s: %llu bytes is not a multiple of 64 KiB", path,
			     (unsigned long long)size);
	else if (size > FIRMWARE_MAX_SIZE)
		rc = err_set(e, ERR_INPUT, "firmware %s: %llu KiB is larger than the 256 KiB allowed",
			     path, (unsigned long long)(size / 1024));
	else if (!(fw->data = malloc(size)))
		rc = err_set(e, ERR_HOST, "firmware %s: out of memory", path);
	else if (bootfile_read("firmware", path, fd, fw->data, size, e))
		rc = -1;
	close(fd);
	if (rc) {
		firmware_free(fw);
		return -1;
	}
	fw->len = size;
	return 0;
}

void firmware_free(struct firmware_image *fw)
{
	free(fw->data);
	fw->data = NULL;
	fw->len = 0;
}

uint64_t firmware_rom_base(const struct firmware_image *fw)
{
	return FIRMWARE_ROM_END - fw->len;
}

int firmware_copy_low(const struct firmware_image *fw, const struct guest_mem *m, struct err *e)
{
	if (mem_write(m, FIRMWARE_SHADOW_END - fw->len, fw->data, fw->len))
		return err_set(e, ERR_HOST, "firmware: the BIOS area below 1 MiB is not RAM");
	return 0;
}
