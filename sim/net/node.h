/* node.h - nodes (hosts, routers, switches), their interfaces, the links
 * between them, and capture: sim/net's node.c, link.c, switch.c, pcapw.c.
 *
 * Design: a node is a plain record shared by every kind; a router also
 * has a netfilter namespace (nat/nf.h). The layers above attach to a node
 * through registered operations (struct node_subsys: the kernel's
 * pernet_operations and dev_add_pack), never by being called by name, so
 * sim/net calls nothing above it. Each layer's per-node state is behind
 * the pointer that layer owns (n->ipv4, n->ip, n->icmp: sim/inet, with
 * the routes, the loopback device and net_ratelimit in n->ipv4; n->sock,
 * n->udp, n->tcp, n->ping: sim/sock; n->apps: sim/apps), made and freed by
 * its node_subsys; n->shell (sim/shell: file store, journal, the boot) is
 * made on first use and freed by the shell's node_subsys. What is still
 * spelled out here is sim/net's own: interfaces (with their net.ipv4.conf
 * set, as the kernel's in_device hangs off net_device), a switch's bridge
 * (n->br, switch.c), and the kernel log (n->klog, node_klog: written by
 * the stack and netfilter below the shell, so kept by the lowest layer
 * that writes it).
 */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/core/world.h"
#include "sim/net/packet.h"

struct node;
struct link;
struct pcapw;
struct netns_ipv4;
struct sock_net;
struct shell_state;

#define IFNAME_MAX 16
#define NODENAME_MAX 32
#define IFACE_MAX_ADDRS 8

struct iface_addr {
	uint32_t addr;
	uint8_t plen;
};

/* The net.ipv4.conf.{all,default,IF}.* knobs natsim acts on (devinet.c's
 * IPV4_DEVCONF_*): one set per interface, plus a node's `all` and
 * `default` (devconf.c). */
enum ipv4_devconf_id {
	DEVCONF_ACCEPT_REDIRECTS, DEVCONF_SECURE_REDIRECTS, DEVCONF_SEND_REDIRECTS,
	DEVCONF_SHARED_MEDIA, DEVCONF_RP_FILTER, DEVCONF_ACCEPT_LOCAL, DEVCONF_LOG_MARTIANS,
	DEVCONF_ROUTE_LOCALNET, DEVCONF_MAX
};

struct ipv4_devconf {
	int data[DEVCONF_MAX];
	uint32_t state;		/* bit id: written on this interface (no longer
				 * follows default) */
};

struct iface {
	char name[IFNAME_MAX];
	struct node *node;
	mac_addr mac;
	bool up;
	unsigned mtu;
	unsigned group;		/* `ip link set dev X group N` (0: default) */
	struct iface_addr addrs[IFACE_MAX_ADDRS]; /* [0] is the primary address */
	unsigned naddrs;
	struct link *link;	/* NULL until a `link` statement attaches it */
	int link_side;		/* 0 or 1: which end of link this is */
	unsigned segment;	/* layer-2 segment id (switches joined), for neighbours */
	struct pcapw *pcap;	/* NULL with --no-pcap and on switches */
	/* ip.c's last neighbour answer out of this interface: the (segment,
	 * address) key and the owner found, so a flow's packets skip the
	 * neighbour table's hash lookup; validated like a table hit */
	uint64_t neigh_key;
	struct iface *neigh;
	/* expect.c: the `saw` expectations counting this interface's frames,
	 * NULL if none (set once the scenario is parsed) */
	GPtrArray *saw;
	uint64_t tx_packets, rx_packets, tx_dropped;
	uint64_t rx_dropped;	/* frames refused at receive (too long, VLAN tag) */
	struct ipv4_devconf cnf;	/* net.ipv4.conf.IF.* */
};

/* One kernel log line and when it was logged (printk's struct printk_info
 * and text). */
struct printk_record {
	sim_time t;
	char *text;
};

enum node_kind { NODE_HOST, NODE_ROUTER, NODE_SWITCH };

struct node {
	struct world *w;		/* the run this node belongs to */
	char name[NODENAME_MAX];
	enum node_kind kind;
	unsigned index;		/* order of declaration */
	GPtrArray *ifaces;	/* struct iface * */
	struct nf_ns *nf;	/* routers only */
	/* the IPv4 stack's knobs and IP id (sim/inet/inet.h, the kernel's
	 * net->ipv4), made by its node_init, freed by its node_exit */
	struct netns_ipv4 *ipv4;
	/* the sockets' knobs and ephemeral port (sim/sock/sock.h), made by
	 * sock_subsys's node_init: kept across a reboot's transport_free */
	struct sock_net *sock;
	/* transport state, owned by sim/sock (udp.c, tcp.c; ping: the ICMP
	 * echo sockets and flows generators, sock_int.h) */
	void *udp, *tcp, *ping;
	/* the running applications (sim/apps/apps.h: pings, replays) */
	void *apps;
	/* IPv4 stack state owned by ip.c (neighbours, loopback queue) and
	 * icmp.c (rate limits); freed by ip_node_free() */
	void *ip, *icmp;
	/* a switch's bridge state (switch.c: the learned MACs), NULL on hosts
	 * and routers */
	struct net_bridge *br;
	/* the kernel log (node_klog: the kernel's printk ring buffer), written
	 * by the stack and netfilter, read by dmesg, journalctl -k and `expect
	 * NODE log`: struct printk_record, NULL until the first line */
	GArray *klog;
	/* the shell's state (sim/shell/shell_state.h: file store, journal, the
	 * boot), made on first use, freed by the shell's node_exit */
	struct shell_state *shell;
	/* its CPUs (`cpus N`, cpu.c): 0 or 1 is one CPU, and then backlog is
	 * NULL; cur_cpu is the CPU running the node's code now (the walk
	 * names it; frames carry it in packet.cpu) */
	unsigned cpus, cur_cpu;
	struct cpu_backlog *backlog;
};

/* A switch's bridge (the kernel's struct net_bridge, br_private.h): its
 * forwarding database, a MAC packed in 64 bits -> the port's index + 1. */
struct net_bridge {
	GHashTable *fdb;
};

/* Link direction state: frames queued on one side, serialised one at a time. */
struct link_dir {
	struct packet *head, *tail;
	unsigned qlen;
	bool busy;
	uint64_t dropped_queue, dropped_loss, sent;
};

struct link {
	struct iface *end[2];
	uint64_t rate_bps;	/* 0: infinite */
	sim_time delay;
	double loss;		/* 0..1 */
	unsigned queue_limit;	/* packets; default 1000 (txqueuelen) */
	bool veth;		/* `veth`: received on the sender's CPU (cpu.c) */
	struct link_dir dir[2];	/* dir[i]: frames sent by end[i] */
	int line;		/* scenario line */
};

/* ----- nodes and interfaces (node.c) ----- */
/* A new node, appended to w->nodes (routers get their netfilter namespace).
 * NULL if the name is taken or has NODENAME_MAX characters or more. */
struct node *node_new(struct world *w, const char *name, enum node_kind kind);
struct node *node_find(struct world *w, const char *name);
struct iface *iface_find(struct node *n, const char *name);
/* Create the interface if the node has none of that name (done by `link`):
 * up, MTU 1500, MAC mac_for(node, iface), pcap "<out_dir>/<node>-<iface>.pcap"
 * opened unless --no-pcap or a switch. NULL if the name is empty or has
 * IFNAME_MAX characters or more (Linux's IFNAMSIZ). */
struct iface *iface_get_or_create(struct world *w, struct node *n, const char *name);
/* The node owning `addr` on one of its interfaces, or NULL. */
bool node_has_addr(const struct node *n, uint32_t addr);
/* Primary address of an interface, 0 if none. */
uint32_t iface_primary_addr(const struct iface *ifc);
/* A kernel log line of node n at time t (printk): kept in n->klog (dmesg,
 * `expect NODE log`) and handed to the PROBE_KLOG listeners
 * (kernel.log). */
void node_klog(struct node *n, sim_time t, const char *text);
/* Free one node: first every layer's state through its node_exit (in
 * reverse registration order: the shell's, the sockets', the IPv4 stack's
 * with its routes), then the netfilter namespace, pcaps (closed and
 * flushed), interfaces, kernel log and bridge. Does not remove it from
 * w->nodes. */
void node_free(struct node *n);
/* End of run: world_free_links(), then every node; w->nodes and
 * w->node_by_name are freed and set to NULL. */
void world_free_nodes(struct world *w);

/* ----- the layers above (registered by sim/sock/net_stack.c) ----- */
/* What a layer above does with a node's life: node_init at node_new (and
 * nothing else: reboot resets state itself), iface_init when an interface
 * is created, node_exit when the node is freed (its state goes). Called in
 * registration order (node_exit in reverse). The kernel's
 * register_pernet_subsys and netdevice notifier. */
struct node_subsys {
	const char *name;
	void (*node_init)(struct node *n);
	void (*iface_init)(struct node *n, struct iface *ifc);
	void (*node_exit)(struct node *n);
};
/* Register a layer's operations (once per process, from the node
 * subsystem table's net_stack_init; a second registration of the same ops
 * is a no-op). `name` says whose they are. */
void node_subsys_register(const struct node_subsys *ops);
/* The handler of received IPv4 frames (dev_add_pack(ETH_P_IP): ip_rcv),
 * called by iface_receive; takes ownership of p. Without one, IPv4
 * frames are dropped. */
typedef void (*node_l3_rcv_fn)(struct world *w, struct node *n, struct iface *ifc,
			       struct packet *p);
void node_set_l3_rcv(node_l3_rcv_fn rcv);
/* The IPv4 stack's answer to "what type is this address here" (its local
 * table: inet_dev_addr_type), an enum nf_rtn_type; dev NULL: any device.
 * netfilter asks it through nf_env.addr_type (-m addrtype). */
typedef unsigned (*node_addr_type_fn)(const struct node *n, const char *dev, uint32_t addr);
void node_set_addr_type(node_addr_type_fn fn);
/* The IPv4 stack's MTU of the route to addr (dst_mtu), 0 without a route;
 * netfilter asks it through nf_env.route_mtu (TCPMSS). */
typedef unsigned (*node_route_mtu_fn)(const struct node *n, uint32_t addr);
void node_set_route_mtu(node_route_mtu_fn fn);
/* The IPv4 stack's fib_lookup: the route type of addr (NF_RTN_UNSPEC: no
 * route) and its nexthop's device; netfilter asks it through
 * nf_env.fib_lookup (-m rpfilter). */
typedef unsigned (*node_fib_lookup_fn)(const struct node *n, uint32_t addr, const char **dev);
void node_set_fib_lookup(node_fib_lookup_fn fn);
/* Hand a received IPv4 frame to the registered handler (link.c); on a node
 * of several CPUs, through its backlog (cpu.c). */
void node_l3_deliver(struct world *w, struct node *n, struct iface *ifc, struct packet *p);
/* The handler itself, at once (cpu.c's backlog). */
void node_l3_process(struct world *w, struct node *n, struct iface *ifc, struct packet *p);

/* ----- CPUs (cpu.c) ----- */
/* `cpus N`: N > 1 draws the node's RSS key from the run's generator. */
void node_set_cpus(struct world *w, struct node *n, unsigned cpus);
/* A received frame onto the backlog of a node of several CPUs, on the CPU
 * its link gives it (veth: the sender's; else RSS); processed in an event of
 * this instant. */
void node_cpu_enqueue(struct world *w, struct node *n, struct iface *ifc, struct packet *p);
/* fn(w, n, i, arg) for i in [0, count), as `count` threads on the node's
 * CPUs at once (i on CPU i mod N), in rounds of N in a seeded order. */
void node_cpu_parallel(struct world *w, struct node *n, unsigned count,
		       void (*fn)(struct world *w, struct node *n, unsigned i, void *arg), void *arg);
void node_cpu_free(struct node *n);

/* ----- layer 2 (link.c, switch.c) ----- */
/* Join a and b (both must have no link yet) with a link: rate 0 (infinite),
 * delay 0, loss 0, queue_limit 1000; appended to w->links (created if NULL).
 * The caller sets rate/delay/loss/queue/line afterwards. */
struct link *link_new(struct world *w, struct iface *a, struct iface *b);
/* Free every link with its queued frames, and the frames still in flight in
 * the event queue (their events become no-ops); w->links is freed and set to
 * NULL. Called by world_free_nodes(). */
void world_free_links(struct world *w);
/* Queue a frame for transmission on ifc's link (drop-tail; counted). The
 * frame's MACs must already be set. Takes ownership of p. */
void link_transmit(struct world *w, struct iface *ifc, struct packet *p);
/* A frame arrived at ifc (from its link): capture, then switch or IP input. */
void iface_receive(struct world *w, struct iface *ifc, struct packet *p);
/* A switch's bridge state, empty (br_dev_setup), and its freeing (with the
 * learned MACs). node_new and node_free call them for NODE_SWITCH nodes. */
struct net_bridge *br_new(void);
void br_free(struct net_bridge *br);
/* A switch's forwarding of a received frame. */
void switch_receive(struct world *w, struct node *sw, struct iface *in, struct packet *p);
/* Compute layer-2 segments after the topology is built (iface->segment). */
void l2_compute_segments(struct world *w);

/* ----- capture (pcapw.c) ----- */
struct pcapw *pcapw_open(const char *path, GString *err);
void pcapw_write(struct pcapw *pw, sim_time t, const uint8_t *data, uint32_t len);
/* Flush to the file. 0, or 2 with "PATH: No space left on device" in err
 * (if non-NULL) when this or an earlier write failed. */
int pcapw_flush(struct pcapw *pw, GString *err);
/* True once a write to the file failed. */
bool pcapw_failed(const struct pcapw *pw);
void pcapw_close(struct pcapw *pw);
/* Record a frame crossing ifc (tx or rx): pcap, then PROBE_CAPTURE (the
 * `saw` expectations). */
void iface_capture(struct world *w, struct iface *ifc, const struct packet *p);

#endif
