/* xt_tcpudp.c - `-m tcp` and `-m udp`: ports, and for tcp the flags.
 *
 * Mirrors libxt_tcp.c / libxt_udp.c (options, errors, -L and -S text) and
 * the kernel's net/netfilter/xt_tcpudp.c (tcp_mt, udp_mt; checkentry's
 * "only valid for protocol"). One file for both, as the kernel has it.
 *
 * Design: one struct for both matches; iptables-nft turns the options of
 * every tcp (udp) instance of a rule into payload expressions and reads
 * them back as ONE match, so -S and -L print the instances merged (merge
 * below), while the kernel still checks each instance.
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/xt.h"

/* struct xt_tcp / xt_udp: --sport, --dport, and for tcp --tcp-flags MASK
 * COMP (--syn), each with '!'. */
struct xt_tcpudp {
	uint16_t sport_min, sport_max, dport_min, dport_max;
	uint8_t flags_mask, flags_cmp;
	bool sport_set, sport_inv, dport_set, dport_inv, flags_set, flags_inv;
};

enum { O_SPORT, O_DPORT, O_SYN, O_TCPFLAGS };

static const struct xt_option tcp_opts[] = {
	{ "source-port", 1, O_SPORT }, { "sport", 1, O_SPORT },
	{ "destination-port", 1, O_DPORT }, { "dport", 1, O_DPORT }, { "syn", 0, O_SYN },
	{ "tcp-flags", 1, O_TCPFLAGS }, { "tcp-option", 1, XT_OPT_UNIMPL }, { NULL, 0, 0 },
};
static const struct xt_option udp_opts[] = {
	{ "source-port", 1, O_SPORT }, { "sport", 1, O_SPORT },
	{ "destination-port", 1, O_DPORT }, { "dport", 1, O_DPORT }, { NULL, 0, 0 },
};

/* parse_ports of libxt_tcp/udp: PORT, PORT:PORT, :PORT, PORT: */
static int tcpudp_parse_ports(struct xt_parse *p, const char *arg, uint16_t *lo, uint16_t *hi)
{
	uint8_t proto = p->rule->proto;
	char buf[128];
	g_strlcpy(buf, arg, sizeof(buf));
	char *colon = strchr(buf, ':');
	if (!colon) {
		if (!xt_port_value(buf, proto, lo))
			return xt_err(p, "invalid port/service `%s' specified", buf);
		*hi = *lo;
		return 0;
	}
	*colon = '\0';
	const char *a = buf, *b = colon + 1;
	*lo = 0;
	*hi = 65535;
	if (*a && !xt_port_value(a, proto, lo))
		return xt_err(p, "invalid port/service `%s' specified", a);
	if (*b && !xt_port_value(b, proto, hi))
		return xt_err(p, "invalid port/service `%s' specified", b);
	if (*lo > *hi)
		return xt_err(p, "invalid portrange (min > max)");
	return 0;
}

static const struct { const char *name; uint8_t v; } tcp_flag_names[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 }, { "ALL", 0x3f }, { "NONE", 0 },
};

static int tcp_parse_flag_list(struct xt_parse *p, const char *arg, uint8_t *out)
{
	gchar **parts = g_strsplit(arg, ",", -1);
	uint8_t v = 0;
	int rc = 0;
	for (unsigned i = 0; parts[i]; i++) {
		unsigned k;
		for (k = 0; k < G_N_ELEMENTS(tcp_flag_names); k++)
			if (g_ascii_strcasecmp(parts[i], tcp_flag_names[k].name) == 0)
				break;
		if (k == G_N_ELEMENTS(tcp_flag_names)) {
			rc = xt_err(p, "Unknown TCP flag `%s'", parts[i]);
			break;
		}
		v |= tcp_flag_names[k].v;
	}
	g_strfreev(parts);
	*out = v;
	return rc;
}

static int tcpudp_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_tcpudp *t = data;
	int rc = 0;
	switch (id) {
	case O_SPORT:
		if (t->sport_set)
			return xt_err(p, "Only one `--source-port' allowed");
		rc = tcpudp_parse_ports(p, arg, &t->sport_min, &t->sport_max);
		t->sport_set = true;
		t->sport_inv = p->invert;
		break;
	case O_DPORT:
		if (t->dport_set)
			return xt_err(p, "Only one `--destination-port' allowed");
		rc = tcpudp_parse_ports(p, arg, &t->dport_min, &t->dport_max);
		t->dport_set = true;
		t->dport_inv = p->invert;
		break;
	case O_SYN:
		if (t->flags_set)
			return xt_err(p, "Only one of `--syn' or `--tcp-flags'  allowed");
		t->flags_set = true;
		t->flags_mask = 0x17;
		t->flags_cmp = 0x02;
		t->flags_inv = p->invert;
		break;
	case O_TCPFLAGS:
		if (t->flags_set)
			return xt_err(p, "Only one of `--syn' or `--tcp-flags'  allowed");
		if (*p->next >= p->argc || p->argv[*p->next][0] == '-' || p->argv[*p->next][0] == '!')
			return xt_err(p, "--tcp-flags requires two args.");
		rc = tcp_parse_flag_list(p, arg, &t->flags_mask);
		if (!rc)
			rc = tcp_parse_flag_list(p, p->argv[*p->next], &t->flags_cmp);
		(*p->next)++;
		t->flags_set = true;
		t->flags_inv = p->invert;
		break;
	}
	return rc;
}

static bool tcpudp_has_options(const void *data)
{
	const struct xt_tcpudp *t = data;
	return t->sport_set || t->dport_set || t->flags_set;
}

/* iptables-nft turns a tcp or udp match with options into payload
 * expressions, which need the rule's protocol (add_nft_tcp/add_nft_udp);
 * one without options stays an xt match that the kernel checks. */
static int tcp_nft_check(const struct ipt_rule *r, const void *data, GString *msg)
{
	if (tcpudp_has_options(data) && r->proto != 6) {
		g_string_assign(msg, "TCP match requires '-p tcp'");
		return 2;
	}
	return 0;
}

static int udp_nft_check(const struct ipt_rule *r, const void *data, GString *msg)
{
	if (tcpudp_has_options(data) && r->proto != 17) {
		g_string_assign(msg, "UDP match requires '-p udp'");
		return 2;
	}
	return 0;
}

/* What -S and -L show: for each option the last instance giving it
 * supplies the value, and a '!' once given stays (nft_parse_tcp ORs the
 * inversion flags). So `-m tcp --dport 80 -m state --state NEW -m tcp
 * --sport 5` prints as `-m tcp --sport 5 --dport 80 -m state --state NEW`,
 * while `--dport 80 -m tcp --dport 81` never matches and prints as
 * `--dport 81`. */
static void tcpudp_merge(void *into, const void *later)
{
	struct xt_tcpudp *out = into;
	const struct xt_tcpudp *t = later;
	if (t->sport_set) {
		out->sport_set = true;
		out->sport_min = t->sport_min;
		out->sport_max = t->sport_max;
		out->sport_inv |= t->sport_inv;
	}
	if (t->dport_set) {
		out->dport_set = true;
		out->dport_min = t->dport_min;
		out->dport_max = t->dport_max;
		out->dport_inv |= t->dport_inv;
	}
	if (t->flags_set) {
		out->flags_set = true;
		out->flags_mask = t->flags_mask;
		out->flags_cmp = t->flags_cmp;
		out->flags_inv |= t->flags_inv;
	}
}

static void tcp_flag_names_print(GString *o, uint8_t flags)
{
	bool have = false;
	for (unsigned i = 0; i < 6; i++) {
		if (!(flags & tcp_flag_names[i].v))
			continue;
		g_string_append_printf(o, "%s%s", have ? "," : "", tcp_flag_names[i].name);
		have = true;
	}
	if (!have)
		g_string_append(o, "NONE");
}

static void tcpudp_list_ports(GString *o, const char *name, bool inv, uint16_t lo, uint16_t hi,
			      uint8_t proto, bool numeric)
{
	if (lo == 0 && hi == 0xffff && !inv)
		return;
	if (lo == hi) {
		g_string_append_printf(o, " %s:%s", name, inv ? "!" : "");
		xt_print_port(o, lo, proto, numeric);
	} else {
		g_string_append_printf(o, " %ss:%s", name, inv ? "!" : "");
		xt_print_port(o, lo, proto, numeric);
		g_string_append_c(o, ':');
		xt_print_port(o, hi, proto, numeric);
	}
}

static void tcpudp_print(GString *o, const struct xt_tcpudp *t, bool tcp, uint8_t proto,
			 bool numeric)
{
	g_string_append(o, tcp ? " tcp" : " udp");
	if (t->sport_set)
		tcpudp_list_ports(o, "spt", t->sport_inv, t->sport_min, t->sport_max, proto, numeric);
	if (t->dport_set)
		tcpudp_list_ports(o, "dpt", t->dport_inv, t->dport_min, t->dport_max, proto, numeric);
	if (tcp && t->flags_set) {
		g_string_append_printf(o, " flags:%s", t->flags_inv ? "!" : "");
		if (numeric) {
			g_string_append_printf(o, "0x%02X/0x%02X", t->flags_mask, t->flags_cmp);
		} else {
			tcp_flag_names_print(o, t->flags_mask);
			g_string_append_c(o, '/');
			tcp_flag_names_print(o, t->flags_cmp);
		}
	}
}

static void tcp_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	tcpudp_print(o, data, true, proto, numeric);
}

static void udp_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	tcpudp_print(o, data, false, proto, numeric);
}

static void tcpudp_save_ports(GString *o, const char *opt, bool inv, uint16_t lo, uint16_t hi)
{
	g_string_append_printf(o, "%s --%s %u", inv ? " !" : "", opt, lo);
	if (hi != lo)
		g_string_append_printf(o, ":%u", hi);
}

static void udp_save(GString *o, const void *data)
{
	const struct xt_tcpudp *t = data;
	if (t->sport_set)
		tcpudp_save_ports(o, "sport", t->sport_inv, t->sport_min, t->sport_max);
	if (t->dport_set)
		tcpudp_save_ports(o, "dport", t->dport_inv, t->dport_min, t->dport_max);
}

static void tcp_save(GString *o, const void *data)
{
	const struct xt_tcpudp *t = data;
	udp_save(o, data);
	if (t->flags_set) {
		g_string_append(o, t->flags_inv ? " ! --tcp-flags " : " --tcp-flags ");
		tcp_flag_names_print(o, t->flags_mask);
		g_string_append_c(o, ' ');
		tcp_flag_names_print(o, t->flags_cmp);
	}
}

static bool port_in(uint16_t p, uint16_t lo, uint16_t hi)
{
	return p >= lo && p <= hi;
}

/* tcp_mt / udp_mt: never a fragment; a truncated header drops the packet. */
static bool tcpudp_mt(struct xt_action_param *par, const struct xt_tcpudp *t, bool tcp)
{
	const struct xt_pkt *p = par->pkt;
	if (p->frag)
		return false;
	if (p->l4len < (tcp ? 20u : 8u)) {
		par->hotdrop = true;
		return false;
	}
	uint16_t sp = rd16(p->l4), dp = rd16(p->l4 + 2);
	if (t->sport_set && port_in(sp, t->sport_min, t->sport_max) == t->sport_inv)
		return false;
	if (t->dport_set && port_in(dp, t->dport_min, t->dport_max) == t->dport_inv)
		return false;
	if (tcp && t->flags_set && ((p->l4[13] & t->flags_mask) == t->flags_cmp) == t->flags_inv)
		return false;
	return true;
}

static bool tcp_mt(struct xt_action_param *par, const void *data)
{
	return tcpudp_mt(par, data, true);
}

static bool udp_mt(struct xt_action_param *par, const void *data)
{
	return tcpudp_mt(par, data, false);
}

/* tcp_xlate / udp_xlate: each port given and not the whole range. udp
 * marks an inverted --dport with --sport's flag: 1.8.9 prints `udp dport
 * 53` for `! --dport 53` unless --sport is inverted too. */
static void tcpudp_xlate_port(struct xt_xlate *xl, const char *proto, const char *dir,
			      uint16_t lo, uint16_t hi, bool inv)
{
	if (lo == 0 && hi == 0xffff)
		return;
	if (lo != hi)
		xt_xlate_add(xl, "%s %s %s%u-%u", proto, dir, inv ? "!= " : "", lo, hi);
	else
		xt_xlate_add(xl, "%s %s %s%u", proto, dir, inv ? "!= " : "", lo);
}

/* print_tcp_xlate: nft's flag names in its bit order, 0x0 for none. */
static void tcp_xlate_flags(struct xt_xlate *xl, uint8_t flags)
{
	static const struct { uint8_t v; const char *name; } names[] = {
		{ 0x01, "fin" }, { 0x02, "syn" }, { 0x04, "rst" },
		{ 0x08, "psh" }, { 0x10, "ack" }, { 0x20, "urg" },
	};
	bool have = false;
	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++)
		if (flags & names[i].v) {
			xt_xlate_add(xl, "%s%s", have ? "," : "", names[i].name);
			have = true;
		}
	if (!have)
		xt_xlate_add(xl, "0x0");
}

static bool tcp_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpudp *t = data;
	(void)r;
	if (t->sport_set)
		tcpudp_xlate_port(xl, "tcp", "sport", t->sport_min, t->sport_max, t->sport_inv);
	if (t->dport_set)
		tcpudp_xlate_port(xl, "tcp", "dport", t->dport_min, t->dport_max, t->dport_inv);
	if (t->flags_set && (t->flags_mask || t->flags_inv)) {
		xt_xlate_add(xl, "tcp flags %s", t->flags_inv ? "!= " : "");
		tcp_xlate_flags(xl, t->flags_cmp);
		xt_xlate_add(xl, " / ");
		tcp_xlate_flags(xl, t->flags_mask);
	}
	return true;
}

static bool udp_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpudp *t = data;
	(void)r;
	if (t->sport_set)
		tcpudp_xlate_port(xl, "udp", "sport", t->sport_min, t->sport_max, t->sport_inv);
	if (t->dport_set)
		tcpudp_xlate_port(xl, "udp", "dport", t->dport_min, t->dport_max,
				  t->sport_set && t->sport_inv);
	return true;
}

/* add_nft_tcp / add_nft_udp (iptables-nft 1.8.9): the flags' payload
 * first, then the ports; nft prints each inversion as it is. */
static void tcp_nft_list(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpudp *t = data;
	(void)r;
	if (t->flags_set && (t->flags_mask || t->flags_inv)) {
		xt_xlate_add(xl, "tcp flags %s", t->flags_inv ? "!= " : "");
		tcp_xlate_flags(xl, t->flags_cmp);
		xt_xlate_add(xl, " / ");
		tcp_xlate_flags(xl, t->flags_mask);
		xt_xlate_add(xl, " ");
	}
	if (t->sport_set)
		tcpudp_xlate_port(xl, "tcp", "sport", t->sport_min, t->sport_max, t->sport_inv);
	if (t->dport_set)
		tcpudp_xlate_port(xl, "tcp", "dport", t->dport_min, t->dport_max, t->dport_inv);
}

static void udp_nft_list(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpudp *t = data;
	(void)r;
	if (t->sport_set)
		tcpudp_xlate_port(xl, "udp", "sport", t->sport_min, t->sport_max, t->sport_inv);
	if (t->dport_set)
		tcpudp_xlate_port(xl, "udp", "dport", t->dport_min, t->dport_max, t->dport_inv);
}

const struct xt_ops xt_tcp_ops = {
	.name = "tcp", .kind = XT_MATCH, .size = sizeof(struct xt_tcpudp),
	.xlate = tcp_xlate, .nft_list = tcp_nft_list,
	.opts = tcp_opts, .parse = tcpudp_parse, .nft_check = tcp_nft_check,
	.print = tcp_print, .save = tcp_save,
	.mergeable = tcpudp_has_options, .merge = tcpudp_merge,
	.match = tcp_mt, .proto = 6,
};

const struct xt_ops xt_udp_ops = {
	.name = "udp", .kind = XT_MATCH, .size = sizeof(struct xt_tcpudp),
	.xlate = udp_xlate, .nft_list = udp_nft_list,
	.opts = udp_opts, .parse = tcpudp_parse, .nft_check = udp_nft_check,
	.print = udp_print, .save = udp_save,
	.mergeable = tcpudp_has_options, .merge = tcpudp_merge,
	.match = udp_mt, .proto = 17,
};
