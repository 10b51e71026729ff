/* fuzz_ftp.c - the FTP conntrack helper's control-line parser, alone and
 * on the packet path.
 *
 * Input: bytes of an FTP control stream. The parser (nf_ct_ftp_parse) reads
 * them whole in both directions, then each piece between two line ends
 * (commands split as segments may split them). Then a scenario sends the
 * bytes as a client's stream (`tcp connect ... send-text`, cut at the MSS
 * like any write) through a router whose raw table attaches the ftp helper,
 * with a server behind it, so the helper's line tracking, partial-match
 * drops, expectations and their listing run on whatever the input holds.
 * The router masquerades and has nf_nat_ftp: a PORT/EPRT naming the
 * client's address is rewritten (the frame grows, seqadj shifts the rest
 * of the stream and the server's acks).
 * Bytes outside printable ASCII, \r and \n are written as '.'.
 */
#include <string.h>

#include "nat/conntrack/ct_helper.h"
#include "tests/fuzz/fuzz_util.h"

static const char topo[] =
	"host c\nrouter r\nhost s\n"
	"link c:eth0 r:eth0 delay 1ms\nlink r:eth1 s:eth0 delay 1ms\n"
	"c: ip addr add 10.0.0.1/24 dev eth0\nc: ip route add default via 10.0.0.254\n"
	"s: ip addr add 10.0.1.2/24 dev eth0\ns: ip route add default via 10.0.1.254\n"
	"r: ip addr add 10.0.0.254/24 dev eth0\nr: ip addr add 10.0.1.254/24 dev eth1\n"
	"r: sysctl -w net.ipv4.ip_forward=1\n"
	"r: modprobe nf_nat_ftp\n"
	"r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n"
	"r: iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp\n"
	"s: listen tcp 21\n";

static void parse_all(const char *p, size_t n)
{
	for (int dir = 0; dir < 2; dir++) {
		uint32_t addr = 0x0a000001;
		uint16_t port = 0;
		unsigned off = 0, len = 0;
		int type = 0;
		int r = nf_ct_ftp_parse(p, n, (enum ct_dir)dir, &addr, &port, &off, &len, &type);

		if (r == 1 && (off > n || len > n - off))
			__builtin_trap();	/* the match must lie inside the data */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *buf = g_malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	parse_all(buf, size);
	for (size_t a = 0, b = 0; b < size; b++) {
		if (buf[b] == '\n' || b + 1 == size) {
			parse_all(buf + a, b + 1 - a);
			a = b + 1;
		}
	}
	g_free(buf);

	GString *t = g_string_new(topo);
	g_string_append(t, "at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text \"");
	for (size_t i = 0; i < size; i++) {
		uint8_t ch = data[i];
		if (ch == '\r')
			g_string_append(t, "\\r");
		else if (ch == '\n')
			g_string_append(t, "\\n");
		else if (ch == '"' || ch == '\\' || ch == '$' || ch == '`')
			g_string_append_c(t, '.');
		else if (ch >= 32 && ch < 127)
			g_string_append_c(t, (char)ch);
		else
			g_string_append_c(t, '.');
	}
	g_string_append(t, "\" hold\nat 2s r: conntrack -L expect\nat 2s r: conntrack -L\n"
			   "at 2s r: conntrack -S expect\nend 3s\n");
	struct world *w = fz_world_load(t->str, t->len, false);
	if (w)
		fz_world_run_free(w);
	g_string_free(t, TRUE);
	return 0;
}
