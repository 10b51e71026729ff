/* fuzz_packet.c - the router's packet path: arbitrary frames arriving on
 * either interface of a router with conntrack, SNAT (MASQUERADE), DNAT,
 * REJECT and state rules, a small MTU on one side (fragmentation) and hosts
 * behind it that answer (TCP listener, UDP echo, pings).
 *
 * Input: records of [flags:1][len:2 big-endian][len bytes of frame]; up to
 * 32 frames, each arriving 1 ms after the previous one. flags bit 0: the
 * frame arrives on eth1 (outside) instead of eth0; bit 1: keep the frame's
 * destination MAC (otherwise it becomes the router interface's, so the frame
 * is for the router); bit 2: 31 s pass before it (ipfrag_time).
 * The run goes on with --check after each packet: a broken conntrack
 * invariant aborts. A trailing partial record is sent as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"

static const char topo[] =
	"host in\nrouter r\nhost out\n"
	"link in:eth0 r:eth0\nlink r:eth1 out:eth0\n"
	"in: ip addr add 192.168.1.10/24 dev eth0\n"
	"in: ip route add default via 192.168.1.1\n"
	"in: listen tcp 80\nin: listen udp 53 echo\n"
	"r: ip addr add 192.168.1.1/24 dev eth0\n"
	"r: ip addr add 203.0.113.1/24 dev eth1\n"
	"r: ip link set eth1 mtu 1280\n"
	"r: sysctl -w net.ipv4.ip_forward=1\n"
	"r: sysctl -w net.netfilter.nf_conntrack_max=64\n"
	"r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n"
	"r: iptables -t nat -A PREROUTING -i eth1 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80\n"
	"r: iptables -t nat -A PREROUTING -i eth1 -p udp --dport 5353 -j DNAT --to-destination 192.168.1.10:53\n"
	"r: iptables -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset\n"
	"r: iptables -A INPUT -p udp --dport 69 -j REJECT\n"
	"r: iptables -A FORWARD -m conntrack --ctstate INVALID -j LOG --log-prefix \"inv \"\n"
	"r: iptables -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
	"r: iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
	"r: iptables -A FORWARD -i eth1 -p tcp --dport 80 -j ACCEPT\n"
	"r: iptables -A FORWARD -i eth1 -p udp --dport 53 -j ACCEPT\n"
	"r: iptables -P FORWARD DROP\n"
	"out: ip addr add 203.0.113.20/24 dev eth0\n"
	"out: ip route add default via 203.0.113.1\n"
	"out: listen udp 9 echo\nout: listen tcp 443\n"
	"at 1ms in: ping -c 2 -i 0.01 203.0.113.20\n"
	"at 1ms in: udp send 203.0.113.20:9 sport 1000 count 2\n"
	"end 45s\n";

struct fz_frame {
	struct iface *ifc;
	struct packet *p;
};

static void fz_arrive_ev(struct world *w, void *arg, uint64_t u)
{
	(void)u;
	struct fz_frame *f = arg;
	iface_receive(w, f->ifc, f->p);
	g_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 200000)
		return 0;
	bool trace = size > 0 && (data[0] & 0x80);
	struct world *w = fz_world_load(topo, sizeof topo - 1, trace);
	if (!w)
		__builtin_trap(); /* the fixed topology must load */
	struct node *r = node_find(w, "r");
	struct iface *ifs[2] = { iface_find(r, "eth0"), iface_find(r, "eth1") };
	sim_time t = 20 * SIM_MS;
	size_t pos = 0;
	for (unsigned k = 0; k < 32 && pos < size; k++) {
		uint8_t flags = data[pos++];
		size_t len = size - pos;
		if (len >= 2) {
			size_t want = (size_t)data[pos] << 8 | data[pos + 1];
			pos += 2;
			len = size - pos < want ? size - pos : want;
		} else {
			pos = size;
			len = 0;
		}
		struct fz_frame *f = g_new(struct fz_frame, 1);
		f->ifc = ifs[flags & 1];
		f->p = packet_new((uint32_t)len);
		memcpy(f->p->data, data + pos, len);
		pos += len;
		if (!(flags & 2) && len >= 6)
			memcpy(f->p->data, f->ifc->mac.b, 6);
		t += (flags & 4) ? 31 * SIM_S : SIM_MS;
		if (t >= 44 * SIM_S)
			t = 44 * SIM_S;
		world_at(w, t, fz_arrive_ev, f, 0);
	}
	fz_world_run_free(w);
	packet_pool_drain();
	return 0;
}
