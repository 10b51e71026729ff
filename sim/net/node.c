/* node.c - nodes and their interfaces.
 *
 * Design: a node is a plain record (hosts, routers and switches share it);
 * what differs is the kind and, for routers, a netfilter namespace reached
 * only through the callbacks below (nat/ never sees struct world). Interfaces
 * are created by `link`, in declaration order, which is the order every
 * listing and flood uses.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/net/node.h"

/* ----- the layers above (struct node_subsys) ----- */

/* Registered once per process, at start-up (the kernel's pernet list). */
static const struct node_subsys *node_subsys[4];
static unsigned node_nsubsys;
static node_l3_rcv_fn node_l3_rcv;

void node_subsys_register(const struct node_subsys *ops)
{
	for (unsigned i = 0; i < node_nsubsys; i++)
		if (node_subsys[i] == ops)
			return;
	g_assert(node_nsubsys < G_N_ELEMENTS(node_subsys));
	node_subsys[node_nsubsys++] = ops;
}

void node_set_l3_rcv(node_l3_rcv_fn rcv)
{
	node_l3_rcv = rcv;
}

static node_addr_type_fn node_addr_type;

void node_set_addr_type(node_addr_type_fn fn)
{
	node_addr_type = fn;
}

static node_route_mtu_fn node_route_mtu;

void node_set_route_mtu(node_route_mtu_fn fn)
{
	node_route_mtu = fn;
}

static node_fib_lookup_fn node_fib_lookup;

void node_set_fib_lookup(node_fib_lookup_fn fn)
{
	node_fib_lookup = fn;
}

void node_l3_deliver(struct world *w, struct node *n, struct iface *ifc, struct packet *p)
{
	if (__builtin_expect(n->cpus > 1, 0)) {
		node_cpu_enqueue(w, n, ifc, p);
		return;
	}
	/* node_l3_process, written out: one CPU ends in a tail call */
	if (node_l3_rcv)
		node_l3_rcv(w, n, ifc, p);
	else
		packet_free(p);
}

void node_l3_process(struct world *w, struct node *n, struct iface *ifc, struct packet *p)
{
	if (node_l3_rcv)
		node_l3_rcv(w, n, ifc, p);
	else
		packet_free(p);
}

/* ----- the netfilter layer's view of its router (struct nf_env) ----- */

static uint32_t node_env_random_u32(void *ctx)
{
	struct node *n = ctx;
	return rng_u32(&n->w->rng);
}

/* An interface's group (nft's `meta iifgroup|oifgroup`), 0 if none. */
static unsigned node_env_if_group(void *ctx, const char *ifname)
{
	struct iface *ifc = iface_find(ctx, ifname);
	return ifc ? ifc->group : 0;
}

/* An interface's rtnl_link_ops kind (nft's `meta iifkind|oifkind`): a
 * `veth` link's ends are veths; other links are physical NICs. */
static const char *node_env_if_kind(void *ctx, const char *ifname)
{
	struct iface *ifc = iface_find(ctx, ifname);
	return ifc && ifc->link && ifc->link->veth ? "veth" : NULL;
}

/* The CPU running the node's code now (nft's `meta cpu`). */
static unsigned node_env_cur_cpu(void *ctx)
{
	struct node *n = ctx;
	return n->cur_cpu;
}

static void node_env_klog(void *ctx, nf_time now, const char *text)
{
	struct node *n = ctx;
	node_klog(n, now, text);
}

static void node_env_ct_event(void *ctx, nf_time now, const char *line)
{
	struct node *n = ctx;
	probe_fire_line(&n->w->probes, PROBE_CT_EVENT, n, now, line);
}

static void node_env_trace(void *ctx, const char *line)
{
	struct node *n = ctx;
	probe_fire_walk(&n->w->probes, line);
}

static void node_env_nft_trace(void *ctx, nf_time now, const char *line)
{
	struct node *n = ctx;
	probe_fire_line(&n->w->probes, PROBE_NFT_TRACE, n, now, line);
}

static void node_env_xt_trace(void *ctx, nf_time now, const char *line)
{
	struct node *n = ctx;
	probe_fire_line(&n->w->probes, PROBE_XT_TRACE, n, now, line);
}

static struct packet *skb_packet(const struct nf_skb *skb)
{
	return (struct packet *)(void *)((char *)skb - offsetof(struct packet, nf));
}

static uint64_t node_env_skb_id(void *ctx, const struct nf_skb *skb)
{
	(void)ctx;
	return skb_packet(skb)->id;
}

/* The received frame's Ethernet header, while the IPv4 packet still
 * follows it in the frame. */
static bool node_env_skb_mac(void *ctx, const struct nf_skb *skb, uint8_t hdr[14])
{
	(void)ctx;
	const struct packet *p = skb_packet(skb);
	if (p->len < 14 || skb->ip != p->data + 14)
		return false;
	memcpy(hdr, p->data, 14);
	return true;
}

static uint32_t node_env_if_addr(void *ctx, const char *ifname)
{
	struct node *n = ctx;
	struct iface *ifc = iface_find(n, ifname);
	return ifc ? iface_primary_addr(ifc) : 0;
}

static unsigned node_env_addr_type(void *ctx, const char *dev, uint32_t addr)
{
	const struct node *n = ctx;
	return node_addr_type ? node_addr_type(n, dev, addr) : NF_RTN_UNICAST;
}

static unsigned node_env_fib_lookup(void *ctx, uint32_t addr, const char **dev)
{
	const struct node *n = ctx;
	*dev = NULL;
	return node_fib_lookup ? node_fib_lookup(n, addr, dev) : NF_RTN_UNSPEC;
}

static unsigned node_env_route_mtu(void *ctx, uint32_t addr)
{
	const struct node *n = ctx;
	return node_route_mtu ? node_route_mtu(n, addr) : 1500;
}

/* skb_put: the skb netfilter sees is the one embedded in a packet (ip_hook
 * passes &p->nf); it grows only where the frame ends with the IPv4
 * packet's last byte and the buffer has room. */
static bool node_env_skb_put(void *ctx, struct nf_skb *skb, uint32_t len)
{
	(void)ctx;
	struct packet *p = (struct packet *)(void *)((char *)skb - offsetof(struct packet, nf));
	if (skb->ip < p->data || skb->ip + skb->len != p->data + p->len || p->len + len > p->cap)
		return false;
	memset(p->data + p->len, 0, len);
	p->len += len;
	skb->len += len;
	return true;
}

struct node *node_new(struct world *w, const char *name, enum node_kind kind)
{
	if (strlen(name) >= NODENAME_MAX || node_find(w, name))
		return NULL;
	world_on_free(w, world_free_nodes);
	if (!w->nodes)
		w->nodes = g_ptr_array_new();
	if (!w->node_by_name)
		w->node_by_name = g_hash_table_new(g_str_hash, g_str_equal);

	struct node *n = g_new0(struct node, 1);
	n->w = w;
	g_strlcpy(n->name, name, sizeof n->name);
	n->kind = kind;
	n->index = w->nodes->len;
	n->ifaces = g_ptr_array_new();
	if (kind == NODE_SWITCH)
		n->br = br_new();
	for (unsigned i = 0; i < node_nsubsys; i++)
		if (node_subsys[i]->node_init)
			node_subsys[i]->node_init(n);

	if (kind == NODE_ROUTER) {
		struct nf_env env = {
			.ctx = n,
			.random_u32 = node_env_random_u32,
			.klog = node_env_klog,
			.ct_event = node_env_ct_event,
			.trace = probe_on(&w->probes, PROBE_WALK) ? node_env_trace : NULL,
			.if_addr = node_env_if_addr,
			.addr_type = node_env_addr_type,
			.route_mtu = node_env_route_mtu,
			.skb_put = node_env_skb_put,
			.nft_trace = node_env_nft_trace,
			.xt_trace = node_env_xt_trace,
			.skb_id = node_env_skb_id,
			.skb_mac = node_env_skb_mac,
			.fib_lookup = node_env_fib_lookup,
			.cur_cpu = node_env_cur_cpu,
			.if_group = node_env_if_group,
			.if_kind = node_env_if_kind,
		};
		n->nf = nf_ns_new(&env, rng_u32(&w->rng));
	}
	g_ptr_array_add(w->nodes, n);
	g_hash_table_insert(w->node_by_name, n->name, n);
	return n;
}

struct node *node_find(struct world *w, const char *name)
{
	return w->node_by_name ? g_hash_table_lookup(w->node_by_name, name) : NULL;
}

struct iface *iface_find(struct node *n, const char *name)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		if (strcmp(ifc->name, name) == 0)
			return ifc;
	}
	return NULL;
}

/* A new interface is up with MTU 1500 and the node's derived MAC; its pcap
 * opens now (not on switches, not with --no-pcap). NULL if the name does not
 * fit IFNAMSIZ. A pcap that cannot be opened is reported on stderr and makes
 * the run fail with status 2. */
struct iface *iface_get_or_create(struct world *w, struct node *n, const char *name)
{
	struct iface *ifc = iface_find(n, name);
	if (ifc)
		return ifc;
	if (strlen(name) >= IFNAME_MAX || name[0] == '\0')
		return NULL;
	ifc = g_new0(struct iface, 1);
	g_strlcpy(ifc->name, name, sizeof ifc->name);
	ifc->node = n;
	ifc->mac = mac_for(n->name, name);
	ifc->up = true;
	ifc->mtu = 1500;
	for (unsigned i = 0; i < node_nsubsys; i++)
		if (node_subsys[i]->iface_init)
			node_subsys[i]->iface_init(n, ifc);
	if (w->opt.pcap && n->kind != NODE_SWITCH) {
		char *path = g_strdup_printf("%s/%s-%s.pcap",
					     w->opt.out_dir ? w->opt.out_dir : ".", n->name, name);
		GString *err = g_string_new(NULL);
		ifc->pcap = pcapw_open(path, err);
		if (!ifc->pcap) {
			g_printerr("natsim: error: cannot write %s\n", err->str);
			w->exit_status = 2;
		}
		g_string_free(err, TRUE);
		g_free(path);
	}
	g_ptr_array_add(n->ifaces, ifc);
	return ifc;
}

bool node_has_addr(const struct node *n, uint32_t addr)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned k = 0; k < ifc->naddrs; k++)
			if (ifc->addrs[k].addr == addr)
				return true;
	}
	return false;
}

uint32_t iface_primary_addr(const struct iface *ifc)
{
	return ifc->naddrs ? ifc->addrs[0].addr : 0;
}

static void printk_record_clear(gpointer p)
{
	g_free(((struct printk_record *)p)->text);
}

void node_klog(struct node *n, sim_time t, const char *text)
{
	if (!n->klog) {
		n->klog = g_array_new(FALSE, FALSE, sizeof(struct printk_record));
		g_array_set_clear_func(n->klog, printk_record_clear);
	}
	struct printk_record r = { .t = t, .text = g_strdup(text) };
	g_array_append_val(n->klog, r);
	if (probe_on(&n->w->probes, PROBE_KLOG))
		probe_fire_line(&n->w->probes, PROBE_KLOG, n, t, text);
}

void node_free(struct node *n)
{
	if (!n)
		return;
	for (unsigned i = node_nsubsys; i-- > 0;)
		if (node_subsys[i]->node_exit)
			node_subsys[i]->node_exit(n);
	if (n->nf)
		nf_ns_free(n->nf);
	node_cpu_free(n);
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		pcapw_close(ifc->pcap);
		g_free(ifc);
	}
	g_ptr_array_free(n->ifaces, TRUE);
	br_free(n->br);
	if (n->klog)
		g_array_free(n->klog, TRUE);
	g_free(n);
}

void world_free_nodes(struct world *w)
{
	world_free_links(w);
	if (w->node_by_name) {
		g_hash_table_destroy(w->node_by_name);
		w->node_by_name = NULL;
	}
	if (w->nodes) {
		for (unsigned i = 0; i < w->nodes->len; i++)
			node_free(g_ptr_array_index(w->nodes, i));
		g_ptr_array_free(w->nodes, TRUE);
		w->nodes = NULL;
	}
}
