/* tcp.c - a small real TCP: tcp_connect, tcp_listen, tcp_segment (the
 * `tcp connect`, `listen tcp` and `tcp segment` commands of sim/apps), the
 * application sockets (tcp_app_*: a protocol's client and server writing
 * and reading as they go, sim/apps/ftp.c), and the per-flow handshakes of
 * `flows tcp` (flows.c).
 *
 * Connections are keyed by their 4-tuple, listeners by port. The design
 * follows Linux (net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c) where it
 * shows on the wire, and stays small elsewhere:
 * - SYN and SYN-ACK carry Linux's options in Linux's order (MSS = route MTU
 *   - 40, SACK permitted, timestamps, NOP, window scale 7); windows as a 6.x
 *   kernel sends them (SYN 64240, SYN-ACK 65160, then 502 and 510 scaled
 *   by 128). The receive window stays constant: the application reads at
 *   once. Timestamps: TSval = simulated ms + a per-connection offset drawn
 *   from the run's generator, as is the ISN.
 * - Data: MSS-sized segments (1448 bytes with timestamps at MTU 1500), PSH
 *   on the segment that ends the write (and tcp_sendmsg's forced push),
 *   limited by the peer's window and a congestion window (IW10, slow start,
 *   congestion avoidance). Loss: retransmission timeout (RTO = srtt +
 *   max(4 rttvar, tcp_rto_min_us), doubling up to tcp_rto_max_ms) and fast
 *   retransmit on the third duplicate ACK, both go-back-N (SACK is offered
 *   but no SACK blocks are sent: the receiver keeps no out-of-order queue
 *   and answers a gap with a duplicate ACK).
 * - Timers follow Linux 6.x's tcp_timer.c and the node's net.ipv4.tcp_*
 *   knobs (struct tcp_sysctl): a SYN is retransmitted after 1 s
 *   (TCP_TIMEOUT_INIT), the first tcp_syn_linear_timeouts (4) times 1 s
 *   apart, then with the RTO doubling, and the connect fails after
 *   tcp_syn_retries + tcp_syn_linear_timeouts retransmissions or once
 *   tcp_model_timeout's time for tcp_syn_retries has passed: SYNs at 0, 1,
 *   2, 3, 4, 5, 7, 11, 19, 35, 67 s, ETIMEDOUT at 131 s (measured on 6.18;
 *   kernels before 6.5, Debian 12's 6.1 among them, have no linear timeouts:
 *   0, 1, 3, 7, 15, 31, 63, ETIMEDOUT at 127 s, as tcp_syn_linear_timeouts=0
 *   gives). A listener's SYN-ACK (reqsk_timer_handler) goes again after 1,
 *   2, 4, ... s, tcp_synack_retries times. Data gives up once
 *   tcp_model_timeout's time for tcp_retries2 (from 200 ms) has passed
 *   since the first retransmission (no tail loss probe: Linux's first
 *   probe shifts its later timers). tcp_rto_min_us and tcp_rto_max_ms are read when a
 *   connection is made (icsk_rto_min/max), the others when a timer fires.
 * - ACK rule: quick ACKs for the first 16 data segments (tcp_enter_quickack
 *   mode at connection start), then an ACK every second segment or after
 *   the 40 ms delayed-ACK timer; out-of-order, duplicate and FIN segments
 *   are ACKed at once.
 * - Close: `close` sends FIN once all data is acknowledged; a listener's
 *   connection answers the FIN with its own FIN|ACK at once (the server
 *   application closes on EOF), the client ACKs and sits in TIME_WAIT 60 s,
 *   which a new connect on the same tuple replaces. `reset`
 *   sends RST|ACK (tcp_send_active_reset); `hold` stays open.
 * - No socket: tcp_v4_send_reset's RST. ICMP errors abort a connection in
 *   SYN_SENT (tcp_v4_err); later they are soft errors, only counted.
 * Segments go out through a queue flushed when the outermost TCP call
 * returns, so a delivery that loops back into tcp_rcv never runs inside a
 * half-updated connection. The queue is a file-level global, the process's
 * rather than the run's: it is empty whenever control is outside tcp.c.
 */
#include <errno.h>
#include <string.h>
#include "sim/sock/sock_int.h"

#define TCP_TIMEOUT_INIT SIM_S		/* initial RTO, not a sysctl */
#define TCP_RTO_MIN (200 * SIM_MS)	/* the base of tcp_model_timeout for data */
#define TCP_DELACK (40 * SIM_MS)
#define TCP_TIMEWAIT_LEN (60 * SIM_S)
#define TCP_MAX_QUICKACKS 16
#define TCP_WSCALE 7

enum tcp_state {
	TS_CLOSED, TS_SYN_SENT, TS_SYN_RECV, TS_ESTABLISHED, TS_FIN_WAIT1, TS_FIN_WAIT2,
	TS_CLOSE_WAIT, TS_CLOSING, TS_LAST_ACK, TS_TIME_WAIT,
};

enum tcp_flow_state { TF_NONE, TF_SYN_SENT, TF_ESTABLISHED, TF_CLOSED };

struct tcp_key {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

struct tcp_conn {
	struct tcp_key k;	/* hash key: first */
	uint64_t serial;
	struct node *n;
	uint8_t state, mode;
	bool client, ts_ok, sack_ok, ws_ok, fin_queued, rtt_timing, ack_now;
	uint8_t snd_wscale;	/* the peer's window shift */
	uint16_t adv_mss;	/* our MSS option */
	uint16_t mss;		/* payload bytes of a full segment */
	uint16_t quickacks, unacked_segs, dupacks;
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, data_end, fin_seq, pushed_seq, max_wnd;
	uint32_t cwnd, ssthresh;
	uint32_t irs, rcv_nxt, ts_off, ts_recent, rtt_seq;
	unsigned retries;	/* icsk_retransmits (SYN-ACK: req->num_timeout) */
	sim_time rtt_start, srtt, rttvar, rto;
	sim_time rto_min, rto_max;	/* icsk_rto_min/max: the knobs when made */
	sim_time retrans_stamp;	/* the first SYN / the first data retransmission */
	sim_time syn_tx_at;	/* the last SYN (SYN-ACK) sent: TSecr's RTT */
	sim_time rto_at, delack_at, tw_at, ev_at;
	/* the bytes to send (data_end - iss - 1 of them), NULL: zeros */
	uint8_t *tx_data;
	/* an application socket's callbacks (tcp_app_*), NULL for the
	 * commands' connections; app_close: closed before established */
	const struct tcp_app_ops *app;
	bool app_close;
};

/* A receive callback on a local port (tcp_set_recv). */
struct tcp_recv_hook {
	tcp_recv_fn fn;
	void *ctx;
};

struct tcp_listener {
	uint16_t port;
	uint64_t accepted;
	const struct tcp_app_ops *app;	/* given to the connections it accepts */
};

struct tcp_node {
	GHashTable *conns;	/* struct tcp_key * -> struct tcp_conn * */
	GHashTable *serials;	/* uint64_t * -> struct tcp_conn * */
	GHashTable *listeners;	/* port -> struct tcp_listener * */
	GHashTable *recv_hooks;	/* local port -> struct tcp_recv_hook * */
	uint64_t connects, established, failed, resets_sent, resets_rcvd, retransmits;
	uint64_t bytes_tx, bytes_rx, icmp_errors;
};

/* A parsed incoming segment. */
struct tcp_seg {
	const uint8_t *ip, *th;
	uint32_t seq, ack, len;
	uint16_t win;
	uint8_t flags;
	/* options */
	bool has_mss, has_ws, has_sack, has_ts;
	uint16_t opt_mss;
	uint8_t opt_ws;
	uint32_t tsval, tsecr;
};

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* ----- the output queue ----- */

struct tcp_out {
	struct node *n;
	struct packet *p;
};

static GArray *tcp_outq;
static unsigned tcp_outq_head;
static int tcp_depth;
/* The connection an input segment is being processed for: an application's
 * write to it is pushed by the input path, a write to another at once. */
static struct tcp_conn *tcp_in_conn;

static void tcp_enter(void)
{
	tcp_depth++;
}

static void tcp_leave(struct world *w)
{
	if (--tcp_depth > 0 || !tcp_outq)
		return;
	while (tcp_outq_head < tcp_outq->len) {
		struct tcp_out o = g_array_index(tcp_outq, struct tcp_out, tcp_outq_head++);
		tr_send(w, o.n, o.p);
	}
	g_array_set_size(tcp_outq, 0);
	tcp_outq_head = 0;
}

static void tcp_queue(struct node *n, struct packet *p)
{
	if (!tcp_outq)
		tcp_outq = g_array_new(false, false, sizeof(struct tcp_out));
	struct tcp_out o = { n, p };
	g_array_append_val(tcp_outq, o);
}

/* ----- node state ----- */

static guint tcp_key_hash(gconstpointer p)
{
	const struct tcp_key *k = p;
	uint64_t h = ((uint64_t)k->laddr << 32 | k->raddr) * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)k->lport << 16 | k->rport) * 0xc2b2ae3d27d4eb4full;
	return (guint)(h ^ (h >> 29));
}

static gboolean tcp_key_equal(gconstpointer a, gconstpointer b)
{
	const struct tcp_key *x = a, *y = b;
	return x->laddr == y->laddr && x->raddr == y->raddr && x->lport == y->lport &&
	       x->rport == y->rport;
}

static struct tcp_node *tcp_node_get(struct node *n)
{
	if (!n->tcp) {
		struct tcp_node *t = g_new0(struct tcp_node, 1);
		t->conns = g_hash_table_new(tcp_key_hash, tcp_key_equal);
		t->serials = g_hash_table_new(g_int64_hash, g_int64_equal);
		t->listeners = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
		n->tcp = t;
	}
	return n->tcp;
}

static struct tcp_conn *tcp_lookup(struct node *n, const struct tcp_key *k)
{
	struct tcp_node *t = n->tcp;
	return t ? g_hash_table_lookup(t->conns, k) : NULL;
}

bool tcp_sock_find(struct node *n, uint32_t laddr, uint16_t lport, uint32_t raddr,
		   uint16_t rport)
{
	struct tcp_key k = { laddr, raddr, lport, rport };
	return tcp_lookup(n, &k) != NULL;
}

static struct tcp_conn *tcp_conn_new(struct node *n, const struct tcp_key *k, bool client)
{
	struct tcp_node *t = tcp_node_get(n);
	struct tcp_conn *c = g_new0(struct tcp_conn, 1);
	c->k = *k;
	c->serial = tr_serial(n->w);
	c->n = n;
	c->client = client;
	c->rto = TCP_TIMEOUT_INIT;
	c->rto_min = (sim_time)sock_tcp_sysctl(n)->rto_min_us * SIM_US;
	c->rto_max = (sim_time)sock_tcp_sysctl(n)->rto_max_ms * SIM_MS;
	c->rto_at = c->delack_at = c->tw_at = c->ev_at = SIM_TIME_NEVER;
	c->ssthresh = UINT32_MAX;
	c->ts_off = rng_u32(&n->w->rng);
	c->iss = rng_u32(&n->w->rng);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->data_end = c->iss + 1;
	g_hash_table_insert(t->conns, &c->k, c);
	g_hash_table_insert(t->serials, &c->serial, c);
	return c;
}

static void tcp_conn_free(struct tcp_conn *c)
{
	struct tcp_node *t = c->n->tcp;
	g_hash_table_remove(t->conns, &c->k);
	g_hash_table_remove(t->serials, &c->serial);
	if (tcp_in_conn == c)
		tcp_in_conn = NULL;
	g_free(c->tx_data);
	g_free(c);
}

/* ----- sending ----- */

static uint32_t tcp_tsval(const struct world *w, uint32_t off)
{
	return (uint32_t)(w->now / SIM_MS) + off;
}

/* Receive window field after the handshake (rcv_wnd >> rcv_wscale). */
static uint16_t tcp_win_field(const struct tcp_conn *c)
{
	if (c->ws_ok)
		return c->client ? 502 : 510;
	return c->client ? 64240 : 65160;
}

static uint32_t tcp_rcv_wnd(const struct tcp_conn *c)
{
	return c->ws_ok ? (uint32_t)tcp_win_field(c) << TCP_WSCALE : tcp_win_field(c);
}

/* tcp_syn_options / tcp_synack_options, written as tcp_options_write lays
 * them out: MSS, SACK_PERM+TS (or NOP NOP TS, or NOP NOP SACK_PERM), NOP WS. */
static unsigned tcp_syn_opts(uint8_t *o, uint16_t mss, bool sack, bool ts, bool ws,
			     uint32_t tsval, uint32_t tsecr)
{
	unsigned k = 0;
	o[k++] = 2;
	o[k++] = 4;
	wr16(o + k, mss);
	k += 2;
	if (ts) {
		o[k++] = sack ? 4 : 1;
		o[k++] = sack ? 2 : 1;
		o[k++] = 8;
		o[k++] = 10;
		wr32(o + k, tsval);
		wr32(o + k + 4, tsecr);
		k += 8;
	} else if (sack) {
		o[k++] = 1;
		o[k++] = 1;
		o[k++] = 4;
		o[k++] = 2;
	}
	if (ws) {
		o[k++] = 1;
		o[k++] = 3;
		o[k++] = 3;
		o[k++] = TCP_WSCALE;
	}
	return k;
}

static unsigned tcp_ts_opt(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	wr32(o + 4, tsval);
	wr32(o + 8, tsecr);
	return 12;
}

/* One segment of a connection (tcp_transmit_skb). */
static void tcp_xmit(struct world *w, struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	uint8_t o[40];
	unsigned ol;
	uint32_t tsval = tcp_tsval(w, c->ts_off);
	uint16_t win;
	if (flags & TCP_SYN) {
		ol = tcp_syn_opts(o, c->adv_mss, c->sack_ok, c->ts_ok, c->ws_ok, tsval,
				  (flags & TCP_ACK) ? c->ts_recent : 0);
		win = c->client ? 64240 : 65160;
	} else {
		ol = c->ts_ok ? tcp_ts_opt(o, tsval, c->ts_recent) : 0;
		win = tcp_win_field(c);
	}
	uint32_t ack = (flags & TCP_ACK) ? c->rcv_nxt : 0;
	struct packet *p = build_tcp(c->k.laddr, c->k.raddr, c->k.lport, c->k.rport, seq, ack,
				     flags, win, o, ol, len, node_next_ip_id(c->n));
	if (!p)
		return;
	if (flags & TCP_ACK) {
		c->ack_now = false;
		c->unacked_segs = 0;
		c->delack_at = SIM_TIME_NEVER;
	}
	if (len && c->tx_data && seq_ge(seq, c->iss + 1) &&
	    seq - (c->iss + 1) + len <= c->data_end - (c->iss + 1)) {
		/* the application's bytes at this sequence number */
		uint8_t *th = pkt_l4(p);
		memcpy(th + (th[12] >> 4) * 4u, c->tx_data + (seq - (c->iss + 1)), len);
		l4_csum_set(pkt_ip(p));
	}
	((struct tcp_node *)c->n->tcp)->bytes_tx += len;
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && !c->client)
		p->nf.sk = NF_SK_REQUEST;	/* a listener's request sock */
	tcp_queue(c->n, p);
}

/* tcp_v4_send_reset(): the answer to a segment no socket wants. */
static void tcp_send_reset(struct node *n, const struct tcp_seg *s)
{
	if (s->flags & TCP_RST)
		return;
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCP_RST;
	if (s->flags & TCP_ACK) {
		seq = s->ack;
	} else {
		flags |= TCP_ACK;
		ack = s->seq + s->len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
	}
	struct packet *p = build_tcp(ip_dst(s->ip), ip_src(s->ip), rd16(s->th + 2), rd16(s->th),
				     seq, ack, flags, 0, NULL, 0, 0, 0);
	if (!p)
		return;
	tcp_node_get(n)->resets_sent++;
	p->nf.sk = NF_SK_KERNEL;	/* the TCP control socket */
	tcp_queue(n, p);
}

/* ----- timers ----- */

static void tcp_timer_ev(struct world *w, void *arg, uint64_t serial);

static void tcp_timer_arm(struct world *w, struct tcp_conn *c)
{
	sim_time t = c->rto_at;
	if (c->delack_at < t)
		t = c->delack_at;
	if (c->tw_at < t)
		t = c->tw_at;
	if (t < c->ev_at) {
		c->ev_at = t;
		world_at(w, t, tcp_timer_ev, c->n, c->serial);
	}
}

/* tcp_rtt_estimator(): srtt and rttvar; srtt 0 means no sample yet, so a
 * sample of 0 (a link without delay) still counts (srtt_us = max(1, srtt)). */
static void tcp_rtt_sample(struct tcp_conn *c, sim_time r)
{
	if (!c->srtt) {
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		sim_time d = c->srtt > r ? c->srtt - r : r - c->srtt;
		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	if (c->srtt < 1)
		c->srtt = 1;
}

/* __tcp_set_rto() + tcp_bound_rto(): srtt + the variance term, floored by
 * tcp_rto_min, at most tcp_rto_max. */
static void tcp_set_rto(struct tcp_conn *c)
{
	if (!c->srtt) {
		c->rto = TCP_TIMEOUT_INIT;
		return;
	}
	sim_time var = 4 * c->rttvar;
	c->rto = c->srtt + (var > c->rto_min ? var : c->rto_min);
	if (c->rto > c->rto_max)
		c->rto = c->rto_max;
}

static unsigned tcp_ilog2(sim_time v)
{
	unsigned r = 0;
	while (v > 1) {
		v >>= 1;
		r++;
	}
	return r;
}

/* tcp_model_timeout(): how long `boundary` retransmissions take when the
 * RTO starts at rto_base and doubles up to tcp_rto_max; what
 * retransmits_timed_out() lets pass since the first retransmitted segment
 * was sent before the connection is given up. */
static sim_time tcp_model_timeout(sim_time rto_max, unsigned boundary, sim_time rto_base)
{
	unsigned thresh = tcp_ilog2(rto_max / rto_base);
	if (boundary <= thresh)
		return ((2LL << boundary) - 1) * rto_base;
	return ((2LL << thresh) - 1) * rto_base + (sim_time)(boundary - thresh) * rto_max;
}

/* The SYN timer of an active open after `retrans` retransmissions
 * (tcp_retransmit_timer in SYN_SENT): TCP_TIMEOUT_INIT, kept for the first
 * tcp_syn_linear_timeouts retransmissions, then doubled up to rto_max. */
static sim_time tcp_syn_rto(const struct tcp_sysctl *k, sim_time rto_max, unsigned retrans)
{
	sim_time rto = TCP_TIMEOUT_INIT;
	for (unsigned i = 1; i <= retrans; i++)
		if (i > k->syn_linear_timeouts)
			rto = rto * 2 > rto_max ? rto_max : rto * 2;
	return rto;
}

/* tcp_write_timeout() in SYN_SENT (active) or SYN_RECV of a simultaneous
 * open: after `retrans` retransmissions and `elapsed` since the first SYN,
 * is it over? tcp_syn_retries retransmissions (plus the linear ones of an
 * active open), or the time tcp_syn_retries of them would take from 1 s. */
static bool tcp_syn_expired(const struct tcp_sysctl *k, sim_time rto_max, bool active,
			    unsigned retrans, sim_time elapsed)
{
	unsigned max = k->syn_retries + (active ? k->syn_linear_timeouts : 0);
	if (retrans >= max)
		return true;
	return retrans > 0 &&
	       elapsed >= tcp_model_timeout(rto_max, k->syn_retries, TCP_TIMEOUT_INIT);
}

/* The application's report of a failed connection (tcp_set_fail_report). */
static tcp_fail_fn tcp_fail_report;

void tcp_set_fail_report(tcp_fail_fn fn)
{
	tcp_fail_report = fn;
}

static void tcp_fail(struct world *w, struct tcp_conn *c, const char *why)
{
	struct tcp_node *t = c->n->tcp;
	if (c->app) {
		if (c->client && c->state == TS_SYN_SENT)
			t->failed++;
		const struct tcp_app_ops *app = c->app;
		uint64_t serial = c->serial;
		struct node *n = c->n;
		tcp_conn_free(c);
		if (app->failed)
			app->failed(w, n, serial, why);
		return;
	}
	if (c->client) {
		bool connecting = c->state == TS_SYN_SENT;
		if (connecting)
			t->failed++;
		if (tcp_fail_report)
			tcp_fail_report(w, c->n, c->k.raddr, c->k.rport, connecting, why);
	}
	tcp_conn_free(c);
}

static bool tcp_push(struct world *w, struct tcp_conn *c);

static void tcp_enter_time_wait(struct tcp_conn *c, sim_time now)
{
	c->state = TS_TIME_WAIT;
	c->rto_at = SIM_TIME_NEVER;
	c->tw_at = now + TCP_TIMEWAIT_LEN;
}

/* tcp_retransmit_timer(). Returns false if the connection is gone. */
static bool tcp_rto_fire(struct world *w, struct tcp_conn *c)
{
	struct tcp_node *t = c->n->tcp;
	const struct tcp_sysctl *k = sock_tcp_sysctl(c->n);
	if (c->state == TS_SYN_RECV && !c->client) {
		/* a listener's request (reqsk_timer_handler): the SYN-ACK again
		 * after 1, 2, 4, ... s; dropped after tcp_synack_retries */
		if (c->retries >= k->synack_retries) {
			tcp_fail(w, c, "Connection timed out");
			return false;
		}
		c->retries++;
		t->retransmits++;
		c->rtt_timing = false;
		c->syn_tx_at = w->now;
		tcp_xmit(w, c, c->iss, TCP_SYN | TCP_ACK, 0);
		/* tcp_reqsk_timeout: TCP_TIMEOUT_INIT << num_timeout, at most
		 * tcp_rto_max */
		c->rto = TCP_TIMEOUT_INIT;
		for (unsigned i = 0; i < c->retries && c->rto < c->rto_max; i++)
			c->rto *= 2;
		if (c->rto > c->rto_max)
			c->rto = c->rto_max;
		c->rto_at = w->now + c->rto;
		return true;
	}
	if (c->state == TS_SYN_SENT || c->state == TS_SYN_RECV) {
		bool active = c->state == TS_SYN_SENT;
		if (tcp_syn_expired(k, c->rto_max, active, c->retries, w->now - c->retrans_stamp)) {
			tcp_fail(w, c, "Connection timed out");
			return false;
		}
		c->retries++;
		t->retransmits++;
		c->rtt_timing = false;
		/* linear for the first tcp_syn_linear_timeouts of an active
		 * open (tp->total_rto), exponential otherwise */
		if (!active || c->retries > k->syn_linear_timeouts)
			c->rto = c->rto * 2 > c->rto_max ? c->rto_max : c->rto * 2;
		c->syn_tx_at = w->now;
		tcp_xmit(w, c, c->iss, active ? TCP_SYN : TCP_SYN | TCP_ACK, 0);
		c->rto_at = w->now + c->rto;
		return true;
	}
	if (c->snd_una == c->snd_max)
		return true;
	/* retrans_stamp: when the first retransmission went out (Linux reads
	 * the head segment's timestamp after sending it again) */
	if (!c->retries)
		c->retrans_stamp = w->now;
	else if (w->now - c->retrans_stamp >=
		 tcp_model_timeout(c->rto_max, k->retries2, TCP_RTO_MIN)) {
		tcp_fail(w, c, "Connection timed out");
		return false;
	}
	c->retries++;
	t->retransmits++;
	uint32_t flight = c->snd_max - c->snd_una;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->cwnd = c->mss;
	c->snd_nxt = c->snd_una;
	c->rtt_timing = false;
	c->dupacks = 0;
	c->rto = c->rto * 2 > c->rto_max ? c->rto_max : c->rto * 2;
	c->rto_at = w->now + c->rto;
	return tcp_push(w, c);
}

static void tcp_timer_ev(struct world *w, void *arg, uint64_t serial)
{
	struct node *n = arg;
	struct tcp_node *t = n->tcp;
	struct tcp_conn *c = t ? g_hash_table_lookup(t->serials, &serial) : NULL;
	if (!c)
		return;
	tcp_enter();
	if (w->now >= c->ev_at)
		c->ev_at = SIM_TIME_NEVER;
	bool alive = true;
	if (c->tw_at <= w->now) {
		tcp_conn_free(c);
		alive = false;
	}
	if (alive && c->delack_at <= w->now) {
		c->delack_at = SIM_TIME_NEVER;
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
	}
	if (alive && c->rto_at <= w->now) {
		c->rto_at = SIM_TIME_NEVER;
		alive = tcp_rto_fire(w, c);
	}
	if (alive)
		tcp_timer_arm(w, c);
	tcp_leave(w);
}

/* ----- output: data, FIN, and the client application ----- */

/* tcp_write_xmit(): send what the windows allow; then, once everything is
 * acknowledged, the client application's close/reset. Returns false if the
 * connection is gone. */
static bool tcp_push(struct world *w, struct tcp_conn *c)
{
	bool can_send = c->state == TS_ESTABLISHED || c->state == TS_CLOSE_WAIT ||
			c->state == TS_FIN_WAIT1 || c->state == TS_LAST_ACK ||
			c->state == TS_CLOSING;
	if (!can_send)
		return true;
	uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
	while (seq_lt(c->snd_nxt, c->data_end)) {
		uint32_t inflight = c->snd_nxt - c->snd_una;
		if (inflight >= wnd && inflight)
			break;
		uint32_t room = wnd > inflight ? wnd - inflight : 0;
		uint32_t len = c->data_end - c->snd_nxt;
		if (len > c->mss)
			len = c->mss;
		if (len > room) {
			if (inflight || room == 0)
				break; /* sender-side silly window avoidance */
			len = room;
		}
		uint8_t flags = TCP_ACK;
		uint32_t end = c->snd_nxt + len;
		if (end == c->data_end || seq_gt(end, c->pushed_seq + c->max_wnd / 2)) {
			flags |= TCP_PSH;
			c->pushed_seq = end;
		}
		tcp_xmit(w, c, c->snd_nxt, flags, len);
		if (!c->rtt_timing && seq_ge(c->snd_nxt, c->snd_max)) {
			c->rtt_timing = true;
			c->rtt_seq = end;
			c->rtt_start = w->now;
		}
		c->snd_nxt = end;
		if (seq_gt(end, c->snd_max))
			c->snd_max = end;
		if (c->rto_at == SIM_TIME_NEVER)
			c->rto_at = w->now + c->rto;
	}
	if (c->fin_queued && c->snd_nxt == c->fin_seq) {
		tcp_xmit(w, c, c->fin_seq, TCP_FIN | TCP_ACK, 0);
		c->snd_nxt = c->fin_seq + 1;
		if (seq_gt(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (c->rto_at == SIM_TIME_NEVER)
			c->rto_at = w->now + c->rto;
	}
	/* The client application: everything written is acknowledged. */
	if (c->client && !c->fin_queued && c->snd_una == c->data_end &&
	    (c->state == TS_ESTABLISHED || c->state == TS_CLOSE_WAIT)) {
		if (c->mode == TCP_MODE_RESET) {
			tcp_xmit(w, c, c->snd_nxt, TCP_RST | TCP_ACK, 0);
			tcp_conn_free(c);
			return false;
		}
		if (c->mode == TCP_MODE_CLOSE) {
			c->fin_queued = true;
			c->fin_seq = c->data_end;
			c->state = c->state == TS_ESTABLISHED ? TS_FIN_WAIT1 : TS_LAST_ACK;
			return tcp_push(w, c);
		}
	}
	return true;
}

/* ----- input ----- */

static void tcp_parse_options(struct tcp_seg *s)
{
	unsigned doff = (s->th[12] >> 4) * 4u;
	const uint8_t *o = s->th + 20, *end = s->th + doff;
	while (o < end) {
		if (*o == 0)
			break;
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 1 >= end || o[1] < 2 || o + o[1] > end)
			break;
		switch (o[0]) {
		case 2:
			if (o[1] == 4) {
				s->has_mss = true;
				s->opt_mss = rd16(o + 2);
			}
			break;
		case 3:
			if (o[1] == 3) {
				s->has_ws = true;
				s->opt_ws = o[2] > 14 ? 14 : o[2];
			}
			break;
		case 4:
			if (o[1] == 2)
				s->has_sack = true;
			break;
		case 8:
			if (o[1] == 10) {
				s->has_ts = true;
				s->tsval = rd32(o + 2);
				s->tsecr = rd32(o + 6);
			}
			break;
		}
		o += o[1];
	}
}

/* The options a SYN or SYN-ACK negotiated (tcp_parse_options +
 * tcp_sync_mss): what both sides offered. */
static void tcp_negotiate(struct tcp_conn *c, const struct tcp_seg *s)
{
	c->ts_ok = c->ts_ok && s->has_ts;
	c->sack_ok = c->sack_ok && s->has_sack;
	c->ws_ok = c->ws_ok && s->has_ws;
	c->snd_wscale = c->ws_ok ? s->opt_ws : 0;
	uint16_t peer = s->has_mss && s->opt_mss ? s->opt_mss : 536;
	uint16_t mss = peer < c->adv_mss ? peer : c->adv_mss;
	c->mss = (uint16_t)(mss - (c->ts_ok ? 12 : 0));
	if (c->mss < 64)
		c->mss = 64;
	if (s->has_ts)
		c->ts_recent = s->tsval;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->snd_wnd = s->win; /* a SYN's window is never scaled */
	c->max_wnd = c->snd_wnd;
}

/* An application socket is connected: its callback (which may write), and
 * a close it asked for before. */
static void tcp_app_established(struct world *w, struct tcp_conn *c)
{
	if (!c->app)
		return;
	if (c->app->established)
		c->app->established(w, c->n, c->serial, c->k.lport);
	if (c->app_close && !c->fin_queued) {
		c->fin_queued = true;
		c->fin_seq = c->data_end;
		c->state = c->state == TS_CLOSE_WAIT ? TS_LAST_ACK : TS_FIN_WAIT1;
	}
}

static void tcp_established(struct world *w, struct tcp_conn *c)
{
	struct tcp_node *t = c->n->tcp;
	c->state = TS_ESTABLISHED;
	c->cwnd = 10u * c->mss; /* TCP_INIT_CWND */
	c->quickacks = TCP_MAX_QUICKACKS;
	c->pushed_seq = c->snd_una;
	/* the handshake's RTT: from the SYN if it was sent once; after a
	 * retransmission Karn forbids that, but the echoed timestamp
	 * (tcp_rtt_tsopt_us) still times the last SYN */
	if (!c->retries)
		tcp_rtt_sample(c, w->now - c->rtt_start);
	else if (c->ts_ok)
		tcp_rtt_sample(c, w->now - c->syn_tx_at);
	c->retries = 0;
	tcp_set_rto(c);
	c->rto_at = SIM_TIME_NEVER;
	t->established++;
}

/* tcp_rcv_synsent_state_process(). */
static void tcp_synsent_input(struct world *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	if (s->flags & TCP_ACK) {
		if (s->ack != c->iss + 1) {
			tcp_send_reset(c->n, s);
			return;
		}
		if (s->flags & TCP_RST) {
			((struct tcp_node *)c->n->tcp)->resets_rcvd++;
			tcp_fail(w, c, "Connection refused");
			return;
		}
	} else if (s->flags & TCP_RST) {
		return;
	}
	if (!(s->flags & TCP_SYN))
		return;
	tcp_negotiate(c, s);
	if (s->flags & TCP_ACK) {
		c->snd_una = s->ack;
		tcp_established(w, c);
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
		tcp_app_established(w, c);
		if (tcp_push(w, c))
			tcp_timer_arm(w, c);
		return;
	}
	/* Simultaneous open: SYN_RECV, answer with SYN-ACK. */
	c->state = TS_SYN_RECV;
	tcp_xmit(w, c, c->iss, TCP_SYN | TCP_ACK, 0);
}

/* tcp_ack(): the peer acknowledged up to s->ack. Returns false if the
 * connection is gone. */
static bool tcp_ack(struct world *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t win = (uint32_t)s->win << c->snd_wscale;
	if (seq_gt(s->ack, c->snd_una)) {
		uint32_t acked = s->ack - c->snd_una;
		c->snd_una = s->ack;
		if (seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if (c->rtt_timing && seq_ge(s->ack, c->rtt_seq)) {
			c->rtt_timing = false;
			tcp_rtt_sample(c, w->now - c->rtt_start);
		}
		c->retries = 0;
		c->dupacks = 0;
		tcp_set_rto(c);
		if (c->cwnd < c->ssthresh)
			c->cwnd += acked < 2u * c->mss ? acked : 2u * c->mss;
		else
			c->cwnd += (uint32_t)c->mss * c->mss / (c->cwnd ? c->cwnd : 1) + 1;
		c->rto_at = c->snd_una == c->snd_max ? SIM_TIME_NEVER : w->now + c->rto;
	} else if (s->ack == c->snd_una && !s->len && !(s->flags & TCP_FIN) &&
		   win == c->snd_wnd && c->snd_una != c->snd_max) {
		/* tcp_fastretrans_alert: the third duplicate ACK. */
		if (++c->dupacks == 3) {
			uint32_t flight = c->snd_max - c->snd_una;
			c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
			c->cwnd = c->ssthresh;
			c->snd_nxt = c->snd_una;
			c->rtt_timing = false;
			((struct tcp_node *)c->n->tcp)->retransmits++;
		}
	}
	c->snd_wnd = win;
	if (win > c->max_wnd)
		c->max_wnd = win;
	if (c->fin_queued && seq_ge(c->snd_una, c->fin_seq + 1)) {
		switch (c->state) {
		case TS_FIN_WAIT1:
			c->state = TS_FIN_WAIT2;
			break;
		case TS_CLOSING:
			tcp_enter_time_wait(c, w->now);
			break;
		case TS_LAST_ACK:
			tcp_conn_free(c);
			return false;
		default:
			break;
		}
	}
	return true;
}

/* Data and FIN of an acceptable segment (tcp_data_queue, tcp_fin). */
static void tcp_data(struct world *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	struct tcp_node *t = c->n->tcp;
	bool data_ok = c->state == TS_ESTABLISHED || c->state == TS_FIN_WAIT1 ||
		       c->state == TS_FIN_WAIT2;
	uint32_t seq = s->seq, len = s->len;
	if (len && data_ok) {
		if (seq_lt(seq, c->rcv_nxt) && seq_gt(seq + len, c->rcv_nxt)) {
			len -= c->rcv_nxt - seq; /* partly old: keep the new part */
			seq = c->rcv_nxt;
		}
		if (seq == c->rcv_nxt) {
			c->rcv_nxt += len;
			t->bytes_rx += len;
			struct tcp_recv_hook *h = t->recv_hooks
				? g_hash_table_lookup(t->recv_hooks, GUINT_TO_POINTER(c->k.lport))
				: NULL;
			const uint8_t *fresh = s->th + (s->th[12] >> 4) * 4u + (s->len - len);
			if (c->app && c->app->recv)
				c->app->recv(w, c->n, c->serial, fresh, len);
			else if (h) /* the new bytes: the segment's last len of s->len */
				h->fn(h->ctx, c->n, fresh, len);
			if (c->quickacks) {
				c->quickacks--;
				c->ack_now = true;
			} else if (++c->unacked_segs >= 2) {
				c->ack_now = true;
			} else if (c->delack_at == SIM_TIME_NEVER) {
				c->delack_at = w->now + TCP_DELACK;
			}
		} else {
			c->ack_now = true; /* out of order or duplicate: dup ACK */
		}
	} else if (len) {
		c->ack_now = true;
	}
	if (!(s->flags & TCP_FIN))
		return;
	if (s->seq + s->len != c->rcv_nxt) {
		c->ack_now = true;
		return;
	}
	switch (c->state) {
	case TS_SYN_RECV:
	case TS_ESTABLISHED:
		c->rcv_nxt++;
		c->state = TS_CLOSE_WAIT;
		c->ack_now = true;
		/* A listener's application closes on EOF at once (its FIN
		 * carries the ACK); a client's closes by its mode (tcp_push);
		 * an application socket hears the EOF, writes what it has
		 * left, and closes. */
		if (c->app && c->app->eof)
			c->app->eof(w, c->n, c->serial);
		if ((!c->client || c->app) && !c->fin_queued) {
			c->fin_queued = true;
			c->fin_seq = c->data_end;
			c->state = TS_LAST_ACK;
		}
		break;
	case TS_FIN_WAIT1:
		c->rcv_nxt++;
		c->ack_now = true;
		c->state = TS_CLOSING;
		break;
	case TS_FIN_WAIT2:
		c->rcv_nxt++;
		c->ack_now = true;
		tcp_enter_time_wait(c, w->now);
		if (c->app && c->app->eof)
			c->app->eof(w, c->n, c->serial);
		break;
	default:
		break;
	}
}

/* tcp_timewait_state_process(): re-ACK a retransmitted FIN; an RST ends it;
 * a new SYN replaces it (returns true: process the segment as new). */
static bool tcp_timewait_input(struct world *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	if (s->flags & TCP_RST) {
		tcp_conn_free(c);
		return false;
	}
	if ((s->flags & TCP_SYN) && !(s->flags & TCP_ACK)) {
		tcp_conn_free(c);
		return true;
	}
	if ((s->flags & TCP_FIN) || s->len) {
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
		c->tw_at = w->now + TCP_TIMEWAIT_LEN;
		tcp_timer_arm(w, c);
	}
	return false;
}

/* tcp_rcv_state_process() for SYN_RECV and the synchronized states. */
static void tcp_conn_input(struct world *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	struct tcp_node *t = c->n->tcp;
	uint32_t rwnd = tcp_rcv_wnd(c);
	bool in_window = seq_ge(s->seq, c->rcv_nxt) ? seq_lt(s->seq, c->rcv_nxt + rwnd)
						    : seq_gt(s->seq + s->len, c->rcv_nxt);
	if (s->flags & TCP_RST) {
		/* RFC 5961 3.2: exact match resets, in window challenges. */
		if (s->seq == c->rcv_nxt) {
			t->resets_rcvd++;
			tcp_fail(w, c, "Connection reset by peer");
		} else if (in_window) {
			tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
		}
		return;
	}
	if (s->flags & TCP_SYN) {
		if (c->state == TS_SYN_RECV && s->seq == c->irs && !(s->flags & TCP_ACK)) {
			/* retransmitted SYN (tcp_check_req): the SYN-ACK again,
			 * and its timer restarts from now */
			c->syn_tx_at = w->now;
			tcp_xmit(w, c, c->iss, TCP_SYN | TCP_ACK, 0);
			if (!c->client) {
				c->rto_at = w->now + c->rto;
				tcp_timer_arm(w, c);
			}
		} else
			tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0); /* challenge ACK */
		return;
	}
	if (!(s->flags & TCP_ACK))
		return;
	if (!in_window && (s->len || (s->flags & TCP_FIN)) && !seq_lt(s->seq, c->rcv_nxt)) {
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
		return;
	}
	if (c->state == TS_SYN_RECV) {
		if (s->ack != c->iss + 1) {
			tcp_send_reset(c->n, s);
			return;
		}
		c->snd_una = s->ack;
		tcp_established(w, c);
		struct tcp_listener *l = g_hash_table_lookup(t->listeners,
							     GUINT_TO_POINTER(c->k.lport));
		if (l)
			l->accepted++;
		tcp_app_established(w, c);
	}
	if (seq_gt(s->ack, c->snd_max)) {
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0); /* ACK of unsent data */
		return;
	}
	if (c->ts_ok && s->has_ts && seq_le(s->seq, c->rcv_nxt))
		c->ts_recent = s->tsval;
	if (!tcp_ack(w, c, s))
		return;
	if (c->state == TS_TIME_WAIT) {
		tcp_timer_arm(w, c);
		return;
	}
	tcp_data(w, c, s);
	if (c->state == TS_TIME_WAIT) {
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
		tcp_timer_arm(w, c);
		return;
	}
	if (!tcp_push(w, c))
		return;
	if (c->ack_now)
		tcp_xmit(w, c, c->snd_nxt, TCP_ACK, 0);
	tcp_timer_arm(w, c);
}

/* A SYN to a listener (tcp_conn_request): the connection starts in
 * SYN_RECV and answers with SYN-ACK. */
static void tcp_conn_request(struct world *w, struct node *n, const struct tcp_key *k,
			     const struct tcp_seg *s)
{
	struct tcp_conn *c = tcp_conn_new(n, k, false);
	struct tcp_listener *l = g_hash_table_lookup(((struct tcp_node *)n->tcp)->listeners,
						     GUINT_TO_POINTER(k->lport));
	c->app = l ? l->app : NULL;
	c->adv_mss = (uint16_t)(tr_route_mtu(n, k->raddr) - 40);
	c->ts_ok = c->sack_ok = c->ws_ok = true;
	tcp_negotiate(c, s);
	c->state = TS_SYN_RECV;
	c->rtt_start = c->syn_tx_at = w->now;
	tcp_xmit(w, c, c->iss, TCP_SYN | TCP_ACK, 0);
	c->rto_at = w->now + c->rto;
	tcp_timer_arm(w, c);
}

/* ----- TCP flows (the `flows tcp` generator's minimal clients) ----- */

static void tcp_flow_xmit(struct world *w, struct flows_gen *g, uint32_t i, uint32_t seq,
			  uint8_t flags, uint32_t len)
{
	struct tcp_flow *f = &g->tflows[i];
	uint8_t o[40];
	unsigned ol;
	uint32_t tsval = tcp_tsval(w, f->ts_off);
	uint16_t win;
	uint32_t addr = flows_src_addr(g, i);
	if (flags & TCP_SYN) {
		ol = tcp_syn_opts(o, (uint16_t)(tr_route_mtu(g->n, g->dst) - 40), true, true, true,
				  tsval, 0);
		win = 64240;
	} else {
		ol = f->ts_ok ? tcp_ts_opt(o, tsval, f->ts_recent) : 0;
		win = f->ws_ok ? 502 : 64240;
	}
	struct packet *p = build_tcp(addr, g->dst, flows_src_port(g, i), g->dport, seq,
				     (flags & TCP_ACK) ? f->rcv_nxt : 0, flags, win, o, ol, len,
				     node_next_ip_id(g->n));
	if (!p)
		return;
	g->tx++;
	tcp_queue(g->n, p);
}

static void tcp_flow_syn_ev(struct world *w, void *arg, uint64_t u);

/* A flow's SYN, and its timer: the schedule of an active open (tcp_syn_rto)
 * with the node's knobs as they are now (a flow keeps no RTO of its own). */
static void tcp_flow_send_syn(struct world *w, struct flows_gen *g, uint32_t i)
{
	struct tcp_flow *f = &g->tflows[i];
	const struct tcp_sysctl *k = sock_tcp_sysctl(g->n);
	tcp_flow_xmit(w, g, i, f->iss, TCP_SYN, 0);
	f->syn_tries++;
	sim_time rto_max = (sim_time)k->rto_max_ms * SIM_MS;
	flows_at(w, g, i, w->now + tcp_syn_rto(k, rto_max, f->syn_tries - 1u), tcp_flow_syn_ev);
}

/* SYN retransmission of a flow, as tcp_write_timeout allows. */
static void tcp_flow_syn_ev(struct world *w, void *arg, uint64_t u)
{
	uint32_t i;
	struct flows_gen *g = flows_from_event(arg, u, &i);
	if (!g || g->tflows[i].state != TF_SYN_SENT)
		return;
	const struct tcp_sysctl *k = sock_tcp_sysctl(g->n);
	sim_time rto_max = (sim_time)k->rto_max_ms * SIM_MS;
	unsigned retrans = g->tflows[i].syn_tries - 1u;
	sim_time elapsed = 0;	/* since the first SYN: the timers so far */
	for (unsigned j = 0; j <= retrans; j++)
		elapsed += tcp_syn_rto(k, rto_max, j);
	tcp_enter();
	if (tcp_syn_expired(k, rto_max, true, retrans, elapsed))
		g->tflows[i].state = TF_CLOSED; /* connect timed out */
	else
		tcp_flow_send_syn(w, g, i);
	tcp_leave(w);
}

/* The flow's next 64-byte data segment, 1 ms after the previous one. */
static void tcp_flow_data_ev(struct world *w, void *arg, uint64_t u)
{
	uint32_t i;
	struct flows_gen *g = flows_from_event(arg, u, &i);
	if (!g || g->tflows[i].state != TF_ESTABLISHED)
		return;
	struct tcp_flow *f = &g->tflows[i];
	tcp_enter();
	tcp_flow_xmit(w, g, i, f->iss + 1 + f->sent * 64u, TCP_ACK | TCP_PSH, 64);
	f->sent++;
	if (f->sent + 1 < g->packets)
		flows_at(w, g, i, w->now + SIM_MS, tcp_flow_data_ev);
	tcp_leave(w);
}

void tcp_flow_start(struct world *w, struct flows_gen *g, uint32_t i)
{
	struct tcp_flow *f = &g->tflows[i];
	tcp_enter();
	f->iss = rng_u32(&w->rng);
	f->ts_off = rng_u32(&w->rng);
	f->state = TF_SYN_SENT;
	tcp_flow_send_syn(w, g, i);
	tcp_leave(w);
}

/* A segment for one of the node's TCP flows? Handles it and returns true. */
static bool tcp_flow_input(struct world *w, struct node *n, const struct tcp_seg *s)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return false;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (!g->tcp || ip_src(s->ip) != g->dst || rd16(s->th) != g->dport)
			continue;
		int64_t idx = flows_index(g, ip_dst(s->ip), rd16(s->th + 2));
		if (idx < 0)
			continue;
		uint32_t i = (uint32_t)idx;
		struct tcp_flow *f = &g->tflows[i];
		if (f->state == TF_SYN_SENT) {
			if ((s->flags & TCP_ACK) && s->ack != f->iss + 1)
				return false; /* the stack answers with RST */
			if (s->flags & TCP_RST) {
				if (s->flags & TCP_ACK) {
					f->state = TF_CLOSED;
					g->reset++;
				}
				g->rx++;
				return true;
			}
			if ((s->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK))
				return true;
			g->rx++;
			f->rcv_nxt = s->seq + 1;
			f->ts_ok = s->has_ts;
			f->ws_ok = s->has_ws;
			f->ts_recent = s->tsval;
			f->state = TF_ESTABLISHED;
			g->established++;
			tcp_flow_xmit(w, g, i, f->iss + 1, TCP_ACK, 0);
			if (g->packets > 1)
				flows_at(w, g, i, w->now + SIM_MS, tcp_flow_data_ev);
			return true;
		}
		if (f->state != TF_ESTABLISHED)
			return false;
		g->rx++;
		if (s->flags & TCP_RST) {
			f->state = TF_CLOSED;
			g->reset++;
			return true;
		}
		if (s->has_ts)
			f->ts_recent = s->tsval;
		bool ack = (s->flags & TCP_SYN) != 0; /* SYN-ACK again: our ACK was lost */
		if (s->len && s->seq == f->rcv_nxt) {
			f->rcv_nxt += s->len;
			ack = true;
		}
		if ((s->flags & TCP_FIN) && s->seq + s->len == f->rcv_nxt) {
			f->rcv_nxt++;
			ack = true;
		}
		if (ack)
			tcp_flow_xmit(w, g, i, f->iss + 1 + f->sent * 64u, TCP_ACK, 0);
		return true;
	}
	return false;
}

/* ----- entry points ----- */

void tcp_rcv(struct world *w, struct node *n, struct packet *p)
{
	if (!p->l4) {
		packet_free(p);
		return;
	}
	struct tcp_seg s = { 0 };
	s.ip = p->data + p->l3;
	s.th = p->data + p->l4;
	unsigned doff = (s.th[12] >> 4) * 4u;
	uint32_t l4len = ip_tot_len(s.ip) - ip_ihl(s.ip);
	if (doff < 20 || doff > l4len || !l4_csum_ok(s.ip, p->len - p->l3) ||
	    !ip_addr_is_local(n, ip_dst(s.ip))) {
		packet_free(p);
		return;
	}
	s.seq = rd32(s.th + 4);
	s.ack = rd32(s.th + 8);
	s.flags = s.th[13];
	s.win = rd16(s.th + 14);
	s.len = l4len - doff;
	tcp_parse_options(&s);
	struct tcp_key k = { ip_dst(s.ip), ip_src(s.ip), rd16(s.th + 2), rd16(s.th) };

	tcp_enter();
	struct tcp_conn *c = tcp_lookup(n, &k);
	bool fresh = !c;
	struct tcp_conn *outer = tcp_in_conn;
	tcp_in_conn = c;
	if (c) {
		if (c->state == TS_SYN_SENT)
			tcp_synsent_input(w, c, &s);
		else if (c->state == TS_TIME_WAIT)
			fresh = tcp_timewait_input(w, c, &s);
		else
			tcp_conn_input(w, c, &s);
	}
	if (fresh && !tcp_flow_input(w, n, &s)) {
		struct tcp_node *t = n->tcp;
		bool listening = t && g_hash_table_contains(t->listeners, GUINT_TO_POINTER(k.lport));
		if (!listening) {
			tcp_send_reset(n, &s);
		} else if (s.flags & TCP_RST) {
			/* discard */
		} else if (s.flags & TCP_ACK) {
			tcp_send_reset(n, &s);
		} else if ((s.flags & TCP_SYN) && !(s.flags & TCP_FIN)) {
			tcp_conn_request(w, n, &k, &s);
		}
	}
	tcp_in_conn = outer;
	tcp_leave(w);
	packet_free(p);
}

/* tcp_v4_err(): the ICMP error quotes a segment of ours. */
void tcp_err(struct world *w, struct node *n, const struct packet *icmp)
{
	if (!icmp->l4)
		return;
	const uint8_t *ic = icmp->data + icmp->l4;
	uint32_t avail = (uint32_t)(icmp->len - icmp->l4);
	const uint8_t *in = ic + 8;
	if (avail < 8 + 20 || avail < 8 + ip_ihl(in) + 8 || ip_proto(in) != IPPROTO_TCP_)
		return;
	const uint8_t *th = in + ip_ihl(in);
	struct tcp_key k = { ip_src(in), ip_dst(in), rd16(th), rd16(th + 2) };
	struct tcp_conn *c = tcp_lookup(n, &k);
	if (!c) {
		flows_err(n, IPPROTO_TCP_, k.laddr, k.lport, k.raddr, k.rport);
		return;
	}
	tcp_node_get(n)->icmp_errors++;
	uint8_t type = ic[0], code = ic[1];
	uint32_t seq = rd32(th + 4);
	if (!seq_ge(seq, c->snd_una) || !seq_le(seq, c->snd_max))
		return; /* LINUX_MIB_OUTOFWINDOWICMPS */
	/* icmp_err_convert[] */
	static const char *const unreach[] = {
		"Network is unreachable", "No route to host", "Protocol not available",
		"Connection refused", NULL, "Operation not supported",
		"Network is unreachable", "Host is down", "Machine is not on the network",
		"Network is unreachable", "No route to host", "Network is unreachable",
		"No route to host", "No route to host", "No route to host", "No route to host",
	};
	const char *err;
	if (type == ICMP_DEST_UNREACH) {
		if (code >= G_N_ELEMENTS(unreach) || code == ICMP_FRAG_NEEDED)
			return;
		err = unreach[code];
	} else if (type == ICMP_TIME_EXCEEDED) {
		err = "No route to host";
	} else if (type == ICMP_PARAMETERPROB) {
		err = "Protocol error";
	} else {
		return;
	}
	if (c->state == TS_SYN_SENT) {
		tcp_enter();
		tcp_fail(w, c, err);
		tcp_leave(w);
	}
}

static bool tcp_port_in_use(struct node *n, uint16_t port, void *arg)
{
	struct tcp_node *t = n->tcp;
	struct tcp_key k = *(const struct tcp_key *)arg;
	k.lport = port;
	return t && (g_hash_table_contains(t->listeners, GUINT_TO_POINTER(port)) ||
		     g_hash_table_contains(t->conns, &k));
}

void tcp_set_recv(struct node *n, uint16_t lport, tcp_recv_fn fn, void *ctx)
{
	struct tcp_node *t = tcp_node_get(n);
	if (!t->recv_hooks)
		t->recv_hooks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	struct tcp_recv_hook *h = g_new(struct tcp_recv_hook, 1);
	h->fn = fn;
	h->ctx = ctx;
	g_hash_table_replace(t->recv_hooks, GUINT_TO_POINTER(lport), h);
}

/* tcp_connect, with the application's callbacks set before the SYN goes. */
static int tcp_connect_app(struct world *w, struct node *n, uint32_t dst, uint16_t dport,
			   int sport, uint64_t bytes, const uint8_t *data,
			   enum tcp_close_mode mode, const struct tcp_app_ops *app, uint64_t *conn)
{
	uint32_t src = route_source_addr(n, dst);
	if (!src)
		return -ENETUNREACH;
	struct tcp_key k = { src, dst, 0, dport };
	if (sport < 0) {
		sport = tr_ephemeral(n, tcp_port_in_use, &k);
		if (!sport)
			return -EADDRNOTAVAIL;
	}
	k.lport = (uint16_t)sport;
	struct tcp_conn *old = tcp_lookup(n, &k);
	if (old && old->state != TS_TIME_WAIT)
		return -EADDRINUSE;
	tcp_enter();
	if (old)
		tcp_conn_free(old); /* no TIME_WAIT blocks a new connect */
	struct tcp_conn *t = tcp_conn_new(n, &k, true);
	t->mode = (uint8_t)mode;
	t->app = app;
	if (conn)
		*conn = t->serial;
	t->adv_mss = (uint16_t)(tr_route_mtu(n, dst) - 40);
	t->ts_ok = t->sack_ok = t->ws_ok = true;
	t->data_end = t->iss + 1 + (uint32_t)bytes;
	if (data && bytes)
		t->tx_data = g_memdup2(data, (gsize)bytes);
	t->state = TS_SYN_SENT;
	t->rtt_start = t->retrans_stamp = t->syn_tx_at = w->now;
	tcp_xmit(w, t, t->iss, TCP_SYN, 0);
	t->rto_at = w->now + t->rto;
	tcp_timer_arm(w, t);
	tcp_node_get(n)->connects++;
	tcp_leave(w);
	return 0;
}

int tcp_connect(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		uint64_t bytes, const uint8_t *data, enum tcp_close_mode mode)
{
	return tcp_connect_app(w, n, dst, dport, sport, bytes, data, mode, NULL, NULL);
}

void tcp_listen(struct node *n, uint16_t port)
{
	struct tcp_node *t = tcp_node_get(n);
	if (!g_hash_table_contains(t->listeners, GUINT_TO_POINTER(port))) {
		struct tcp_listener *l = g_new0(struct tcp_listener, 1);
		l->port = port;
		g_hash_table_insert(t->listeners, GUINT_TO_POINTER(port), l);
	}
}

/* One hand-made segment: no options, window 64240, not part of any
 * connection; seq defaults to a fresh ISN from the run's generator. */
int tcp_segment(struct world *w, struct node *n, uint32_t dst, uint16_t dport, uint16_t sport,
		uint8_t flags, bool have_seq, uint32_t seq, uint32_t ack, uint32_t size)
{
	uint32_t src = route_source_addr(n, dst);
	if (!src)
		return -ENETUNREACH;
	if (!have_seq)
		seq = rng_u32(&w->rng);
	struct packet *p = build_tcp(src, dst, sport, dport, seq, ack, flags, 64240, NULL, 0, size,
				     node_next_ip_id(n));
	if (!p)
		return 0;
	tcp_node_get(n)->bytes_tx += size;
	tr_send(w, n, p);
	return 0;
}

void tcp_free(struct node *n)
{
	struct tcp_node *t = n->tcp;
	if (!t)
		return;
	GHashTableIter it;
	gpointer key, val;
	g_hash_table_iter_init(&it, t->conns);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		g_free(((struct tcp_conn *)val)->tx_data);
		g_free(val); /* freeing only: order does not matter */
	}
	g_hash_table_destroy(t->conns);
	g_hash_table_destroy(t->serials);
	g_hash_table_destroy(t->listeners);
	if (t->recv_hooks)
		g_hash_table_destroy(t->recv_hooks);
	g_free(t);
	n->tcp = NULL;
}

void tcp_summary(struct node *n, GString *json)
{
	struct tcp_node *t = n->tcp;
	if (!t)
		return;
	unsigned open = 0, time_wait = 0;
	GHashTableIter it;
	gpointer key, val;
	g_hash_table_iter_init(&it, t->conns);
	while (g_hash_table_iter_next(&it, &key, &val)) { /* counting: order-free */
		const struct tcp_conn *c = val;
		if (c->state == TS_TIME_WAIT)
			time_wait++;
		else
			open++;
	}
	g_string_append_printf(json,
		", \"tcp_connects\": %" G_GUINT64_FORMAT ", \"tcp_established\": %" G_GUINT64_FORMAT
		", \"tcp_failed\": %" G_GUINT64_FORMAT ", \"tcp_open\": %u, \"tcp_time_wait\": %u"
		", \"tcp_bytes_tx\": %" G_GUINT64_FORMAT ", \"tcp_bytes_rx\": %" G_GUINT64_FORMAT
		", \"tcp_retransmits\": %" G_GUINT64_FORMAT ", \"tcp_resets_sent\": %" G_GUINT64_FORMAT
		", \"tcp_resets_rcvd\": %" G_GUINT64_FORMAT ", \"tcp_icmp_errors\": %" G_GUINT64_FORMAT,
		t->connects, t->established, t->failed, open, time_wait, t->bytes_tx, t->bytes_rx,
		t->retransmits, t->resets_sent, t->resets_rcvd, t->icmp_errors);
}

/* ----- application sockets (tcp_app_*: an FTP client and server) -----
 *
 * An application socket is a connection with callbacks (c->app): it is
 * told when it is connected or accepted, each new byte in order, the
 * peer's FIN (after which it closes, as the listener's connections always
 * did), and its end. A write appends to the connection's bytes and sends
 * what the windows allow; written from inside the input of the same
 * connection (a reply in a recv callback), the input path sends it. */

static struct tcp_conn *tcp_app_find(struct node *n, uint64_t conn)
{
	struct tcp_node *t = n->tcp;
	return t ? g_hash_table_lookup(t->serials, &conn) : NULL;
}

int tcp_app_connect(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		    const struct tcp_app_ops *ops, uint64_t *conn)
{
	return tcp_connect_app(w, n, dst, dport, sport, 0, NULL, TCP_MODE_HOLD, ops, conn);
}

int tcp_app_listen(struct node *n, uint16_t port, const struct tcp_app_ops *ops)
{
	struct tcp_node *t = tcp_node_get(n);
	if (!port) {
		struct tcp_key k = { 0, 0, 0, 0 };
		port = tr_ephemeral(n, tcp_port_in_use, &k);
		if (!port)
			return -EADDRNOTAVAIL;
	}
	struct tcp_listener *l = g_hash_table_lookup(t->listeners, GUINT_TO_POINTER(port));
	if (!l) {
		l = g_new0(struct tcp_listener, 1);
		l->port = port;
		g_hash_table_insert(t->listeners, GUINT_TO_POINTER(port), l);
	}
	l->app = ops;
	return port;
}

void tcp_app_unlisten(struct node *n, uint16_t port)
{
	struct tcp_node *t = n->tcp;
	if (t)
		g_hash_table_remove(t->listeners, GUINT_TO_POINTER(port));
}

int tcp_app_write(struct world *w, struct node *n, uint64_t conn, const uint8_t *data,
		  size_t len)
{
	struct tcp_conn *c = tcp_app_find(n, conn);
	if (!c || c->fin_queued || c->app_close)
		return -EPIPE;
	if (!len)
		return 0;
	size_t have = c->data_end - (c->iss + 1);
	c->tx_data = g_realloc(c->tx_data, have + len);
	if (data)
		memcpy(c->tx_data + have, data, len);
	else
		memset(c->tx_data + have, 0, len);
	c->data_end += (uint32_t)len;
	if (c != tcp_in_conn) {
		tcp_enter();
		if (tcp_push(w, c))
			tcp_timer_arm(w, c);
		tcp_leave(w);
	}
	return 0;
}

void tcp_app_close(struct world *w, struct node *n, uint64_t conn)
{
	struct tcp_conn *c = tcp_app_find(n, conn);
	if (!c || c->fin_queued)
		return;
	if (c->state != TS_ESTABLISHED && c->state != TS_CLOSE_WAIT) {
		c->app_close = true; /* once established */
		return;
	}
	c->fin_queued = true;
	c->fin_seq = c->data_end;
	c->state = c->state == TS_ESTABLISHED ? TS_FIN_WAIT1 : TS_LAST_ACK;
	if (c != tcp_in_conn) {
		tcp_enter();
		if (tcp_push(w, c))
			tcp_timer_arm(w, c);
		tcp_leave(w);
	}
}

bool tcp_app_addrs(struct node *n, uint64_t conn, uint32_t *laddr, uint16_t *lport,
		   uint32_t *raddr, uint16_t *rport)
{
	struct tcp_conn *c = tcp_app_find(n, conn);
	if (!c)
		return false;
	*laddr = c->k.laddr;
	*lport = c->k.lport;
	*raddr = c->k.raddr;
	*rport = c->k.rport;
	return true;
}
