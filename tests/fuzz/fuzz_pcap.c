/* fuzz_pcap.c - the pcap reader behind `replay`: arbitrary bytes as the
 * capture file a scenario replays into a NAT router. The dry run at load
 * reads the whole file (a damaged one is bad input, exit 2); a file that
 * passes is replayed (speed 1000) and its frames cross the router.
 */
#include "tests/fuzz/fuzz_util.h"

static const char topo[] =
	"host h\nrouter r\nhost s\n"
	"link h:eth0 r:eth0\nlink r:eth1 s:eth0\n"
	"h: ip addr add 192.168.1.10/24 dev eth0\n"
	"r: ip addr add 192.168.1.1/24 dev eth0\n"
	"r: ip addr add 203.0.113.1/24 dev eth1\n"
	"r: sysctl -w net.ipv4.ip_forward=1\n"
	"r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n"
	"s: ip addr add 203.0.113.20/24 dev eth0\n"
	"s: listen udp 53 echo\n"
	"h: replay in.pcap speed 1000\n"
	"end 60s\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	fz_write_file("in.pcap", data, size);
	struct world *w = fz_world_load(topo, sizeof topo - 1, false);
	if (w)
		fz_world_run_free(w);
	packet_pool_drain();
	return 0;
}
