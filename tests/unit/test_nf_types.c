/* test_nf_types.c - the family-ready types and the packet-info record.
 *
 * The record (nat/core/nf_pktinfo.h): nf_hook() parses the header once and
 * every op reads the same record; a user registered after NAT's source
 * manip sees the rewritten addresses in the bytes and a record that is
 * still the packet's (offsets, lengths, protocol: NAT changes none). The
 * types: union nf_inet_addr's members overlap as the kernel's do, struct
 * nf_nat_range2 keeps the older min_port/max_port names as aliases, the
 * stored tuple is IPv4 in the default zone (zone 0), and the family-ready struct
 * nf_conntrack_tuple converts to and from it (IPv6 refused).
 */
#include "tests/unit/ct_test_util.h"
#include "nat/conntrack/nf_conntrack_tuple.h"
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_pktinfo.h"

static struct nf_pktinfo seen[2];
static uint32_t seen_src[2];
static unsigned seen_n;

static unsigned record_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	(void)priv;
	if (seen_n < 2) {
		seen[seen_n] = st->pkt;
		seen_src[seen_n] = rd32(skb->ip + 12);
		seen_n++;
	}
	return NF_ACCEPT;
}

/* Before and after NAT's source manip at POSTROUTING. */
static const struct nf_hook_ops record_ops[] = {
	{ NF_INET_POST_ROUTING, NF_IP_PRI_MANGLE, record_fn, NULL, "record before" },
	{ NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC + 1, record_fn, NULL, "record after" },
};

static int ipt(struct nf_ns *ns, const char *line)
{
	gchar **argv = g_strsplit(line, " ", -1);
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = nf_cmd_iptables(ns, (int)g_strv_length(argv), argv, o, e, false, 0);

	g_strfreev(argv);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

static void test_pktinfo_through_nat(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	struct nf_pktinfo now;

	CHECK(ipt(ns, "iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4") == 0);
	CHECK(nf_register_net_hooks(ns, record_ops, G_N_ELEMENTS(record_ops)) == 0);
	t_udp(&p, "10.0.0.1", 40000, "192.0.2.1", 53);
	CHECK(nf_hook(ns, NF_INET_PRE_ROUTING, &p.skb, "eth0", NULL, 0) == NF_ACCEPT);
	CHECK(nf_hook(ns, NF_INET_POST_ROUTING, &p.skb, NULL, "eth1", 0) == NF_ACCEPT);
	CHECK(seen_n == 2, "%u calls", seen_n);
	CHECK(seen_src[0] == t_ip("10.0.0.1") && seen_src[1] == t_ip("1.2.3.4"), "NATed bytes");
	for (unsigned i = 0; i < 2; i++)
		CHECK(seen[i].thoff == 20 && seen[i].l4proto == 17 && seen[i].tot_len == 32 &&
		      seen[i].len == 32 && seen[i].fragoff == 0 &&
		      seen[i].flags == (NF_PKTINFO_L3 | NF_PKTINFO_L4PROTO), "record %u", i);
	nf_pktinfo_set(&now, &p.skb);	/* what a parse after NAT finds */
	CHECK(memcmp(&now, &seen[1], sizeof(now)) == 0, "record still true after NAT");
	nf_skb_release(ns, &p.skb);
	nf_ns_free(ns);
}

static void test_pktinfo_parse(void)
{
	struct t_pkt p;
	struct nf_pktinfo pk;

	t_udp(&p, "10.0.0.1", 1, "10.0.0.2", 2);
	p.buf[0] = 0x46;	/* ihl 24 */
	wr16(p.buf + 6, 0x2000 | 185);	/* MF, offset 185 */
	nf_pktinfo_set(&pk, &p.skb);
	CHECK(pk.thoff == 24 && pk.fragoff == 185 && pk.flags == (NF_PKTINFO_L3 | NF_PKTINFO_L4PROTO));
	p.buf[0] = 0x44;	/* ihl 16: no transport header */
	nf_pktinfo_set(&pk, &p.skb);
	CHECK(pk.thoff == 16 && pk.flags == NF_PKTINFO_L3);
	p.skb.len = 12;		/* not even an IP header */
	nf_pktinfo_set(&pk, &p.skb);
	CHECK(pk.flags == 0 && pk.thoff == 0 && pk.tot_len == 32 && pk.len == 12);
	wr16(p.buf + 2, 20);
	p.skb.len = 40;
	p.buf[0] = 0x45;
	nf_pktinfo_set(&pk, &p.skb);
	CHECK(nf_pktinfo_end(&pk) == 20, "total length within the frame");
}

static void test_types(void)
{
	union nf_inet_addr a = { 0 };
	struct nf_nat_range2 r = { 0 };

	a.ip = 0x0a000001;
	CHECK(a.all[0] == 0x0a000001 && a.in.s_addr == a.ip && a.in6.addr32[0] == a.ip &&
	      a.ip6[0] == a.ip && sizeof(a) == 16);
	r.min_port = 1000;
	r.max_proto.udp.port = 2000;
	CHECK(r.min_proto.all == 1000 && r.min_proto.tcp.port == 1000 && r.max_port == 2000);
	r.min_addr.ip = 0x01020304;
	CHECK(r.min_addr.all[0] == 0x01020304 && r.base_proto.all == 0);
}

static void test_tuple_family(void)
{
	struct t_pkt p;
	struct ct_tuple t, back;
	struct nf_conntrack_tuple f;

	t_tcp(&p, "10.0.0.1", 40000, "192.0.2.1", 80, 1000, 0, 0x02, 0);
	CHECK(ct_tuple_from_ip(p.skb.ip, p.skb.len, &t) && t.zone == 0);
	nf_ct_tuple_from_ipv4(&t, &f);
	CHECK(f.src.l3num == NFPROTO_IPV4 && f.src.u3.ip == t_ip("10.0.0.1") &&
	      f.src.u3.all[1] == 0 && f.dst.u3.ip == t_ip("192.0.2.1") &&
	      f.src.u.tcp.port == 40000 && f.dst.u.tcp.port == 80 && f.dst.protonum == 6);
	CHECK(nf_ct_tuple_to_ipv4(&f, &back) && ct_tuple_equal(&t, &back) &&
	      back.zone == 0 && back.dir == t.dir);

	t_icmp(&p, "10.0.0.1", "192.0.2.1", 8, 77, 1);
	CHECK(ct_tuple_from_ip(p.skb.ip, p.skb.len, &t));
	nf_ct_tuple_from_ipv4(&t, &f);
	CHECK(f.src.u.icmp.id == 77 && f.dst.u.icmp.type == 8 && f.dst.u.icmp.code == 0);
	CHECK(nf_ct_tuple_to_ipv4(&f, &back) && ct_tuple_equal(&t, &back));
	CHECK(ct_invert_tuple(&t, &back) && back.zone == t.zone);

	f.src.l3num = NFPROTO_IPV6;
	back.src = 0;
	CHECK(!nf_ct_tuple_to_ipv4(&f, &back) && back.src == 0, "IPv6 has no table yet");
}

int main(void)
{
	test_pktinfo_through_nat();
	test_pktinfo_parse();
	test_types();
	test_tuple_family();
	printf("test_nf_types: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
