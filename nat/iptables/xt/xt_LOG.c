/* xt_LOG.c - `-j LOG [--log-prefix TEXT] [--log-level LEVEL]
 * [--log-tcp-sequence] [--log-tcp-options] [--log-ip-options]
 * [--log-uid] [--log-macdecode]`.
 *
 * Mirrors libxt_LOG.c (level names, the 29-byte prefix, the flags, -L/-S
 * text) and the kernel's net/netfilter/xt_LOG.c with nf_log_syslog.c's
 * nf_log_ip_packet / dump_ipv4_packet / nf_log_dump_tcp_header /
 * dump_mac_header for the line it writes to the kernel log, logflags
 * (NF_LOG_*) included. --log-uid's UID=/GID= (nf_log_dump_sk_uid_gid) come
 * from the packet's socket (nf_skb.sk): an application's, whose file is
 * root's (UID=0 GID=0); the stack's own sockets have no file and
 * forwarded packets no socket, so their lines have none.
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/nf_log.h"
#include "nat/iptables/xt.h"

struct xt_log {
	char *prefix;		/* NULL: none */
	uint8_t level;		/* syslog level, 4 (warning) by default */
	uint8_t logflags;	/* NF_LOG_* */
};

enum { O_LOG_LEVEL, O_LOG_PREFIX, O_LOG_TCPSEQ, O_LOG_TCPOPT, O_LOG_IPOPT, O_LOG_UID,
       O_LOG_MAC };

/* in option id order (log_opts[id].name) */
static const struct xt_option log_opts[] = {
	{ "log-level", 1, O_LOG_LEVEL }, { "log-prefix", 1, O_LOG_PREFIX },
	{ "log-tcp-sequence", 0, O_LOG_TCPSEQ }, { "log-tcp-options", 0, O_LOG_TCPOPT },
	{ "log-ip-options", 0, O_LOG_IPOPT }, { "log-uid", 0, O_LOG_UID },
	{ "log-macdecode", 0, O_LOG_MAC }, { NULL, 0, 0 },
};

static void log_init(void *data)
{
	((struct xt_log *)data)->level = 4;
}

static int log_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	static const char *const names[] = {
		"alert", "crit", "debug", "emerg", "error", "info", "notice", "panic", "warning",
	};
	static const uint8_t values[] = { 1, 2, 7, 0, 3, 6, 5, 0, 4 };
	static const uint8_t flag_of[] = { [O_LOG_TCPSEQ] = NF_LOG_TCPSEQ,
					   [O_LOG_TCPOPT] = NF_LOG_TCPOPT,
					   [O_LOG_IPOPT] = NF_LOG_IPOPT,
					   [O_LOG_UID] = NF_LOG_UID,
					   [O_LOG_MAC] = NF_LOG_MACDECODE };
	struct xt_log *lg = data;
	int rc;
	if (id >= O_LOG_TCPSEQ) {
		rc = xt_once(p, log_opts[id].name, id);
		if (!rc)
			rc = xt_noinvert(p, log_opts[id].name);
		if (!rc)
			lg->logflags |= flag_of[id];
		return rc;
	}
	rc = xt_once(p, log_opts[id].name, id);
	if (rc)
		return rc;
	if (id == O_LOG_PREFIX) {
		rc = xt_noinvert(p, "log-prefix");
		if (!rc && !*arg)	/* XTTYPE_STRING with .min = 1 */
			return xt_err(p, "Argument must have a minimum length of 1 characters\n");
		if (!rc) {
			g_free(lg->prefix);
			lg->prefix = g_strndup(arg, 29);
		}
		return rc;
	}
	rc = xt_noinvert(p, "log-level");
	if (rc)
		return rc;
	unsigned long v;
	if (xt_strtoul(arg, 7, &v)) {
		lg->level = (uint8_t)v;
		return 0;
	}
	unsigned i;
	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(arg, names[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(names))
		return xt_err(p, "log level \"%s\" unknown\n", arg);
	lg->level = values[i];
	return 0;
}

static void log_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	static const char *const level_names[8] = { "emerg", "alert", "crit", "err",
						     "warn", "notice", "info", "debug" };
	const struct xt_log *lg = data;
	(void)proto;
	if (numeric) {
		g_string_append_printf(o, " LOG flags %u level %u", lg->logflags, lg->level);
	} else {
		g_string_append_printf(o, " LOG level %s", level_names[lg->level & 7]);
		if (lg->logflags & NF_LOG_TCPSEQ)
			g_string_append(o, " tcp-sequence");
		if (lg->logflags & NF_LOG_TCPOPT)
			g_string_append(o, " tcp-options");
		if (lg->logflags & NF_LOG_IPOPT)
			g_string_append(o, " ip-options");
		if (lg->logflags & NF_LOG_UID)
			g_string_append(o, " uid");
		if (lg->logflags & NF_LOG_MACDECODE)
			g_string_append(o, " macdecode");
	}
	if (lg->prefix)
		g_string_append_printf(o, " prefix \"%s\"", lg->prefix);
}

static void log_save(GString *o, const void *data)
{
	const struct xt_log *lg = data;
	if (lg->prefix) {
		g_string_append(o, " --log-prefix");
		xt_save_string(o, lg->prefix);
	}
	if (lg->level != 4)
		g_string_append_printf(o, " --log-level %u", lg->level);
	if (lg->logflags & NF_LOG_TCPSEQ)
		g_string_append(o, " --log-tcp-sequence");
	if (lg->logflags & NF_LOG_TCPOPT)
		g_string_append(o, " --log-tcp-options");
	if (lg->logflags & NF_LOG_IPOPT)
		g_string_append(o, " --log-ip-options");
	if (lg->logflags & NF_LOG_UID)
		g_string_append(o, " --log-uid");
	if (lg->logflags & NF_LOG_MACDECODE)
		g_string_append(o, " --log-macdecode");
}

static void log_copy(void *dst, const void *src)
{
	((struct xt_log *)dst)->prefix = g_strdup(((const struct xt_log *)src)->prefix);
}

static void log_destroy(void *data)
{
	g_free(((struct xt_log *)data)->prefix);
}

/* "OPT (0204...) ": the option bytes in hex, as the kernel prints IP and
 * TCP options. */
static void log_opt_hex(GString *m, const uint8_t *op, unsigned n)
{
	g_string_append(m, "OPT (");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(m, "%02X", op[i]);
	g_string_append(m, ") ");
}

/* The LOG target's text, as nf_log_ip_packet / dump_ipv4_packet print it
 * with its logflags (an ICMP error's quoted packet too). The kernel line
 * ends with a space; so does ours. */
static void log_ipv4(GString *m, const uint8_t *ip, uint32_t len, bool inner, unsigned flags)
{
	if (len < 20) {
		g_string_append(m, "TRUNCATED");
		return;
	}
	unsigned ihl = (ip[0] & 0x0f) * 4u;
	uint16_t frag = rd16(ip + 6);
	g_string_append(m, "SRC=");
	nf_inet_append4(m, rd32(ip + 12));
	g_string_append(m, " DST=");
	nf_inet_append4(m, rd32(ip + 16));
	g_string_append_c(m, ' ');
	g_string_append_printf(m, "LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ", rd16(ip + 2),
			       ip[1] & 0x1e, ip[1] & 0xe0, ip[8], rd16(ip + 4));
	if (frag & 0x8000)
		g_string_append(m, "CE ");
	if (frag & 0x4000)
		g_string_append(m, "DF ");
	if (frag & 0x2000)
		g_string_append(m, "MF ");
	if (frag & 0x1fff)
		g_string_append_printf(m, "FRAG:%u ", frag & 0x1fff);
	if ((flags & NF_LOG_IPOPT) && ihl > 20) {
		if (len < ihl) {
			g_string_append(m, "TRUNCATED");
			return;
		}
		log_opt_hex(m, ip + 20, ihl - 20);
	}
	const uint8_t *l4 = ip + ihl;
	uint32_t l4len = len > ihl ? len - ihl : 0;
	bool fragment = (frag & 0x1fff) != 0;
	switch (ip[9]) {
	case 6:
		g_string_append(m, "PROTO=TCP ");
		if (fragment)
			break;
		if (l4len < 20) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			return;
		}
		g_string_append_printf(m, "SPT=%u DPT=%u ", rd16(l4), rd16(l4 + 2));
		if (flags & NF_LOG_TCPSEQ)
			g_string_append_printf(m, "SEQ=%u ACK=%u ", rd32(l4 + 4), rd32(l4 + 8));
		g_string_append_printf(m, "WINDOW=%u ", rd16(l4 + 14));
		g_string_append_printf(m, "RES=0x%02x ", (unsigned)((l4[12] & 0x0f) << 2));
		{
			static const char *const fl[8] = { "FIN ", "SYN ", "RST ", "PSH ",
							   "ACK ", "URG ", "ECE ", "CWR " };
			for (int b = 7; b >= 0; b--) {
				/* kernel order: CWR ECE URG ACK PSH RST SYN FIN */
				if (l4[13] & (1u << b))
					g_string_append(m, fl[b]);
			}
		}
		g_string_append_printf(m, "URGP=%u ", rd16(l4 + 18));
		{
			unsigned doff = (l4[12] >> 4) * 4u;
			if ((flags & NF_LOG_TCPOPT) && doff > 20) {
				if (l4len < doff) {
					g_string_append(m, "OPT (TRUNCATED)");
					return;
				}
				log_opt_hex(m, l4 + 20, doff - 20);
			}
		}
		break;
	case 17:
		g_string_append(m, "PROTO=UDP ");
		if (fragment)
			break;
		if (l4len < 8) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			return;
		}
		g_string_append_printf(m, "SPT=%u DPT=%u LEN=%u ", rd16(l4), rd16(l4 + 2),
				       rd16(l4 + 4));
		break;
	case 1: {
		static const uint8_t required[19] = { [0] = 4, [3] = 28, [4] = 28, [5] = 28, [8] = 4,
						      [11] = 28, [12] = 28, [13] = 20, [14] = 20,
						      [17] = 12, [18] = 12 };
		g_string_append(m, "PROTO=ICMP ");
		if (fragment)
			break;
		if (l4len < 8) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			break;
		}
		uint8_t type = l4[0], code = l4[1];
		g_string_append_printf(m, "TYPE=%u CODE=%u ", type, code);
		if (type <= 18 && required[type] && l4len < required[type]) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			break;
		}
		switch (type) {
		case 0:
		case 8:
			g_string_append_printf(m, "ID=%u SEQ=%u ", rd16(l4 + 4), rd16(l4 + 6));
			break;
		case 12:
			g_string_append_printf(m, "PARAMETER=%u ", l4[4]);
			break;
		case 5:
			g_string_append(m, "GATEWAY=");
			nf_inet_append4(m, rd32(l4 + 4));
			g_string_append_c(m, ' ');
			/* fall through */
		case 3:
		case 4:
		case 11:
			if (!inner) {
				g_string_append(m, "[");
				log_ipv4(m, l4 + 8, l4len - 8, true, flags);
				g_string_append(m, "] ");
			}
			if (type == 3 && code == 4)
				g_string_append_printf(m, "MTU=%u ", rd16(l4 + 6));
			break;
		default:
			break;
		}
		break;
	}
	default:
		g_string_append_printf(m, "PROTO=%u ", ip[9]);
		break;
	}
}

/* dump_mac_header, only for packets that came in: the frame's Ethernet
 * header sits right before the IPv4 header (dev->hard_header_len = 14):
 * MAC=dst:src:type, or with --log-macdecode its fields decoded. */
static void log_mac(GString *m, const uint8_t *mac, unsigned flags)
{
	if (flags & NF_LOG_MACDECODE) {
		g_string_append_printf(m, "MACSRC=%02x:%02x:%02x:%02x:%02x:%02x ", mac[6], mac[7],
				       mac[8], mac[9], mac[10], mac[11]);
		g_string_append_printf(m, "MACDST=%02x:%02x:%02x:%02x:%02x:%02x ", mac[0], mac[1],
				       mac[2], mac[3], mac[4], mac[5]);
		g_string_append_printf(m, "MACPROTO=%04x ", rd16(mac + 12));
		return;
	}
	g_string_append(m, "MAC=");
	for (int i = 0; i < 14; i++)
		g_string_append_printf(m, i ? ":%02x" : "%02x", mac[i]);
	g_string_append_c(m, ' ');
}

void nf_log_ip_packet(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
		      const char *out, const char *prefix, nf_time now)
{
	nf_log_ip_packet_flags(ns, skb, in, out, prefix, 0, now);
}

void nf_log_ip_packet_flags(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
			    const char *out, const char *prefix, unsigned logflags, nf_time now)
{
	GString *m = g_string_sized_new(256);

	g_string_append_printf(m, "%sIN=%s OUT=%s ", prefix ? prefix : "",
			       in ? in : "", out ? out : "");
	if (in)
		log_mac(m, skb->ip - 14, logflags);
	uint32_t len = skb->len;
	if (len >= 4 && rd16(skb->ip + 2) < len)
		len = rd16(skb->ip + 2);
	log_ipv4(m, skb->ip, len, false, logflags);
	/* nf_log_dump_sk_uid_gid: a full socket with a file (root's) */
	if ((logflags & NF_LOG_UID) && skb->sk == NF_SK_USER)
		g_string_append(m, "UID=0 GID=0 ");
	if (skb->mark)
		g_string_append_printf(m, "MARK=0x%x ", skb->mark);
	nf_klog(ns, now, "%s", m->str);
	g_string_free(m, TRUE);
}

static unsigned log_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_log *lg = data;

	nf_log_ip_packet_flags(par->ns, par->skb, par->in, par->out, lg->prefix, lg->logflags,
			       par->now);
	return XT_CONTINUE;
}

/* LOG_xlate: `log`, the prefix in quotes, the level by syslog.h's first
 * name for it unless 4, the flags (`flags all` for every one). */
static bool LOG_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const char *const level_name[8] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
	};
	const struct xt_log *lg = data;
	const uint8_t all = NF_LOG_TCPSEQ | NF_LOG_TCPOPT | NF_LOG_IPOPT | NF_LOG_UID |
			    NF_LOG_MACDECODE;
	(void)r;
	xt_xlate_add(xl, "log");
	if (lg->prefix && lg->prefix[0])
		xt_xlate_add(xl, " prefix \"%s\"", lg->prefix);
	if (lg->level >= 8)
		return false;
	if (lg->level != 4)
		xt_xlate_add(xl, " level %s", level_name[lg->level]);
	if ((lg->logflags & all) == all) {
		xt_xlate_add(xl, " flags all");
		return true;
	}
	if (lg->logflags & (NF_LOG_TCPSEQ | NF_LOG_TCPOPT)) {
		const char *delim = " ";
		xt_xlate_add(xl, " flags tcp");
		if (lg->logflags & NF_LOG_TCPSEQ) {
			xt_xlate_add(xl, " sequence");
			delim = ",";
		}
		if (lg->logflags & NF_LOG_TCPOPT)
			xt_xlate_add(xl, "%soptions", delim);
	}
	if (lg->logflags & NF_LOG_IPOPT)
		xt_xlate_add(xl, " flags ip options");
	if (lg->logflags & NF_LOG_UID)
		xt_xlate_add(xl, " flags skuid");
	if (lg->logflags & NF_LOG_MACDECODE)
		xt_xlate_add(xl, " flags ether");
	return true;
}

const struct xt_ops xt_LOG_ops = {
	.name = "LOG", .kind = XT_TARGET, .size = sizeof(struct xt_log),
	.xlate = LOG_xlate,
	.opts = log_opts, .init = log_init, .parse = log_parse,
	.print = log_print, .save = log_save, .copy = log_copy, .destroy = log_destroy,
	.target = log_tg, .verdict = IPT_T_EXT, .trace = "LOG, continue",
};
