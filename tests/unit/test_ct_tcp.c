/* test_ct_tcp.c - every cell of the TCP state table, driven through the
 * tracker (ct_l4proto_tcp.packet): each state x each flag class x both
 * directions must give the kernel's next state (Linux 6.x
 * nf_conntrack_proto_tcp.c tcp_conntracks, copied independently below).
 * Window tracking is made liberal so only the state machine decides. */
#include "tests/unit/ct_test_util.h"

enum { sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2, sIV = TCP_CONNTRACK_MAX,
       sIG = TCP_CONNTRACK_IGNORE };

static const uint8_t want[2][6][10] = {
	{	/* ORIGINAL  sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn    */ { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
		/* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
		/* fin    */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack    */ { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
		/* rst    */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		/* none   */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{	/* REPLY     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn    */ { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
		/* synack */ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
		/* fin    */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack    */ { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
		/* rst    */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		/* none   */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

/* The flags of a packet of each class: FIN is sent with ACK (a bare FIN
 * is refused before the table, see tcp_error), NONE has no flag at all. */
static const uint8_t class_flags[6] = { 0x02, 0x12, 0x11, 0x10, 0x04, 0x00 };
static const char *const class_names[6] = { "syn", "synack", "fin", "ack", "rst", "none" };

/* A confirmed entry in `state` that has seen a reply. */
static struct ct_entry *mk_entry(struct nf_ns *ns, uint8_t state, bool close_init)
{
	struct ct_entry *ct = calloc(1, sizeof(*ct));

	ct->tuplehash[0].t = (struct ct_tuple){ .src = 0x0a000001, .dst = 0x0a000002,
		.sport = 1234, .dport = 80, .proto = 6, .dir = 0 };
	ct_invert_tuple(&ct->tuplehash[0].t, &ct->tuplehash[1].t);
	ct->status = IPS_SEEN_REPLY;
	ct->proto.tcp.state = state;
	ct->proto.tcp.last_index = TCP_NONE_SET;
	if (close_init)
		ct->proto.tcp.seen[0].flags |= CT_TCP_FLAG_CLOSE_INIT;
	ct_table_insert(ns, ct);
	ct->timeout = 100 * S_;
	return ct;
}

static int check_cell(struct nf_ns *ns, int dir, int idx, int state, bool close_init)
{
	struct ct_entry *ct = mk_entry(ns, (uint8_t)state, close_init);
	struct t_pkt p;
	struct ct_pkt cp;
	unsigned count = ns->ct->count;
	int exp = want[dir][idx][state], got_state;
	enum ct_l4_verdict v, want_v = CT_L4_ACCEPT;
	int bad = 0;

	if (dir == 0)
		t_tcp(&p, "10.0.0.1", 1234, "10.0.0.2", 80, 1000, 2000, class_flags[idx], 0);
	else
		t_tcp(&p, "10.0.0.2", 80, "10.0.0.1", 1234, 2000, 1000, class_flags[idx], 0);
	cp = (struct ct_pkt){ .ip = p.buf, .len = p.skb.len, .l4off = 20,
			      .hook = NF_INET_PRE_ROUTING, .now = S_ };
	v = ct_l4proto_tcp.packet(ns, ct, &cp, dir ? IP_CT_ESTABLISHED_REPLY : IP_CT_ESTABLISHED);

	/* what the kernel does with the cell's value */
	if (exp == sIV)
		want_v = CT_L4_INVALID;
	else if (exp == sSS && state >= sTW && close_init)
		want_v = CT_L4_REPEAT;	/* reopen: entry killed, look up again */
	if (v != want_v) {
		fprintf(stderr, "%s %-6s in %-11s: verdict %d, want %d\n", dir ? "REPLY" : "ORIG",
			class_names[idx], ct_tcp_state_name(state), v, want_v);
		return 1;
	}
	if (v == CT_L4_REPEAT) {
		if (ns->ct->count != count - 1)
			bad = 1;
		return bad;
	}
	got_state = ct->proto.tcp.state;
	if (exp == sIV || exp == sIG || (exp == sSS && state >= sTW))
		exp = state;	/* invalid or ignored: the state does not move */
	if (got_state != exp) {
		fprintf(stderr, "%s %-6s in %-11s: -> %s, want %s\n", dir ? "REPLY" : "ORIG",
			class_names[idx], ct_tcp_state_name(state), ct_tcp_state_name(got_state),
			ct_tcp_state_name(exp));
		bad = 1;
	}
	ct_entry_kill(ns, ct, S_);
	return bad;
}

/* A SYN carrying `opts` (a multiple of 4 bytes) on a new entry: what
 * tcp_options made of them in the sender's window state. */
static struct ct_tcp_dir syn_options(struct nf_ns *ns, const uint8_t *opts, unsigned len)
{
	struct ct_entry *ct = calloc(1, sizeof(*ct));
	struct t_pkt p;
	struct ct_pkt cp;
	struct ct_tcp_dir got;

	ct->tuplehash[0].t = (struct ct_tuple){ .src = 0x0a000001, .dst = 0x0a000002,
		.sport = 1234, .dport = 80, .proto = 6, .dir = 0 };
	ct_invert_tuple(&ct->tuplehash[0].t, &ct->tuplehash[1].t);
	ct->proto.tcp.last_index = TCP_NONE_SET;
	t_tcp(&p, "10.0.0.1", 1234, "10.0.0.2", 80, 1000, 0, 0x02, len);
	memcpy(p.buf + 40, opts, len);
	p.buf[32] = (uint8_t)(((20 + len) / 4) << 4);
	t_l4_csum(&p, 16);
	cp = (struct ct_pkt){ .ip = p.buf, .len = p.skb.len, .l4off = 20,
			      .hook = NF_INET_PRE_ROUTING, .now = S_ };
	CHECK(ct_l4proto_tcp.packet(ns, ct, &cp, IP_CT_NEW) == CT_L4_ACCEPT);
	CHECK(ct->proto.tcp.state == sSS);
	got = ct->proto.tcp.seen[0];
	free(ct);
	return got;
}

/* The option walk (tcp_options): NOPs skipped, window scale clamped to 14,
 * SACK-permitted seen, and the walk stops at EOL or a bad length. */
static void test_syn_options(struct nf_ns *ns)
{
	static const uint8_t full[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					1, 3, 3, 7 };
	static const uint8_t big_scale[] = { 1, 3, 3, 20 };
	static const uint8_t bad_len[] = { 1, 3, 1, 7, 4, 2, 0, 0 };
	static const uint8_t eol_first[] = { 1, 0, 3, 3, 7, 4, 2, 0 };
	struct ct_tcp_dir d;

	d = syn_options(ns, full, sizeof full);
	CHECK(d.td_scale == 7, "scale %u", d.td_scale);
	CHECK((d.flags & (CT_TCP_FLAG_WINDOW_SCALE | CT_TCP_FLAG_SACK_PERM)) ==
	      (CT_TCP_FLAG_WINDOW_SCALE | CT_TCP_FLAG_SACK_PERM), "flags %#x", d.flags);
	d = syn_options(ns, big_scale, sizeof big_scale);
	CHECK(d.td_scale == 14 && (d.flags & CT_TCP_FLAG_WINDOW_SCALE), "clamp %u", d.td_scale);
	d = syn_options(ns, bad_len, sizeof bad_len);
	CHECK(d.td_scale == 0 && !(d.flags & (CT_TCP_FLAG_WINDOW_SCALE | CT_TCP_FLAG_SACK_PERM)),
	      "bad length: scale %u flags %#x", d.td_scale, d.flags);
	d = syn_options(ns, eol_first, sizeof eol_first);
	CHECK(d.td_scale == 0 && !(d.flags & (CT_TCP_FLAG_WINDOW_SCALE | CT_TCP_FLAG_SACK_PERM)),
	      "EOL: scale %u flags %#x", d.td_scale, d.flags);
}

int main(void)
{
	struct nf_ns *ns = t_ns_new();
	int bad = 0, cells = 0;

	ns->ct->sysctl.tcp_be_liberal = 1;
	/* the tracker's own copy of the table matches the kernel's */
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < 6; i++)
			for (int s = 0; s < 10; s++)
				CHECK(ct_tcp_table(d, i, s) == want[d][i][s]);
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < 6; i++)
			for (int s = 0; s < 10; s++) {
				bad += check_cell(ns, d, i, s, false);
				cells++;
				/* reopening needs a closed connection's history */
				if (want[d][i][s] == sSS && s >= sTW) {
					bad += check_cell(ns, d, i, s, true);
					cells++;
				}
			}
	CHECK(bad == 0);
	/* flag classes */
	CHECK(ct_tcp_flag_index(0x14) == TCP_RST_SET);
	CHECK(ct_tcp_flag_index(0x12) == TCP_SYNACK_SET);
	CHECK(ct_tcp_flag_index(0x11) == TCP_FIN_SET);
	CHECK(ct_tcp_flag_index(0x18) == TCP_ACK_SET);
	test_syn_options(ns);
	nf_ns_free(ns);
	if (failures) {
		fprintf(stderr, "test_ct_tcp: %d failures (%d of %d cells)\n", failures, bad, cells);
		return 1;
	}
	printf("test_ct_tcp: ok (%d cells)\n", cells);
	return 0;
}
