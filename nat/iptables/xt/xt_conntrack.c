/* xt_conntrack.c - `-m conntrack`: every option of revision 3.
 *
 * Mirrors libxt_conntrack.c (revision 3: --ctstate, --ctproto,
 * --ctorigsrc/--ctorigdst/--ctreplsrc/--ctrepldst ADDR[/MASK], their
 * ports PORT[:PORT], --ctstatus, --ctexpire MIN[:MAX], --ctdir; names of
 * states and statuses matched by prefix, case-insensitively; addresses kept
 * as given, not masked; -S prints the options in that fixed order) and the
 * kernel's net/netfilter/xt_conntrack.c (conntrack_mt: the state first,
 * then, for a packet with an entry, direction, addresses, protocol and
 * ports of either tuple, status and the seconds left). Needs conntrack.
 *
 * Design: one struct with a flag per option given (the kernel's
 * match_flags/invert_flags); the match tests only the flagged ones, so
 * `--ctstate` alone costs what it did.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/iptables/xt.h"

/* XT_CONNTRACK_* of linux/netfilter/xt_conntrack.h */
enum {
	CT_STATE = 1 << 0, CT_PROTO = 1 << 1, CT_ORIGSRC = 1 << 2, CT_ORIGDST = 1 << 3,
	CT_REPLSRC = 1 << 4, CT_REPLDST = 1 << 5, CT_STATUS = 1 << 6, CT_EXPIRES = 1 << 7,
	CT_ORIGSRC_PORT = 1 << 8, CT_ORIGDST_PORT = 1 << 9, CT_REPLSRC_PORT = 1 << 10,
	CT_REPLDST_PORT = 1 << 11, CT_DIRECTION = 1 << 12,
};

/* the four addresses and ports, in the order -S prints them */
enum { A_ORIGSRC, A_ORIGDST, A_REPLSRC, A_REPLDST, A_MAX };

struct xt_conntrack {
	uint32_t addr[A_MAX], mask[A_MAX];
	uint16_t port_lo[A_MAX], port_hi[A_MAX];
	uint32_t expires_min, expires_max;
	uint16_t match_flags, invert_flags;
	uint8_t state_mask;	/* XT_STATE_* */
	uint8_t status_mask;	/* IPS_EXPECTED .. IPS_CONFIRMED */
	uint8_t l4proto;
};

enum {
	O_CTSTATE, O_CTPROTO, O_CTORIGSRC, O_CTORIGDST, O_CTREPLSRC, O_CTREPLDST,
	O_CTORIGSRCPORT, O_CTORIGDSTPORT, O_CTREPLSRCPORT, O_CTREPLDSTPORT,
	O_CTSTATUS, O_CTEXPIRE, O_CTDIR,
};

static const struct xt_option conntrack_opts[] = {
	{ "ctstate", 1, O_CTSTATE }, { "ctproto", 1, O_CTPROTO },
	{ "ctorigsrc", 1, O_CTORIGSRC }, { "ctorigdst", 1, O_CTORIGDST },
	{ "ctreplsrc", 1, O_CTREPLSRC }, { "ctrepldst", 1, O_CTREPLDST },
	{ "ctorigsrcport", 1, O_CTORIGSRCPORT }, { "ctorigdstport", 1, O_CTORIGDSTPORT },
	{ "ctreplsrcport", 1, O_CTREPLSRCPORT }, { "ctrepldstport", 1, O_CTREPLDSTPORT },
	{ "ctstatus", 1, O_CTSTATUS }, { "ctexpire", 1, O_CTEXPIRE },
	{ "ctdir", 1, O_CTDIR }, { NULL, 0, 0 },
};

/* the flag of each option id */
static const uint16_t conntrack_flag[] = {
	CT_STATE, CT_PROTO, CT_ORIGSRC, CT_ORIGDST, CT_REPLSRC, CT_REPLDST,
	CT_ORIGSRC_PORT, CT_ORIGDST_PORT, CT_REPLSRC_PORT, CT_REPLDST_PORT,
	CT_STATUS, CT_EXPIRES, CT_DIRECTION,
};

struct ct_name { const char *name; uint8_t bit; };

/* conntrack_ps_state's order of tests (the first prefix match wins) */
static const struct ct_name ctstate_names[] = {
	{ "INVALID", XT_STATE_INVALID }, { "NEW", XT_STATE_NEW },
	{ "ESTABLISHED", XT_STATE_ESTABLISHED }, { "RELATED", XT_STATE_RELATED },
	{ "UNTRACKED", XT_STATE_UNTRACKED }, { "SNAT", XT_STATE_SNAT }, { "DNAT", XT_STATE_DNAT },
};

static const struct ct_name ctstatus_names[] = {
	{ "NONE", 0 }, { "EXPECTED", IPS_EXPECTED }, { "SEEN_REPLY", IPS_SEEN_REPLY },
	{ "ASSURED", IPS_ASSURED }, { "CONFIRMED", IPS_CONFIRMED },
};

static bool ct_name_bit(const struct ct_name *names, unsigned n, const char *s, size_t len,
			uint8_t *mask)
{
	for (unsigned i = 0; i < n; i++)
		if (g_ascii_strncasecmp(s, names[i].name, len) == 0) {
			*mask |= names[i].bit;
			return true;
		}
	return false;
}

/* conntrack_ps_states / conntrack_ps_statuses: a bad item is quoted with
 * the rest of the list. */
static int ct_parse_names(struct xt_parse *p, const char *what, const struct ct_name *names,
			  unsigned n, const char *arg, uint8_t *mask)
{
	const char *comma;
	while ((comma = strchr(arg, ',')) != NULL) {
		if (comma == arg || !ct_name_bit(names, n, arg, (size_t)(comma - arg), mask))
			return xt_err(p, "Bad %s \"%s\"", what, arg);
		arg = comma + 1;
	}
	if (!*arg || !ct_name_bit(names, n, arg, strlen(arg), mask))
		return xt_err(p, "Bad %s \"%s\"", what, arg);
	return 0;
}

/* ADDR[/MASK] (xtables_ipparse_any through getaddrinfo): a prefix length
 * up to 32, else the mask read as an address ("/33" is 0.0.0.33). Names are
 * not looked up. */
static int ct_parse_addr(struct xt_parse *p, const char *arg, uint32_t *addr, uint32_t *mask)
{
	char buf[64];
	g_strlcpy(buf, arg, sizeof(buf));
	char *slash = strchr(buf, '/');
	uint32_t m = 0xffffffffu;
	if (slash) {
		*slash++ = '\0';
		unsigned long bits;
		if (xt_strtoul(slash, 32, &bits))
			m = bits ? 0xffffffffu << (32 - bits) : 0;
		else if (!nf_inet_aton(slash, &m))
			return xt_err(p, "getaddrinfo: Name or service not known\n");
	}
	if (!nf_inet_aton(buf, addr))
		return xt_err(p, "getaddrinfo: Name or service not known\n");
	*mask = m;
	return 0;
}

/* A port or service name, taken modulo 65536 (xtables_parse_port then
 * a cast, as libxt_conntrack's conntrack_parse_ports does). */
static int ct_parse_port(struct xt_parse *p, const char *s, uint16_t *out)
{
	char *end;
	if (*s >= '0' && *s <= '9') {
		unsigned long v = strtoul(s, &end, 10);
		if (!*end) {
			*out = (uint16_t)v;
			return 0;
		}
	}
	int port = *s ? ipt_service_port(s, 0) : -1;
	if (port < 0)
		return xt_err(p, "Port \"%s\" does not resolve to anything.\n", s);
	*out = (uint16_t)port;
	return 0;
}

/* PORT, PORT:PORT, :PORT, PORT: (a missing end is 0 or 65535). */
static int ct_parse_ports(struct xt_parse *p, const char *opt, const char *arg,
			  uint16_t *lo, uint16_t *hi)
{
	gchar **parts = g_strsplit(arg, ":", -1);
	int rc = 0;
	if (g_strv_length(parts) > 2) {
		rc = xt_err(p, "conntrack: Too many components for option \"--%s\" (max: 2)\n", opt);
	} else if (!parts[1]) {
		rc = ct_parse_port(p, parts[0], lo);
		*hi = *lo;
	} else {
		*lo = 0;
		*hi = 65535;
		if (*parts[0])
			rc = ct_parse_port(p, parts[0], lo);
		if (!rc && *parts[1])
			rc = ct_parse_port(p, parts[1], hi);
	}
	g_strfreev(parts);
	return rc;
}

static int ct_parse_u32(struct xt_parse *p, const char *s, uint32_t *out)
{
	unsigned long v;
	if (!xt_strtoul(s, 0xffffffffu, &v))
		return xt_err(p, "conntrack: bad value for option \"--ctexpire\" near \"%s\", or out of "
			      "range (0-4294967295).\n", s);
	*out = (uint32_t)v;
	return 0;
}

/* MIN, MIN:MAX, :MAX, MIN: (XTTYPE_UINT32RC) */
static int ct_parse_expire(struct xt_parse *p, const char *arg, struct xt_conntrack *c)
{
	gchar **parts = g_strsplit(arg, ":", -1);
	int rc = 0;
	if (g_strv_length(parts) > 2) {
		rc = xt_err(p, "conntrack: Too many components for option \"--ctexpire\" (max: 2)\n");
	} else if (!parts[1]) {
		rc = ct_parse_u32(p, parts[0], &c->expires_min);
		c->expires_max = c->expires_min;
	} else {
		c->expires_min = 0;
		c->expires_max = 0xffffffffu;
		if (*parts[0])
			rc = ct_parse_u32(p, parts[0], &c->expires_min);
		if (!rc && *parts[1])
			rc = ct_parse_u32(p, parts[1], &c->expires_max);
	}
	g_strfreev(parts);
	return rc;
}

static int ct_parse_proto(struct xt_parse *p, const char *arg, uint8_t *out)
{
	char low[64];
	g_strlcpy(low, arg, sizeof(low));
	for (char *s = low; *s; s++)
		*s = (char)g_ascii_tolower(*s);
	unsigned long v;
	int n;
	if (strcmp(low, "all") == 0)
		n = 0;
	else if (xt_strtoul(low, 255, &v))
		n = (int)v;
	else
		n = ipt_proto_number(low);
	if (n < 0)
		return xt_err(p, "unknown protocol \"%s\" specified", arg);
	*out = (uint8_t)n;
	return 0;
}

static int conntrack_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_conntrack *c = data;
	int rc = xt_once(p, conntrack_opts[id].name, id);
	if (rc)
		return rc;
	switch (id) {
	case O_CTSTATE:
		rc = ct_parse_names(p, "ctstate", ctstate_names, G_N_ELEMENTS(ctstate_names), arg,
				    &c->state_mask);
		break;
	case O_CTPROTO:
		rc = ct_parse_proto(p, arg, &c->l4proto);
		break;
	case O_CTORIGSRC: case O_CTORIGDST: case O_CTREPLSRC: case O_CTREPLDST:
		rc = ct_parse_addr(p, arg, &c->addr[id - O_CTORIGSRC], &c->mask[id - O_CTORIGSRC]);
		break;
	case O_CTORIGSRCPORT: case O_CTORIGDSTPORT: case O_CTREPLSRCPORT: case O_CTREPLDSTPORT:
		rc = ct_parse_ports(p, conntrack_opts[id].name, arg, &c->port_lo[id - O_CTORIGSRCPORT],
				    &c->port_hi[id - O_CTORIGSRCPORT]);
		break;
	case O_CTSTATUS:
		rc = ct_parse_names(p, "ctstatus", ctstatus_names, G_N_ELEMENTS(ctstatus_names), arg,
				    &c->status_mask);
		break;
	case O_CTEXPIRE:
		rc = ct_parse_expire(p, arg, c);
		break;
	default: /* O_CTDIR */
		rc = xt_noinvert(p, "ctdir");
		if (rc)
			break;
		if (g_ascii_strcasecmp(arg, "ORIGINAL") == 0)
			c->invert_flags &= (uint16_t)~CT_DIRECTION;
		else if (g_ascii_strcasecmp(arg, "REPLY") == 0)
			c->invert_flags |= CT_DIRECTION;
		else
			rc = xt_err(p, "conntrack: Bad value for \"--ctdir\" option: \"%s\"", arg);
		break;
	}
	c->match_flags |= conntrack_flag[id];
	if (p->invert)
		c->invert_flags |= conntrack_flag[id];
	return rc;
}

static int conntrack_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_conntrack *c = data;
	if (!c->match_flags)
		return xt_err(p, "conntrack: At least one option is required");
	return 0;
}

/* xtables_ipmask_to_numeric as 1.8.9 prints a read-back mask: /N for a
 * prefix shorter than 32, nothing for /32 or a mask that is no prefix. */
static void ct_print_mask(GString *o, uint32_t mask)
{
	unsigned bits = 0;
	while (bits < 32 && (mask & (0x80000000u >> bits)))
		bits++;
	uint32_t prefix = bits ? 0xffffffffu << (32 - bits) : 0;
	if (bits < 32 && mask == prefix)
		g_string_append_printf(o, "/%u", bits);
}

static void ct_print_addr(GString *o, uint32_t addr, uint32_t mask, bool numeric)
{
	if (!numeric && addr == 0) {
		g_string_append(o, " anywhere");
		return;
	}
	g_string_append_printf(o, " %u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
			       (addr >> 8) & 0xff, addr & 0xff);
	ct_print_mask(o, mask);
}

static void ct_print_names(GString *o, const struct ct_name *names, unsigned n, uint8_t mask)
{
	const char *sep = " ";
	for (unsigned i = 0; i < n; i++)
		if (names[i].bit && (mask & names[i].bit)) {
			g_string_append_printf(o, "%s%s", sep, names[i].name);
			sep = ",";
		}
}

/* conntrack_dump: -L (prefix "", numeric as -n) and -S (prefix "--",
 * numeric); an inverted option is preceded by " !". */
static void conntrack_dump(GString *o, const struct xt_conntrack *c, const char *prefix,
			   bool numeric)
{
	static const char *const addr_opt[A_MAX] = { "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst" };
	static const char *const port_opt[A_MAX] = {
		"ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport",
	};
	uint16_t f = c->match_flags, inv = c->invert_flags;
	if (f & CT_STATE) {
		g_string_append_printf(o, "%s %sctstate", inv & CT_STATE ? " !" : "", prefix);
		xt_state_print_list(g_string_append_c(o, ' '), c->state_mask);
	}
	if (f & CT_PROTO)
		g_string_append_printf(o, "%s %sctproto %u", inv & CT_PROTO ? " !" : "", prefix, c->l4proto);
	for (unsigned i = 0; i < A_MAX; i++)
		if (f & (CT_ORIGSRC << i)) {
			g_string_append_printf(o, "%s %s%s", inv & (CT_ORIGSRC << i) ? " !" : "", prefix,
					       addr_opt[i]);
			ct_print_addr(o, c->addr[i], c->mask[i], numeric);
		}
	for (unsigned i = 0; i < A_MAX; i++)
		if (f & (CT_ORIGSRC_PORT << i)) {
			g_string_append_printf(o, "%s %s%s %u", inv & (CT_ORIGSRC_PORT << i) ? " !" : "",
					       prefix, port_opt[i], c->port_lo[i]);
			if (c->port_hi[i] != c->port_lo[i])
				g_string_append_printf(o, ":%u", c->port_hi[i]);
		}
	if (f & CT_STATUS) {
		g_string_append_printf(o, "%s %sctstatus", inv & CT_STATUS ? " !" : "", prefix);
		if (c->status_mask)
			ct_print_names(o, ctstatus_names, G_N_ELEMENTS(ctstatus_names), c->status_mask);
		else
			g_string_append(o, " NONE");
	}
	if (f & CT_EXPIRES) {
		g_string_append_printf(o, "%s %sctexpire %u", inv & CT_EXPIRES ? " !" : "", prefix,
				       c->expires_min);
		if (c->expires_max != c->expires_min)
			g_string_append_printf(o, ":%u", c->expires_max);
	}
	if (f & CT_DIRECTION)
		g_string_append_printf(o, " %sctdir %s", prefix, inv & CT_DIRECTION ? "REPLY" : "ORIGINAL");
}

static void conntrack_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	conntrack_dump(o, data, "", numeric);
}

static void conntrack_save(GString *o, const void *data)
{
	conntrack_dump(o, data, "--", true);
}

/* port_match */
static inline bool ct_port_match(uint16_t lo, uint16_t hi, uint16_t port, bool invert)
{
	return (port >= lo && port <= hi) != invert;
}

/* ct_proto_port_check_v3: the protocol, then the ports of the original
 * tuple (src.u.all, dst.u.all: ICMP's id and type<<8|code) and the reply's. */
static bool ct_proto_port_check(const struct xt_conntrack *c, const struct ct_entry *ct)
{
	const struct ct_tuple *t = &ct->tuplehash[CT_DIR_ORIGINAL].t;
	uint16_t f = c->match_flags, inv = c->invert_flags;
	if ((f & CT_PROTO) && (t->proto == c->l4proto) == !!(inv & CT_PROTO))
		return false;
	uint16_t ports[A_MAX] = {
		t->sport, t->dport,
		ct->tuplehash[CT_DIR_REPLY].t.sport, ct->tuplehash[CT_DIR_REPLY].t.dport,
	};
	for (unsigned i = 0; i < A_MAX; i++)
		if ((f & (CT_ORIGSRC_PORT << i)) &&
		    !ct_port_match(c->port_lo[i], c->port_hi[i], ports[i],
				   inv & (CT_ORIGSRC_PORT << i)))
			return false;
	return true;
}

/* conntrack_mt (revision 3) */
static bool conntrack_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_conntrack *c = data;
	const struct nf_skb *skb = par->skb;
	const struct ct_entry *ct = skb->ct;
	uint16_t f = c->match_flags, inv = c->invert_flags;
	if (f & CT_STATE) {
		unsigned bit = xt_state_bit(skb);
		if (ct) {
			if (ct->status & IPS_SRC_NAT)
				bit |= XT_STATE_SNAT;
			if (ct->status & IPS_DST_NAT)
				bit |= XT_STATE_DNAT;
		}
		if (((c->state_mask & bit) != 0) == !!(inv & CT_STATE))
			return false;
	}
	if (!ct)
		return f & CT_STATE;
	if (f & CT_DIRECTION) {
		bool orig = skb->ctinfo < IP_CT_IS_REPLY;
		if (orig == !!(inv & CT_DIRECTION))
			return false;
	}
	if (f & (CT_ORIGSRC | CT_ORIGDST | CT_REPLSRC | CT_REPLDST)) {
		const struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;
		const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
		uint32_t addrs[A_MAX] = { o->src, o->dst, r->src, r->dst };
		for (unsigned i = 0; i < A_MAX; i++)
			if ((f & (CT_ORIGSRC << i)) &&
			    (((addrs[i] ^ c->addr[i]) & c->mask[i]) == 0) == !!(inv & (CT_ORIGSRC << i)))
				return false;
	}
	if (!ct_proto_port_check(c, ct))
		return false;
	if ((f & CT_STATUS) && ((c->status_mask & ct->status) != 0) == !!(inv & CT_STATUS))
		return false;
	if (f & CT_EXPIRES) {
		/* nf_ct_expires: an unconfirmed entry's timeout is still
		 * relative on Linux (made absolute at confirm), so what it
		 * shows depends on the machine's uptime; natsim says 0 */
		int64_t left = ct->status & IPS_CONFIRMED ? ct_entry_remaining(ct, par->now) : 0;
		bool in = left >= c->expires_min && left <= c->expires_max;
		if (in == !!(inv & CT_EXPIRES))
			return false;
	}
	return true;
}

/* _conntrack3_mt_xlate, in its order. A --ctstate naming SNAT or DNAT
 * becomes `ct status snat` (or dnat) alone, inverted by --ctstatus's '!'
 * (1.8.9's words, quirks kept); --ctproto's direction follows --ctdir. */
static bool conntrack_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const char *const addr_name[A_MAX] = {
		"original saddr", "original daddr", "reply saddr", "reply daddr",
	};
	static const char *const port_name[A_MAX] = {
		"original proto-src", "original proto-dst", "reply proto-src", "reply proto-dst",
	};
	const struct xt_conntrack *c = data;
	uint16_t f = c->match_flags, inv = c->invert_flags;
	const char *sp = "";	/* " " once a piece is written */
	(void)r;
	if (f & CT_DIRECTION) {
		xt_xlate_add(xl, "ct direction %s", inv & CT_DIRECTION ? "reply" : "original");
		sp = " ";
	}
	if (f & CT_PROTO) {
		xt_xlate_add(xl, "%sct %s protocol %s%u", sp, inv & CT_DIRECTION ? "reply" : "original",
			     inv & CT_PROTO ? "!= " : "", c->l4proto);
		sp = " ";
	}
	if (f & CT_STATE) {
		if (c->state_mask & (XT_STATE_SNAT | XT_STATE_DNAT)) {
			xt_xlate_add(xl, "%sct status %s%s", sp, inv & CT_STATUS ? "!=" : "",
				     c->state_mask & XT_STATE_SNAT ? "snat" : "dnat");
		} else {
			xt_xlate_add(xl, "%sct state ", sp);
			xt_state_xlate_list(xl, c->state_mask, inv & CT_STATE);
		}
		sp = " ";
	}
	if (f & CT_STATUS) {
		static const struct { uint8_t bit; const char *name; } st[] = {
			{ IPS_EXPECTED, "expected" }, { IPS_SEEN_REPLY, "seen-reply" },
			{ IPS_ASSURED, "assured" }, { IPS_CONFIRMED, "confirmed" },
		};
		const char *sep = "";
		xt_xlate_add(xl, "%sct status ", sp);
		if (inv & CT_STATUS)
			xt_xlate_add(xl, "! ");
		for (unsigned i = 0; i < G_N_ELEMENTS(st); i++)
			if (c->status_mask & st[i].bit) {
				xt_xlate_add(xl, "%s%s", sep, st[i].name);
				sep = ",";
			}
		sp = " ";
	}
	if (f & CT_EXPIRES) {
		xt_xlate_add(xl, "%sct expiration %s", sp, inv & CT_EXPIRES ? "!= " : "");
		if (c->expires_max == c->expires_min)
			xt_xlate_add(xl, "%u", c->expires_min);
		else
			xt_xlate_add(xl, "%u-%u", c->expires_min, c->expires_max);
		sp = " ";
	}
	for (unsigned i = 0; i < A_MAX; i++)
		if (f & (CT_ORIGSRC << i)) {
			GString *a = g_string_new(NULL);
			ct_print_addr(a, c->addr[i], c->mask[i], true);
			xt_xlate_add(xl, "%sct %s %s", sp, addr_name[i], inv & (CT_ORIGSRC << i) ? "!= " : "");
			xt_xlate_add(xl, "%s", a->str + 1);
			g_string_free(a, TRUE);
			sp = " ";
		}
	for (unsigned i = 0; i < A_MAX; i++)
		if (f & (CT_ORIGSRC_PORT << i)) {
			xt_xlate_add(xl, "%sct %s %s", sp, port_name[i],
				     inv & (CT_ORIGSRC_PORT << i) ? "!= " : "");
			if (c->port_lo[i] == c->port_hi[i])
				xt_xlate_add(xl, "%u", c->port_lo[i]);
			else
				xt_xlate_add(xl, "%u-%u", c->port_lo[i], c->port_hi[i]);
			sp = " ";
		}
	return true;
}

const struct xt_ops xt_conntrack_ops = {
	.name = "conntrack", .kind = XT_MATCH, .size = sizeof(struct xt_conntrack),
	.xlate = conntrack_xlate,
	.opts = conntrack_opts, .parse = conntrack_parse, .final_check = conntrack_final_check,
	.print = conntrack_print, .save = conntrack_save,
	.match = conntrack_mt, .needs_ct = true,
};
