/* probe.h - observers of a run: who wants to know when a packet is sent,
 * received, captured or dropped, when a kernel log line, a conntrack event,
 * a command's output or a packet-walk line is produced.
 *
 * Design: the stack and the shell fire probes; they never call output code.
 * Whoever wants to watch (sim/out: logs, trace, --report; sim/scenario:
 * the `saw` expectations; sim/shell: a running `conntrack -E`) subscribes a
 * function and a context at run start. A probe nobody listens to costs one
 * pointer test (probe_on), so callers test it before building anything a
 * listener would need (a text, a conntrack peek). Listeners run in the
 * order they subscribed. This is the kernel's tracepoint idea
 * (trace_kfree_skb, trace_net_dev_xmit...) without the tracing machinery:
 * lower layers call up only through these function pointers.
 */
#ifndef SIM_PROBE_H
#define SIM_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/sim_time.h"

struct node;
struct iface;
struct packet;
struct ip_drop;		/* sim/inet/drop.h: a drop's one reason */
struct nf_ct_peek;	/* nat/nf.h: a router's conntrack numbers */

enum probe_kind {
	PROBE_PACKET_NEW,	/* a packet got its id (ip_rcv, ip_local_out) */
	PROBE_RX,		/* a frame arrived at a router or host (ip_rcv) */
	PROBE_TX,		/* a frame left a node (ip.c's transmit) */
	PROBE_CAPTURE,		/* a frame crossed an interface (pcap side) */
	PROBE_DROP,		/* a node dropped a packet, with its reason */
	PROBE_HOOK,		/* a router ran a netfilter hook on a packet */
	PROBE_KLOG,		/* a kernel log line of a node */
	PROBE_CT_EVENT,		/* a conntrack event line of a router */
	PROBE_CMD_OUTPUT,	/* output of a running command */
	PROBE_CT_SNAPSHOT,	/* a `conntrack -L` ran on a router */
	PROBE_WALK,		/* a line of the packet walk (--trace) */
	PROBE_NFT_TRACE,	/* a `nft monitor trace` line of a router */
	PROBE_XT_TRACE,		/* an `xtables-monitor --trace` line of a router */
	PROBE_N
};

/* Where command output goes: stdout lines are stamped "[T] NODE: text";
 * stderr text is written as it is. */
enum probe_stream { PROBE_STDOUT, PROBE_STDERR };

/* The listeners' signatures, by kind. `ctx` is the subscriber's own. */
/* PACKET_NEW (ifc NULL), RX, TX, CAPTURE */
typedef void (*probe_packet_fn)(void *ctx, struct node *n, struct iface *ifc,
				const struct packet *p);
typedef void (*probe_drop_fn)(void *ctx, struct node *n, const struct packet *p,
			      const struct ip_drop *why);
/* HOOK: `before` are the router's conntrack numbers before the hook ran. */
typedef void (*probe_hook_fn)(void *ctx, struct node *n, const struct nf_ct_peek *before);
/* KLOG, CT_EVENT, NFT_TRACE: one line without time or node prefix, at time t. */
typedef void (*probe_line_fn)(void *ctx, struct node *n, sim_time t, const char *line);
typedef void (*probe_output_fn)(void *ctx, struct node *n, sim_time t, const char *text,
				enum probe_stream stream);
/* CT_SNAPSHOT: the command's words (argv[0] "conntrack"). */
typedef void (*probe_argv_fn)(void *ctx, struct node *n, char **argv, int argc);
typedef void (*probe_walk_fn)(void *ctx, const char *line);

/* One subscription (probe.c keeps the lists; here so the per-packet
 * firing below is inline). */
struct probe {
	struct probe *next;
	void *ctx;
	union {
		probe_packet_fn packet;
		probe_drop_fn drop;
		probe_hook_fn hook;
		probe_line_fn line;
		probe_output_fn output;
		probe_argv_fn argv;
		probe_walk_fn walk;
		void *any;
	} fn;
};

/* A run's listeners (struct world's `probes`); all NULL: nobody listens. */
struct probe_set {
	struct probe *head[PROBE_N];
};

static inline bool probe_on(const struct probe_set *ps, enum probe_kind k)
{
	return ps->head[k] != NULL;
}

/* Subscribe fn with ctx to kind k. Subscribing the same (fn, ctx) twice
 * is a no-op. */
void probe_add_packet(struct probe_set *ps, enum probe_kind k, probe_packet_fn fn, void *ctx);
void probe_add_drop(struct probe_set *ps, probe_drop_fn fn, void *ctx);
void probe_add_hook(struct probe_set *ps, probe_hook_fn fn, void *ctx);
void probe_add_line(struct probe_set *ps, enum probe_kind k, probe_line_fn fn, void *ctx);
void probe_add_output(struct probe_set *ps, probe_output_fn fn, void *ctx);
void probe_add_argv(struct probe_set *ps, enum probe_kind k, probe_argv_fn fn, void *ctx);
void probe_add_walk(struct probe_set *ps, probe_walk_fn fn, void *ctx);
/* Unsubscribe every listener with this ctx (a subscriber going away). */
void probe_remove_ctx(struct probe_set *ps, void *ctx);
/* Free every subscription (world_free). */
void probe_set_free(struct probe_set *ps);

/* Firing: call every listener of the kind, in subscription order. The
 * callers test probe_on first where building the arguments costs. The
 * packet kinds fire several times per frame (capture at both ends, rx,
 * tx): inline, no call of its own (callgrind, udp-1m: 108M instructions
 * out of line). */
static inline void probe_fire_packet(struct probe_set *ps, enum probe_kind k, struct node *n,
				     struct iface *ifc, const struct packet *p)
{
	for (struct probe *pr = ps->head[k]; pr; pr = pr->next)
		pr->fn.packet(pr->ctx, n, ifc, p);
}
void probe_fire_drop(struct probe_set *ps, struct node *n, const struct packet *p,
		     const struct ip_drop *why);
void probe_fire_hook(struct probe_set *ps, struct node *n, const struct nf_ct_peek *before);
void probe_fire_line(struct probe_set *ps, enum probe_kind k, struct node *n, sim_time t,
		     const char *line);
void probe_fire_output(struct probe_set *ps, struct node *n, sim_time t, const char *text,
		       enum probe_stream stream);
void probe_fire_argv(struct probe_set *ps, enum probe_kind k, struct node *n, char **argv,
		     int argc);
void probe_fire_walk(struct probe_set *ps, const char *line);

#endif
