/* ipt_cmd.c - the iptables, iptables-save and iptables-restore commands.
 *
 * Mirrors iptables 1.8.9 (nf_tables backend): do_commandx() runs one parsed
 * command against a table; iptables-restore reads the save format table by
 * table and commits at COMMIT (an error rolls the table back, as the nft
 * transaction does). Exit codes and messages are the real tool's: 2 for a
 * parameter problem (with the "Try `iptables -h'" line), 1 for a runtime
 * error ("iptables: No chain/target/match by that name."), 4 for what the
 * kernel refuses (" RULE_APPEND failed (Invalid argument)"), 3 for an
 * unknown table.
 *
 * Design: a change is applied, then ipt_table_check() plays the kernel's
 * validation; a refused change is undone. iptables-restore snapshots the
 * table at `*table` so a failed block leaves it untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/core/unimpl.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/xt.h"

#define IPT_VERSION "v1.8.9 (nf_tables)"

/* How errors are worded: by iptables, or by iptables-restore at a line. */
struct ipt_ctx {
	const char *prog;	/* "iptables" or "iptables-restore" */
	int line;		/* restore line, 0 for iptables */
};

static void ipt_err_param(const struct ipt_ctx *x, GString *err, const char *msg, bool noprefix)
{
	if (natsim_unimpl_msg(msg)) {
		/* natsim's own voice: no iptables prefix, no "Try" */
		g_string_append(err, msg);
		if (x->line)
			g_string_append_printf(err, " (line %d of the %s input)", x->line, x->prog);
		g_string_append_c(err, '\n');
		return;
	}
	if (!noprefix)
		g_string_append_printf(err, "%s " IPT_VERSION ": %s\n", x->prog, msg);
	else if (*msg)	/* "Bad argument ..."; -6 has no text at all */
		g_string_append_printf(err, "%s\n", msg);
	if (x->line)
		g_string_append_printf(err, "Error occurred at line: %d\n", x->line);
	if (!g_str_has_prefix(msg, "natsim: ")) /* natsim's own refusal: no iptables help */
		g_string_append_printf(err, "Try `%s -h' or '%s --help' for more information.\n",
				       x->prog, x->prog);
}

/* A runtime error (exit 1): "iptables: MSG" or "iptables-restore: line N failed: MSG". */
static int ipt_err_runtime(const struct ipt_ctx *x, GString *err, const char *msg)
{
	if (x->line)
		g_string_append_printf(err, "iptables-restore: line %d failed: %s\n", x->line, msg);
	else
		g_string_append_printf(err, "iptables: %s\n", msg);
	return 1;
}

/* What the kernel refused (exit 4). */
static int ipt_err_kernel(const struct ipt_ctx *x, GString *err, const char *what, int errnum,
			  const char *obj, const char *chain)
{
	const char *reason = errnum == EMLINK ? "Too many links"
			   : errnum == EBUSY ? "Device or resource busy"
			   : errnum == ENOENT ? "No such file or directory"
			   : errnum == ERANGE ? "Numerical result out of range" : "Invalid argument";
	if (x->line)
		g_string_append_printf(err, "%s " IPT_VERSION ": \nline %d: %s failed (%s): %s %s\n",
				       x->prog, x->line, what, reason, obj, chain);
	else
		g_string_append_printf(err, "%s " IPT_VERSION ":  %s failed (%s): %s %s\n", x->prog,
				       what, reason, obj, chain);
	return 4;
}

static bool ipt_rule_equal(const struct ipt_rule *a, const struct ipt_rule *b)
{
	GString *sa = g_string_new(NULL), *sb = g_string_new(NULL);
	ipt_rule_format(a, sa);
	ipt_rule_format(b, sb);
	bool eq = g_string_equal(sa, sb);
	g_string_free(sa, TRUE);
	g_string_free(sb, TRUE);
	return eq;
}

static bool ipt_rule_needs_ct(const struct ipt_rule *r)
{
	for (unsigned i = 0; i < r->nmatches; i++)
		if (r->m[i].ops->needs_ct)
			return true;
	return r->t.ops && r->t.ops->loads_ct && r->t.ops->loads_ct(r->t.data);
}

static void ipt_zero_chain(struct ipt_chain *c, long rulenum)
{
	if (rulenum > 0) {
		if ((unsigned long)rulenum <= c->rules->len) {
			struct ipt_rule *r = c->rules->pdata[rulenum - 1];
			r->packets = r->bytes = 0;
		}
		return;
	}
	c->packets = c->bytes = 0;
	if (c->builtin && c->handle)	/* CHAIN_ZERO sends counters */
		c->stats = true;
	for (unsigned i = 0; i < c->rules->len; i++) {
		struct ipt_rule *r = c->rules->pdata[i];
		r->packets = r->bytes = 0;
	}
}

/* Apply a rule change (A I R), undoing it if the kernel checks refuse it. */
static int ipt_add_rule(struct nf_ns *ns, struct ipt_table *t, struct ipt_chain *c,
			struct ipt_cmd *cmd, const struct ipt_ctx *x, GString *err, nf_time now)
{
	struct ipt_rule *r = cmd->rule;
	unsigned pos;
	struct ipt_rule *old = NULL;
	const char *what;
	if (cmd->cmd == 'A') {
		pos = c->rules->len;
		what = "RULE_APPEND";
	} else if (cmd->cmd == 'I') {
		long n = cmd->rulenum ? cmd->rulenum : 1;
		if ((unsigned long)n > c->rules->len + 1)
			return ipt_err_runtime(x, err, "Index of insertion too big.");
		pos = (unsigned)(n - 1);
		what = "RULE_INSERT";
		r->inserted = true;
	} else {
		if ((unsigned long)cmd->rulenum > c->rules->len)
			return ipt_err_runtime(x, err, "Index of replacement too big.");
		pos = (unsigned)(cmd->rulenum - 1);
		old = ipt_rule_remove(c, pos);
		what = "RULE_REPLACE";
	}
	/* nf_tables_newrule: a replaced rule keeps its handle */
	ipt_chain_nft_make(t, c);
	r->handle = old ? old->handle : ++t->hgen;
	ipt_rule_insert(c, pos, r);
	GString *klog = g_string_new(NULL);
	int rc = ipt_table_check(ns, t, klog);
	if (rc) {
		ipt_rule_remove(c, pos);
		if (old)
			ipt_rule_insert(c, pos, old);
		if (klog->len)
			nf_klog(ns, now, "%s", klog->str);
		g_string_free(klog, TRUE);
		return ipt_err_kernel(x, err, what, rc, "rule in chain", c->name);
	}
	g_string_free(klog, TRUE);
	ipt_rule_free(old);
	cmd->rule = NULL; /* owned by the chain now */
	if (ipt_rule_needs_ct(r))
		nf_ct_load(ns);
	return 0;
}

/* Static checks for a dry run: a rule in a built-in chain can be checked
 * against the kernel's table/hook rules without any state. */
static int ipt_dry_check(struct ipt_cmd *cmd, const struct ipt_ctx *x, GString *err)
{
	if (!strchr("AIR", cmd->cmd) || cmd->jump_name)
		return 0;
	struct ipt_table scratch;
	ipt_table_init(&scratch, cmd->table);
	struct ipt_chain *c = ipt_chain_find(&scratch, cmd->chain);
	int rc = 0;
	if (c && c->builtin) {
		ipt_rule_insert(c, 0, cmd->rule);
		GString *klog = g_string_new(NULL);
		int krc = ipt_table_check(NULL, &scratch, klog);
		ipt_rule_remove(c, 0);
		g_string_free(klog, TRUE);
		if (krc)
			rc = ipt_err_kernel(x, err, cmd->cmd == 'A' ? "RULE_APPEND" : cmd->cmd == 'I' ? "RULE_INSERT" : "RULE_REPLACE",
					    krc, "rule in chain", c->name);
	}
	ipt_table_clear(&scratch);
	return rc;
}

/* The names a rule's extensions refer to (ipsets), resolved as iptables
 * does while it parses: before the chain is looked up. */
static int ipt_rule_bind(struct nf_ns *ns, struct ipt_rule *r, const struct ipt_ctx *x,
			 GString *err)
{
	GString *msg = g_string_new(NULL);
	int rc = 0;
	for (unsigned i = 0; !rc && i <= r->nmatches; i++) {
		struct xt_entry *e = i < r->nmatches ? &r->m[i] : &r->t;
		if (e->ops && e->ops->bind && (rc = e->ops->bind(ns, e->data, msg)))
			ipt_err_param(x, err, msg->str, false);
	}
	g_string_free(msg, TRUE);
	return rc;
}

/* do_commandx: run one parsed command. */
static int ipt_exec(struct nf_ns *ns, struct ipt_cmd *cmd, GString *out, GString *err,
		    bool dry_run, nf_time now, const struct ipt_ctx *x)
{
	if (cmd->cmd == 'V') {
		g_string_append(out, "iptables " IPT_VERSION "\n");
		return 0;
	}
	if (cmd->cmd == 'h') {
		g_string_append(out, "iptables " IPT_VERSION "\n\n"
				"Usage: iptables -[ACD] chain rule-specification [options]\n"
				"       iptables -I chain [rulenum] rule-specification [options]\n"
				"       iptables -R chain rulenum rule-specification [options]\n"
				"       iptables -D chain rulenum [options]\n"
				"       iptables -[LS] [chain [rulenum]] [options]\n"
				"       iptables -[FZ] [chain] [options]\n"
				"       iptables -[NX] chain\n"
				"       iptables -E old-chain-name new-chain-name\n"
				"       iptables -P chain target [options]\n"
				"       iptables -h (print this help information)\n");
		return 0;
	}
	if (cmd->table < 0) {
		g_string_append_printf(err, "%s " IPT_VERSION ": table '%s' does not exist\n"
				       "Perhaps iptables or your kernel needs to be upgraded.\n",
				       x->prog, cmd->table_name);
		return 3;
	}
	if (dry_run)
		return ipt_dry_check(cmd, x, err);
	/* nft's table of this name becomes ours, or stands in the way */
	if (ns->xt_claim && !ns->ipt->legacy) {
		int crc = ns->xt_claim(ns, cmd->table, !strchr("LSC", cmd->cmd), err);
		if (crc)
			return crc;
	}
	if (cmd->rule) {
		int brc = ipt_rule_bind(ns, cmd->rule, x, err);
		if (brc)
			return brc;
	}
	if (cmd->table == IPT_NAT)
		ipt_nat_load(ns);
	struct ipt_table *t = &ns->ipt->tables[cmd->table];
	struct ipt_chain *c = cmd->chain ? ipt_chain_find(t, cmd->chain) : NULL;
	const char *tname = ipt_table_name(cmd->table);

	switch (cmd->cmd) {
	case 'L':
	case 'S':
		if (cmd->chain && !c) {
			g_string_append_printf(err, "%s " IPT_VERSION ": chain `%s' in table `%s' is incompatible, use 'nft' tool.\n",
					       x->prog, cmd->chain, tname);
			return 1;
		}
		if (cmd->cmd == 'L')
			ipt_print_list(t, c, cmd->rulenum, cmd->numeric, cmd->verbose, cmd->exact,
				       cmd->linenum, out);
		else
			ipt_print_rules(t, c, cmd->rulenum, cmd->verbose, out);
		if (cmd->zero_too) {
			for (unsigned i = 0; i < t->chains->len; i++)
				if (!c || t->chains->pdata[i] == c)
					ipt_zero_chain(t->chains->pdata[i], 0);
		}
		return 0;
	case 'F':
	case 'Z':
		if (cmd->chain && !c)
			return ipt_err_runtime(x, err, "No chain/target/match by that name.");
		for (unsigned i = 0; i < t->chains->len; i++) {
			struct ipt_chain *ci = t->chains->pdata[i];
			if (c && ci != c)
				continue;
			if (cmd->cmd == 'F')
				ipt_chain_flush(ci);
			else
				ipt_zero_chain(ci, cmd->rulenum);
		}
		if (c && cmd->cmd == 'F')
			t->touched = true;
		return 0;
	case 'N':
		if (c)
			return ipt_err_runtime(x, err, "Chain already exists.");
		ipt_chain_nft_make(t, ipt_chain_add(t, cmd->chain));
		t->touched = true;
		return 0;
	case 'X':
		if (cmd->chain) {
			/* nft: an empty built-in chain is "not found", a used one busy */
			if (!c || (c->builtin && !c->rules->len))
				return ipt_err_runtime(x, err, "No chain/target/match by that name.");
			if (c->builtin || c->refs || c->rules->len)
				return ipt_err_kernel(x, err, "CHAIN_DEL", EBUSY, "chain", c->name);
			ipt_chain_del(t, c);
			return 0;
		}
		for (unsigned i = 0; i < t->chains->len; i++) {
			struct ipt_chain *ci = t->chains->pdata[i];
			if (!ci->builtin && (ci->refs || ci->rules->len))
				return ipt_err_kernel(x, err, "CHAIN_DEL", EBUSY, "chain", ci->name);
		}
		for (unsigned i = t->chains->len; i-- > 0;) {
			struct ipt_chain *ci = t->chains->pdata[i];
			if (!ci->builtin)
				ipt_chain_del(t, ci);
			/* iptables-nft 1.8.9's -X also deletes the built-in
			 * chains with no rule and the ACCEPT policy from
			 * nf_tables (made again on their next use) */
			else if (!ci->rules->len && ci->policy == NF_ACCEPT)
				ci->handle = 0;
		}
		return 0;
	case 'E': {
		if (!c)
			return ipt_err_runtime(x, err, "No chain/target/match by that name.");
		if (ipt_chain_find(t, cmd->arg2))
			return ipt_err_runtime(x, err, "File exists.");
		if (c->builtin)
			return ipt_err_runtime(x, err, "Bad built-in chain name.");
		/* keep the strcmp order: take it out and put it back */
		struct ipt_chain *fresh = ipt_chain_add(t, cmd->arg2);
		GPtrArray *tmp = fresh->rules;
		fresh->rules = c->rules;
		c->rules = tmp;
		fresh->refs = c->refs;
		c->refs = 0;
		fresh->handle = c->handle;	/* nf_tables renames the chain in place */
		for (unsigned i = 0; i < t->chains->len; i++) {
			struct ipt_chain *ci = t->chains->pdata[i];
			for (unsigned j = 0; j < ci->rules->len; j++) {
				struct ipt_rule *r = ci->rules->pdata[j];
				if (r->jump == c)
					r->jump = fresh;
			}
		}
		g_ptr_array_remove(t->chains, c);
		g_ptr_array_free(c->rules, TRUE);
		g_free(c->name);
		g_free(c);
		t->touched = true;
		return 0;
	}
	case 'P': {
		if (!c || !c->builtin)
			return ipt_err_runtime(x, err, "Bad built-in chain name.");
		int pol;
		if (strcmp(cmd->arg2, "ACCEPT") == 0)
			pol = NF_ACCEPT;
		else if (strcmp(cmd->arg2, "DROP") == 0)
			pol = NF_DROP;
		else
			return ipt_err_runtime(x, err, x->line ? "Bad policy name."
					       : "Bad policy name. Run `dmesg' for more information.");
		c->policy = pol;
		ipt_chain_nft_make(t, c);
		c->stats = true;	/* 1.8.9 sends zero counters with it */
		t->touched = true;
		return 0;
	}
	default:
		break;
	}

	/* rule commands: A I R D d C. The jump target is looked up first (by
	 * do_parse, before the command runs), then the chain. */
	if (cmd->jump_name) {
		struct ipt_chain *j = ipt_chain_find(t, cmd->jump_name);
		if (!j || j->builtin) {
			GString *m = g_string_new(NULL);
			g_string_printf(m, "Chain '%s' does not exist", cmd->jump_name);
			ipt_err_param(x, err, m->str, false);
			g_string_free(m, TRUE);
			return 2;
		}
	}
	if (!c)
		return ipt_err_runtime(x, err, (cmd->cmd == 'D' || cmd->cmd == 'C')
				       ? "Bad rule (does a matching rule exist in that chain?)."
				       : "No chain/target/match by that name.");
	if (cmd->cmd == 'd') {
		if ((unsigned long)cmd->rulenum > c->rules->len)
			return ipt_err_runtime(x, err, "Index of deletion too big.");
		ipt_rule_free(ipt_rule_remove(c, (unsigned)(cmd->rulenum - 1)));
		t->touched = true;
		return 0;
	}
	if (cmd->jump_name)
		cmd->rule->jump = ipt_chain_find(t, cmd->jump_name);
	if (cmd->cmd == 'D' || cmd->cmd == 'C') {
		for (unsigned i = 0; i < c->rules->len; i++) {
			if (ipt_rule_equal(c->rules->pdata[i], cmd->rule)) {
				if (cmd->cmd == 'D') {
					ipt_rule_free(ipt_rule_remove(c, i));
					t->touched = true;
				}
				cmd->rule->jump = NULL;
				return 0;
			}
		}
		cmd->rule->jump = NULL;
		return ipt_err_runtime(x, err, "Bad rule (does a matching rule exist in that chain?).");
	}
	bool was_touched = t->touched;
	t->touched = true;
	int rc = ipt_add_rule(ns, t, c, cmd, x, err, now);
	if (rc && cmd->rule) /* refused: the batch that made the table is undone */
		t->touched = was_touched;
	return rc;
}

/* Parse and run one command line (argv[0] is the program name). */
static int ipt_run(struct nf_ns *ns, int argc, char **argv, int default_table, bool counters,
		   GString *out, GString *err, bool dry_run, nf_time now, const struct ipt_ctx *x)
{
	struct ipt_cmd cmd;
	GString *msg = g_string_new(NULL);
	bool noprefix;
	int rc = ipt_parse(argc, argv, default_table, &cmd, msg, &noprefix);
	if (rc) {
		ipt_err_param(x, err, msg->str, noprefix);
	} else {
		if (x->line && !counters && cmd.rule) {
			cmd.rule->packets = 0;
			cmd.rule->bytes = 0;
		}
		rc = ipt_exec(ns, &cmd, out, err, dry_run, now, x);
	}
	g_string_free(msg, TRUE);
	ipt_cmd_clear(&cmd);
	return rc;
}

int nf_cmd_iptables(struct nf_ns *ns, int argc, char **argv, GString *out, GString *err,
		    bool dry_run, nf_time now)
{
	static const struct ipt_ctx x = { "iptables", 0 };
	int rc = ipt_run(ns, argc, argv, IPT_FILTER, true, out, err, dry_run, now, &x);
	ipt_tables_sync_ops(ns);
	return rc;
}

/* ----- what can be known before the run ----- */

/* Chains that may exist at a point of a scenario, per table: the built-in
 * ones, every name an earlier command created (-N, -E), and, once a command
 * may have loaded any ruleset (iptables-restore, the iptables service),
 * every name at all. Names are never removed: whether an earlier -X or
 * iptables-restore really took one away depends on state (-X of a chain
 * still referenced fails), so the check only refuses a reference no earlier
 * command could have satisfied, and never a valid scenario. */
struct nf_chain_names {
	struct ipt_table builtin[IPT_NTABLES];
	GHashTable *user[IPT_NTABLES];
	bool any;
};

struct nf_chain_names *nf_chain_names_new(void)
{
	struct nf_chain_names *n = g_new0(struct nf_chain_names, 1);
	for (int t = 0; t < IPT_NTABLES; t++) {
		ipt_table_init(&n->builtin[t], (enum ipt_table_id)t);
		n->user[t] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	}
	return n;
}

void nf_chain_names_free(struct nf_chain_names *n)
{
	if (!n)
		return;
	for (int t = 0; t < IPT_NTABLES; t++) {
		ipt_table_clear(&n->builtin[t]);
		g_hash_table_destroy(n->user[t]);
	}
	g_free(n);
}

void nf_chain_names_any(struct nf_chain_names *n)
{
	n->any = true;
}

static bool names_builtin(struct nf_chain_names *n, int t, const char *name)
{
	struct ipt_chain *c = ipt_chain_find(&n->builtin[t], name);
	return c && c->builtin;
}

static bool names_may_exist(struct nf_chain_names *n, int t, const char *name)
{
	return n->any || names_builtin(n, t, name) || g_hash_table_contains(n->user[t], name);
}

/* The checks of do_commandx (and of the nft backend behind it) that depend
 * only on which chains exist, in the order iptables makes them, with its
 * texts and exit statuses (worded for iptables or for a line of
 * iptables-restore). A command that does not parse is left to the dry run,
 * which reports it. */
static int ipt_chains_check(struct nf_chain_names *n, int argc, char **argv, int default_table,
			    const struct ipt_ctx *xp, GString *err)
{
	const struct ipt_ctx x = *xp;
	struct ipt_cmd cmd;
	GString *msg = g_string_new(NULL);
	bool noprefix;
	int rc = ipt_parse(argc, argv, default_table, &cmd, msg, &noprefix);
	g_string_free(msg, TRUE);
	if (rc || cmd.table < 0 || !strchr("ADdIRCLSFZNXEP", cmd.cmd)) {
		ipt_cmd_clear(&cmd);
		return 0;
	}
	int t = cmd.table;
	const char *chain = cmd.chain;
	rc = 0;
	switch (cmd.cmd) {
	case 'L':
	case 'S':
		if (chain && !names_may_exist(n, t, chain)) {
			g_string_append_printf(err, "%s " IPT_VERSION ": chain `%s' in table `%s' "
					       "is incompatible, use 'nft' tool.\n", x.prog, chain,
					       ipt_table_name(t));
			rc = 1;
		}
		break;
	case 'F':
	case 'Z':
	case 'X':
		if (chain && !names_may_exist(n, t, chain))
			rc = ipt_err_runtime(&x, err, "No chain/target/match by that name.");
		break;
	case 'N':
		if (names_builtin(n, t, chain))
			rc = ipt_err_runtime(&x, err, "Chain already exists.");
		else
			g_hash_table_add(n->user[t], g_strdup(chain));
		break;
	case 'E':
		if (!names_may_exist(n, t, chain))
			rc = ipt_err_runtime(&x, err, "No chain/target/match by that name.");
		else
			g_hash_table_add(n->user[t], g_strdup(cmd.arg2));
		break;
	case 'P':
		if (!names_builtin(n, t, chain))
			rc = ipt_err_runtime(&x, err, "Bad built-in chain name.");
		else if (strcmp(cmd.arg2, "ACCEPT") != 0 && strcmp(cmd.arg2, "DROP") != 0)
			rc = ipt_err_runtime(&x, err, "Bad policy name. Run `dmesg' for more information.");
		break;
	default: /* A D d I R C: the jump target first, then the chain */
		if (cmd.jump_name && !names_may_exist(n, t, cmd.jump_name)) {
			GString *m = g_string_new(NULL);
			g_string_printf(m, "Chain '%s' does not exist", cmd.jump_name);
			ipt_err_param(&x, err, m->str, false);
			g_string_free(m, TRUE);
			rc = 2;
		} else if (!names_may_exist(n, t, chain)) {
			rc = ipt_err_runtime(&x, err, (cmd.cmd == 'D' || cmd.cmd == 'C')
					     ? "Bad rule (does a matching rule exist in that chain?)."
					     : "No chain/target/match by that name.");
		}
		break;
	}
	ipt_cmd_clear(&cmd);
	return rc;
}

int nf_cmd_iptables_chains(struct nf_chain_names *n, int argc, char **argv, GString *err)
{
	static const struct ipt_ctx x = { "iptables", 0 };
	return ipt_chains_check(n, argc, argv, IPT_FILTER, &x, err);
}

/* ----- iptables-save ----- */

void ipt_date(nf_time now, char buf[64])
{
	/* asctime's layout; GLib's %e pads with U+2007, so format by hand */
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	GDateTime *dt = g_date_time_new_from_unix_utc(now / 1000000000LL);
	g_snprintf(buf, 64, "%s %s %2d %02d:%02d:%02d %d", days[g_date_time_get_day_of_week(dt) - 1],
		   months[g_date_time_get_month(dt) - 1], g_date_time_get_day_of_month(dt),
		   g_date_time_get_hour(dt), g_date_time_get_minute(dt), g_date_time_get_second(dt),
		   g_date_time_get_year(dt));
	g_date_time_unref(dt);
}

int nf_cmd_iptables_save_at(struct nf_ns *ns, int argc, char **argv, GString *out, GString *err,
			    nf_time now)
{
	/* the nf_tables backend's order: mangle, security, raw, filter, nat */
	static const enum ipt_table_id order[] = { IPT_MANGLE, IPT_SECURITY, IPT_RAW, IPT_FILTER,
						   IPT_NAT };
	bool counters = false;
	int only = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-c") == 0 || strcmp(a, "--counters") == 0) {
			counters = true;
		} else if ((strcmp(a, "-t") == 0 || strcmp(a, "--table") == 0) && i + 1 < argc) {
			only = ipt_table_by_name(argv[++i]);
			if (only < 0 && ipt_table_is_real(argv[i])) {
				int rc = natsim_unimpl(err, "the %s table", argv[i]);
				g_string_append_c(err, '\n');
				return rc;
			}
			if (only < 0) {
				/* iptables-save 1.8.9 (nft): no program prefix here */
				g_string_append_printf(err, "Table `%s' does not exist\n", argv[i]);
				return 1;
			}
		} else if (strncmp(a, "-t", 2) == 0 && a[2]) {
			only = ipt_table_by_name(a + 2);
			if (only < 0 && ipt_table_is_real(a + 2)) {
				int rc = natsim_unimpl(err, "the %s table", a + 2);
				g_string_append_c(err, '\n');
				return rc;
			}
			if (only < 0) {
				/* iptables-save 1.8.9 (nft): no program prefix here */
				g_string_append_printf(err, "Table `%s' does not exist\n", a + 2);
				return 1;
			}
		} else if (a[0] != '-' || !a[1]) {
			g_string_append(err, "Unknown arguments found on commandline\n");
			return 1;
		} else {
			/* getopt_long's words, then iptables-save's exit(1) */
			if (a[1] == '-')
				g_string_append_printf(err, "iptables-save: unrecognized option '%s'\n", a);
			else
				g_string_append_printf(err, "iptables-save: invalid option -- '%c'\n", a[1]);
			g_string_append(err, "Look at manual page `iptables-save.8' for more information.\n");
			return 1;
		}
	}
	char date[64];
	ipt_date(now, date);
	for (unsigned k = 0; k < G_N_ELEMENTS(order); k++) {
		struct ipt_table *t = &ns->ipt->tables[order[k]];
		if (only >= 0 && (int)order[k] != only)
			continue;
		if (ns->xt_claim)
			ns->xt_claim(ns, (int)order[k], false, err);
		if (!t->touched)
			continue;
		ipt_print_save(t, counters, date, out);
	}
	return 0;
}

int nf_cmd_iptables_save(struct nf_ns *ns, int argc, char **argv, GString *out, GString *err)
{
	return nf_cmd_iptables_save_at(ns, argc, argv, out, err, 0);
}

/* ----- iptables-restore ----- */

/* add_param_to_argv: split on blanks, "double quotes" group, \" escapes. */
gchar **ipt_split_line(const char *line, bool *ok)
{
	GPtrArray *v = g_ptr_array_new();
	g_ptr_array_add(v, g_strdup("iptables"));
	GString *cur = NULL;
	bool quoted = false;
	*ok = true;
	for (const char *p = line;; p++) {
		char ch = *p;
		if (!ch) {
			if (quoted)
				*ok = false;
			if (cur)
				g_ptr_array_add(v, g_string_free(cur, FALSE));
			break;
		}
		if (quoted) {
			if (ch == '\\' && (p[1] == '"' || p[1] == '\\')) {
				g_string_append_c(cur, *++p);
			} else if (ch == '"') {
				quoted = false;
			} else {
				g_string_append_c(cur, ch);
			}
			continue;
		}
		if (ch == ' ' || ch == '\t') {
			if (cur) {
				g_ptr_array_add(v, g_string_free(cur, FALSE));
				cur = NULL;
			}
			continue;
		}
		if (!cur)
			cur = g_string_new(NULL);
		if (ch == '"')
			quoted = true;
		else
			g_string_append_c(cur, ch);
	}
	g_ptr_array_add(v, NULL);
	return (gchar **)g_ptr_array_free(v, FALSE);
}

/* Parse "[P:B]" into counters. */
static bool ipt_parse_counters(const char *s, uint64_t *p, uint64_t *b)
{
	unsigned long long pp, bb;
	char tail;
	if (sscanf(s, "[%llu:%llu%c", &pp, &bb, &tail) != 3 || tail != ']')
		return false;
	*p = pp;
	*b = bb;
	return true;
}

/* A rule line of iptables-restore whose -j/-g chain does not exist when the
 * line is read (in the table, or in `names` for a validation): its name, or
 * NULL. The nft backend resolves the jump there but reports the missing
 * chain only at COMMIT, as a parameter problem at the COMMIT line. */
static char *ipt_restore_missing_jump(struct nf_ns *ns, struct nf_chain_names *names, int table,
				      int ac, char **av)
{
	struct ipt_cmd cmd;
	GString *msg = g_string_new(NULL);
	bool noprefix;
	char *missing = NULL;
	if (ipt_parse(ac, av, table, &cmd, msg, &noprefix) == 0 && cmd.jump_name &&
	    cmd.table == table && strchr("AIR", cmd.cmd)) {
		const char *j = cmd.jump_name;
		struct ipt_chain *c = names ? NULL : ipt_chain_find(&ns->ipt->tables[table], j);
		bool exists = names ? names_may_exist(names, table, j) && !names_builtin(names, table, j)
				    : c && !c->builtin;
		if (!exists)
			missing = g_strdup(j);
	}
	g_string_free(msg, TRUE);
	ipt_cmd_clear(&cmd);
	return missing;
}

int nf_cmd_iptables_restore_args(struct nf_ns *ns, int argc, char **argv, const char *text,
				 GString *out, GString *err, bool dry_run, nf_time now)
{
	bool noflush = false, counters = false, test = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-n") == 0 || strcmp(a, "--noflush") == 0)
			noflush = true;
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--counters") == 0)
			counters = true;
		else if (strcmp(a, "-t") == 0 || strcmp(a, "--test") == 0)
			test = true;
		else if (strcmp(a, "-w") == 0 || strcmp(a, "--wait") == 0 || strcmp(a, "-v") == 0 ||
			 strcmp(a, "--verbose") == 0) {
			/* accepted, nothing to do */
		} else {
			g_string_append_printf(err, "iptables-restore " IPT_VERSION ": unknown option \"%s\"\n"
					       "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
					       a);
			return 2;
		}
	}
	bool scratch = dry_run || test; /* validate only */
	/* A validation without --noflush knows every chain a table will have:
	 * its built-ins and the ones the file declares before using them. */
	struct nf_chain_names *names = scratch && !noflush ? nf_chain_names_new() : NULL;
	char *missing_jump = NULL; /* reported at COMMIT */
	gchar **lines = g_strsplit(text ? text : "", "\n", -1);
	int table = -1, rc = 0, lineno = 0;
	struct ipt_table snapshot = { 0 };
	bool have_snapshot = false;
	for (unsigned i = 0; lines[i] && !rc; i++) {
		lineno = (int)i + 1;
		char *line = lines[i];
		g_strchomp(line);
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#') {
			if (!lines[i + 1] && !*p)
				lineno--; /* the empty string after the final newline */
			continue;
		}
		struct ipt_ctx x = { "iptables-restore", lineno };
		if (*p == '*') {
			if (table >= 0) {
				g_string_append_printf(err, "Bad argument `%s'\n", p);
				g_string_append_printf(err, "Error occurred at line: %d\n", lineno);
				g_string_append(err, "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n");
				rc = 2;
				break;
			}
			table = ipt_table_by_name(p + 1);
			if (table < 0) {
				GString *m = g_string_new(NULL);
				if (ipt_table_is_real(p + 1)) {
					rc = natsim_unimpl(m, "the %s table", p + 1);
				} else {
					g_string_printf(m, "iptables-restore: line %d table name '%s' invalid",
							lineno, p + 1);
					rc = 2;
				}
				ipt_err_param(&x, err, m->str, false);
				g_string_free(m, TRUE);
				break;
			}
			if (names)
				g_hash_table_remove_all(names->user[table]);
			/* nft's table of this name becomes ours (then, without
			 * --noflush, is remade as Linux deletes and remakes it) */
			if (!scratch && ns->xt_claim && !ns->ipt->legacy) {
				rc = ns->xt_claim(ns, table, true, err);
				if (rc)
					break;
			}
			if (!scratch) {
				struct ipt_table *t = &ns->ipt->tables[table];
				ipt_table_copy(&snapshot, t);
				have_snapshot = true;
				if (table == IPT_NAT)
					ipt_nat_load(ns);
				if (!noflush) {
					ipt_table_nft_reset(t);
					for (unsigned k = 0; k < t->chains->len; k++)
						ipt_chain_flush(t->chains->pdata[k]);
					for (unsigned k = t->chains->len; k-- > 0;) {
						struct ipt_chain *c = t->chains->pdata[k];
						if (!c->builtin)
							ipt_chain_del(t, c);
					}
				}
				t->touched = true;
			}
			continue;
		}
		if (strcmp(p, "COMMIT") == 0) {
			if (table < 0) {
				g_string_append_printf(err, "iptables-restore: line %d failed\n", lineno);
				rc = 1;
				break;
			}
			if (missing_jump) {
				GString *m = g_string_new(NULL);
				g_string_printf(m, "Chain '%s' does not exist", missing_jump);
				ipt_err_param(&x, err, m->str, false);
				g_string_free(m, TRUE);
				rc = 2;
				break; /* the table is rolled back below */
			}
			table = -1;
			if (have_snapshot) {
				ipt_table_clear(&snapshot);
				have_snapshot = false;
			}
			continue;
		}
		if (table < 0) {
			g_string_append_printf(err, "iptables-restore: line %d failed\n", lineno);
			rc = 1;
			break;
		}
		if (*p == ':') {
			gchar **f = g_strsplit_set(p + 1, " \t", -1);
			/* ":" alone splits into no fields at all */
			const char *name = f[0], *policy = name ? f[1] : NULL;
			uint64_t pk = 0, by = 0;
			if (!name || !*name || !policy) {
				g_string_append_printf(err, "iptables-restore: line %d failed\n", lineno);
				rc = 1;
			} else if (names) {
				g_hash_table_add(names->user[table], g_strdup(name));
			} else if (!scratch) {
				struct ipt_table *t = &ns->ipt->tables[table];
				struct ipt_chain *c = ipt_chain_find(t, name);
				if (f[2])
					ipt_parse_counters(f[2], &pk, &by);
				if (c && c->builtin) {
					if (strcmp(policy, "ACCEPT") == 0)
						c->policy = NF_ACCEPT;
					else if (strcmp(policy, "DROP") == 0)
						c->policy = NF_DROP;
					else
						rc = ipt_err_runtime(&x, err, "Bad policy name.");
					ipt_chain_nft_make(t, c);
					c->stats = true;	/* sent with counters */
					if (counters) {
						c->packets = pk;
						c->bytes = by;
					}
				} else if (c) {
					ipt_chain_flush(c);
				} else {
					ipt_chain_nft_make(t, ipt_chain_add(t, name));
				}
			}
			g_strfreev(f);
			continue;
		}
		bool ok;
		uint64_t pk = 0, by = 0;
		bool has_counters = false;
		if (*p == '[') {
			char *end = strchr(p, ']');
			if (end && ipt_parse_counters(p, &pk, &by)) {
				has_counters = true;
				p = end + 1;
			}
		}
		gchar **av = ipt_split_line(p, &ok);
		int ac = (int)g_strv_length(av);
		if (!ok) {
			g_string_append_printf(err, "iptables-restore: line %d failed\n", lineno);
			rc = 1;
		} else {
			GString *o2 = g_string_new(NULL);
			if (counters && has_counters) {
				/* append "-c P B" so the parser sets the counters */
				gchar **av2 = g_new0(gchar *, (gsize)ac + 4);
				for (int k = 0; k < ac; k++)
					av2[k] = av[k];
				av2[ac] = g_strdup("-c");
				av2[ac + 1] = g_strdup_printf("%" G_GUINT64_FORMAT, pk);
				av2[ac + 2] = g_strdup_printf("%" G_GUINT64_FORMAT, by);
				g_free(av);
				av = av2;
				ac += 3;
			}
			char *missing = ipt_restore_missing_jump(ns, names, table, ac, av);
			if (!missing) /* else the line is not applied; the first is reported */
				rc = ipt_run(ns, ac, av, table, counters, o2, err, scratch, now, &x);
			else if (!missing_jump)
				missing_jump = missing;
			else
				g_free(missing);
			if (!rc && !missing && names)
				rc = ipt_chains_check(names, ac, av, table, &x, err);
			g_string_append(out, o2->str);
			g_string_free(o2, TRUE);
		}
		g_strfreev(av);
	}
	if (!rc && table >= 0) {
		g_string_append_printf(err, "iptables-restore: COMMIT expected at line %d\n", lineno + 1);
		rc = 1;
	}
	if (rc && have_snapshot && table >= 0) {
		ipt_table_clear(&ns->ipt->tables[table]);
		ns->ipt->tables[table] = snapshot;
		have_snapshot = false;
	}
	if (have_snapshot)
		ipt_table_clear(&snapshot);
	nf_chain_names_free(names);
	g_free(missing_jump);
	g_strfreev(lines);
	ipt_tables_sync_ops(ns);
	return rc;
}

int nf_cmd_iptables_restore(struct nf_ns *ns, const char *text, GString *out, GString *err,
			    bool dry_run, nf_time now)
{
	char *argv[] = { (char *)"iptables-restore", NULL };
	return nf_cmd_iptables_restore_args(ns, 1, argv, text, out, err, dry_run, now);
}
