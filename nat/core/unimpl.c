/* unimpl.c - the one wording of "natsim lacks this" (see unimpl.h). */
#include <stdarg.h>
#include <string.h>

#include "nat/core/unimpl.h"

#define UNIMPL_PREFIX "natsim: "
#define UNIMPL_SUFFIX " is not implemented yet"

int natsim_unimpl(GString *err, const char *fmt, ...)
{
	va_list ap;

	g_string_assign(err, UNIMPL_PREFIX);
	va_start(ap, fmt);
	g_string_append_vprintf(err, fmt, ap);
	va_end(ap);
	g_string_append(err, UNIMPL_SUFFIX);
	return NATSIM_EXIT_UNIMPL;
}

bool natsim_unimpl_msg(const char *text)
{
	return text && g_str_has_prefix(text, UNIMPL_PREFIX) && strstr(text, UNIMPL_SUFFIX);
}
