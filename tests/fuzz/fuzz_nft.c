/* fuzz_nft.c - the nft parser, evaluator and printer (nat/nftables/).
 *
 * Input: text. It is loaded twice as `nft -f -` (the second batch on the
 * ruleset the first one left, so adds, flushes and deletes meet existing
 * objects), then each of its lines runs as an `nft` command line (words
 * split on blanks), and the ruleset is listed with -a and -s. Nothing may
 * crash, leak or read outside the input, and an error must never leave a
 * half-applied batch: the listing after a failed batch equals the one before.
 * Then the text is loaded into a router namespace (its base chains on the
 * hook ops) and a few packets (TCP, UDP, ICMP, a later fragment, a cut
 * header) walk every hook with the packet walk on: the evaluator, the NAT
 * statements and the log line meet whatever the input made; the load's
 * monitor events (nft_event.c) are computed both ways.
 */
#include <stdlib.h>
#include <fnmatch.h>
#include <string.h>

#include "nat/nf.h"
#include "nat/nftables/nft.h"
#include "tests/fuzz/fuzz_util.h"

static char *no_file(void *priv, const char *path)
{
	(void)priv;
	(void)path;
	return NULL;
}

/* `include`: the input itself is /etc/fuzz.nft, so an input that
 * includes "fuzz.nft" (or a pattern matching it) nests down to nft's depth
 * limit and natsim's bound on included files. */
static char *self_file(void *priv, const char *path)
{
	return priv && !strcmp(path, "/etc/fuzz.nft") ? g_strdup(priv) : NULL;
}

static char **self_glob(void *priv, const char *pattern)
{
	char **m = g_new0(char *, 2);
	if (priv && !fnmatch(pattern, "/etc/fuzz.nft", FNM_PATHNAME | FNM_PERIOD))
		m[0] = g_strdup("/etc/fuzz.nft");
	return m;
}

static void list(struct nft_ruleset *rs, GString *out, const char *opt)
{
	char *argv[] = { "nft", (char *)opt, "list", "ruleset", NULL };
	GString *err = g_string_new(NULL);
	g_string_truncate(out, 0);
	nft_cmd(rs, 4, argv, NULL, no_file, NULL, NULL, out, err);
	g_string_free(err, TRUE);
}

static void batch(struct nft_ruleset *rs, const char *text)
{
	GString *before = g_string_new(NULL), *after = g_string_new(NULL);
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	list(rs, before, "-a");
	char *argv[] = { "nft", "-f", "-", NULL };
	if (nft_cmd(rs, 3, argv, text, self_file, self_glob, (void *)text, out, err) != 0) {
		list(rs, after, "-a");
		if (strcmp(before->str, after->str) != 0)
			abort();	/* a failed batch changed the ruleset */
	}
	g_string_free(before, TRUE);
	g_string_free(after, TRUE);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
}

static uint32_t fz_random(void *ctx)
{
	static uint32_t x = 1;
	(void)ctx;
	x = x * 1103515245u + 12345u;
	return x;
}
static void fz_klog(void *ctx, nf_time now, const char *text) { (void)ctx; (void)now; (void)text; }
static void fz_event(void *ctx, nf_time now, const char *l) { (void)ctx; (void)now; (void)l; }
static void fz_trace(void *ctx, const char *line) { (void)ctx; (void)line; }
static uint32_t fz_if_addr(void *ctx, const char *ifname) { (void)ctx; (void)ifname; return 0xcb007101; }

/* An IPv4 packet after a 14-byte Ethernet header (the log reads the MAC):
 * proto, total length, fragment offset, and the first transport bytes. */
static void fz_packet(uint8_t *frame, uint8_t proto, uint16_t len, uint16_t frag, uint8_t flags)
{
	uint8_t *ip = frame + 14;
	memset(frame, 0, 14 + 64);
	frame[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 10, ip[15] = 1;
	ip[16] = 192, ip[18] = 2, ip[19] = 1;
	ip[20] = 0x04, ip[21] = 0xd2;	/* sport 1234 */
	ip[22] = 0, ip[23] = 80;	/* dport 80; ICMP: type 0 code 80 */
	if (proto == 1)
		ip[20] = 8, ip[21] = 0;
	if (proto == 17)
		ip[25] = (uint8_t)(len - 20);
	ip[32] = 0x50;
	ip[33] = flags;
}

static void fz_packets(const char *text)
{
	struct nf_env env = { .random_u32 = fz_random, .klog = fz_klog, .ct_event = fz_event,
			      .trace = fz_trace, .if_addr = fz_if_addr };
	struct nf_ns *ns = nf_ns_new(&env, 1);
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	char *argv[] = { "nft", "-f", "-", NULL };
	static const struct { uint8_t proto; uint16_t len, frag; uint8_t flags; } pk[] = {
		{ 6, 40, 0x4000, 0x02 }, { 17, 40, 0, 0 }, { 1, 28, 0, 0 }, { 6, 40, 0x0010, 0x12 },
		{ 6, 24, 0, 0 }, { 47, 30, 0, 0 },
	};
	/* a small table: the default's 262144 buckets would cost each input
	 * more than its rules do */
	nf_sysctl_set(ns, "net.netfilter.nf_conntrack_buckets", "64", err, false, 0);
	nf_sysctl_set(ns, "net.netfilter.nf_conntrack_max", "64", err, false, 0);
	/* nft monitor's events of the load (nft_event.c): the snapshots of
	 * whatever the input made, and their comparison */
	struct nf_nft_snap *before = nf_nft_snapshot(ns);
	int rc = nf_cmd_nft(ns, 3, argv, text, NULL, NULL, out, err, false);
	struct nf_nft_snap *after = nf_nft_snapshot(ns);
	GPtrArray *evs = nf_nft_events(before, after);
	g_ptr_array_free(evs, TRUE);
	evs = nf_nft_events(after, before);	/* everything deleted */
	g_ptr_array_free(evs, TRUE);
	nf_nft_snapshot_free(before);
	nf_nft_snapshot_free(after);
	if (rc == 0) {
		for (unsigned i = 0; i < G_N_ELEMENTS(pk); i++) {
			uint8_t frame[14 + 64];
			struct nf_skb skb = { .ip = frame + 14, .len = pk[i].len };
			fz_packet(frame, pk[i].proto, pk[i].len, pk[i].frag, pk[i].flags);
			if (nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 1000) == NF_ACCEPT &&
			    nf_hook(ns, NF_INET_FORWARD, &skb, "eth0", "eth1", 1000) == NF_ACCEPT)
				nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth1", 1000);
			nf_skb_release(ns, &skb);
			struct nf_skb loc = { .ip = frame + 14, .len = pk[i].len };
			fz_packet(frame, pk[i].proto, pk[i].len, pk[i].frag, pk[i].flags);
			if (nf_hook(ns, NF_INET_LOCAL_OUT, &loc, NULL, "eth1", 2000) == NF_ACCEPT)
				nf_hook(ns, NF_INET_POST_ROUTING, &loc, NULL, "eth1", 2000);
			nf_skb_release(ns, &loc);
			struct nf_skb in = { .ip = frame + 14, .len = pk[i].len };
			fz_packet(frame, pk[i].proto, pk[i].len, pk[i].frag, pk[i].flags);
			if (nf_hook(ns, NF_INET_PRE_ROUTING, &in, "eth0", NULL, 3000) == NF_ACCEPT)
				nf_hook(ns, NF_INET_LOCAL_IN, &in, "eth0", NULL, 3000);
			nf_skb_release(ns, &in);
		}
	}
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
	nf_ns_free(ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct nft_ruleset *rs = nft_ruleset_new();
	batch(rs, text);
	batch(rs, text);
	gchar **lines = g_strsplit(text, "\n", 64);
	for (unsigned i = 0; lines[i]; i++) {
		gchar **words = g_strsplit_set(lines[i], " \t", 64);
		GPtrArray *av = g_ptr_array_new();
		g_ptr_array_add(av, "nft");
		for (unsigned k = 0; words[k]; k++)
			if (*words[k])
				g_ptr_array_add(av, words[k]);
		g_ptr_array_add(av, NULL);
		GString *out = g_string_new(NULL), *err = g_string_new(NULL);
		nft_cmd(rs, (int)av->len - 1, (char **)av->pdata, NULL, no_file, NULL, NULL, out, err);
		g_string_free(out, TRUE);
		g_string_free(err, TRUE);
		g_ptr_array_free(av, TRUE);
		g_strfreev(words);
	}
	g_strfreev(lines);
	GString *out = g_string_new(NULL);
	list(rs, out, "-a");
	list(rs, out, "-s");
	g_string_free(out, TRUE);
	nft_ruleset_free(rs);
	fz_packets(text);
	g_free(text);
	return 0;
}
