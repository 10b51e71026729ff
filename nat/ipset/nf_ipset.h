/* nf_ipset.h - the `ipset` command, for nat/nf.h (which includes this:
 * the module defines it and may not include the assembled header). */
#ifndef NAT_NF_IPSET_H
#define NAT_NF_IPSET_H

#include <glib.h>
#include <stdbool.h>
#include "nat/core/nf_types.h"

struct nf_ns;

/* A file's text (g_malloc'ed) or NULL: `ipset restore -file FILE`. */
typedef char *(*nf_read_file_fn)(void *priv, const char *path);

/* ipset 7.17 (nat/ipset/ip_set_cmd.c): create/add/del/test/list/save/
 * restore (stdin_text: `< FILE` or a heredoc)/flush/destroy/rename/swap/
 * version. Exit status 0, 1 (refused) or 2 (command line), as ipset's;
 * dry_run checks the command line only. */
int nf_cmd_ipset(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
		 nf_read_file_fn read_file, void *priv, GString *out, GString *err, bool dry_run,
		 nf_time now);

#endif
