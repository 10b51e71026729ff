/* nat_ftp.c - the FTP NAT helper (nf_nat_ftp.c, Linux 6.x).
 *
 * Called by the FTP conntrack helper (nf_nat_ftp_hook) for an entry that
 * is NATed, when it found a PORT, EPRT, 227 or 229 line. The data
 * connection will come from wherever this packet goes, so the line is
 * rewritten to announce the address the other side sees (the reply
 * tuple's destination: the public address after MASQUERADE, the DNAT
 * address for a server behind the router) and a port the expectation
 * could take (the announced one if free), and the expectation, on that
 * address and port, is told to NAT the data connection back to the
 * announced address and port (nf_nat_follow_master).
 */
#include <stdio.h>
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat_helper.h"

/* nf_nat_ftp_fmt_cmd */
static int nf_nat_ftp_fmt_cmd(int type, char *buf, size_t n, uint32_t addr, uint16_t port)
{
	switch (type) {
	case NF_CT_FTP_PORT:
	case NF_CT_FTP_PASV:
		return snprintf(buf, n, "%u,%u,%u,%u,%u,%u", addr >> 24, (addr >> 16) & 0xff,
				(addr >> 8) & 0xff, addr & 0xff, port >> 8, port & 0xff);
	case NF_CT_FTP_EPRT:
		return snprintf(buf, n, "|1|%u.%u.%u.%u|%u|", addr >> 24, (addr >> 16) & 0xff,
				(addr >> 8) & 0xff, addr & 0xff, port);
	case NF_CT_FTP_EPSV:
		return snprintf(buf, n, "|||%u|", port);
	default:
		return 0;
	}
}

/* nf_nat_ftp */
static int nf_nat_ftp(struct nf_ns *ns, struct nf_skb *skb, uint8_t ctinfo, int type,
		      unsigned protoff, unsigned matchoff, unsigned matchlen,
		      struct nf_ct_expect *exp, nf_time now)
{
	struct ct_entry *ct = exp->master;
	enum ct_dir dir = ct_info_dir(ctinfo);
	uint32_t newaddr = ct->tuplehash[!dir].t.dst;
	char buffer[sizeof("|1||65535|") + 16];
	char a[16];
	uint16_t port;
	int buflen;

	exp->saved_port = exp->tuple.dport;
	exp->dir = (uint8_t)!dir;
	exp->expectfn = nf_nat_follow_master;
	port = nf_nat_exp_find_port(ns, exp, exp->saved_port, now);
	if (port == 0) {
		/* nf_ct_helper_log: "nf_nat_ftp: all ports in use" */
		if (ns->env.trace)
			nf_trace(ns, NF_TRACE_STEP "nf_nat_ftp: all ports in use: DROP",
				 nf_hook_name(ns->cur_hook), "helper");
		skb->drop_reason = NF_DROP_REASON_HOOK;
		return NF_DROP;
	}
	nf_inet_ntop4(exp->tuple.src, a);
	if (ns->env.trace) {
		char b[16];

		nf_inet_ntop4(exp->tuple.dst, b);
		nf_trace(ns, NF_TRACE_STEP "expectation created: %s:any -> %s:%u tcp, %u s, "
			 "NATed to follow its master (to port %u)", nf_hook_name(ns->cur_hook),
			 "helper", a, b, port, ftp_exp_policy.timeout, exp->saved_port);
	}
	buflen = nf_nat_ftp_fmt_cmd(type, buffer, sizeof(buffer), newaddr, port);
	if (buflen <= 0)
		goto out;
	if (ns->env.trace) {
		nf_trace(ns, NF_TRACE_STEP "nf_nat_ftp: payload \"%.*s\" -> \"%s\" (%+d bytes)",
			 nf_hook_name(ns->cur_hook), "helper", (int)matchlen,
			 (const char *)skb->ip + protoff + (skb->ip[protoff + 12] >> 4) * 4u +
				 matchoff,
			 buffer, buflen - (int)matchlen);
	}
	if (!nf_nat_mangle_tcp_packet(ns, skb, ct, ctinfo, protoff, matchoff, matchlen, buffer,
				      (unsigned)buflen))
		goto out;
	if (ns->env.trace && buflen != (int)matchlen) {
		struct nf_conn_seqadj *sa = nfct_seqadj(ns, ct);

		if (sa)
			nf_trace(ns, NF_TRACE_STEP "seqadj: %s after seq %u: offset %+d (was %+d)",
				 nf_hook_name(ns->cur_hook), "helper",
				 dir == CT_DIR_ORIGINAL ? "ORIGINAL" : "REPLY",
				 sa->seq[dir].correction_pos, sa->seq[dir].offset_after,
				 sa->seq[dir].offset_before);
	}
	return NF_ACCEPT;
out:
	/* nf_ct_helper_log: "nf_nat_ftp: cannot mangle packet" */
	if (ns->env.trace)
		nf_trace(ns, NF_TRACE_STEP "nf_nat_ftp: cannot mangle packet: DROP",
			 nf_hook_name(ns->cur_hook), "helper");
	{
		/* nf_ct_unexpect_related */
		struct nf_ct_helper_net *h = ns->ct->help;

		for (unsigned i = 0; h && i < h->expects->len; i++) {
			struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

			if (e->master == ct && e->tuple.dport == port &&
			    e->tuple.dst == exp->tuple.dst) {
				nf_ct_unlink_expect(ns, e, now);
				g_free(e);
				break;
			}
		}
	}
	skb->drop_reason = NF_DROP_REASON_HOOK;
	return NF_DROP;
}

void nf_nat_ftp_load(struct nf_ns *ns)
{
	GString *err = g_string_new(NULL);

	nf_ct_helper_load(ns, "nf_conntrack_ftp", NULL, err);
	g_string_free(err, TRUE);
	nf_ct_helper_set_nat_ftp(ns, nf_nat_ftp);
}
