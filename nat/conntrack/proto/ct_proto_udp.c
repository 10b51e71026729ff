/* ct_proto_udp.c - the UDP tracker: unreplied, replied, stream.
 *
 * Mirrors nf_conntrack_udp_packet (Linux 6.x). No states: an entry lives
 * udp_timeout (30 s) until it looks like a stream, i.e. a packet arrives
 * after a reply was seen AND more than 2 s after the entry was created;
 * that packet sets ASSURED and the udp_timeout_stream (120 s). A quick
 * request/reply pair (DNS) stays unassured with 30 s. SEEN_REPLY is set by
 * the core after this runs, so the first reply itself still refreshes 30 s.
 */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/core/nf_ns.h"

/* udp_error: truncated or over-long datagram, bad checksum at PRE_ROUTING
 * (a zero UDP checksum means none). */
static bool udp_error(struct nf_ns *ns, const struct ct_pkt *p)
{
	uint32_t udplen = p->len - p->l4off;
	const uint8_t *uh = p->ip + p->l4off;

	if (udplen < 8) {
		ct_log_invalid(ns, 17, p->now, "short packet");
		return true;
	}
	if (rd16(uh + 4) > udplen || rd16(uh + 4) < 8) {
		ct_log_invalid(ns, 17, p->now, "truncated/malformed packet");
		return true;
	}
	if (rd16(uh + 6) == 0)
		return false;
	if (ns->ct->sysctl.ct_checksum && p->hook == NF_INET_PRE_ROUTING && !ct_l4_csum_ok(p, 17)) {
		ct_log_invalid(ns, 17, p->now, "bad checksum");
		return true;
	}
	return false;
}

static enum ct_l4_verdict udp_packet(struct nf_ns *ns, struct ct_entry *ct,
				     const struct ct_pkt *p, uint8_t ctinfo)
{
	if (udp_error(ns, p))
		return CT_L4_INVALID;
	/* nf_ct_timeout_lookup: a CT --timeout policy, else the sysctls */
	const uint32_t *to = nf_ct_timeout_lookup(ns, ct, 17);
	uint32_t unreplied = to ? to[0] : ns->ct->sysctl.udp_timeout;
	if (ct->status & IPS_SEEN_REPLY) {
		int32_t extra = (int32_t)unreplied;
		bool stream = false;

		/* still active more than 2 s after creation (stream_ts) */
		if (p->now > ct->start + 2 * 1000000000LL) {
			extra = (int32_t)(to ? to[1] : ns->ct->sysctl.udp_timeout_stream);
			stream = !(ct->status & IPS_ASSURED);
		}
		ct_refresh_acct(ns, ct, p, ctinfo, extra);
		/* never ASSURED for a clash loser (IPS_NAT_CLASH): it times out soon */
		if (stream && !(ct->status & IPS_NAT_CLASH)) {
			ct->status |= IPS_ASSURED;
			ct_event_cache(ct, IPCT_ASSURED);
		}
	} else {
		ct_refresh_acct(ns, ct, p, ctinfo, (int32_t)unreplied);
	}
	return CT_L4_ACCEPT;
}

const struct ct_l4proto ct_l4proto_udp = {
	.proto = 17,
	.allow_clash = true,
	.packet = udp_packet,
	.can_early_drop = NULL,
};
