/* ipt_xlate.c - iptables-translate and iptables-restore-translate.
 *
 * Mirrors iptables 1.8.9's xtables-translate.c and nft_ipv4_xlate
 * (nft-ipv4.c): a command line is parsed as iptables parses it, then its
 * nft form is printed: the generic part here (-i/-o, -p, -s/-d, the
 * `counter` every translated rule gets, the verdict, jump/goto, the
 * comment last), each match's and target's words by its own xlate op (the
 * files of nat/iptables/xt/). A rule with an extension that has no xlate,
 * or refuses the case, is printed as iptables-translate prints it: `nft #
 * ` and the arguments, exit status 0. -D, -R, -P, -E, -Z, -S and -C are
 * not translated ("Translation not implemented", exit 1), as in 1.8.9.
 *
 * Design: nothing here touches a namespace's tables (the real tool only
 * prints); both commands are pure functions of their arguments and, for
 * the restore form, of the file and the simulated time of its header. The
 * buffer follows libxtables' xt_xlate_add spacing, including its quirks
 * (a trailing space left before " comment"), so the text is byte-exact.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "nat/core/unimpl.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/xt.h"

#define XLATE_VERSION "v1.8.9 (nf_tables)"

/* libxtables' isbrace. */
static bool xlate_isbrace(char c)
{
	return strchr("(){}[]", c) != NULL && c;
}

static void xlate_vadd(GString *b, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

void xt_xlate_add(struct xt_xlate *xl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xlate_vadd(xl->rule, fmt, ap);
	va_end(ap);
}

void xt_xlate_set_add(struct xt_xlate *xl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xlate_vadd(xl->set, fmt, ap);
	va_end(ap);
}

static void xlate_vadd(GString *b, const char *fmt, va_list ap)
{
	char *s = g_strdup_vprintf(fmt, ap);
	if (b->len && !isspace((unsigned char)b->str[b->len - 1]) &&
	    (isalnum((unsigned char)s[0]) || xlate_isbrace(s[0])))
		g_string_append_c(b, ' ');
	g_string_append(b, s);
	g_free(s);
}

/* getprotobynumber's name (Debian netbase /etc/protocols): where it differs
 * from iptables' own list of protocol names. */
const char *xt_xlate_proto_name(uint8_t proto)
{
	switch (proto) {
	case 58: return "ipv6-icmp";
	case 135: return "mobility-header";
	case 0: return "ip";
	}
	return ipt_proto_name(proto);
}

/* xlate_ifname: '+' at the end is nft's '*', a literal '*' at the end is
 * escaped, a lone '+' matches every name (nothing) or none. */
static void xlate_ifname(struct xt_xlate *xl, const char *meta, const char *name, bool inv)
{
	size_t n = strlen(name);
	if (n < 1 || n >= 16)
		return;
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '*' && i == n - 1)
			g_string_append_c(s, '\\');
		g_string_append_c(s, name[i]);
	}
	if (n == 1 && name[0] == '+') {
		if (!inv) {
			g_string_free(s, TRUE);
			return;
		}
		g_string_assign(s, "INVAL/D");
		inv = false;
	}
	if (s->len && s->str[s->len - 1] == '+')
		s->str[s->len - 1] = '*';
	xt_xlate_add(xl, "%s %s\"%s\" ", meta, inv ? "!= " : "", s->str);
	g_string_free(s, TRUE);
}

/* xtables_ipmask_to_cidr: the prefix length, or -1 for a mask with holes. */
static int xlate_cidr(uint32_t mask)
{
	int bits = 0;
	while (bits < 32 && (mask & (0x80000000u >> bits)))
		bits++;
	if (bits < 32 && (mask << bits) != 0)
		return -1;
	return bits;
}

static void xlate_ip(char buf[16], uint32_t a)
{
	g_snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* xlate_ipv4_addr: natsim keeps addresses in host order. */
static void xlate_addr(struct xt_xlate *xl, const char *sel, uint32_t addr, uint32_t mask, bool inv)
{
	char a[16], m[16];
	if (!inv && !addr && !mask)
		return;
	xlate_ip(a, addr);
	int cidr = xlate_cidr(mask);
	if (cidr < 0) {
		xlate_ip(m, mask);
		xt_xlate_add(xl, "%s & %s %s %s ", sel, m, inv ? "!=" : "==", a);
	} else if (cidr == 32) {
		xt_xlate_add(xl, "%s %s%s ", sel, inv ? "!= " : "", a);
	} else {
		xt_xlate_add(xl, "%s %s%s/%d ", sel, inv ? "!= " : "", a, cidr);
	}
}

/* An extension natsim has not taught to translate (neither xlate nor
 * no_xlate): natsim says so rather than guess between a translation and
 * 1.8.9's comment. NULL when every extension of the rule knows. */
static const struct xt_entry *ipt_xlate_unknown(const struct ipt_rule *r)
{
	for (unsigned i = 0; i < r->nmatches; i++)
		if (!r->m[i].ops->xlate && !r->m[i].ops->no_xlate)
			return &r->m[i];
	if (r->target == IPT_T_EXT && !r->t.ops->xlate && !r->t.ops->no_xlate)
		return &r->t;
	return NULL;
}

/* nft_ipv4_xlate + xlate_matches + xlate_action: the rule's text after
 * "add rule ip TABLE CHAIN ", or false when some part has no translation. */
static bool ipt_xlate_rule(const struct ipt_cmd *cmd, struct xt_xlate *xl)
{
	const struct ipt_rule *r = cmd->rule;
	const char *jump = cmd->jump_name;
	xlate_ifname(xl, "iifname", r->in, r->in_inv);
	xlate_ifname(xl, "oifname", r->out, r->out_inv);
	if (cmd->frag)
		xt_xlate_add(xl, "ip frag-off & 0x1fff %s%x ", cmd->frag_inv ? "" : "!= ", 0);
	if (r->proto) {
		/* "ip protocol tcp tcp dport": skipped when a match of that name is there */
		const char *name = xt_xlate_proto_name(r->proto);
		bool have = false;
		for (unsigned i = 0; name && i < r->nmatches; i++)
			if (strcmp(r->m[i].ops->name, name) == 0)
				have = true;
		if (!have) {
			if (name)
				xt_xlate_add(xl, "ip protocol %s%s ", r->proto_inv ? "!= " : "", name);
			else
				xt_xlate_add(xl, "ip protocol %s%u ", r->proto_inv ? "!= " : "",
					     r->proto);
		}
	}
	xlate_addr(xl, "ip saddr", r->src.ip, r->smsk.ip, r->src_inv);
	xlate_addr(xl, "ip daddr", r->dst.ip, r->dmsk.ip, r->dst_inv);
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct xt_entry *e = &r->m[i];
		if (!e->ops->xlate || !e->ops->xlate(xl, r, e->data))
			return false;
	}
	xt_xlate_add(xl, "counter");
	bool ok = true;
	switch (r->target) {
	case IPT_T_ACCEPT: xt_xlate_add(xl, " accept"); break;
	case IPT_T_DROP: xt_xlate_add(xl, " drop"); break;
	case IPT_T_RETURN: xt_xlate_add(xl, " return"); break;
	case IPT_T_JUMP: xt_xlate_add(xl, " jump %s", jump ? jump : ""); break;
	case IPT_T_GOTO: xt_xlate_add(xl, " goto %s", jump ? jump : ""); break;
	case IPT_T_EXT:
		ok = r->t.ops->xlate && r->t.ops->xlate(xl, r, r->t.data);
		break;
	case IPT_T_NONE:
		break;
	}
	if (xl->comment)
		xt_xlate_add(xl, " comment %s", xl->comment);
	return ok;
}

/* How a translate command speaks: its name in errors, and whether it is the
 * restore form (no "nft " and no quotes; errors name the line). */
struct xlate_ctx {
	const char *prog;	/* "iptables-translate" / "iptables-translate-restore" */
	int line;		/* restore: the input line, else 0 */
	unsigned *nset;		/* the process's count of named sets (xt_xlate) */
};

static void xlate_err_param(const struct xlate_ctx *x, GString *err, const char *msg,
			    bool noprefix)
{
	if (natsim_unimpl_msg(msg)) {
		g_string_append(err, msg);
		if (x->line)
			g_string_append_printf(err, " (line %d of the iptables-restore-translate input)",
					       x->line);
		g_string_append_c(err, '\n');
		return;
	}
	if (!noprefix)
		g_string_append_printf(err, "%s " XLATE_VERSION ": %s\n", x->prog, msg);
	else if (*msg)
		g_string_append_printf(err, "%s\n", msg);
	if (x->line)
		g_string_append_printf(err, "Error occurred at line: %d\n", x->line);
	if (!g_str_has_prefix(msg, "natsim: "))
		g_string_append_printf(err, "Try `%s -h' or '%s --help' for more information.\n",
				       x->prog, x->prog);
}

/* do_command_xlate: one command line. Returns the exit status; *done
 * false when the command has no translation (the caller's "Translation not
 * implemented" or "line N failed"). */
static int xlate_command(const struct xlate_ctx *x, int argc, char **argv, const char *table,
			 GString *out, GString *err, bool *done)
{
	struct ipt_cmd cmd;
	GString *msg = g_string_new(NULL);
	bool noprefix;
	bool restore = x->line > 0;
	const char *tick = restore ? "" : "'";
	*done = true;
	int rc = ipt_parse_xlate(argc, argv, IPT_FILTER, &cmd, msg, &noprefix);
	if (rc) {
		xlate_err_param(x, err, msg->str, noprefix);
		rc = natsim_unimpl_msg(msg->str) ? NATSIM_EXIT_UNIMPL : rc;
		goto out;
	}
	if (cmd.cmd == 'V') {
		g_string_append_printf(out, "%s " XLATE_VERSION "\n", x->prog);
		goto out;
	}
	if (cmd.cmd == 'h') {
		rc = natsim_unimpl(err, "%s -h", x->prog);
		g_string_append_c(err, '\n');
		goto out;
	}
	const char *t = cmd.table_name ? cmd.table_name : table;
	const char *chain = cmd.chain ? cmd.chain : "(null)"; /* printf's NULL */
	const struct xt_entry *unknown =
		cmd.cmd == 'A' || cmd.cmd == 'I' ? ipt_xlate_unknown(cmd.rule) : NULL;
	if (unknown) {
		rc = natsim_unimpl(err, "iptables-translate of %s %s",
				   unknown->ops->kind == XT_MATCH ? "-m" : "-j", unknown->ops->name);
		if (x->line)
			g_string_append_printf(err, " (line %d of the iptables-restore-translate input)",
					       x->line);
		g_string_append_c(err, '\n');
		goto out;
	}
	if (!restore)
		g_string_append(out, "nft ");
	switch (cmd.cmd) {
	case 'A':
	case 'I': {
		/* xlate(): one rule per source and destination address, "nft "
		 * again after each source but the last; whether the rule is
		 * printed as a comment is the last one's result */
		struct ipt_rule *r = cmd.rule;
		uint32_t one[2][2] = { { r->src.ip, r->smsk.ip }, { r->dst.ip, r->dmsk.ip } };
		const uint32_t *list[2];
		unsigned n[2];
		for (unsigned k = 0; k < 2; k++) {
			GArray *a = cmd.xlate_addrs[k];
			list[k] = a ? (const uint32_t *)(void *)a->data : one[k];
			n[k] = a ? a->len / 2 : 1;
		}
		bool ok = false;
		for (unsigned i = 0; i < n[0]; i++) {
			r->src.ip = list[0][2 * i];
			r->smsk.ip = list[0][2 * i + 1];
			for (unsigned j = 0; j < n[1]; j++) {
				r->dst.ip = list[1][2 * j];
				r->dmsk.ip = list[1][2 * j + 1];
				struct xt_xlate xl = { g_string_new(NULL), NULL, g_string_new(NULL),
						       x->nset };
				ok = ipt_xlate_rule(&cmd, &xl);
				if (ok) {
					while (xl.rule->len &&
					       isspace((unsigned char)xl.rule->str[xl.rule->len - 1]))
						g_string_truncate(xl.rule, xl.rule->len - 1);
					/* xlate_rule: the sets first, "nft " again after them */
					if (xl.set->len)
						g_string_append_printf(out, "%sadd set ip %s %s%s\n%s", tick,
								       t, xl.set->str, tick,
								       restore ? "" : "nft ");
					g_string_append_printf(out, "%s%s rule ip %s %s %s%s\n", tick,
							       cmd.cmd == 'A' ? "add" : "insert", t,
							       cmd.chain, xl.rule->str, tick);
				}
				g_string_free(xl.rule, TRUE);
				g_string_free(xl.set, TRUE);
				g_free(xl.comment);
			}
			if (!restore && i + 1 < n[0])
				g_string_append(out, "nft ");
		}
		if (!ok) {
			/* print_ipt_cmd. do_parse consumed each `!` before an option
			 * by blanking it in argv (optarg[0] = '\0'), so 1.8.9 prints
			 * an empty word there: "-A INPUT  -s 1.2.3.4 ..." */
			g_string_append(out, "# ");
			for (int i = 1; i < argc; i++)
				g_string_append_printf(out, "%s ",
						       strcmp(argv[i], "!") == 0 && i + 1 < argc &&
						       argv[i + 1][0] == '-' ? "" : argv[i]);
			g_string_append_c(out, '\n');
		}
		break;
	}
	case 'F':
		if (cmd.chain)
			g_string_append_printf(out, "flush chain ip %s %s\n", t, cmd.chain);
		else
			g_string_append_printf(out, "flush table ip %s\n", t);
		break;
	case 'L':
		g_string_append_printf(out, "list table ip %s\n", t);
		break;
	case 'N':
		g_string_append_printf(out, "add chain ip %s %s\n", t, chain);
		break;
	case 'X':
		g_string_append_printf(out, "delete chain ip %s %s\n", t, chain);
		break;
	default:
		*done = false;
		break;
	}
out:
	g_string_free(msg, TRUE);
	ipt_cmd_clear(&cmd);
	return rc;
}

int nf_cmd_iptables_translate(int argc, char **argv, GString *out, GString *err)
{
	unsigned nset = 0;
	const struct xlate_ctx x = { "iptables-translate", 0, &nset };
	bool done;
	int rc = xlate_command(&x, argc, argv, "filter", out, err, &done);
	if (rc == 0 && !done) {
		g_string_append(err, "Translation not implemented\n");
		rc = 1;
	}
	return rc;
}

/* ----- iptables-restore-translate ----- */

static int xlate_usage(const char *prog, GString *err)
{
	g_string_append_printf(err, "%s 1.8.9 (c) 2014 by Pablo Neira Ayuso <pablo@netfilter.org>\n"
			       "Usage: %s [-h] [-f <FILE>] [-V]\n"
			       "\t[ --help ]\n"
			       "\t[ --file=<FILE> ]\n"
			       "\t[ --version ]\n", prog, prog);
	return 1;
}

int nf_cmd_iptables_restore_translate_file(int argc, char **argv, const char **file,
					   GString *out, GString *err)
{
	const char *prog = argv[0];
	*file = NULL;
	/* getopt_long "hf:V" with opterr 0: unknown options are skipped */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return xlate_usage(prog, err);
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			g_string_append_printf(out, "%s v1.8.9\n", prog);
			return 0;
		}
		if (strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) {
			if (i + 1 < argc)
				*file = argv[++i];
		} else if (g_str_has_prefix(a, "--file=")) {
			*file = a + 7;
		} else if (g_str_has_prefix(a, "-f")) {
			*file = a + 2;
		}
	}
	if (!*file) {
		g_string_append(err, "ERROR: missing file name\n");
		return xlate_usage(prog, err);
	}
	return -1;
}

/* The tables iptables-nft knows (nft_table_builtin_find) and their chains. */
static bool xlate_builtin_chain(const char *table, const char *chain)
{
	static const char *const chains[][6] = {
		{ "filter", "INPUT", "FORWARD", "OUTPUT", NULL },
		{ "nat", "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", NULL },
		{ "mangle", "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" },
		{ "raw", "PREROUTING", "OUTPUT", NULL },
		{ "security", "INPUT", "FORWARD", "OUTPUT", NULL },
	};
	for (unsigned t = 0; t < G_N_ELEMENTS(chains); t++)
		if (strcmp(chains[t][0], table) == 0)
			for (unsigned c = 1; c < 6 && chains[t][c]; c++)
				if (strcmp(chains[t][c], chain) == 0)
					return true;
	return false;
}

/* xlate_chain_set: a built-in chain with its hook, priority and policy. */
static void xlate_chain_set(GString *out, const char *table, const char *chain, const char *policy)
{
	const char *type = "filter";
	int prio = 0;
	if (strcmp(table, "nat") == 0)
		type = "nat";
	else if (strcmp(table, "mangle") == 0 && strcmp(chain, "OUTPUT") == 0)
		type = "route";
	g_string_append_printf(out, "add chain ip %s %s { type %s ", table, chain, type);
	if (strcmp(table, "nat") == 0) {
		if (strcmp(chain, "PREROUTING") == 0 || strcmp(chain, "OUTPUT") == 0)
			prio = -100;
		else if (strcmp(chain, "INPUT") == 0 || strcmp(chain, "POSTROUTING") == 0)
			prio = 100;
	} else if (strcmp(table, "mangle") == 0) {
		prio = -150;
	} else if (strcmp(table, "raw") == 0) {
		prio = -300;
	} /* get_hook_prio compares the chain with "security": 0 for that table */
	static const char *const hooks[][2] = {
		{ "PREROUTING", "prerouting" }, { "INPUT", "input" }, { "FORWARD", "forward" },
		{ "OUTPUT", "output" }, { "POSTROUTING", "postrouting" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(hooks); i++)
		if (strcmp(chain, hooks[i][0]) == 0)
			g_string_append_printf(out, "hook %s priority %d; ", hooks[i][1], prio);
	if (strcmp(policy, "ACCEPT") == 0)
		g_string_append(out, "policy accept; ");
	else if (strcmp(policy, "DROP") == 0)
		g_string_append(out, "policy drop; ");
	g_string_append(out, "}\n");
}

/* xtables_restore_parse with the translating callbacks: `*table` adds the
 * table, `:CHAIN POLICY` a chain, a rule line is translated as
 * iptables-translate would with "-t TABLE" before it. Output already made
 * stays when a line fails. */
int nf_cmd_iptables_restore_translate(const char *prog, const char *text, nf_time now,
				      GString *out, GString *err)
{
	static const char *const tprog = "iptables-translate-restore";
	unsigned nset = 0;
	char date[64];
	ipt_date(now, date);
	g_string_append_printf(out, "# Translated by %s v1.8.9 on %s\n", prog, date);
	gchar **lines = g_strsplit(text, "\n", -1);
	char *table = NULL;
	int rc = 0;
	unsigned nlines = g_strv_length(lines);
	/* a final newline leaves an empty last piece that is no line */
	if (nlines && lines[nlines - 1][0] == '\0')
		nlines--;
	for (unsigned i = 0; i < nlines && rc == 0; i++) {
		const char *l = lines[i];
		int lineno = (int)i + 1;
		bool ok = false;
		if (l[0] == '\0' || l[0] == '#')
			continue;
		if (table && strncmp(l, "COMMIT", 6) == 0 && (l[6] == '\0')) {
			g_clear_pointer(&table, g_free);
			ok = true;
		} else if (l[0] == '*') {
			gchar **w = g_strsplit_set(l + 1, " \t", -1);
			const char *name = w[0] && w[0][0] ? w[0] : NULL;
			if (!name || ipt_table_by_name(name) < 0) {
				GString *m = g_string_new(NULL);
				if (name)
					g_string_printf(m, "%s: line %d table name '%s' invalid", tprog,
							lineno, name);
				else
					g_string_printf(m, "%s: line %d table name invalid", tprog, lineno);
				struct xlate_ctx x = { tprog, lineno, &nset };
				xlate_err_param(&x, err, m->str, false);
				g_string_free(m, TRUE);
				g_strfreev(w);
				rc = 2;
				break;
			}
			g_free(table);
			table = g_strdup(name);
			g_string_append_printf(out, "add table ip %s\n", table);
			g_strfreev(w);
			ok = true;
		} else if (l[0] == ':' && table) {
			gchar **w = g_strsplit_set(l + 1, " \t", -1);
			unsigned n = 0;
			const char *word[2] = { NULL, NULL };
			for (unsigned k = 0; w[k] && n < 2; k++)
				if (w[k][0])
					word[n++] = w[k];
			if (n < 2) {
				GString *m = g_string_new(NULL);
				g_string_printf(m, "%s: line %d %s invalid", tprog, lineno,
						n == 0 ? "chain name" : "policy");
				struct xlate_ctx x = { tprog, lineno, &nset };
				xlate_err_param(&x, err, m->str, false);
				g_string_free(m, TRUE);
				g_strfreev(w);
				rc = 2;
				break;
			}
			if (xlate_builtin_chain(table, word[0]))
				xlate_chain_set(out, table, word[0], word[1]);
			else
				g_string_append_printf(out, "add chain ip %s %s\n", table, word[0]);
			g_strfreev(w);
			ok = true;
		} else if (table) {
			const char *p = l;
			if (*p == '[') {
				/* [PACKETS:BYTES] before the rule: counters are not translated */
				const char *e = strchr(p, ']');
				p = e ? e + 1 : p;
			}
			bool qok;
			gchar **v = ipt_split_line(p, &qok);
			GPtrArray *args = g_ptr_array_new();
			g_ptr_array_add(args, (gpointer)tprog);
			g_ptr_array_add(args, "-t");
			g_ptr_array_add(args, table);
			for (unsigned k = 1; v[k]; k++)
				g_ptr_array_add(args, v[k]);
			g_ptr_array_add(args, NULL);
			struct xlate_ctx x = { tprog, lineno, &nset };
			bool done;
			if (!qok) {
				/* as natsim's iptables-restore says it */
				g_string_append_printf(err, "%s: line %d failed\n", tprog, lineno);
				rc = 1;
			} else {
				rc = xlate_command(&x, (int)args->len - 1, (char **)args->pdata, table,
						   out, err, &done);
				ok = rc == 0 && done;
			}
			g_ptr_array_free(args, TRUE);
			g_strfreev(v);
			if (rc)
				break;
		}
		if (!ok) {
			g_string_append_printf(err, "%s: line %d failed\n", tprog, lineno);
			rc = 1;
		}
	}
	if (rc == 0)
		g_string_append_printf(out, "# Completed on %s\n", date);
	g_free(table);
	g_strfreev(lines);
	return rc;
}
