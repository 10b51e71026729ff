/* xt_recent.c - `-m recent`: lists of recently seen addresses, by name.
 *
 * Mirrors libxt_recent.c (revision 1: --set/--rcheck/--update/--remove,
 * --seconds, --reap, --hitcount, --rttl, --name (DEFAULT), --mask,
 * --rsource/--rdest; its option exclusions, -L and -S texts) and the
 * kernel's net/netfilter/xt_recent.c: recent_mt_check's refusals,
 * recent_mt (the entry of the masked address, its time stamps, the hit
 * count within --seconds, reap of the oldest entry), tables of at most
 * ip_list_tot = 100 entries (the least recently seen goes first) with
 * ip_pkt_list_tot = 20 stamps each (more when a --hitcount needs them), and
 * /proc/net/xt_recent/NAME (recent_seq_show) for `cat`.
 *
 * Design: the tables are the namespace's (ns->ipt->recent, the kernel's
 * recent_net), made when a packet first reaches a rule naming them and
 * kept until reboot; `cat` shows a table while a rule names it (the
 * kernel's proc entry lives as long as its rules). Time stamps are jiffies
 * of a HZ=250 kernel booted at simulated time 0 (INITIAL_JIFFIES included),
 * so the file reads as on Linux; entries are listed oldest first (Linux
 * lists them in hash order, which depends on a boot-time random seed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/xt.h"

#define RECENT_HZ 250
#define RECENT_INITIAL_JIFFIES 4294892296ull	/* (unsigned int)(-300 * HZ) */
#define RECENT_NAME_LEN 200			/* XT_RECENT_NAME_LEN */
#define RECENT_IP_LIST_TOT 100
#define RECENT_IP_PKT_LIST_TOT 20

enum {
	XT_RECENT_CHECK = 1 << 0, XT_RECENT_SET = 1 << 1, XT_RECENT_UPDATE = 1 << 2,
	XT_RECENT_REMOVE = 1 << 3, XT_RECENT_TTL = 1 << 4, XT_RECENT_REAP = 1 << 5,
	XT_RECENT_OPS = XT_RECENT_CHECK | XT_RECENT_SET | XT_RECENT_UPDATE | XT_RECENT_REMOVE,
	XT_RECENT_MODIFIERS = XT_RECENT_TTL | XT_RECENT_REAP,
};
enum { XT_RECENT_SOURCE, XT_RECENT_DEST };

struct xt_recent_info {
	uint32_t seconds, hit_count, mask;
	uint8_t check_set, invert, side;
	char name[RECENT_NAME_LEN];
};

enum {
	O_SET, O_RCHECK, O_UPDATE, O_REMOVE, O_SECONDS, O_REAP, O_HITCOUNT, O_RTTL,
	O_NAME, O_RSOURCE, O_RDEST, O_MASK,
};

static const struct xt_option recent_opts[] = {
	{ "set", 0, O_SET }, { "rcheck", 0, O_RCHECK }, { "update", 0, O_UPDATE },
	{ "remove", 0, O_REMOVE }, { "seconds", 1, O_SECONDS }, { "reap", 0, O_REAP },
	{ "hitcount", 1, O_HITCOUNT }, { "rttl", 0, O_RTTL }, { "name", 1, O_NAME },
	{ "rsource", 0, O_RSOURCE }, { "rdest", 0, O_RDEST }, { "mask", 1, O_MASK },
	{ NULL, 0, 0 },
};

#define F(o) (1u << (o))
#define F_ANY_OP (F(O_SET) | F(O_RCHECK) | F(O_UPDATE) | F(O_REMOVE))

/* xt_option_entry's excl and also, by option id */
static const unsigned recent_excl[] = {
	[O_SET] = F_ANY_OP, [O_RCHECK] = F_ANY_OP, [O_UPDATE] = F_ANY_OP, [O_REMOVE] = F_ANY_OP,
	[O_RTTL] = F(O_SET) | F(O_REMOVE),
};
static const unsigned recent_also[] = { [O_REAP] = F(O_SECONDS) };

static void recent_init(void *data)
{
	struct xt_recent_info *info = data;
	g_strlcpy(info->name, "DEFAULT", sizeof(info->name));
	info->mask = 0xffffffffu;
}

static int recent_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_recent_info *info = data;
	int rc = xt_once(p, recent_opts[id].name, id);
	if (rc)
		return rc;
	if (p->invert && id > O_REMOVE)
		return xt_noinvert(p, recent_opts[id].name);
	unsigned long v;
	switch (id) {
	case O_SET: case O_RCHECK: case O_UPDATE: case O_REMOVE: {
		static const uint8_t op[] = { XT_RECENT_SET, XT_RECENT_CHECK, XT_RECENT_UPDATE,
					      XT_RECENT_REMOVE };
		info->check_set |= op[id];
		if (p->invert)
			info->invert = 1;
		break;
	}
	case O_SECONDS:
		if (!xt_strtoul(arg, 0xffffffffu, &v) || v < 1)
			return xt_err(p, "recent: bad value for option \"--seconds\", or out of range (1-4294967295).\n");
		info->seconds = (uint32_t)v;
		break;
	case O_REAP:
		info->check_set |= XT_RECENT_REAP;
		break;
	case O_HITCOUNT:
		if (!xt_strtoul(arg, 0xffffffffu, &v))
			return xt_err(p, "recent: bad value for option \"--hitcount\", or out of range (0-4294967295).\n");
		info->hit_count = (uint32_t)v;
		break;
	case O_RTTL:
		info->check_set |= XT_RECENT_TTL;
		break;
	case O_NAME:
		g_strlcpy(info->name, arg, sizeof(info->name));
		break;
	case O_RSOURCE:
		info->side = XT_RECENT_SOURCE;
		break;
	case O_RDEST:
		info->side = XT_RECENT_DEST;
		break;
	default:
		if (!nf_inet_aton(arg, &info->mask))
			return xt_err(p, "getaddrinfo: Name or service not known\n");
		break;
	}
	return 0;
}

/* recent_check, then xtables_options_fcheck's exclusions in table order */
static int recent_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	if (!(f & F_ANY_OP))
		return xt_err(p, "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
	for (unsigned id = 0; id < G_N_ELEMENTS(recent_opts) - 1; id++) {
		if (!(f & F(id)))
			continue;
		for (unsigned o = 0; o < G_N_ELEMENTS(recent_opts) - 1; o++) {
			if (o == id)
				continue;
			if (id < G_N_ELEMENTS(recent_excl) && (recent_excl[id] & F(o)) && (f & F(o)))
				return xt_err(p, "recent: option \"--%s\" cannot be used together with \"--%s\".\n",
					      recent_opts[id].name, recent_opts[o].name);
			if (id < G_N_ELEMENTS(recent_also) && (recent_also[id] & F(o)) && !(f & F(o)))
				return xt_err(p, "recent: option \"--%s\" also requires \"--%s\".\n",
					      recent_opts[id].name, recent_opts[o].name);
		}
	}
	return 0;
}

static void recent_addr(GString *o, uint32_t a)
{
	g_string_append_printf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void recent_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_recent_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append(o, info->invert ? " ! recent:" : " recent:");
	if (info->check_set & XT_RECENT_SET)
		g_string_append(o, " SET");
	if (info->check_set & XT_RECENT_CHECK)
		g_string_append(o, " CHECK");
	if (info->check_set & XT_RECENT_UPDATE)
		g_string_append(o, " UPDATE");
	if (info->check_set & XT_RECENT_REMOVE)
		g_string_append(o, " REMOVE");
	if (info->seconds)
		g_string_append_printf(o, " seconds: %d", (int)info->seconds);
	if (info->check_set & XT_RECENT_REAP)
		g_string_append(o, " reap");
	if (info->hit_count)
		g_string_append_printf(o, " hit_count: %d", (int)info->hit_count);
	if (info->check_set & XT_RECENT_TTL)
		g_string_append(o, " TTL-Match");
	g_string_append_printf(o, " name: %s side: %s mask: ", info->name,
			       info->side == XT_RECENT_DEST ? "dest" : "source");
	recent_addr(o, info->mask);
}

static void recent_save(GString *o, const void *data)
{
	const struct xt_recent_info *info = data;
	if (info->invert)
		g_string_append(o, " !");
	if (info->check_set & XT_RECENT_SET)
		g_string_append(o, " --set");
	if (info->check_set & XT_RECENT_CHECK)
		g_string_append(o, " --rcheck");
	if (info->check_set & XT_RECENT_UPDATE)
		g_string_append(o, " --update");
	if (info->check_set & XT_RECENT_REMOVE)
		g_string_append(o, " --remove");
	if (info->seconds)
		g_string_append_printf(o, " --seconds %d", (int)info->seconds);
	if (info->check_set & XT_RECENT_REAP)
		g_string_append(o, " --reap");
	if (info->hit_count)
		g_string_append_printf(o, " --hitcount %d", (int)info->hit_count);
	if (info->check_set & XT_RECENT_TTL)
		g_string_append(o, " --rttl");
	g_string_append_printf(o, " --name %s --mask ", info->name);
	recent_addr(o, info->mask);
	g_string_append(o, info->side == XT_RECENT_DEST ? " --rdest" : " --rsource");
}

/* recent_mt_check: refusals without a log line, EINVAL */
static int recent_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_recent_info *info = data;
	(void)par;
	(void)klog;
	unsigned ops = info->check_set & XT_RECENT_OPS;
	if (ops == 0 || (ops & (ops - 1)))
		return EINVAL;
	if ((info->check_set & (XT_RECENT_SET | XT_RECENT_REMOVE)) &&
	    (info->seconds || info->hit_count || (info->check_set & XT_RECENT_MODIFIERS)))
		return EINVAL;
	if ((info->check_set & XT_RECENT_REAP) && !info->seconds)
		return EINVAL;
	if (!info->name[0] || strchr(info->name, '/') || strcmp(info->name, ".") == 0 ||
	    strcmp(info->name, "..") == 0)
		return EINVAL;
	return 0;
}

/* ----- the namespace's tables (recent_net) ----- */

struct recent_entry {
	uint32_t addr;
	uint8_t ttl;
	unsigned index, nstamps;
	uint64_t *stamps;
};

struct recent_table {
	char name[RECENT_NAME_LEN];
	unsigned nstamps_max;
	GQueue lru;		/* struct recent_entry *, least recently seen first */
};

struct xt_recent_net {
	GPtrArray *tables;
};

static uint64_t recent_jiffies(nf_time now)
{
	return RECENT_INITIAL_JIFFIES + (uint64_t)(now / (1000000000 / RECENT_HZ));
}

static void recent_entry_free(gpointer p)
{
	struct recent_entry *e = p;
	g_free(e->stamps);
	g_free(e);
}

static void recent_table_free(gpointer p)
{
	struct recent_table *t = p;
	g_queue_clear_full(&t->lru, recent_entry_free);
	g_free(t);
}

void xt_recent_net_exit(struct nf_ns *ns)
{
	struct xt_recent_net *rn = ns->ipt ? ns->ipt->recent : NULL;
	if (!rn)
		return;
	g_ptr_array_free(rn->tables, TRUE);
	g_free(rn);
	ns->ipt->recent = NULL;
}

static struct recent_table *recent_table_lookup(struct nf_ns *ns, const char *name)
{
	struct xt_recent_net *rn = ns->ipt->recent;
	if (!rn)
		return NULL;
	for (unsigned i = 0; i < rn->tables->len; i++) {
		struct recent_table *t = rn->tables->pdata[i];
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/* recent_mt_check's table creation: stamps for the hit count asked */
static struct recent_table *recent_table_get(struct nf_ns *ns, const struct xt_recent_info *info)
{
	struct recent_table *t = recent_table_lookup(ns, info->name);
	if (t)
		return t;
	struct xt_recent_net *rn = ns->ipt->recent;
	if (!rn) {
		rn = ns->ipt->recent = g_new0(struct xt_recent_net, 1);
		rn->tables = g_ptr_array_new_with_free_func(recent_table_free);
	}
	t = g_new0(struct recent_table, 1);
	g_strlcpy(t->name, info->name, sizeof(t->name));
	unsigned n = RECENT_IP_PKT_LIST_TOT;
	if (info->hit_count + 1 > n) {
		n = 1;
		while (n < info->hit_count + 1)
			n <<= 1;
	}
	t->nstamps_max = n;
	g_queue_init(&t->lru);
	g_ptr_array_add(rn->tables, t);
	return t;
}

static GList *recent_entry_lookup(struct recent_table *t, uint32_t addr, uint8_t ttl)
{
	for (GList *l = t->lru.head; l; l = l->next) {
		struct recent_entry *e = l->data;
		if (e->addr == addr && (ttl == 0 || ttl == e->ttl))
			return l;
	}
	return NULL;
}

static void recent_entry_remove(struct recent_table *t, GList *l)
{
	recent_entry_free(l->data);
	g_queue_delete_link(&t->lru, l);
}

/* recent_entry_update: the next stamp slot, then to the LRU tail */
static void recent_entry_update(struct recent_table *t, GList *l, uint64_t j)
{
	struct recent_entry *e = l->data;
	e->index %= t->nstamps_max;
	e->stamps[e->index++] = j;
	if (e->index > e->nstamps)
		e->nstamps = e->index;
	g_queue_unlink(&t->lru, l);
	g_queue_push_tail_link(&t->lru, l);
}

/* recent_entry_reap: the least recently seen entry goes once its last
 * stamp is older than `time`, unless it is the one about to be updated */
static void recent_entry_reap(struct recent_table *t, uint64_t time, GList *working, bool update)
{
	GList *l = t->lru.head;
	if (!l || (l == working && update))
		return;
	struct recent_entry *e = l->data;
	if ((int64_t)(time - e->stamps[e->index - 1]) > 0)
		recent_entry_remove(t, l);
}

/* recent_mt */
static bool recent_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_recent_info *info = data;
	const uint8_t *ip = par->skb->ip;
	uint32_t addr = (info->side == XT_RECENT_DEST ? par->pkt->dst : par->pkt->src) & info->mask;
	uint8_t ttl = ip[8];
	/* the TTL as seen before forwarding */
	if (par->out && (par->hook == NF_INET_FORWARD || (par->hook == NF_INET_POST_ROUTING && par->in)))
		ttl++;
	bool ret = info->invert;
	uint64_t j = recent_jiffies(par->now);
	struct recent_table *t = recent_table_get(par->ns, info);
	GList *l = recent_entry_lookup(t, addr, info->check_set & XT_RECENT_TTL ? ttl : 0);
	if (!l) {
		if (!(info->check_set & XT_RECENT_SET))
			return ret;
		/* recent_entry_init: the least recently seen goes when full */
		if (t->lru.length >= RECENT_IP_LIST_TOT)
			recent_entry_remove(t, t->lru.head);
		struct recent_entry *e = g_new0(struct recent_entry, 1);
		e->addr = addr;
		e->ttl = ttl;
		e->stamps = g_new0(uint64_t, t->nstamps_max);
		e->stamps[0] = j;
		e->nstamps = e->index = 1;
		g_queue_push_tail(&t->lru, e);
		return !ret;
	}
	if (info->check_set & XT_RECENT_SET) {
		ret = !ret;
	} else if (info->check_set & XT_RECENT_REMOVE) {
		recent_entry_remove(t, l);
		return !ret;
	} else {
		uint64_t time = j - (uint64_t)info->seconds * RECENT_HZ;
		struct recent_entry *e = l->data;
		unsigned hits = 0;
		for (unsigned i = 0; i < e->nstamps; i++) {
			if (info->seconds && (int64_t)(time - e->stamps[i]) > 0)
				continue;
			if (!info->hit_count || ++hits >= info->hit_count) {
				ret = !ret;
				break;
			}
		}
		if (info->check_set & XT_RECENT_REAP)
			recent_entry_reap(t, time, l, (info->check_set & XT_RECENT_UPDATE) && ret);
	}
	if ((info->check_set & XT_RECENT_SET) || ((info->check_set & XT_RECENT_UPDATE) && ret)) {
		recent_entry_update(t, l, j);
		((struct recent_entry *)l->data)->ttl = ttl;
	}
	return ret;
}

/* Does a rule of any table name this list (its proc entry exists)? */
static bool recent_name_in_rules(struct nf_ns *ns, const char *name)
{
	for (int ti = 0; ti < IPT_NTABLES; ti++) {
		const struct ipt_table *tb = &ns->ipt->tables[ti];
		for (unsigned c = 0; tb->chains && c < tb->chains->len; c++) {
			const struct ipt_chain *ch = tb->chains->pdata[c];
			for (unsigned r = 0; r < ch->rules->len; r++) {
				const struct ipt_rule *rule = ch->rules->pdata[r];
				for (unsigned m = 0; m < rule->nmatches; m++)
					if (rule->m[m].ops == &xt_recent_ops &&
					    strcmp(((const struct xt_recent_info *)rule->m[m].data)->name,
						   name) == 0)
						return true;
			}
		}
	}
	return false;
}

/* recent_seq_show over a table, for `cat /proc/net/xt_recent/NAME` */
int nf_proc_xt_recent_read(struct nf_ns *ns, const char *name, GString *out)
{
	if (!ns || !ns->ipt)
		return -1;
	/* the file is xt_recent's, whichever iptables backend's rule names it */
	bool named = recent_name_in_rules(ns, name);
	struct ipt_net *legacy = ns->ipt->legacy_net;
	if (!named && legacy) {
		ipt_legacy_enter(ns, legacy);
		named = recent_name_in_rules(ns, name);
		ipt_legacy_leave(ns, legacy);
	}
	if (!named)
		return -1;
	struct recent_table *t = recent_table_lookup(ns, name);
	for (GList *l = t ? t->lru.head : NULL; l; l = l->next) {
		const struct recent_entry *e = l->data;
		unsigned last = (e->index - 1) % t->nstamps_max;
		g_string_append(out, "src=");
		recent_addr(out, e->addr);
		g_string_append_printf(out, " ttl: %u last_seen: %" G_GUINT64_FORMAT " oldest_pkt: %u",
				       e->ttl, e->stamps[last], e->index);
		for (unsigned i = 0; i < e->nstamps; i++)
			g_string_append_printf(out, "%s %" G_GUINT64_FORMAT, i ? "," : "", e->stamps[i]);
		g_string_append_c(out, '\n');
	}
	return 0;
}

const struct xt_ops xt_recent_ops = {
	.name = "recent", .kind = XT_MATCH, .size = sizeof(struct xt_recent_info),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = recent_opts, .init = recent_init, .parse = recent_parse,
	.final_check = recent_final_check, .print = recent_print, .save = recent_save,
	.match = recent_mt, .checkentry = recent_check,
};
