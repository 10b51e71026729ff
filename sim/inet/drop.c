/* drop.c - the text of a drop reason (drop.h), one table for every printer. */
#include "sim/inet/drop.h"
#include "nat/nf.h"

static const char *const ip_drop_texts[] = {
	[IP_DROP_NETFILTER] = "by netfilter",
	[IP_DROP_NEIGH_FAILED] = "neighbour resolution failed",
	[IP_DROP_FRAG_NEEDED] = "needs fragmentation but DF set",
	[IP_DROP_FRAG_MEM] = "fragment: reassembly memory full (ipfrag_high_thresh)",
	[IP_DROP_FRAG_INCONSISTENT] = "fragment: inconsistent length, queue discarded",
	[IP_DROP_FRAG_DUP] = "fragment: duplicate",
	[IP_DROP_FRAG_OVERLAP] = "fragment: overlap, queue discarded",
	[IP_DROP_PROTO_UNREACH] = "protocol unreachable",
	[IP_DROP_MARTIAN_SOURCE] = "martian source",
	[IP_DROP_MARTIAN_SOURCE_LOCAL] = "martian source: one of the node's own addresses "
					 "(accept_local 0)",
	[IP_DROP_MARTIAN_SOURCE_RPF] = "martian source: rp_filter (no route back by this "
				       "interface)",
	[IP_DROP_NO_ROUTE_HOST] = "no route to host",
	[IP_DROP_TTL] = "TTL exceeded",
	[IP_DROP_MARTIAN_ADDR] = "martian address",
	[IP_DROP_NOT_FORWARDABLE] = "not forwardable",
	[IP_DROP_FORWARDING_DISABLED] = "forwarding disabled",
	[IP_DROP_NET_UNREACH] = "network unreachable",
	[IP_DROP_NET_UNREACH_OUTPUT] = "network unreachable after OUTPUT",
	[IP_DROP_MARTIAN_DEST_LOOPBACK] = "martian destination: a loopback address off lo "
					  "(route_localnet 0)",
	[IP_DROP_MARTIAN_SOURCE_LOOPBACK] = "martian source: a loopback address off lo "
					    "(route_localnet 0)",
	[IP_DROP_REROUTE_LOOPBACK_SRC] = "re-routed after OUTPUT: a loopback source may not "
					 "leave by this device (route_localnet 0)",
};

/* A netfilter drop by netfilter's reason. */
static const char *nf_drop_text(uint8_t reason)
{
	switch (reason) {
	case NF_DROP_REASON_REJECT: return "rejected by netfilter (REJECT)";
	case NF_DROP_REASON_CT_CLASH: return "conntrack: tuple clash at confirm (insert_failed)";
	case NF_DROP_REASON_CT_TRACKER: return "conntrack: the tracker dropped it";
	case NF_DROP_REASON_CT_TABLE_FULL: return "conntrack: table full (nf_conntrack_max)";
	default: return "by netfilter";
	}
}

void ip_drop_text(const struct ip_drop *d, GString *s)
{
	static const char *const hooks[NF_INET_NUMHOOKS] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
	};
	if (d->reason == IP_DROP_NETFILTER) {
		g_string_append_printf(s, "%s at %s", nf_drop_text(d->nf_reason),
				       d->hook < NF_INET_NUMHOOKS ? hooks[d->hook] : "?");
		return;
	}
	g_string_append(s, d->reason < G_N_ELEMENTS(ip_drop_texts) && ip_drop_texts[d->reason]
				   ? ip_drop_texts[d->reason] : "dropped");
}
