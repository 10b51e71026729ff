/* ping.c - iputils ping on a simulated host (an application: the `ping`
 * command's session, counters and printed lines; it hears its replies and
 * errors through an ICMP echo socket of sim/sock/ping.c).
 *
 * Mirrors iputils' ping (ping_common.c: pinger, gather_statistics, finish):
 * echo requests every interval with seq from 1, replies matched by echo id,
 * ICMP errors about our requests reported as "From ADDR icmp_seq=N ...", and
 * the statistics block with iputils' own integer-microsecond arithmetic. RTTs
 * are the simulated round trip (no timestamp in the payload: the payload is
 * iputils' fill pattern, byte i = i, so runs stay byte-identical).
 *
 * Default echo id: iputils uses its pid; natsim uses the 16-bit fold of the
 * FNV-1a hash of the node name plus the number of pings started before on
 * that node, so each host has its own ids and runs repeat exactly.
 *
 * End of a -c N ping: as iputils, statistics as soon as every request has
 * its reply or error; otherwise at schedule_exit()'s deadline after the last
 * request: max(2 x max RTT, interval) if any reply came, else 10 s (so the
 * neighbour failure's Destination Host Unreachable, 3 s late, is seen).
 * A ping without -c runs until the end of the run and prints no statistics.
 */
#include <limits.h>
#include <string.h>
#include "sim/apps/apps.h"

struct ping_sess {
	uint64_t serial;
	char dest[64];		/* as typed: iputils' "hostname" */
	uint32_t dst, src;
	uint16_t id;
	uint32_t count, size;	/* count 0: until the end of the run */
	sim_time interval;
	long ntransmitted, nreceived, nerrors, nrepeats;
	long tmin, tmax;	/* microseconds, as iputils */
	long long tsum, tsum2;
	sim_time start, last_send;
	sim_time *sent_at;	/* by seq % ring; -1: not sent */
	uint8_t *rcvd;
	uint32_t ring;
	bool finished;
	struct ping_sock *sock;	/* open until finished */
};

void ping_sess_free(struct node *n, struct ping_sess *s)
{
	if (s->sock)
		ping_sock_close(n, s->sock);
	g_free(s->sent_at);
	g_free(s->rcvd);
	g_free(s);
}

static struct ping_sess *ping_find(struct node *n, uint64_t serial)
{
	struct app_node *t = app_node_peek(n);
	if (!t)
		return NULL;
	for (unsigned i = 0; i < t->pings->len; i++) {
		struct ping_sess *s = g_ptr_array_index(t->pings, i);
		if (s->serial == serial)
			return s;
	}
	return NULL;
}

/* iputils' llsqrt: integer Newton square root. */
static long ping_llsqrt(long long a)
{
	long long prev = LLONG_MAX, x = a;
	if (x > 0) {
		while (x < prev) {
			prev = x;
			x = (x + a / x) / 2;
		}
	}
	return (long)x;
}

/* finish(): the statistics block. */
static void ping_finish(struct world *w, struct node *n, struct ping_sess *s)
{
	if (s->finished)
		return;
	s->finished = true;
	ping_sock_close(n, s->sock);
	s->sock = NULL;
	GString *l = g_string_new(NULL);
	tr_output(w, n, "--- %s ping statistics ---", s->dest);
	g_string_printf(l, "%ld packets transmitted, %ld received", s->ntransmitted, s->nreceived);
	if (s->nrepeats)
		g_string_append_printf(l, ", +%ld duplicates", s->nrepeats);
	if (s->nerrors)
		g_string_append_printf(l, ", +%ld errors", s->nerrors);
	if (s->ntransmitted) {
		float loss = (float)((s->ntransmitted - s->nreceived) * 100.0 / s->ntransmitted);
		long us = (long)((s->last_send - s->start) / SIM_US);
		g_string_append_printf(l, ", %g%% packet loss, time %ldms", (double)loss,
				       (us + 500) / 1000);
	}
	tr_output(w, n, "%s", l->str);
	if (s->nreceived) {
		long long total = s->nreceived + s->nrepeats;
		long long avg = s->tsum / total, avg2 = s->tsum2 / total;
		long mdev = ping_llsqrt(avg2 - avg * avg);
		tr_output(w, n, "rtt min/avg/max/mdev = %ld.%03ld/%lu.%03ld/%ld.%03ld/%ld.%03ld ms",
			  s->tmin / 1000, s->tmin % 1000,
			  (unsigned long)(avg / 1000), (long)(avg % 1000),
			  s->tmax / 1000, s->tmax % 1000, mdev / 1000, mdev % 1000);
	}
	g_string_free(l, true);
	g_free(s->sent_at);
	g_free(s->rcvd);
	s->sent_at = NULL;
	s->rcvd = NULL;
}

static void ping_deadline_ev(struct world *w, void *arg, uint64_t serial)
{
	struct ping_sess *s = ping_find(arg, serial);
	if (s)
		ping_finish(w, arg, s);
}

static void ping_check_done(struct world *w, struct node *n, struct ping_sess *s)
{
	if (s->count && s->nreceived + s->nerrors >= (long)s->count)
		ping_finish(w, n, s);
}

/* pinger(): one echo request. */
static void ping_send_ev(struct world *w, void *arg, uint64_t serial)
{
	struct node *n = arg;
	struct ping_sess *s = ping_find(n, serial);
	if (!s || s->finished)
		return;
	uint16_t seq = (uint16_t)(s->ntransmitted + 1);
	struct packet *p = build_icmp_echo(s->src, s->dst, ICMP_ECHO, s->id, seq, s->size,
					   node_next_ip_id(n));
	if (p) {
		uint8_t *data = pkt_l4(p) + 8;
		for (uint32_t i = 0; i < s->size; i++)
			data[i] = (uint8_t)i;
		l4_csum_set(pkt_ip(p));
	}
	s->sent_at[seq % s->ring] = w->now;
	s->rcvd[seq % s->ring] = 0;
	s->ntransmitted++;
	s->last_send = w->now;
	if (p)
		tr_send(w, n, p);
	if (!s->count || s->ntransmitted < (long)s->count) {
		world_at(w, w->now + s->interval, ping_send_ev, n, s->serial);
	} else {
		/* schedule_exit(): 2 x max RTT (at least the interval) once a
		 * reply came, else lingertime (MAXWAIT, 10 s). */
		sim_time wait = 10 * SIM_S;
		if (s->nreceived) {
			wait = 2 * (sim_time)s->tmax * SIM_US;
			if (wait < s->interval)
				wait = s->interval;
		}
		world_at(w, w->now + wait, ping_deadline_ev, n, s->serial);
	}
}

static uint16_t ping_default_id(struct node *n, unsigned k)
{
	uint32_t h = 2166136261u;
	for (const char *c = n->name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return (uint16_t)((h ^ (h >> 16)) + k);
}

static const struct ping_sock_ops ping_ops;

int ping_cmd_start(struct cmd_ctx *c, const char *dest_text, uint32_t dst, uint32_t count,
		   sim_time interval, uint32_t size, int id)
{
	struct node *n = c->node;
	struct app_node *t = app_node_get(n);
	char dbuf[16];
	nf_inet_ntop4(dst, dbuf);
	uint32_t src = route_source_addr(n, dst);
	if (!src) {
		g_string_append(c->out, "ping: connect: Network is unreachable\n");
		return 0;
	}
	struct ping_sess *s = g_new0(struct ping_sess, 1);
	s->serial = tr_serial(c->w);
	g_strlcpy(s->dest, dest_text, sizeof s->dest);
	s->dst = dst;
	s->src = src;
	s->id = id >= 0 ? (uint16_t)id : ping_default_id(n, t->ping_started);
	t->ping_started++;
	s->count = count;
	s->size = size;
	s->interval = interval;
	s->tmin = LONG_MAX;
	s->start = c->w->now;
	s->ring = count && count < 65536 ? count + 1 : 65536;
	s->sent_at = g_new(sim_time, s->ring);
	memset(s->sent_at, 0xff, s->ring * sizeof(sim_time));
	s->rcvd = g_new0(uint8_t, s->ring);
	g_ptr_array_add(t->pings, s);
	s->sock = ping_sock_open(n, s->id, dst, &ping_ops, s);
	g_string_append_printf(c->out, "PING %s (%s) %u(%u) bytes of data.\n", dest_text, dbuf,
			       size, size + 28);
	world_at(c->w, c->w->now, ping_send_ev, n, s->serial);
	return 0;
}

/* gather_statistics(): an echo reply for us. */
static void ping_reply(struct world *w, struct node *n, struct ping_sess *s, const uint8_t *ip,
		       const uint8_t *icmp)
{
	uint16_t seq = rd16(icmp + 6);
	uint32_t k = seq % s->ring;
	if (s->sent_at[k] < 0)
		return; /* never sent: not ours */
	long triptime = (long)((w->now - s->sent_at[k]) / SIM_US);
	bool dup = s->rcvd[k];
	s->nreceived++;
	s->tsum += triptime;
	s->tsum2 += (long long)triptime * triptime;
	if (triptime < s->tmin)
		s->tmin = triptime;
	if (triptime > s->tmax)
		s->tmax = triptime;
	if (dup) {
		s->nrepeats++;
		s->nreceived--;
	} else {
		s->rcvd[k] = 1;
	}
	char from[16], tbuf[48];
	nf_inet_ntop4(ip_src(ip), from);
	if (triptime >= 100000 - 50)
		snprintf(tbuf, sizeof tbuf, "%ld", (triptime + 500) / 1000);
	else if (triptime >= 10000 - 5)
		snprintf(tbuf, sizeof tbuf, "%ld.%01ld", (triptime + 50) / 1000,
			 ((triptime + 50) % 1000) / 100);
	else if (triptime >= 1000)
		snprintf(tbuf, sizeof tbuf, "%ld.%02ld", (triptime + 5) / 1000,
			 ((triptime + 5) % 1000) / 10);
	else
		snprintf(tbuf, sizeof tbuf, "%ld.%03ld", triptime / 1000, triptime % 1000);
	unsigned bytes = ip_tot_len(ip) - ip_ihl(ip);
	tr_output(w, n, "%u bytes from %s: icmp_seq=%u ttl=%u time=%s ms%s%s", bytes, from, seq,
		  ip_ttl(ip), tbuf, bytes < s->size + 8 ? " (truncated)" : "",
		  dup ? " (DUP!)" : "");
	ping_check_done(w, n, s);
}

/* iputils' pr_icmph() wording. */
static void ping_error_text(uint8_t type, uint8_t code, uint32_t info, char *buf, size_t len)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		NULL, "Source Route Failed", "Destination Net Unknown",
		"Destination Host Unknown", "Source Host Isolated",
		"Destination Net Prohibited", "Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service", "Packet filtered",
		"Precedence Violation", "Precedence Cutoff",
	};
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED)
			snprintf(buf, len, "Frag needed and DF set (mtu = %u)", info & 0xffff);
		else if (code < G_N_ELEMENTS(unreach))
			snprintf(buf, len, "%s", unreach[code]);
		else
			snprintf(buf, len, "Dest Unreachable, Bad Code: %u", code);
		break;
	case ICMP_SOURCE_QUENCH:
		snprintf(buf, len, "Source Quench");
		break;
	case ICMP_TIME_EXCEEDED:
		snprintf(buf, len, code == 0 ? "Time to live exceeded" :
			 code == 1 ? "Frag reassembly time exceeded" : "Time exceeded, Bad Code: %u",
			 code);
		break;
	case ICMP_PARAMETERPROB:
		snprintf(buf, len, "Parameter problem: pointer = %u", info >> 24);
		break;
	case ICMP_REDIRECT: {
		static const char *const redir[] = {
			"Redirect Network", "Redirect Host",
			"Redirect Type of Service and Network", "Redirect Type of Service and Host",
		};
		char gw[16];
		nf_inet_ntop4(info, gw);
		if (code < G_N_ELEMENTS(redir))
			snprintf(buf, len, "%s(New nexthop: %s)", redir[code], gw);
		else
			snprintf(buf, len, "Redirect, Bad Code: %u(New nexthop: %s)", code, gw);
		break;
	}
	default:
		snprintf(buf, len, "Bad ICMP type: %u", type);
	}
}

/* An ICMP error about one of our echo requests (ie: the quoted echo
 * header): iputils' "From ADDR icmp_seq=N TEXT". */
static void ping_error(struct world *w, struct node *n, void *ctx, const uint8_t *ip,
		       const uint8_t *icmp, const uint8_t *ie)
{
	struct ping_sess *s = ctx;
	char from[16], text[96];
	nf_inet_ntop4(ip_src(ip), from);
	ping_error_text(icmp[0], icmp[1], rd32(icmp + 4), text, sizeof text);
	s->nerrors++;
	tr_output(w, n, "From %s icmp_seq=%u %s", from, rd16(ie + 6), text);
	ping_check_done(w, n, s);
}

static void ping_on_reply(struct world *w, struct node *n, void *ctx, const uint8_t *ip,
			  const uint8_t *icmp)
{
	ping_reply(w, n, ctx, ip, icmp);
}

static const struct ping_sock_ops ping_ops = {
	.reply = ping_on_reply, .error = ping_error,
};

void ping_summary(struct node *n, GString *json)
{
	struct app_node *t = app_node_peek(n);
	if (!t || !t->pings->len)
		return;
	long tx = 0, rx = 0, err = 0;
	for (unsigned i = 0; i < t->pings->len; i++) {
		struct ping_sess *s = g_ptr_array_index(t->pings, i);
		tx += s->ntransmitted;
		rx += s->nreceived;
		err += s->nerrors;
	}
	g_string_append_printf(json, ", \"ping_tx\": %ld, \"ping_rx\": %ld, \"ping_errors\": %ld",
			       tx, rx, err);
}
