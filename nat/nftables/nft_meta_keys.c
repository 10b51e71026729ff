/* nft_meta_keys.c - the meta keys beyond the mark, names and pkttype:
 * skuid, skgid, cpu, iiftype, oiftype, iifgroup, oifgroup, iifkind, oifkind, random,
 * priority, protocol, ipsec (secpath), sdif, sdifname, time, day, hour
 * (nft_meta_get_eval),
 * and the tc handle type of `meta priority`.
 *
 * Design: one table of keys (their names as nft lists them); the values
 * come from what natsim's router has: the packet's socket as -m owner
 * reads it (natsim's applications run as root: uid and gid 0; the
 * stack's own sockets have no file, so no uid, as the kernel's), the CPU
 * processing the packet (`cpus N`), the device type (natsim's links are
 * Ethernet, `lo` loopback), the run's seeded generator for prandom, the
 * skb's priority, the device's group and kind (a `veth` link's ends:
 * "veth"; a NIC or lo has none), no IPsec (no secpath) and no VRF (sdif 0, no name).
 * What natsim has not (cgroup, rtclassid, bridge ports) stays refused by nft_expr.c in natsim's voice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/core/nf_hook_ops.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_meta_keys.h"

static const struct { const char *in; bool bare; struct nft_key key; } meta_keys[] = {
	{ "skuid", true, { "meta skuid", NFT_DT_UID, -1, false, NFT_K_SKUID } },
	{ "skgid", true, { "meta skgid", NFT_DT_GID, -1, false, NFT_K_SKGID } },
	{ "cpu", true, { "meta cpu", NFT_DT_INTEGER, -1, false, NFT_K_CPU } },
	{ "iiftype", true, { "meta iiftype", NFT_DT_ARPHRD, -1, false, NFT_K_IIFTYPE } },
	{ "oiftype", true, { "meta oiftype", NFT_DT_ARPHRD, -1, false, NFT_K_OIFTYPE } },
	{ "random", false, { "meta random", NFT_DT_INTEGER, -1, false, NFT_K_RANDOM } },
	{ "priority", false, { "meta priority", NFT_DT_TCHANDLE, -1, false, NFT_K_PRIORITY } },
	/* a boolean: exists, missing (the symbols of fib's oif) */
	{ "secpath", false, { "meta ipsec", NFT_DT_FIBOIF, -1, false, NFT_K_SECPATH } },
	{ "ipsec", false, { "meta ipsec", NFT_DT_FIBOIF, -1, false, NFT_K_SECPATH } },
	/* nft lists these without `meta` */
	{ "iifgroup", true, { "iifgroup", NFT_DT_DEVGROUP, -1, false, NFT_K_IIFGROUP } },
	{ "oifgroup", true, { "oifgroup", NFT_DT_DEVGROUP, -1, false, NFT_K_OIFGROUP } },
	{ "time", false, { "meta time", NFT_DT_DATE, -1, false, NFT_K_TIME } },
	{ "day", false, { "meta day", NFT_DT_DAY, -1, false, NFT_K_DAY } },
	{ "hour", false, { "meta hour", NFT_DT_HOUR, -1, false, NFT_K_HOUR } },
	{ "protocol", false, { "meta protocol", NFT_DT_ETHERTYPE, -1, false, NFT_K_PROTOCOL } },
	{ "iifkind", false, { "meta iifkind", NFT_DT_IFNAME, -1, false, NFT_K_IIFKIND } },
	{ "oifkind", false, { "meta oifkind", NFT_DT_IFNAME, -1, false, NFT_K_OIFKIND } },
	{ "sdif", false, { "meta sdif", NFT_DT_IFNAME, -1, false, NFT_K_SDIF } },
	{ "sdifname", false, { "meta sdifname", NFT_DT_IFNAME, -1, false, NFT_K_SDIFNAME } },
};

const struct nft_key *nft_meta_key_parse(struct nft_parse *p)
{
	const struct nft_token *a = nft_peek(p, 0), *b = nft_peek(p, 1);
	bool meta = nft_is_word(a, "meta");
	const struct nft_token *k = meta ? b : a;
	for (unsigned i = 0; i < G_N_ELEMENTS(meta_keys); i++)
		if (nft_is_word(k, meta_keys[i].in) && (meta || meta_keys[i].bare)) {
			nft_next(p);
			if (meta)
				nft_next(p);
			return &meta_keys[i].key;
		}
	return NULL;
}

void nft_meta_key_implicit(const struct nft_parse *p, struct nft_expr *e)
{
	if (p->family == NFT_FAMILY_IP && e->kind == NFT_EXPR_MATCH && e->key->id == NFT_K_PROTOCOL &&
	    !e->neq && !e->cmp_op && !e->set_ref && !e->anon && e->elems->len == 1 &&
	    g_array_index(e->elems, struct nft_elem, 0).lo == 0x0800 &&
	    !g_array_index(e->elems, struct nft_elem, 0).range)
		e->implicit = true;
}

/* ARPHRD_* of natsim's interfaces: Ethernet links, the loopback. */
static uint32_t if_type(const char *dev)
{
	return strcmp(dev, "lo") == 0 ? 772 : 1;
}

bool nft_meta_key_load(const struct nf_skb *skb, const struct nf_hook_state *st,
		       enum nft_key_id id, uint32_t *v, const char **name)
{
	const struct nf_env *env = &st->net->env;
	switch (id) {
	case NFT_K_SKUID: case NFT_K_SKGID:
		/* nft_meta_get_eval_skugid: skb_to_full_sk (a request sock
		 * reads its listener) with a file: fsuid/fsgid, root's */
		if (skb->sk != NF_SK_USER && skb->sk != NF_SK_REQUEST)
			return false;
		*v = 0;
		return true;
	case NFT_K_CPU:
		*v = env->cur_cpu ? env->cur_cpu(env->ctx) : 0;
		return true;
	case NFT_K_IIFTYPE:
		if (!st->in)
			return false;
		*v = if_type(st->in);
		return true;
	case NFT_K_OIFTYPE:
		if (!st->out)
			return false;
		*v = if_type(st->out);
		return true;
	case NFT_K_RANDOM:
		/* get_random_u32: the run's seeded generator */
		*v = env->random_u32 ? env->random_u32(env->ctx) : 0;
		return true;
	case NFT_K_PRIORITY:
		*v = skb->priority;
		return true;
	case NFT_K_TIME: case NFT_K_DAY: case NFT_K_HOUR: {
		/* nft_meta_get_eval_time: the real time, natsim's date (the
		 * simulated time from 1970-01-01 00:00:00 UTC, as its journal
		 * and iptables-save dates); kept in seconds (meta time: the
		 * kernel's nanoseconds compare the same but within a second) */
		uint64_t secs = (uint64_t)(st->now / 1000000000);
		*v = id == NFT_K_TIME ? (uint32_t)secs :
		     id == NFT_K_DAY ? (uint32_t)((secs / 86400 + 4) % 7) : (uint32_t)(secs % 86400);
		return true;
	}
	case NFT_K_IIFKIND: case NFT_K_OIFKIND: {
		/* rtnl_link_ops->kind; none (a NIC, lo): NFT_BREAK */
		const char *dev = id == NFT_K_IIFKIND ? st->in : st->out;
		*name = dev && env->if_kind ? env->if_kind(env->ctx, dev) : NULL;
		return *name != NULL;
	}
	case NFT_K_PROTOCOL:
		*v = 0x0800;	/* skb->protocol: natsim's packets are IPv4 */
		return true;
	case NFT_K_IIFGROUP: case NFT_K_OIFGROUP: {
		const char *dev = id == NFT_K_IIFGROUP ? st->in : st->out;
		if (!dev)
			return false;
		*v = env->if_group ? env->if_group(env->ctx, dev) : 0;
		return true;
	}
	case NFT_K_SECPATH:
		*v = 0;		/* no IPsec: skb_sec_path() is NULL */
		return true;
	case NFT_K_SDIF:
	case NFT_K_SDIFNAME:
		/* no VRF (l3mdev): sdif 0, no device; an index 0 or "" never
		 * equals a device's */
		*name = "";
		return true;
	default:
		return false;
	}
}

bool nft_parse_tchandle(const char *s, uint32_t *v)
{
	if (strcmp(s, "root") == 0) {
		*v = 0xffffffffu;
		return true;
	}
	if (strcmp(s, "none") == 0) {
		*v = 0;
		return true;
	}
	const char *colon = strchr(s, ':');
	char *end;
	if (!colon)
		return false;
	unsigned long maj = colon == s ? 0 : strtoul(s, &end, 16);
	if (colon != s && end != colon)
		return false;
	unsigned long min = colon[1] ? strtoul(colon + 1, &end, 16) : 0;
	if ((colon[1] && *end) || maj > 0xffff || min > 0xffff)
		return false;
	*v = (uint32_t)(maj << 16 | min);
	return true;
}

void nft_print_tchandle(GString *s, uint32_t v)
{
	if (v == 0xffffffffu)
		g_string_append(s, "root");
	else if (v == 0)
		g_string_append(s, "none");
	else
		g_string_append_printf(s, "%x:%x", v >> 16, v & 0xffff);
}

static const char *const days[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
				    "Friday", "Saturday" };

/* Days since 1970-01-01 of a civil date (the proleptic Gregorian
 * calendar), and back. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

bool nft_parse_timekey(enum nft_dtype dt, const char *s, uint32_t *v)
{
	unsigned a, b, c, d, e, f;
	int n = 0;
	if (all_digits(s)) {
		unsigned long x = strtoul(s, NULL, 10);
		if ((dt == NFT_DT_DAY && x > 6) || (dt == NFT_DT_HOUR && x >= 86400) || x > UINT32_MAX)
			return false;
		*v = (uint32_t)x;
		return true;
	}
	switch (dt) {
	case NFT_DT_DAY:
		for (unsigned i = 0; i < G_N_ELEMENTS(days); i++)
			if (g_ascii_strcasecmp(s, days[i]) == 0) {
				*v = i;
				return true;
			}
		return false;
	case NFT_DT_HOUR:
		c = 0;
		if ((sscanf(s, "%2u:%2u:%2u%n", &a, &b, &c, &n) != 3 || s[n]) &&
		    (sscanf(s, "%2u:%2u%n", &a, &b, &n) != 2 || s[n]))
			return false;
		if (a > 23 || b > 59 || c > 59)
			return false;
		*v = a * 3600 + b * 60 + c;
		return true;
	default: {
		d = e = f = 0;
		if ((sscanf(s, "%4u-%2u-%2u %2u:%2u:%2u%n", &a, &b, &c, &d, &e, &f, &n) != 6 || s[n]) &&
		    (sscanf(s, "%4u-%2u-%2u %2u:%2u%n", &a, &b, &c, &d, &e, &n) != 5 || s[n]) &&
		    (sscanf(s, "%4u-%2u-%2u%n", &a, &b, &c, &n) != 3 || s[n]))
			return false;
		if (b < 1 || b > 12 || c < 1 || c > 31 || d > 23 || e > 59 || f > 59)
			return false;
		int64_t t = days_from_civil(a, b, c) * 86400 + d * 3600 + e * 60 + f;
		if (t < 0 || t > UINT32_MAX)
			return false;
		*v = (uint32_t)t;
		return true;
	}
	}
}

void nft_print_timekey(GString *s, enum nft_dtype dt, uint32_t v)
{
	if (dt == NFT_DT_DAY) {
		if (v < G_N_ELEMENTS(days))
			g_string_append_printf(s, "\"%s\"", days[v]);
		else
			g_string_append_printf(s, "%u", v);
		return;
	}
	if (dt == NFT_DT_HOUR) {
		g_string_append_printf(s, "\"%02u:%02u", v / 3600, v / 60 % 60);
		if (v % 60)
			g_string_append_printf(s, ":%02u", v % 60);
		g_string_append_c(s, '"');
		return;
	}
	int y;
	unsigned m, d;
	civil_from_days(v / 86400, &y, &m, &d);
	g_string_append_printf(s, "\"%04d-%02u-%02u %02u:%02u:%02u\"", y, m, d, v % 86400 / 3600,
			       v % 3600 / 60, v % 60);
}
