/* ct_tuple.c - tuples: from a packet's headers, and inverted for the reply.
 *
 * Mirrors nf_ct_get_tuple() and nf_ct_invert_tuple() with the per-protocol
 * pkt_to_tuple/invert_tuple hooks folded in: TCP and UDP carry ports, ICMP
 * carries type, code and id (id in sport, type<<8|code in dport), every other
 * protocol has zero ports (the generic tracker; GRE without PPTP keys is 0 too).
 */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"

bool ct_tuple_from_ip(const uint8_t *ip, uint32_t len, struct ct_tuple *t)
{
	unsigned ihl;

	if (len < 20)
		return false;
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < 20 || ihl > len)
		return false;
	return ct_tuple_from_l4(ip, ihl, len, t);
}

bool ct_tuple_from_l4(const uint8_t *ip, uint32_t ihl, uint32_t len, struct ct_tuple *t)
{
	const uint8_t *l4;
	uint32_t l4len;

	t->src = rd32(ip + 12);
	t->dst = rd32(ip + 16);
	t->proto = ip[9];
	t->dir = CT_DIR_ORIGINAL;
	t->zone = 0;		/* the default zone: nf_conntrack_in sets a CT template's */
	t->sport = t->dport = 0;
	l4 = ip + ihl;
	l4len = len - ihl;
	switch (t->proto) {
	case 6:   /* TCP */
	case 17:  /* UDP */
	case 33:  /* DCCP, SCTP, UDP-Lite: Linux reads their ports too */
	case 132:
	case 136:
		if (l4len < 4)
			return false;
		t->sport = rd16(l4);
		t->dport = rd16(l4 + 2);
		return true;
	case 1:   /* icmp_pkt_to_tuple: the whole 8-byte header must be there */
		if (l4len < 8)
			return false;
		t->dport = (uint16_t)(l4[0] << 8 | l4[1]);
		t->sport = rd16(l4 + 4);
		return true;
	default:
		return true;
	}
}

/* invmap of nf_conntrack_invert_icmp_tuple: request <-> reply types; any
 * other type has no inverse (no entry can be made from it). */
static int ct_icmp_inverse_type(uint8_t type)
{
	switch (type) {
	case 8: return 0;	/* echo request -> echo reply */
	case 0: return 8;
	case 13: return 14;	/* timestamp */
	case 14: return 13;
	case 15: return 16;	/* information */
	case 16: return 15;
	case 17: return 18;	/* address mask */
	case 18: return 17;
	default: return -1;
	}
}

bool ct_invert_tuple(const struct ct_tuple *orig, struct ct_tuple *inverse)
{
	inverse->src = orig->dst;
	inverse->dst = orig->src;
	inverse->proto = orig->proto;
	inverse->dir = (uint8_t)!orig->dir;
	inverse->zone = orig->zone;
	if (orig->proto == 1) {
		int type = ct_icmp_inverse_type(ct_tuple_icmp_type(orig));

		if (type < 0)
			return false;
		inverse->sport = orig->sport;
		inverse->dport = (uint16_t)(type << 8 | ct_tuple_icmp_code(orig));
		return true;
	}
	inverse->sport = orig->dport;
	inverse->dport = orig->sport;
	return true;
}

void nf_ct_tuple_from_ipv4(const struct ct_tuple *t, struct nf_conntrack_tuple *out)
{
	*out = (struct nf_conntrack_tuple){ 0 };
	out->src.u3.ip = t->src;
	out->src.l3num = NFPROTO_IPV4;
	out->dst.u3.ip = t->dst;
	out->dst.protonum = t->proto;
	out->dst.dir = t->dir;
	if (t->proto == 1) {
		out->src.u.icmp.id = t->sport;
		out->dst.u.icmp.type = ct_tuple_icmp_type(t);
		out->dst.u.icmp.code = ct_tuple_icmp_code(t);
	} else {
		out->src.u.all = t->sport;
		out->dst.u.all = t->dport;
	}
}

bool nf_ct_tuple_to_ipv4(const struct nf_conntrack_tuple *t, struct ct_tuple *out)
{
	if (t->src.l3num != NFPROTO_IPV4)
		return false;
	out->src = t->src.u3.ip;
	out->dst = t->dst.u3.ip;
	out->proto = t->dst.protonum;
	out->dir = t->dst.dir;
	out->zone = 0;
	out->sport = t->src.u.all;
	if (t->dst.protonum == 1)
		out->dport = (uint16_t)(t->dst.u.icmp.type << 8 | t->dst.u.icmp.code);
	else
		out->dport = t->dst.u.all;
	return true;
}
