/* nft_monitor.c - what a running `nft monitor` shows: the router's
 * nf_tables trace lines (packets marked with `meta nftrace set 1`) and its
 * ruleset's change events, as command output while it runs; and `nft -e`'s
 * echo of what a command added.
 *
 * Design: as ct_events.c for `conntrack -E`: the command leaves a marker
 * in the node's file store (NFT_MONITOR_TRACE for trace lines,
 * NFT_MONITOR_EVENTS with one line per running event monitor; under /run:
 * a reboot ends them). Trace lines come from the trace probe. Events: a
 * command that can change nf_tables (nft, iptables-nft) is wrapped in
 * nft_events_begin/end, which compare the namespace's objects before and
 * after it (nf_nft_events) only when someone listens, so no command pays
 * for it otherwise. nft prints nothing when the monitor is stopped.
 *
 * Each event monitor keeps nft 1.0.6's set cache (monitor.c's
 * netlink_events_cache_*): the named sets it knew at its start and those
 * it saw made; it forgets the sets a deleted rule named
 * (netlink_events_cache_delsets), and then an element event of such a set
 * is nft's warning on stderr instead of its line.
 *
 * The generation line (`# new generation N by process PID (COMM)`) of a
 * plain `nft monitor` and of `nft -e`: N counts the node's committed
 * batches from 1 at boot (counted for commands whose events nobody
 * watched too: nft's changing commands, iptables' changing options); PID
 * is the node's next process id (journal_new_pid: 700, 701, ... from
 * boot), COMM the program's name cut to 15 bytes as the kernel keeps it.
 */
#include <string.h>

#include "nat/nf.h"
#include "sim/shell/cmd.h"
#include "sim/shell/journal.h"
#include "sim/shell/shell_state.h"

static void nft_monitor_on_trace(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	if (n->shell && g_hash_table_lookup(n->shell->files, NFT_MONITOR_TRACE))
		probe_fire_output(&w->probes, n, t, line, PROBE_STDOUT);
}

void nft_monitor_subscribe(struct world *w)
{
	probe_add_line(&w->probes, PROBE_NFT_TRACE, nft_monitor_on_trace, w);
}

/* ----- event monitors ----- */

/* A monitor's line in NFT_MONITOR_EVENTS: "EVENT|OBJECT|H|SETKEY|SETKEY...",
 * EVENT any, new or destroy; OBJECT any, tables, chains, sets, rules,
 * elements or ruleset; H 1 for -a. */
struct mon {
	char event[8], object[10];
	bool handles;
	GHashTable *sets;	/* the cache's set keys */
};

static const char *const mon_objects[] = { "tables", "chains", "sets", "rules", "elements",
					   "ruleset" };

bool nft_monitor_object(const char *w)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(mon_objects); i++)
		if (!strcmp(w, mon_objects[i]))
			return true;
	return false;
}

static struct mon *mon_parse(const char *line)
{
	char **f = g_strsplit(line, "|", -1);
	if (g_strv_length(f) < 3) {
		g_strfreev(f);
		return NULL;
	}
	struct mon *m = g_new0(struct mon, 1);
	g_strlcpy(m->event, f[0], sizeof(m->event));
	g_strlcpy(m->object, f[1], sizeof(m->object));
	m->handles = !strcmp(f[2], "1");
	m->sets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (unsigned i = 3; f[i]; i++)
		if (*f[i])
			g_hash_table_add(m->sets, g_strdup(f[i]));
	g_strfreev(f);
	return m;
}

static void mon_write(GString *out, const struct mon *m)
{
	g_string_append_printf(out, "%s|%s|%d", m->event, m->object, m->handles);
	GList *keys = g_list_sort(g_hash_table_get_keys(m->sets), (GCompareFunc)strcmp);
	for (GList *l = keys; l; l = l->next)
		g_string_append_printf(out, "|%s", (const char *)l->data);
	g_list_free(keys);
	g_string_append_c(out, '\n');
}

static void mon_free(struct mon *m)
{
	g_hash_table_destroy(m->sets);
	g_free(m);
}

/* do_command_monitor's monitor_flags: which events a monitor prints. A
 * plain `nft monitor` prints everything, `new`/`destroy` alone no
 * stateful objects (nft 1.0.6's table leaves NEWOBJ/DELOBJ out), `ruleset`
 * every kind. */
static bool mon_wants(const struct mon *m, const struct nf_nft_event *e)
{
	if (!strcmp(m->event, "new") && !e->add)
		return false;
	if (!strcmp(m->event, "destroy") && e->add)
		return false;
	if (!strcmp(m->object, "any"))
		return e->kind != NF_NFT_EV_OBJ || !strcmp(m->event, "any");
	static const char *const kinds[] = { "tables", "chains", NULL, "sets", "elements", "rules" };
	if (!strcmp(m->object, "ruleset"))
		return true;
	return kinds[e->kind] && !strcmp(kinds[e->kind], m->object);
}

static void say(struct cmd_ctx *c, const char *text, enum probe_stream stream)
{
	probe_fire_output(&c->w->probes, c->node, c->w->now, text, stream);
}

/* One event through one monitor: its cache, then its line. */
static void mon_event(struct cmd_ctx *c, struct mon *m, const struct nf_nft_event *e)
{
	bool wants = mon_wants(m, e);
	if (e->kind == NF_NFT_EV_ELEM && !g_hash_table_contains(m->sets, e->set)) {
		if (e->add)
			say(c, "W: Unable to cache set_elem. Set not found.\n", PROBE_STDERR);
		if (wants)
			say(c, "W: Received event for an unknown set.\n", PROBE_STDERR);
		return;
	}
	if (e->kind == NF_NFT_EV_SET) {
		if (e->add)
			g_hash_table_add(m->sets, g_strdup(e->set));
		else
			g_hash_table_remove(m->sets, e->set);
	}
	if (e->kind == NF_NFT_EV_RULE && !e->add && e->refs) {
		char **r = g_strsplit(e->refs, "\n", -1);
		for (unsigned i = 0; r[i]; i++)
			g_hash_table_remove(m->sets, r[i]);
		g_strfreev(r);
	}
	if (!wants)
		return;
	char *line = g_strdup_printf("%s\n", m->handles ? e->line_h : e->line);
	say(c, line, PROBE_STDOUT);
	g_free(line);
}

static GString *events_file(struct node *n)
{
	return n->shell ? g_hash_table_lookup(n->shell->files, NFT_MONITOR_EVENTS) : NULL;
}

/* `nft [-a] monitor [new|destroy] [OBJECT]`: from now on, this node's
 * changes are shown. */
void nft_monitor_start(struct cmd_ctx *c, const char *event, const char *object, bool handles)
{
	struct shell_state *sh = shell_state(c->node);
	GString *f = events_file(c->node);
	if (!f) {
		f = g_string_new(NULL);
		g_hash_table_insert(sh->files, g_strdup(NFT_MONITOR_EVENTS), f);
	}
	struct nf_nft_snap *s = nf_nft_snapshot(c->node->nf);
	GString *sets = g_string_new(NULL);
	nf_nft_snapshot_sets(s, sets);
	g_strdelimit(sets->str, "\n", '|');
	g_string_append_printf(f, "%s|%s|%d|%s\n", event, object, handles, sets->str);
	g_string_free(sets, TRUE);
	nf_nft_snapshot_free(s);
}

struct nf_nft_snap *nft_events_begin(struct cmd_ctx *c, bool echo)
{
	if (c->dry_run || !c->node->nf || (!echo && !events_file(c->node)))
		return NULL;
	return nf_nft_snapshot(c->node->nf);
}

static unsigned next_gen(struct node *n)
{
	struct shell_state *sh = shell_state(n);
	if (!sh->nft_gen)
		sh->nft_gen = 1;	/* a new namespace's generation */
	return ++sh->nft_gen;
}

/* A base chain event's line with its policy made accept. */
static char *policy_accept(const char *line)
{
	const char *pol = strstr(line, "; policy ");
	const char *end = pol ? strstr(pol, " }") : NULL;
	if (!end)
		return g_strdup(line);
	return g_strdup_printf("%.*s; policy accept;%s", (int)(pol - line), line, end);
}

/* iptables-nft's batches hold more than their changes
 * (nft_chain_builtin_add, nft_chain_zero_counters): a base chain it makes
 * for -P or a restore's policy line is sent twice, first with policy
 * accept; -Z [CHAIN] sends the table's base chains again (a user chain's
 * -Z sends nothing). Measured with iptables 1.8.9 on Linux 6.18. */
static void ipt_batch_events(GPtrArray *evs, const struct nf_nft_snap *after, int argc,
			     char **argv, bool restore)
{
	const char *table = "filter", *zero = NULL;
	bool policy = restore, zeroing = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-t") || !strcmp(a, "--table")) && i + 1 < argc)
			table = argv[++i];
		else if (!strncmp(a, "-t", 2) && a[2] && a[2] != '-')
			table = a + 2;
		else if (!strcmp(a, "-P") || !strcmp(a, "--policy"))
			policy = true;
		else if (!strcmp(a, "-Z") || !strcmp(a, "--zero")) {
			zeroing = true;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				zero = argv[i + 1];
		}
	}
	for (unsigned i = 0; policy && i < evs->len; i++) {
		const struct nf_nft_event *e = evs->pdata[i];
		if (e->kind != NF_NFT_EV_CHAIN || !e->add || e->replace || !strstr(e->line, "; policy "))
			continue;
		struct nf_nft_event *first = g_new0(struct nf_nft_event, 1);
		first->kind = e->kind;
		first->add = true;
		first->line = policy_accept(e->line);
		first->line_h = policy_accept(e->line_h);
		g_ptr_array_insert(evs, (gint)i, first);
		i++;
	}
	if (!zeroing || evs->len)
		return;
	GPtrArray *chains = nf_nft_base_chains(after, table);
	char *want = zero ? g_strdup_printf("add chain ip %s %s {", table, zero) : NULL;
	while (chains->len) {
		struct nf_nft_event *e = g_ptr_array_steal_index(chains, 0);
		if (!want || g_str_has_prefix(e->line, want))
			g_ptr_array_add(evs, e);
		else
			nf_nft_event_free(e);
	}
	g_free(want);
	g_ptr_array_free(chains, TRUE);
}

void nft_events_end(struct cmd_ctx *c, struct nf_nft_snap *before, int rc, bool changing,
		    bool echo, bool handles, const char *comm, int argc, char **argv)
{
	if (c->dry_run)
		return;
	if (!before) {
		if (rc == 0 && changing)
			next_gen(c->node);
		return;
	}
	struct nf_nft_snap *after = nf_nft_snapshot(c->node->nf);
	GPtrArray *evs = rc == 0 ? nf_nft_events(before, after) : g_ptr_array_new();
	if (rc == 0 && g_str_has_prefix(comm, "iptables"))
		ipt_batch_events(evs, after, argc, argv, !strcmp(comm, "iptables-restore"));
	nf_nft_snapshot_free(after);
	nf_nft_snapshot_free(before);
	if (!evs->len) {
		g_ptr_array_free(evs, TRUE);
		return;
	}
	unsigned gen = next_gen(c->node);
	char *gen_line = g_strdup_printf("# new generation %u by process %d (%.15s)\n", gen,
					 journal_new_pid(c->node), comm);
	if (echo) {
		/* nft -e: the kernel echoes what the batch added (a replaced
		 * rule: its DELRULE and NEWRULE) */
		bool any = false;
		for (unsigned i = 0; i < evs->len; i++) {
			const struct nf_nft_event *e = evs->pdata[i];
			if (e->add || e->replace) {
				g_string_append_printf(c->out, "%s\n", handles ? e->line_h : e->line);
				any = true;
			}
		}
		if (any)
			g_string_append(c->out, gen_line);
	}
	GString *f = events_file(c->node);
	if (f && f->len) {
		GString *kept = g_string_new(NULL);
		char **lines = g_strsplit(f->str, "\n", -1);
		for (unsigned i = 0; lines[i]; i++) {
			struct mon *m = *lines[i] ? mon_parse(lines[i]) : NULL;
			if (!m)
				continue;
			for (unsigned k = 0; k < evs->len; k++)
				mon_event(c, m, evs->pdata[k]);
			if (!strcmp(m->event, "any") && !strcmp(m->object, "any"))
				say(c, gen_line, PROBE_STDOUT);
			mon_write(kept, m);
			mon_free(m);
		}
		g_strfreev(lines);
		g_string_assign(f, kept->str);
		g_string_free(kept, TRUE);
	}
	g_free(gen_line);
	g_ptr_array_free(evs, TRUE);
}
