/* nft_print.c - `nft list`: the ruleset as nft 1.0.6 prints it.
 *
 * Design: one function per object, each writing the exact text of nft's
 * netlink-to-text path (rule.c's table_print/chain_print/set_print and
 * statement.c's *_stmt_print), tabs and all; the objects already hold the
 * normalised form (nft_expr.c), so printing never decides anything but
 * layout. Priorities print by name (or name +- offset up to 10), as
 * prio2str does for the hook's standard priorities.
 */
#include <string.h>

#include "nat/nftables/nft_ct.h"
#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_payload.h"
#include "nat/nftables/nft_mark_expr.h"

static const char *const hooks[] = { "prerouting", "input", "forward", "output", "postrouting" };

const char *nft_family_name(enum nft_family f)
{
	return f == NFT_FAMILY_IP ? "ip" : "inet";
}

const char *nft_hook_name(int hook)
{
	return hook >= 0 && hook < 5 ? hooks[hook] : "?";
}

/* std_prios of nft's rule.c for ip/inet, with the hooks they apply to */
static void print_prio(GString *s, int hook, int prio, bool numeric)
{
	static const struct { const char *name; int v; int hook; } std[] = {
		{ "raw", -300, -1 }, { "mangle", -150, -1 }, { "dstnat", -100, 0 },
		{ "filter", 0, -1 }, { "security", 50, -1 }, { "srcnat", 100, 4 },
	};
	for (unsigned i = 0; !numeric && i < G_N_ELEMENTS(std); i++) {
		if (std[i].hook >= 0 && std[i].hook != hook)
			continue;
		int64_t off = (int64_t)prio - std[i].v;	/* prio may be INT_MIN */
		if (off == 0) {
			g_string_append(s, std[i].name);
			return;
		}
		if (off >= -10 && off <= 10) {
			g_string_append_printf(s, "%s %c %d", std[i].name, off < 0 ? '-' : '+',
					       (int)(off < 0 ? -off : off));
			return;
		}
	}
	g_string_append_printf(s, "%d", prio);
}

void nft_print_prio(GString *s, int hook, int prio, bool numeric)
{
	print_prio(s, hook, prio, numeric);
}

/* A key as nft lists it; numgen's with its parameters. */
static void print_key(GString *s, const struct nft_expr *e, const struct nft_key *k)
{
	if (k->id == NFT_K_JHASH || k->id == NFT_K_SYMHASH) {
		nft_print_hash(s, e, k);
		return;
	}
	if (k->id != NFT_K_NUMGEN) {
		g_string_append(s, k->name);
		return;
	}
	g_string_append_printf(s, "numgen %s mod %u", e->ng_mode == NFT_NG_INC ? "inc" : "random",
			       e->ng_mod);
	if (e->ng_off)
		g_string_append_printf(s, " offset %u", e->ng_off);
}

static void print_keys(GString *s, const struct nft_expr *e);

void nft_print_dynset_keys(GString *s, const struct nft_expr *e)
{
	print_keys(s, e);
}

/* KEY [. KEY]... */
static void print_keys(GString *s, const struct nft_expr *e)
{
	if (!e->n_map_keys) {
		print_key(s, e, e->key);
		return;
	}
	for (unsigned i = 0; i < e->n_map_keys; i++) {
		if (i)
			g_string_append(s, " . ");
		print_key(s, e, e->map_keys[i]);
		if (e->key_masked & (1u << i)) {
			g_string_append(s, " & ");
			nft_print_ipv4(s, e->key_mask[i]);
		}
	}
}

static void print_match(GString *s, const struct nft_expr *e, bool numeric)
{
	if (!e->n_map_keys && nft_payload_raw_sub(e->key)) {
		nft_payload_print_sub(s, e);
		return;
	}
	print_keys(s, e);
	g_string_append_c(s, ' ');
	if (e->and_form) {
		struct nft_elem m = { e->mask, e->mask, -1, NULL, false };
		g_string_append(s, "& ");
		nft_print_elem(s, e->key->dtype, &m, numeric);
		g_string_append(s, e->neq ? " != " : " == ");
		nft_print_elem(s, e->key->dtype, &g_array_index(e->elems, struct nft_elem, 0), numeric);
		return;
	}
	if (e->cmp_op) {
		g_string_append_printf(s, "%s ", nft_cmp_op_text(e->cmp_op));
		nft_print_elem(s, e->key->dtype, &g_array_index(e->elems, struct nft_elem, 0), numeric);
		return;
	}
	if (e->exact) {
		const struct nft_elem *v = &g_array_index(e->elems, struct nft_elem, 0);
		g_string_append(s, e->neq ? "!= " : "== ");
		if (!(v->lo & (v->lo - 1))) {
			nft_print_elem(s, e->key->dtype, v, numeric);
		} else if (e->key->dtype == NFT_DT_TCPFLAG) {
			g_string_append_printf(s, "0x%x", v->lo);
		} else {
			/* nft's binop of the bits: `established | related` */
			for (uint32_t b = 1, first = 1; b; b <<= 1)
				if (v->lo & b) {
					struct nft_elem one = { b, b, -1, NULL, false };
					if (!first)
						g_string_append(s, " | ");
					nft_print_elem(s, e->key->dtype, &one, numeric);
					first = 0;
				}
		}
		return;
	}
	if (e->not_form) {
		struct nft_elem m = { e->mask, e->mask, -1, NULL, false };
		g_string_append(s, e->neq ? "!= " : "! ");
		nft_print_elem(s, e->key->dtype, &m, numeric);
		return;
	}
	if (e->neq)
		g_string_append(s, "!= ");
	if (e->vmap)
		g_string_append(s, "vmap ");
	if (e->set_ref) {
		g_string_append_printf(s, "@%s", e->set_ref);
		return;
	}
	if (e->anon) {
		nft_print_set_elems(s, e->anon, true, numeric);
		return;
	}
	if (e->is_set)
		g_string_append(s, "{ ");
	for (unsigned i = 0; i < e->elems->len; i++) {
		if (i)
			g_string_append(s, ", ");
		nft_print_elem(s, e->key->dtype, &g_array_index(e->elems, struct nft_elem, i), numeric);
	}
	if (e->is_set)
		g_string_append(s, " }");
	if (e->has_mask) {
		struct nft_elem m = { e->mask, e->mask, -1, NULL, false };
		g_string_append(s, " / ");
		nft_print_elem(s, e->key->dtype, &m, numeric);
	}
}

static void print_nat(GString *s, const struct nft_expr *e, enum nft_family fam, bool numeric)
{
	static const char *const names[] = { "snat", "dnat", "masquerade", "redirect" };
	g_string_append(s, names[e->nat]);
	if (e->nat_ip && (fam == NFT_FAMILY_INET || (e->anon && e->anon->data_types->len > 1) ||
			  (e->set_ref && e->has_port)))
		g_string_append(s, " ip");
	if (e->anon) {
		g_string_append(s, " to ");
		print_keys(s, e);
		g_string_append(s, " map ");
		nft_print_set_elems(s, e->anon, true, numeric);
		const struct nft_expr *pm = e->nat_port;
		if (pm && pm->anon) {
			g_string_append_c(s, ':');
			print_keys(s, pm);
			g_string_append(s, " map ");
			nft_print_set_elems(s, pm->anon, true, numeric);
		} else if (pm) {
			g_string_append_printf(s, ":%u", pm->port_lo);
			if (pm->port_hi != pm->port_lo)
				g_string_append_printf(s, "-%u", pm->port_hi);
		}
	} else if (e->set_ref) {
		g_string_append(s, " to ");
		print_keys(s, e);
		g_string_append_printf(s, " map @%s", e->set_ref);
	} else if (e->has_addr || e->has_port) {
		g_string_append(s, " to ");
		if (e->has_addr) {
			nft_print_ipv4(s, e->addr_lo);
			if (e->addr_hi != e->addr_lo) {
				g_string_append_c(s, '-');
				nft_print_ipv4(s, e->addr_hi);
			}
		}
		if (e->has_port) {
			g_string_append_printf(s, ":%u", e->port_lo);
			if (e->port_hi != e->port_lo)
				g_string_append_printf(s, "-%u", e->port_hi);
		}
	}
	/* nat_stmt_print: the flags as one comma-separated list */
	const char *sep = " ";
	if (e->nat_flags & NFT_NAT_RANDOM) {
		g_string_append_printf(s, "%srandom", sep);
		sep = ",";
	}
	if (e->nat_flags & NFT_NAT_FULLY_RANDOM) {
		g_string_append_printf(s, "%sfully-random", sep);
		sep = ",";
	}
	if (e->nat_flags & NFT_NAT_PERSISTENT)
		g_string_append_printf(s, "%spersistent", sep);
}

/* `with icmp CODE`: -n prints the code's number */
static void print_reject(GString *s, const char *how, bool numeric)
{
	static const struct { const char *n; int v; } codes[] = {
		{ "icmp net-unreachable", 0 }, { "icmp host-unreachable", 1 },
		{ "icmp prot-unreachable", 2 }, { "icmp port-unreachable", 3 },
		{ "icmp net-prohibited", 9 }, { "icmp host-prohibited", 10 },
		{ "icmp admin-prohibited", 13 }, { "icmpx no-route", 0 },
		{ "icmpx port-unreachable", 1 }, { "icmpx host-unreachable", 2 },
		{ "icmpx admin-prohibited", 3 }, { "icmpv6 no-route", 0 },
		{ "icmpv6 admin-prohibited", 1 }, { "icmpv6 addr-unreachable", 3 },
		{ "icmpv6 port-unreachable", 4 }, { "icmpv6 policy-fail", 5 },
		{ "icmpv6 reject-route", 6 } };
	for (unsigned i = 0; numeric && i < G_N_ELEMENTS(codes); i++)
		if (!strcmp(how, codes[i].n)) {
			g_string_append_printf(s, " with %.*s %d", (int)strcspn(how, " "), how, codes[i].v);
			return;
		}
	g_string_append_printf(s, " with %s", how);
}

static void print_expr(GString *s, const struct nft_expr *e, enum nft_family fam,
		       const struct nft_print_opts *o)
{
	static const char *const verdicts[] = { "accept", "drop", "return", "continue", "jump", "goto" };
	switch (e->kind) {
	case NFT_EXPR_PAYLOAD_SET:
		nft_payload_print_set(s, e, o->numeric);
		break;
	case NFT_EXPR_MATCH:
		print_match(s, e, o->numeric);
		break;
	case NFT_EXPR_VERDICT:
		g_string_append(s, verdicts[e->verdict]);
		if (e->chain)
			g_string_append_printf(s, " %s", e->chain);
		break;
	case NFT_EXPR_COUNTER:
		if (o->stateless)
			g_string_append(s, "counter");
		else
			g_string_append_printf(s, "counter packets %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT,
					       e->packets, e->bytes);
		break;
	case NFT_EXPR_LOG:
		nft_log_print(s, e);
		break;
	case NFT_EXPR_LIMIT:
		g_string_append(s, "limit ");
		nft_print_limit(s, &e->limit);
		break;
	case NFT_EXPR_QUOTA:
		g_string_append(s, "quota ");
		nft_print_quota(s, &e->quota, o->stateless);
		break;
	case NFT_EXPR_DYNSET:
		if (e->dyn_meter) {
			nft_print_meter(s, e, o);
			break;
		}
		g_string_append_printf(s, "%s @%s { ", e->dyn_update ? "update" : "add", e->set_ref);
		print_keys(s, e);
		if (e->dyn_timeout_ms) {
			g_string_append(s, " timeout ");
			nft_print_time(s, e->dyn_timeout_ms, o->numeric);
		}
		/* set_stmt_print: the statements always stateless */
		nft_print_stateful_list(s, &e->dyn_stmts, true, true);
		g_string_append(s, " }");
		break;
	case NFT_EXPR_OBJREF:
		if (e->anon) {
			g_string_append_printf(s, "%s name ", nft_obj_type_name(e->obj_type));
			print_keys(s, e);
			g_string_append(s, " map ");
			nft_print_set_elems(s, e->anon, true, o->numeric);
		} else {
			g_string_append_printf(s, "%s name \"%s\"", nft_obj_type_name(e->obj_type), e->obj);
		}
		break;
	case NFT_EXPR_NAT:
		print_nat(s, e, fam, o->numeric);
		break;
	case NFT_EXPR_REJECT:
		g_string_append(s, "reject");
		if (e->reject &&
		    !(fam == NFT_FAMILY_IP && !strcmp(e->reject, "icmp port-unreachable")) &&
		    !(fam == NFT_FAMILY_INET && !strcmp(e->reject, "icmpx port-unreachable")))
			print_reject(s, e->reject, o->numeric);
		break;
	case NFT_EXPR_META_SET:
	case NFT_EXPR_CT_SET:
	case NFT_EXPR_PRIORITY_SET: {
		const char *m = e->kind == NFT_EXPR_META_SET ? "meta mark" :
				e->kind == NFT_EXPR_CT_SET ? "ct mark" : "meta priority";
		g_string_append_printf(s, "%s set ", m);
		if (e->n_map_keys) {
			/* nft_datamap.c: a map's data, or a hash's value;
			 * nft_mark_expr.c: a selector through nft_bitwise */
			print_keys(s, e);
			if (e->set_ref)
				g_string_append_printf(s, " map @%s", e->set_ref);
			else if (e->anon) {
				g_string_append(s, " map ");
				nft_print_set_elems(s, e->anon, true, o->numeric);
			} else
				nft_mark_print_bitwise(s, e, e->map_keys[0]->dtype);
		} else {
			struct nft_elem v = { e->value, e->value, -1, NULL, false };
			nft_print_elem(s, e->kind == NFT_EXPR_PRIORITY_SET ? NFT_DT_TCHANDLE : NFT_DT_MARK,
				       &v, o->numeric);
		}
		break;
	}
	case NFT_EXPR_NOTRACK:
		g_string_append(s, "notrack");
		break;
	case NFT_EXPR_MSS_RTMTU:
		g_string_append(s, "tcp option maxseg size set rt mtu");
		break;
	case NFT_EXPR_NFTRACE:
		g_string_append_printf(s, "meta nftrace set %u", e->value);
		break;
	case NFT_EXPR_CT_HELPER_SET:
		g_string_append_printf(s, "ct helper set \"%s\"", e->obj);
		break;
	case NFT_EXPR_CT_TIMEOUT_SET:
		g_string_append_printf(s, "ct timeout set \"%s\"", e->obj);
		break;
	case NFT_EXPR_CT_EXPECT_SET:
		g_string_append_printf(s, "ct expectation set \"%s\"", e->obj);
		break;
	case NFT_EXPR_CT_COUNT:
	case NFT_EXPR_CT_ZONE_SET:
	case NFT_EXPR_CT_EVENT_SET:
	case NFT_EXPR_CT_LABEL:
	case NFT_EXPR_CT_LABEL_SET:
		nft_ct_print_stmt(s, e);
		break;
	case NFT_EXPR_FLOW_OFFLOAD:
		/* ct.c's flow_offload_stmt_print: `flow add`, whichever form was typed */
		g_string_append_printf(s, "flow add @%s", e->set_ref);
		break;
	}
}

static void rule_text(GString *s, const struct nft_rule *r, enum nft_family fam,
		      const struct nft_print_opts *o)
{
	bool first = true;
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		if (e->implicit)
			continue;
		if (!first)
			g_string_append_c(s, ' ');
		print_expr(s, e, fam, o);
		first = false;
	}
	if (r->comment)
		g_string_append_printf(s, "%scomment \"%s\"", first ? "" : " ", r->comment);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, r->handle);
}

void nft_print_rule(GString *s, const struct nft_rule *r, const struct nft_print_opts *o)
{
	rule_text(s, r, NFT_FAMILY_IP, o);
}

/* set_print_declaration: type, size, flags, timeout, elements. */
void nft_print_set(GString *s, const struct nft_set *set, const struct nft_print_opts *o)
{
	g_string_append_printf(s, "\t%s %s {", set->meter ? "meter" : set->map ? "map" : "set",
			       set->name);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, set->handle);
	g_string_append(s, "\n\t\ttype ");
	for (unsigned i = 0; i < set->key_types->len; i++)
		g_string_append_printf(s, "%s%s", i ? " . " : "",
				       nft_dtype_name(g_array_index(set->key_types, enum nft_dtype, i)));
	if (set->map) {
		g_string_append(s, " : ");
		if (set->data_verdict)
			g_string_append(s, "verdict");
		for (unsigned i = 0; i < set->data_types->len; i++)
			g_string_append_printf(s, "%s%s", i ? " . " : "",
					       nft_dtype_name(g_array_index(set->data_types, enum nft_dtype, i)));
	}
	g_string_append_c(s, '\n');
	if (set->size)
		g_string_append_printf(s, "\t\tsize %u\n", set->size);
	/* a set timeout sets the timeout flag (nft's evaluator), but nft
	 * prints a flags line for it alone only without a set timeout */
	int flags = set->flags | (set->timeout_ms ? NFT_SET_F_TIMEOUT : 0);
	if (flags & ~NFT_SET_F_TIMEOUT || (flags && !set->timeout_ms)) {
		static const struct { int f; const char *n; } fl[] = {
			{ NFT_SET_F_CONSTANT, "constant" }, { NFT_SET_F_INTERVAL, "interval" },
			{ NFT_SET_F_DYNAMIC, "dynamic" }, { NFT_SET_F_TIMEOUT, "timeout" } };
		bool first = true;
		g_string_append(s, "\t\tflags ");
		for (unsigned i = 0; i < G_N_ELEMENTS(fl); i++)
			if (flags & fl[i].f) {
				g_string_append_printf(s, "%s%s", first ? "" : ",", fl[i].n);
				first = false;
			}
		g_string_append_c(s, '\n');
	}
	if (set->stmts.n) {
		/* set_print_declaration: stateless, whatever the options */
		g_string_append(s, "\t\t");
		nft_print_stateful_list(s, &set->stmts, true, false);
		g_string_append_c(s, '\n');
	}
	if (set->timeout_ms) {
		g_string_append(s, "\t\ttimeout ");
		nft_print_time(s, set->timeout_ms, o->numeric);
		g_string_append_c(s, '\n');
	}
	if (set->gc_interval_ms) {
		g_string_append(s, "\t\tgc-interval ");
		nft_print_time(s, set->gc_interval_ms, o->numeric);
		g_string_append_c(s, '\n');
	}
	if (set->comment)
		g_string_append_printf(s, "\t\tcomment \"%s\"\n", set->comment);
	/* do_set_print: a meter's elements are not listed with -s */
	if (set->elems->len && !(set->meter && o->stateless)) {
		g_string_append(s, "\t\telements = ");
		nft_print_set_elems_at(s, set, o);
		g_string_append_c(s, '\n');
	}
	g_string_append(s, "\t}\n");
}

void nft_print_chain(GString *s, const struct nft_table *t, const struct nft_chain *c,
		     const struct nft_print_opts *o, bool alone)
{
	(void)alone;
	g_string_append_printf(s, "\tchain %s {", c->name);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, c->handle);
	g_string_append_c(s, '\n');
	if (c->comment)
		g_string_append_printf(s, "\t\tcomment \"%s\"\n", c->comment);
	if (c->base) {
		g_string_append_printf(s, "\t\ttype %s hook %s priority ", c->type, nft_hook_name(c->hook));
		print_prio(s, c->hook, c->prio, o->numeric);
		g_string_append_printf(s, "; policy %s;\n", c->policy_drop ? "drop" : "accept");
	}
	for (unsigned i = 0; i < c->rules->len; i++) {
		g_string_append(s, "\t\t");
		rule_text(s, c->rules->pdata[i], t->family, o);
		g_string_append_c(s, '\n');
	}
	g_string_append(s, "\t}\n");
}

/* Stateful objects first, then sets, flowtables, chains, a blank line
 * between them (table_print). */
void nft_print_table(GString *s, const struct nft_table *t, const struct nft_print_opts *o)
{
	g_string_append_printf(s, "table %s %s {", nft_family_name(t->family), t->name);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, t->handle);
	g_string_append_c(s, '\n');
	if (t->comment)
		g_string_append_printf(s, "\tcomment \"%s\"\n", t->comment);
	bool first = true;
	for (unsigned i = 0; i < t->objs->len; i++) {
		if (!first)
			g_string_append_c(s, '\n');
		nft_print_obj(s, t->objs->pdata[i], o);
		first = false;
	}
	for (unsigned i = 0; i < t->sets->len; i++) {
		if (((const struct nft_set *)t->sets->pdata[i])->meter)
			continue;	/* anonymous: `list meters` shows it */
		if (!first)
			g_string_append_c(s, '\n');
		nft_print_set(s, t->sets->pdata[i], o);
		first = false;
	}
	for (unsigned i = 0; i < t->flowtables->len; i++) {
		if (!first)
			g_string_append_c(s, '\n');
		nft_print_flowtable(s, t->flowtables->pdata[i], o);
		first = false;
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		if (!first)
			g_string_append_c(s, '\n');
		nft_print_chain(s, t, t->chains->pdata[i], o, false);
		first = false;
	}
	g_string_append(s, "}\n");
}
