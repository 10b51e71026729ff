/* ct_proto_tcp.c - the TCP tracker: the kernel's state table and window tracking.
 *
 * Mirrors net/netfilter/nf_conntrack_proto_tcp.c (Linux 6.x): the state
 * machine is DATA, tcp_conntracks[direction][flag class][state], copied cell
 * for cell; tcp_packet() adds what the table cannot say (reopening a closed
 * connection, RST validation, ignored packets, simultaneous open, ASSURED,
 * the timeout choice) and tcp_in_window() is Guido van Rooij's window check
 * as the kernel implements it. NAT never changes sequence numbers here (no
 * helpers), so the kernel's seq offsets are always 0.
 */
#include <stddef.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_ns.h"

#define sNO TCP_CONNTRACK_NONE
#define sSS TCP_CONNTRACK_SYN_SENT
#define sSR TCP_CONNTRACK_SYN_RECV
#define sES TCP_CONNTRACK_ESTABLISHED
#define sFW TCP_CONNTRACK_FIN_WAIT
#define sCW TCP_CONNTRACK_CLOSE_WAIT
#define sLA TCP_CONNTRACK_LAST_ACK
#define sTW TCP_CONNTRACK_TIME_WAIT
#define sCL TCP_CONNTRACK_CLOSE
#define sS2 TCP_CONNTRACK_SYN_SENT2
#define sIV TCP_CONNTRACK_MAX
#define sIG TCP_CONNTRACK_IGNORE

/* We are the man in the middle: we guess the state of the current sender.
 * sIV = truly invalid, sIG = may be valid or not, let it through unchanged
 * and let the receiver's answer (RST or SYN/ACK) tell. */
static const uint8_t tcp_conntracks[2][TCP_INDEX_MAX][TCP_CONNTRACK_MAX] = {
	{
/* ORIGINAL        sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
/* syn:    new connection; retransmitted SYN; SYN in a live connection is
 *         ignored (the receiver answers RST); TIME_WAIT/CLOSE reopen */
/*syn*/	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
/* synack: the client cannot send SYN/ACK, except in simultaneous open
 *         (SYN_SENT2 -> SYN_RECV, late retransmission in SYN_RECV) */
/*synack*/ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
/* fin:    close starts (FIN_WAIT), FIN from both sides (LAST_ACK);
 *         no FIN before the SYN/ACK was seen */
/*fin*/    { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/* ack:    NONE -> ESTABLISHED is the loose pick-up; SYN_RECV -> ESTABLISHED
 *         completes the handshake; ACK of a FIN -> CLOSE_WAIT; last ACK
 *         -> TIME_WAIT; ACK before any SYN/ACK is invalid */
/*ack*/	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
/* rst:    closes anything that exists */
/*rst*/    { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/* none:   no SYN/FIN/ACK/RST: never valid */
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }
	},
	{
/* REPLY           sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
/* syn:    simultaneous open (SYN_SENT -> SYN_SENT2); the server reopening
 *         from TIME_WAIT after switching roles; else invalid */
/*syn*/	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
/* synack: the standard open (SYN_SENT -> SYN_RECV), also after SYN_SENT2;
 *         retransmitted or late SYN/ACKs are ignored */
/*synack*/ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
/* fin:    as in the original direction */
/*fin*/    { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/* ack:    an ACK answering the SYN might be a half-open connection
 *         (ignored); SYN_RECV stays (answers a late resent SYN) */
/*ack*/	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
/*rst*/    { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }
	}
};

static const char *const tcp_state_names[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

const char *ct_tcp_state_name(unsigned state)
{
	return state < G_N_ELEMENTS(tcp_state_names) ? tcp_state_names[state] : "UNKNOWN";
}

uint8_t ct_tcp_table(enum ct_dir dir, enum ct_tcp_index index, enum tcp_ct_state state)
{
	return tcp_conntracks[dir][index][state];
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

enum ct_tcp_index ct_tcp_flag_index(uint8_t f)
{
	if (f & TH_RST)
		return TCP_RST_SET;
	if (f & TH_SYN)
		return (f & TH_ACK) ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (f & TH_FIN)
		return TCP_FIN_SET;
	if (f & TH_ACK)
		return TCP_ACK_SET;
	return TCP_NONE_SET;
}

/* Serial-number arithmetic (before()/after() of net/tcp.h). */
static inline bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_after(uint32_t a, uint32_t b) { return seq_before(b, a); }

/* The fields of a TCP header the tracker uses. */
struct tcp_view {
	const uint8_t *th;
	uint32_t seq, ack, end;
	uint16_t win;
	uint8_t flags, doff;
};

static void tcp_view_init(struct tcp_view *v, const struct ct_pkt *p)
{
	const uint8_t *th = p->ip + p->l4off;
	uint32_t seglen = p->len - p->l4off;

	v->th = th;
	v->seq = rd32(th + 4);
	v->ack = rd32(th + 8);
	v->doff = (uint8_t)((th[12] >> 4) * 4);
	v->flags = th[13];
	v->win = rd16(th + 14);
	/* segment_seq_plus_len */
	v->end = v->seq + (seglen - v->doff) + !!(v->flags & TH_SYN) + !!(v->flags & TH_FIN);
}

/* The option walk tcp_options and tcp_sack share: the next option after
 * NOPs, as its kind, data and total size (with the two header bytes);
 * false at EOL, at the end, or at a length that does not fit. */
struct tcp_opt_walk {
	const uint8_t *ptr;
	int length;
};

static bool tcp_opt_next(struct tcp_opt_walk *w, int *kind, const uint8_t **data, int *size)
{
	while (w->length > 0) {
		int opcode = *w->ptr++;
		int opsize;

		if (opcode == 0)	/* EOL */
			return false;
		if (opcode == 1) {	/* NOP */
			w->length--;
			continue;
		}
		if (w->length < 2)
			return false;
		opsize = *w->ptr++;
		if (opsize < 2 || opsize > w->length)
			return false;
		*kind = opcode;
		*data = w->ptr;
		*size = opsize;
		w->ptr += opsize - 2;
		w->length -= opsize;
		return true;
	}
	return false;
}

/* tcp_options: window scale and SACK-permitted of a SYN. */
static void tcp_options(const struct tcp_view *v, struct ct_tcp_dir *state)
{
	struct tcp_opt_walk w = { v->th + 20, v->doff - 20 };
	const uint8_t *data;
	int kind, size;

	if (w.length <= 0)
		return;
	state->td_scale = 0;
	state->flags &= CT_TCP_FLAG_BE_LIBERAL;
	while (tcp_opt_next(&w, &kind, &data, &size)) {
		if (kind == 4 && size == 2) {
			state->flags |= CT_TCP_FLAG_SACK_PERM;
		} else if (kind == 3 && size == 3) {
			state->td_scale = *data > 14 ? 14 : *data;
			state->flags |= CT_TCP_FLAG_WINDOW_SCALE;
		}
	}
}

/* tcp_sack: the highest right edge of the (first) SACK option's blocks. */
static void tcp_sack(const struct tcp_view *v, uint32_t *sack)
{
	struct tcp_opt_walk w = { v->th + 20, v->doff - 20 };
	const uint8_t *data;
	int kind, size;

	if (w.length <= 0)
		return;
	if (w.length == 12 && w.ptr[0] == 1 && w.ptr[1] == 1 && w.ptr[2] == 8 && w.ptr[3] == 10)
		return;		/* timestamp only */
	while (tcp_opt_next(&w, &kind, &data, &size)) {
		if (kind == 5 && size >= 10 && (size - 2) % 8 == 0) {
			for (int i = 0; i < size - 2; i += 8) {
				uint32_t tmp = rd32(data + i + 4);

				if (seq_after(tmp, *sack))
					*sack = tmp;
			}
			return;
		}
	}
}

static void tcp_init_sender(struct ct_tcp_dir *sender, struct ct_tcp_dir *receiver,
			    const struct tcp_view *v, uint32_t end, uint32_t win, int dir)
{
	sender->td_end = sender->td_maxend = end;
	sender->td_maxwin = win == 0 ? 1 : win;
	tcp_options(v, sender);
	/* RFC 1323: both sides must send the window scale option */
	if (dir == CT_DIR_REPLY &&
	    !(sender->flags & CT_TCP_FLAG_WINDOW_SCALE &&
	      receiver->flags & CT_TCP_FLAG_WINDOW_SCALE)) {
		sender->td_scale = 0;
		receiver->td_scale = 0;
	}
}

enum tcp_action { TCP_IGNORE, TCP_INVALID, TCP_ACCEPT };

#define MAXACKWINCONST 66000
static inline uint32_t maxackwindow(const struct ct_tcp_dir *s)
{
	return s->td_maxwin > MAXACKWINCONST ? s->td_maxwin : MAXACKWINCONST;
}

/* nf_tcp_log_invalid: liberal senders pass anyway. */
static enum tcp_action tcp_log_invalid(struct nf_ns *ns, const struct ct_tcp_dir *sender,
				       enum tcp_action ret, nf_time now, const char *msg)
{
	if ((sender->flags & CT_TCP_FLAG_BE_LIBERAL) || ns->ct->sysctl.tcp_be_liberal)
		return TCP_ACCEPT;
	ct_log_invalid(ns, 6, now, "%s", msg);
	return ret;
}

/* tcp_in_window */
static enum tcp_action tcp_in_window(struct nf_ns *ns, struct ct_entry *ct, int dir,
				     enum ct_tcp_index index, const struct tcp_view *v,
				     nf_time now)
{
	struct ct_tcp *state = &ct->proto.tcp;
	struct ct_tcp_dir *sender = &state->seen[dir];
	struct ct_tcp_dir *receiver = &state->seen[!dir];
	uint32_t seq = v->seq, ack = v->ack, sack = v->ack, end = v->end;
	uint32_t win = v->win, swin;
	bool in_recv_win, seq_ok;

	if (receiver->flags & CT_TCP_FLAG_SACK_PERM)
		tcp_sack(v, &sack);

	if (ct->status & IPS_SEQ_ADJUST) {
		/* NAT sequence number mangling: the ack answers the rewritten
		 * stream (nf_ct_seq_offset) */
		int32_t receiver_offset = nf_ct_seq_offset(ns, ct, (enum ct_dir)!dir, ack - 1);

		ack -= (uint32_t)receiver_offset;
		sack -= (uint32_t)receiver_offset;
	}

	if (sender->td_maxwin == 0) {
		if (v->flags & TH_SYN) {
			tcp_init_sender(sender, receiver, v, end, win, dir);
			if (!(v->flags & TH_ACK))
				return TCP_ACCEPT;	/* simultaneous open */
		} else {
			/* mid-connection: its history is lost for us */
			sender->td_end = end;
			swin = win << sender->td_scale;
			sender->td_maxwin = swin == 0 ? 1 : swin;
			sender->td_maxend = end + sender->td_maxwin;
			if (receiver->td_maxwin == 0)
				receiver->td_end = receiver->td_maxend = sack;
			else if (sack == receiver->td_end + 1)
				receiver->td_end++;	/* keepalive reply */
		}
	} else if ((v->flags & TH_SYN) && seq_after(end, sender->td_end) &&
		   (state->state == TCP_CONNTRACK_SYN_SENT ||
		    state->state == TCP_CONNTRACK_SYN_RECV)) {
		/* RFC 793: a reinitialised TCP uses larger sequence numbers */
		tcp_init_sender(sender, receiver, v, end, win, dir);
		if (dir == CT_DIR_REPLY && !(v->flags & TH_ACK))
			return TCP_ACCEPT;
	}

	if (!(v->flags & TH_ACK)) {
		ack = sack = receiver->td_end;
	} else if ((v->flags & (TH_ACK | TH_RST)) == (TH_ACK | TH_RST) && ack == 0) {
		ack = sack = receiver->td_end;	/* broken stacks */
	}

	if ((v->flags & TH_RST) && seq == 0 && state->state == TCP_CONNTRACK_SYN_SENT)
		seq = end = sender->td_end;	/* RST answering a SYN */

	seq_ok = seq_before(seq, sender->td_maxend + 1);
	if (!seq_ok) {
		uint32_t overshot = end - sender->td_maxend + 1;
		bool ack_ok = seq_after(sack, receiver->td_end - maxackwindow(sender) - 1);

		in_recv_win = receiver->td_maxwin &&
			      seq_after(end, sender->td_end - receiver->td_maxwin - 1);
		if (in_recv_win && ack_ok && overshot <= receiver->td_maxwin &&
		    seq_before(sack, receiver->td_end + 1)) {
			sender->td_end = end;
			sender->flags |= CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
			return tcp_log_invalid(ns, sender, TCP_IGNORE, now,
					       "bytes more than expected");
		}
		return tcp_log_invalid(ns, sender, TCP_INVALID, now,
				       "SEQ is over upper bound (over the window of the receiver)");
	}
	if (!seq_before(sack, receiver->td_end + 1))
		return tcp_log_invalid(ns, sender, TCP_INVALID, now,
				       "ACK is over upper bound (ACKed data not seen yet)");
	in_recv_win = !receiver->td_maxwin ||
		      seq_after(end, sender->td_end - receiver->td_maxwin - 1);
	if (!in_recv_win)
		return tcp_log_invalid(ns, sender, TCP_IGNORE, now,
				       "SEQ is under lower bound (already ACKed data retransmitted)");
	if (!seq_after(sack, receiver->td_end - maxackwindow(sender) - 1))
		return tcp_log_invalid(ns, sender, TCP_IGNORE, now,
				       "ignored ACK under lower bound (possible overly delayed)");

	if (!(v->flags & TH_SYN))
		win <<= sender->td_scale;
	swin = win + (sack - ack);
	if (sender->td_maxwin < swin)
		sender->td_maxwin = swin;
	if (seq_after(end, sender->td_end)) {
		sender->td_end = end;
		sender->flags |= CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
	}
	if (v->flags & TH_ACK) {
		if (!(sender->flags & CT_TCP_FLAG_MAXACK_SET)) {
			sender->td_maxack = ack;
			sender->flags |= CT_TCP_FLAG_MAXACK_SET;
		} else if (seq_after(ack, sender->td_maxack)) {
			sender->td_maxack = ack;
		}
	}
	if (receiver->td_maxwin != 0 && seq_after(end, sender->td_maxend))
		receiver->td_maxwin += end - sender->td_maxend;
	if (seq_after(sack + win, receiver->td_maxend - 1)) {
		receiver->td_maxend = sack + win;
		if (win == 0)
			receiver->td_maxend++;
	}
	if (ack == receiver->td_end)
		receiver->flags &= ~CT_TCP_FLAG_DATA_UNACKNOWLEDGED;

	/* retransmissions: the same ACK segment again */
	if (index == TCP_ACK_SET) {
		if (state->last_dir == dir && state->last_seq == seq && state->last_ack == ack &&
		    state->last_end == end && state->last_win == v->win) {
			state->retrans++;
		} else {
			state->last_dir = (uint8_t)dir;
			state->last_seq = seq;
			state->last_ack = ack;
			state->last_end = end;
			state->last_win = v->win;
			state->retrans = 0;
		}
	}
	return TCP_ACCEPT;
}

/* nf_ct_timeout_lookup, else tn->timeouts: the entry's CT --timeout
 * policy or the sysctls, indexed by state (plus RETRANS and UNACK). */
static const uint32_t *tcp_timeouts(const struct nf_ns *ns, const struct ct_entry *ct)
{
	const uint32_t *to = nf_ct_timeout_lookup(ns, ct, 6);

	return to ? to : ns->ct->sysctl.tcp_timeout;
}

static int32_t tcp_timeout(const struct nf_ns *ns, const struct ct_entry *ct, unsigned idx)
{
	return (int32_t)tcp_timeouts(ns, ct)[idx];
}

/* nf_tcp_handle_invalid: an out-of-window FIN/RST answering a FIN/RST of
 * the other side shortens an ASSURED entry's timeout to `unacknowledged`. */
static void tcp_handle_invalid(struct nf_ns *ns, struct ct_entry *ct, int dir,
			       enum ct_tcp_index index, nf_time now)
{
	struct ct_tcp *t = &ct->proto.tcp;

	if (!(ct->status & IPS_ASSURED) || (ct->status & IPS_FIXED_TIMEOUT))
		return;
	if (index != TCP_RST_SET && index != TCP_FIN_SET)
		return;
	if (t->last_dir != dir && (t->last_index == TCP_FIN_SET || t->last_index == TCP_RST_SET)) {
		nf_time expires = ct->timeout - now;
		int64_t unack = (int64_t)tcp_timeout(ns, ct, TCP_CONNTRACK_UNACK) * 1000000000LL;

		if (expires < 120LL * 1000000000LL)
			return;
		if (expires > unack)
			ct_set_timeout(ns, ct, now + unack);
	} else {
		t->last_index = (uint8_t)index;
		t->last_dir = (uint8_t)dir;
	}
}

/* tcp_valid_flags: PSH, ECE and CWR are always allowed. */
static bool tcp_flags_valid(uint8_t flags)
{
	switch (flags & ~(TH_ECE | TH_CWR | TH_PSH)) {
	case TH_SYN:
	case TH_SYN | TH_URG:
	case TH_SYN | TH_ACK:
	case TH_RST:
	case TH_RST | TH_ACK:
	case TH_FIN | TH_ACK:
	case TH_FIN | TH_ACK | TH_URG:
	case TH_ACK:
	case TH_ACK | TH_URG:
		return true;
	default:
		return false;
	}
}

/* tcp_error: truncated header, bad checksum (PRE_ROUTING, sysctl checksum),
 * impossible flag combination (a bare FIN, SYN+FIN, no flags...). */
static bool tcp_error(struct nf_ns *ns, const struct ct_pkt *p)
{
	uint32_t tcplen = p->len - p->l4off;
	const uint8_t *th = p->ip + p->l4off;
	unsigned doff;

	if (tcplen < 20) {
		ct_log_invalid(ns, 6, p->now, "truncated packet");
		return true;
	}
	doff = (th[12] >> 4) * 4u;
	if (doff < 20 || tcplen < doff) {
		ct_log_invalid(ns, 6, p->now, "truncated packet");
		return true;
	}
	if (ns->ct->sysctl.ct_checksum && p->hook == NF_INET_PRE_ROUTING && !ct_l4_csum_ok(p, 6)) {
		ct_log_invalid(ns, 6, p->now, "bad checksum");
		return true;
	}
	if (!tcp_flags_valid(th[13])) {
		ct_log_invalid(ns, 6, p->now, "invalid tcp flag combination");
		return true;
	}
	return false;
}

/* tcp_new: may this first packet create an entry? A SYN starts SYN_SENT;
 * anything else only with tcp_loose (mid-stream pick-up, liberal windows). */
static bool tcp_new(struct nf_ns *ns, struct ct_entry *ct, const struct tcp_view *v, nf_time now)
{
	uint8_t new_state = tcp_conntracks[0][ct_tcp_flag_index(v->flags)][TCP_CONNTRACK_NONE];
	struct ct_tcp_dir *s0 = &ct->proto.tcp.seen[0];

	if (new_state >= TCP_CONNTRACK_MAX) {
		ct_log_invalid(ns, 6, now, "invalid new");
		return false;
	}
	memset(&ct->proto.tcp, 0, sizeof(ct->proto.tcp));
	if (new_state == TCP_CONNTRACK_SYN_SENT) {
		s0->td_end = v->end;
		s0->td_maxwin = v->win ? v->win : 1;
		s0->td_maxend = s0->td_end;
		tcp_options(v, s0);
	} else if (ns->ct->sysctl.tcp_loose == 0) {
		return false;
	} else {
		s0->td_end = v->end;
		s0->td_maxwin = v->win ? v->win : 1;
		s0->td_maxend = s0->td_end + s0->td_maxwin;
		s0->flags = ct->proto.tcp.seen[1].flags =
			CT_TCP_FLAG_SACK_PERM | CT_TCP_FLAG_BE_LIBERAL;
	}
	ct->proto.tcp.last_index = TCP_NONE_SET;
	return true;
}

static bool tcp_established(const struct ct_entry *ct)
{
	return ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED && (ct->status & IPS_ASSURED);
}

static bool tcp_can_early_drop(const struct ct_entry *ct)
{
	switch (ct->proto.tcp.state) {
	case TCP_CONNTRACK_FIN_WAIT:
	case TCP_CONNTRACK_LAST_ACK:
	case TCP_CONNTRACK_TIME_WAIT:
	case TCP_CONNTRACK_CLOSE:
	case TCP_CONNTRACK_CLOSE_WAIT:
		return true;
	default:
		return false;
	}
}

/* nf_conntrack_tcp_packet */
static enum ct_l4_verdict tcp_packet(struct nf_ns *ns, struct ct_entry *ct,
				     const struct ct_pkt *p, uint8_t ctinfo)
{
	struct ct_tcp *t = &ct->proto.tcp;
	struct tcp_view v;
	enum ct_tcp_index index;
	uint8_t old_state, new_state;
	int dir = ct_info_dir(ctinfo);
	int32_t timeout;
	const uint32_t *to = tcp_timeouts(ns, ct);

	if (tcp_error(ns, p))
		return CT_L4_INVALID;
	tcp_view_init(&v, p);
	if (!(ct->status & IPS_CONFIRMED) && !tcp_new(ns, ct, &v, p->now))
		return CT_L4_INVALID;

	old_state = t->state;
	index = ct_tcp_flag_index(v.flags);
	new_state = tcp_conntracks[dir][index][old_state];

	switch (new_state) {
	case TCP_CONNTRACK_SYN_SENT:
		if (old_state < TCP_CONNTRACK_TIME_WAIT)
			break;
		/* RFC 1122: a SYN may reopen a connection in TIME_WAIT; also a
		 * client aborting (RST) and starting over. Kill, look up again. */
		if (((t->seen[dir].flags | t->seen[!dir].flags) & CT_TCP_FLAG_CLOSE_INIT) ||
		    (t->last_dir == dir && t->last_index == TCP_RST_SET)) {
			ct_entry_kill(ns, ct, p->now);
			return CT_L4_REPEAT;
		}
		/* fall through */
	case TCP_CONNTRACK_IGNORE:
		/* b) a SYN/ACK acknowledging a SYN we ignored: we were out of
		 * sync, the ends are not; resync from the annotated values */
		if (index == TCP_SYNACK_SET && t->last_index == TCP_SYN_SET &&
		    t->last_dir != dir && v.ack == t->last_end) {
			struct ct_tcp_dir *ld = &t->seen[t->last_dir];

			old_state = TCP_CONNTRACK_SYN_SENT;
			new_state = TCP_CONNTRACK_SYN_RECV;
			ld->td_end = t->last_end;
			ld->td_maxend = t->last_end;
			ld->td_maxwin = t->last_win == 0 ? 1 : t->last_win;
			ld->td_scale = t->last_wscale;
			t->last_flags &= ~CT_TCP_EXP_CHALLENGE_ACK;
			ld->flags = t->last_flags;
			memset(&t->seen[dir], 0, offsetof(struct ct_tcp_dir, flags));
			t->seen[dir].flags &= CT_TCP_FLAG_BE_LIBERAL;
			break;
		}
		t->last_index = (uint8_t)index;
		t->last_dir = (uint8_t)dir;
		t->last_seq = v.seq;
		t->last_end = v.end;
		t->last_win = v.win;
		/* a) a SYN in ORIGINAL: note its options for the resync above */
		if (index == TCP_SYN_SET && dir == CT_DIR_ORIGINAL) {
			struct ct_tcp_dir seen = { 0 };

			t->last_flags = t->last_wscale = 0;
			tcp_options(&v, &seen);
			if (seen.flags & CT_TCP_FLAG_WINDOW_SCALE) {
				t->last_flags |= CT_TCP_FLAG_WINDOW_SCALE;
				t->last_wscale = seen.td_scale;
			}
			if (seen.flags & CT_TCP_FLAG_SACK_PERM)
				t->last_flags |= CT_TCP_FLAG_SACK_PERM;
			if (old_state == TCP_CONNTRACK_LAST_ACK)
				t->last_flags |= CT_TCP_EXP_CHALLENGE_ACK;
		}
		/* possible challenge ACK reply to a SYN */
		if (old_state == TCP_CONNTRACK_SYN_SENT && index == TCP_ACK_SET &&
		    dir == CT_DIR_REPLY)
			t->last_ack = v.ack;
		ct_log_invalid(ns, 6, p->now, "packet (index %d) in dir %d ignored, state %s",
			       index, dir, ct_tcp_state_name(old_state));
		return CT_L4_ACCEPT;
	case TCP_CONNTRACK_MAX:
		ct_log_invalid(ns, 6, p->now, "packet (index %d) in dir %d invalid, state %s",
			       index, dir, ct_tcp_state_name(old_state));
		return CT_L4_INVALID;
	case TCP_CONNTRACK_TIME_WAIT:
		/* RFC 5961 challenge ACK: not the ACK of the last FIN */
		if (old_state == TCP_CONNTRACK_LAST_ACK && index == TCP_ACK_SET &&
		    t->last_dir != dir && t->last_index == TCP_SYN_SET &&
		    (t->last_flags & CT_TCP_EXP_CHALLENGE_ACK)) {
			t->last_flags &= ~CT_TCP_EXP_CHALLENGE_ACK;
			return CT_L4_ACCEPT;
		}
		break;
	case TCP_CONNTRACK_SYN_SENT2:
		t->last_flags |= CT_TCP_SIMULTANEOUS_OPEN;
		break;
	case TCP_CONNTRACK_SYN_RECV:
		if (dir == CT_DIR_REPLY && index == TCP_ACK_SET &&
		    (t->last_flags & CT_TCP_SIMULTANEOUS_OPEN))
			new_state = TCP_CONNTRACK_ESTABLISHED;
		break;
	case TCP_CONNTRACK_CLOSE:
		if (index != TCP_RST_SET)
			break;
		if (tcp_can_early_drop(ct))
			goto in_window;	/* closing: the tuple may be reused already */
		if ((t->seen[!dir].flags & CT_TCP_FLAG_MAXACK_SET) && t->last_index != TCP_SYN_SET) {
			uint32_t seq = v.seq;

			if (seq == 0 && !tcp_established(ct))
				break;
			if (seq_before(seq, t->seen[!dir].td_maxack) &&
			    !ns->ct->sysctl.tcp_ignore_invalid_rst) {
				ct_log_invalid(ns, 6, p->now, "invalid rst");
				return CT_L4_INVALID;
			}
			if (!tcp_established(ct) || seq == t->seen[!dir].td_maxack)
				break;
			/* a RST that ends a train of data */
			if (t->last_index == TCP_ACK_SET && t->last_dir == dir && seq == t->last_end)
				break;
			/* RST sequence not exact: keep the state for a challenge ACK */
			new_state = old_state;
		}
		if ((((ct->status & IPS_SEEN_REPLY) && t->last_index == TCP_SYN_SET) ||
		     (!(ct->status & IPS_ASSURED) && t->last_index == TCP_ACK_SET)) &&
		    v.ack == t->last_end)
			goto in_window;	/* RST to a SYN/ACK we let through at a) or c) */
		if (old_state == TCP_CONNTRACK_SYN_SENT && t->last_index == TCP_ACK_SET &&
		    t->last_dir == CT_DIR_REPLY && v.seq == t->last_ack)
			goto in_window;	/* RST answering a challenge ACK */
		break;
	default:
		break;
	}

	switch (tcp_in_window(ns, ct, dir, index, &v, p->now)) {
	case TCP_IGNORE:
		return CT_L4_ACCEPT;
	case TCP_INVALID:
		tcp_handle_invalid(ns, ct, dir, index, p->now);
		return CT_L4_INVALID;
	case TCP_ACCEPT:
		break;
	}
in_window:
	t->last_index = (uint8_t)index;
	t->last_dir = (uint8_t)dir;
	t->state = new_state;
	if (old_state != new_state && new_state == TCP_CONNTRACK_FIN_WAIT)
		t->seen[dir].flags |= CT_TCP_FLAG_CLOSE_INIT;

	if (t->retrans >= ns->ct->sysctl.tcp_max_retrans &&
	    to[new_state] > to[TCP_CONNTRACK_RETRANS])
		timeout = tcp_timeout(ns, ct, TCP_CONNTRACK_RETRANS);
	else if (index == TCP_RST_SET)
		timeout = tcp_timeout(ns, ct, TCP_CONNTRACK_CLOSE);
	else if (((t->seen[0].flags | t->seen[1].flags) & CT_TCP_FLAG_DATA_UNACKNOWLEDGED) &&
		 to[new_state] > to[TCP_CONNTRACK_UNACK])
		timeout = tcp_timeout(ns, ct, TCP_CONNTRACK_UNACK);
	else if (t->last_win == 0 && to[new_state] > to[TCP_CONNTRACK_RETRANS])
		timeout = tcp_timeout(ns, ct, TCP_CONNTRACK_RETRANS);
	else
		timeout = tcp_timeout(ns, ct, new_state);

	if (new_state != old_state)
		ct_event_cache(ct, IPCT_PROTOINFO);

	if (!(ct->status & IPS_SEEN_REPLY)) {
		/* only a RST came back: not a connection, delete it now */
		if (v.flags & TH_RST) {
			/* nf_ct_kill_acct: counted, then DESTROY */
			ct_acct_update(ns, ct, (enum ct_dir)dir, p->len);
			if (ct->status & IPS_CONFIRMED)
				ct_entry_kill_held(ns, ct, p->now);
			return CT_L4_ACCEPT;
		}
		/* a retransmitted SYN does not renew the timeout (port reuse
		 * by a client or NAT box must not keep the entry alive) */
		if (index == TCP_SYN_SET && old_state == TCP_CONNTRACK_SYN_SENT)
			return CT_L4_ACCEPT;
		/* loose pick-up: ESTABLISHED without a reply, short timeout */
		if (new_state == TCP_CONNTRACK_ESTABLISHED &&
		    (uint32_t)timeout > to[TCP_CONNTRACK_UNACK])
			timeout = tcp_timeout(ns, ct, TCP_CONNTRACK_UNACK);
	} else if (!(ct->status & IPS_ASSURED) &&
		   (old_state == TCP_CONNTRACK_SYN_RECV || old_state == TCP_CONNTRACK_ESTABLISHED) &&
		   new_state == TCP_CONNTRACK_ESTABLISHED) {
		/* a valid ACK in ESTABLISHED after SYN_RECV, or a valid answer
		 * for a picked-up connection */
		ct->status |= IPS_ASSURED;
		ct_event_cache(ct, IPCT_ASSURED);
	}
	ct_refresh_acct(ns, ct, p, ctinfo, timeout);
	return CT_L4_ACCEPT;
}

/* tcp_print_conntrack: "ESTABLISHED " */
static void tcp_print(const struct ct_entry *ct, GString *out)
{
	g_string_append(out, ct_tcp_state_name(ct->proto.tcp.state));
	g_string_append_c(out, ' ');
}

const struct ct_l4proto ct_l4proto_tcp = {
	.proto = 6,
	.allow_clash = false,
	.packet = tcp_packet,
	.can_early_drop = tcp_can_early_drop,
	.print = tcp_print,
};

/* nf_conntrack_tcp_set_closing (via nf_ct_set_closing from nf_send_reset):
 * the router answered a segment of this connection with a RST, so the entry
 * is closed now: CLOSE with the close timeout, an [UPDATE] event. An entry
 * not yet confirmed, already in CLOSE, or with a fixed timeout keeps its
 * timeout. */
void nf_ct_set_closing(struct nf_ns *ns, const struct nf_skb *skb, nf_time now)
{
	struct ct_entry *ct = skb->ct;
	uint8_t old_state;

	if (!ct || ct->tuplehash[CT_DIR_ORIGINAL].t.proto != 6 || !(ct->status & IPS_CONFIRMED))
		return;
	old_state = ct->proto.tcp.state;
	ct->proto.tcp.state = TCP_CONNTRACK_CLOSE;
	if (old_state == TCP_CONNTRACK_CLOSE || (ct->status & IPS_FIXED_TIMEOUT))
		return;
	ct_refresh(ns, ct, now, tcp_timeout(ns, ct, TCP_CONNTRACK_CLOSE));
	ct_event_cache(ct, IPCT_PROTOINFO);
	ct_deliver_cached_events(ns, ct, now);
}
