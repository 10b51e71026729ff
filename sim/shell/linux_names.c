/* linux_names.c - what a Debian 12 router has, by name.
 *
 * natsim answers a name Linux has but natsim lacks in its own voice, and a
 * name Linux does not have with Linux's error (nat/core/unimpl.h). Telling
 * the two apart needs the real lists: the modules of Debian's kernel package,
 * the commands of the packages natsim stands for and the /proc/sys knobs, generated into the
 * .inc files by tests/surface/gen_surface.py (sorted, searched with bsearch).
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "sim/shell/linux_names.h"
#include "sim/shell/linux_modules.inc"
#include "sim/shell/linux_commands.inc"
#include "sim/shell/linux_sysctls.inc"

static int name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool linux_module_exists(const char *name)
{
	char *norm = g_strdup(name);
	for (char *p = norm; *p; p++)
		if (*p == '-')
			*p = '_';
	bool found = bsearch(norm, linux_module_names, G_N_ELEMENTS(linux_module_names),
			     sizeof linux_module_names[0], name_cmp) != NULL;
	g_free(norm);
	return found;
}

bool linux_command_exists(const char *name)
{
	return bsearch(name, linux_command_names, G_N_ELEMENTS(linux_command_names),
		       sizeof linux_command_names[0], name_cmp) != NULL;
}

bool linux_sysctl_exists(const char *name)
{
	return bsearch(name, linux_sysctl_names, G_N_ELEMENTS(linux_sysctl_names),
		       sizeof linux_sysctl_names[0], name_cmp) != NULL;
}
