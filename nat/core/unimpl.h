/* unimpl.h - how natsim says that it lacks something Linux has.
 *
 * natsim re-implements part of Linux. Whatever it does not implement but a
 * real Debian 12 system accepts (a module, an iptables match, target or
 * option, a conntrack output format, an ip object...) must not be answered
 * with a Linux error the real tool would not print ("Couldn't load match",
 * "Module not found"): a student would conclude the system is broken. Nor may
 * it be ignored: the scenario would silently mean something else. Every such
 * place fails the command with one line in natsim's own voice:
 *
 *     natsim: -m hashlimit is not implemented yet
 *
 * and the scenario runner names the line (FILE:LINE: error: ...). Names that
 * do not exist on Linux keep the real tool's error text.
 * tests/py/test_not_implemented.py walks every name and option the real
 * tools accept (tests/surface/linux-surface.json) and holds natsim to this.
 */
#ifndef NAT_UNIMPL_H
#define NAT_UNIMPL_H

#include <glib.h>
#include <stdbool.h>

/* Exit status of a command that hit something natsim lacks (not a Linux
 * status: EX_UNAVAILABLE of sysexits.h). */
#define NATSIM_EXIT_UNIMPL 69

/* Replace err's text with "natsim: WHAT is not implemented yet" (WHAT from
 * fmt) and return NATSIM_EXIT_UNIMPL. */
int natsim_unimpl(GString *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* True if text is such a message (a command's error, possibly followed by
 * context such as the iptables-restore line). */
bool natsim_unimpl_msg(const char *text);

#endif
