/* nft_obj.c - nft's stateful objects of a table: the ct helper,
 * `ct helper ftp-std { type "ftp" protocol tcp; l3proto ip; }`, its
 * parse, its listing and its checks.
 *
 * Design: an object is kept by name in its table (nf_tables' obj list, in
 * creation order, listed before the sets as nft's table_print does); the
 * rule's `ct helper set "NAME"` (nft_objref) names it and nft_eval.c looks
 * it up per packet, so `delete ct helper` of an object in use is refused
 * (EBUSY) as the kernel's use count refuses it. nft_ct_helper_obj_init
 * takes the conntrack helper by name and protocol, loading its module
 * (nf_conntrack_helper_try_module_get): the object is refused with ENOENT
 * when no helper of that name and protocol exists. With the namespace at
 * hand that is its helper list (the base names load their module as
 * request_module does); a scratch ruleset (dry run, fuzzing) accepts the
 * names natsim's modules register by default; the helpers of Linux that
 * natsim lacks are kept and said (nft_obj_say). Counters, quotas and limits
 * are nft_stateful.c's, ct timeouts and expectations nft_cttimeout.c's;
 * other object types (synproxy, secmark) are refused in natsim's voice by
 * the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"
#include "nat/nftables/nft_cttimeout.h"

struct nft_obj *nft_obj_find(const struct nft_table *t, const char *name)
{
	for (unsigned i = 0; i < t->objs->len; i++) {
		struct nft_obj *o = t->objs->pdata[i];
		if (o->otype == NFT_OBJ_CT_HELPER && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

void nft_obj_free(struct nft_obj *o)
{
	if (!o)
		return;
	g_free(o->name);
	nft_ct_obj_drop(o);
	g_free(o);
}

struct nft_obj *nft_obj_clone(const struct nft_obj *o)
{
	struct nft_obj *c = g_memdup2(o, sizeof(*o));
	c->name = g_strdup(o->name);
	nft_ct_obj_hold(c);
	return c;
}

static bool sets_helper(const struct nft_expr *e, const void *name)
{
	return e->kind == NFT_EXPR_CT_HELPER_SET && !strcmp(e->obj, name);
}

bool nft_obj_in_use(const struct nft_table *t, const char *name)
{
	return nft_table_any_expr(t, sets_helper, name);
}

/* bison's "syntax error, unexpected X, expecting Y" at t. */
static void expecting(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	const char *got = t->type == NFT_T_NL ? "newline" : t->type == NFT_T_SEMI ? "semicolon" :
			  t->type == NFT_T_RBRACE ? "'}'" : t->type == NFT_T_STRING ? "quoted string" :
			  t->type == NFT_T_EOF ? "end of file" : "string";
	nft_error(p, t, NULL, "syntax error, unexpected %s, expecting %s", got, what);
}

/* Each line of the block ends with a separator (stmt_separator): `}`
 * right after one is a syntax error in nft. (bison's recovery then reports
 * more errors further on, which natsim does not reproduce.) */
static bool end_of_config(struct nft_parse *p)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type == NFT_T_NL || t->type == NFT_T_SEMI)
		return true;
	nft_next(p);
	expecting(p, t, "newline or semicolon");
	return false;
}

/* Does the helper exist (nf_conntrack_helper_try_module_get, loading the
 * module of a base name as request_module("nfct-helper-%s") does)? */
static bool helper_exists(struct nf_ns *ns, const char *name, uint8_t proto)
{
	if (!ns)	/* parsing without a namespace: only the base names are known */
		return (proto == 6 && !strcmp(name, "ftp")) || (proto == 17 && !strcmp(name, "tftp"));
	return nf_ct_helper_get(ns, name, proto) != NULL;
}

/* The conntrack helpers a Linux router may have that natsim does not
 * implement (helper name and protocol as the module registers them). An
 * object of one is kept and listed, and `ct helper set` of it assigns no
 * helper: said once in natsim's voice (nft_obj_say). rtsp is not in
 * mainline Linux, whose nft refuses the object ("Could not process rule:
 * No such file or directory"): OpenWrt's nf_conntrack_rtsp (kmod-nf-
 * nathelper-extra) registers it, and firewall4 declares it there. */
static const struct {
	const char *name;
	uint8_t proto;
	const char *module;
	bool mainline;
} lacking[] = {
	{ "amanda", 17, "nf_conntrack_amanda", true },
	{ "RAS", 17, "nf_conntrack_h323", true },
	{ "Q.931", 6, "nf_conntrack_h323", true },
	{ "H.245", 6, "nf_conntrack_h323", true },
	{ "irc", 6, "nf_conntrack_irc", true },
	{ "netbios-ns", 17, "nf_conntrack_netbios_ns", true },
	{ "pptp", 6, "nf_conntrack_pptp", true },
	{ "sane", 6, "nf_conntrack_sane", true },
	{ "sip", 17, "nf_conntrack_sip", true },
	{ "sip", 6, "nf_conntrack_sip", true },
	{ "snmp", 17, "nf_conntrack_snmp", true },
	{ "rtsp", 6, "nf_conntrack_rtsp", false },
};

static int lacking_index(const char *name, uint8_t proto)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(lacking); i++)
		if (!strcmp(lacking[i].name, name) && lacking[i].proto == proto)
			return (int)i;
	return -1;
}

/* What natsim says, once per object, of the ct helper objects whose
 * helper it lacks: one line for those of one batch. */
void nft_obj_say(struct nft_ruleset *rs, GString *err)
{
	GString *names = g_string_new(NULL);
	bool rtsp = false;
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		for (unsigned k = 0; k < t->objs->len; k++) {
			struct nft_obj *o = t->objs->pdata[k];
			int x = o->otype == NFT_OBJ_CT_HELPER && !o->said
				? lacking_index(o->type, o->l4proto) : -1;
			if (x < 0)
				continue;
			o->said = true;
			g_string_append_printf(names, "%s%s (%s)", names->len ? ", " : "", o->name,
					       lacking[x].module);
			rtsp |= !lacking[x].mainline;
		}
	}
	if (names->len)
		g_string_append_printf(err, "natsim: nft ct helper objects %s: conntrack helpers "
				       "natsim does not implement; the objects are kept, and `ct "
				       "helper set` of them assigns no helper%s\n", names->str,
				       rtsp ? " (nf_conntrack_rtsp is OpenWrt's, not mainline Linux's, "
					      "whose nft refuses that object)" : "");
	g_string_free(names, TRUE);
}

/* ct_helper_block of nft's grammar: `type "NAME" protocol tcp|udp` and
 * `l3proto ip|inet`, separated by `;` or newlines. */
static bool helper_block(struct nft_parse *p, struct nft_obj *o)
{
	bool typed = false;
	nft_next(p);	/* { */
	for (;;) {
		const struct nft_token *t = nft_next(p);
		if (t->type == NFT_T_NL || t->type == NFT_T_SEMI)
			continue;
		if (t->type == NFT_T_RBRACE)
			break;
		if (nft_is_word(t, "type")) {
			const struct nft_token *n = nft_next(p);
			if (n->type != NFT_T_STRING) {
				expecting(p, n, "quoted string");
				return false;
			}
			snprintf(o->type, sizeof(o->type), "%s", n->text);
			const struct nft_token *pr = nft_next(p);
			if (!nft_is_word(pr, "protocol")) {
				expecting(p, pr, "protocol");
				return false;
			}
			const struct nft_token *l4 = nft_next(p);
			if (!nft_is_word(l4, "tcp") && !nft_is_word(l4, "udp")) {
				static const char *const kw[] = { "sctp", "udplite", "icmp", "ip", "dccp",
								  "esp", "ah", "comp", "th", NULL };
				const char *w = "string";
				for (int i = 0; kw[i]; i++)
					if (nft_is_word(l4, kw[i]))
						w = kw[i];
				if (l4->type != NFT_T_WORD)
					expecting(p, l4, "udp or tcp");
				else
					nft_error(p, l4, NULL, "syntax error, unexpected %s, expecting udp or tcp", w);
				return false;
			}
			o->l4proto = nft_is_word(l4, "tcp") ? 6 : 17;
			typed = true;
			if (!end_of_config(p))
				return false;
		} else if (nft_is_word(t, "l3proto")) {
			const struct nft_token *f = nft_next(p);
			if (nft_is_word(f, "ip") || nft_is_word(f, "inet")) {
				o->l3proto = nft_is_word(f, "ip") ? NFT_FAMILY_IP : NFT_FAMILY_INET;
				if (!end_of_config(p))
					return false;
			} else if (nft_is_word(f, "ip6") || nft_is_word(f, "arp") ||
				   nft_is_word(f, "bridge") || nft_is_word(f, "netdev")) {
				nft_error(p, f, NULL, "natsim: nft ct helper l3proto %s is not implemented",
					  f->text);
				return false;
			} else {
				nft_error_unexpected(p, f);
				return false;
			}
		} else if (nft_is_word(t, "comment")) {
			nft_error(p, t, NULL, "natsim: nft comments of ct helpers are not implemented");
			return false;
		} else if (t->type == NFT_T_EOF) {
			nft_error_unexpected(p, t);
			return false;
		} else {
			nft_error_unexpected(p, t);
			return false;
		}
	}
	o->typed = typed;
	return true;
}

/* Where the kernel's refusal of the object is marked: the whole command
 * on the command line (bison's location takes the terminator in), the
 * object's name in a table block. */
struct nft_loc nft_obj_refused_at(struct nft_parse *p, const struct nft_token *first,
				  const struct nft_token *name)
{
	const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
	if ((nft_is_word(first, "add") || nft_is_word(first, "create")) && last->line == first->line)
		return (struct nft_loc){ first->line, first->col, last->col + last->len - first->col + 1 };
	return (struct nft_loc){ name->line, name->col, name->len };
}

bool nft_parse_ct_helper(struct nft_parse *p, struct nft_ruleset *rs, struct nft_table *t,
			 bool create, struct nft_obj **made)
{
	const struct nft_token *n;
	*made = NULL;
	if (!nft_ident(p, &n, "string", false))
		return false;
	if (nft_peek(p, 0)->type != NFT_T_LBRACE) {
		expecting(p, nft_peek(p, 0), "'{'");
		return false;
	}
	/* the command's first word, for the kernel's errors (the whole
	 * command is marked when the batch is refused at its object) */
	unsigned start = p->pos;
	while (start > 0 && g_array_index(p->toks, struct nft_token, start - 1).type != NFT_T_NL &&
	       g_array_index(p->toks, struct nft_token, start - 1).type != NFT_T_SEMI &&
	       g_array_index(p->toks, struct nft_token, start - 1).type != NFT_T_LBRACE)
		start--;
	const struct nft_token first = g_array_index(p->toks, struct nft_token, start);
	struct nft_obj *o = g_new0(struct nft_obj, 1);
	o->name = g_strdup(n->text);
	o->l3proto = t->family;
	if (!helper_block(p, o)) {
		/* past the block's end, as bison's error recovery goes */
		while (nft_peek(p, 0)->type != NFT_T_EOF && nft_peek(p, 0)->type != NFT_T_LBRACE &&
		       g_array_index(p->toks, struct nft_token, p->pos - 1).type != NFT_T_RBRACE)
			nft_next(p);
		nft_obj_free(o);
		return false;
	}
	if (!o->typed) {
		/* nft_ct_helper_obj_init without NFTA_CT_HELPER_NAME */
		nft_error_loc(p, nft_obj_refused_at(p, &first, n), "Could not process rule: Numerical result "
			      "out of range");
		p->nkerr++;
		nft_obj_free(o);
		return false;
	}
	struct nft_obj *old = nft_obj_find(t, o->name);
	if (old) {
		/* NLM_F_EXCL for create; add of the same name changes nothing */
		nft_obj_free(o);
		if (create) {
			nft_error(p, n, NULL, "Could not process rule: File exists");
			p->nkerr++;
		}
		return !create;
	}
	if (!helper_exists(rs->ns, o->type, o->l4proto) && lacking_index(o->type, o->l4proto) < 0) {
		nft_error_loc(p, nft_obj_refused_at(p, &first, n), "Could not process rule: No such file or "
			      "directory");
		p->nkerr++;
		nft_obj_free(o);
		return false;
	}
	g_ptr_array_add(t->objs, o);
	*made = o;
	return true;
}

void nft_print_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts)
{
	if (o->otype == NFT_OBJ_CT_TIMEOUT || o->otype == NFT_OBJ_CT_EXPECT) {
		nft_print_ct_obj(s, o, opts);
		return;
	}
	if (o->otype != NFT_OBJ_CT_HELPER) {
		nft_print_stateful_obj(s, o, opts);
		return;
	}
	g_string_append_printf(s, "\tct helper %s {", o->name);
	if (opts->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, o->handle);
	g_string_append_printf(s, "\n\t\ttype \"%s\" protocol %s\n\t\tl3proto %s\n\t}\n", o->type,
			       o->l4proto == 6 ? "tcp" : "udp", nft_family_name(o->l3proto));
}
