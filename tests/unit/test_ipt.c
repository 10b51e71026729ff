/* test_ipt.c - unit tests of nat/iptables/ipt_*.c: the iptables command, its
 * texts, iptables-save/-restore, and the ipt_do_table traversal.
 *
 * The table `ipt_real[]` below was produced by running the same command lines
 * with the real iptables v1.8.9 (nf_tables) in throwaway network namespaces
 * (one namespace per block; iptables-save's date replaced by the epoch):
 * natsim must print the same stdout and stderr and exit with the same code.
 * NAT, klog and trace functions are weak stubs here, so this test links even
 * before (and independently of) the NAT and namespace modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"

static int failures, checks;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		checks++;                                                       \
		if (!(cond)) {                                                  \
			failures++;                                             \
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                           \
			fprintf(stderr, "\n");                                  \
		}                                                               \
	} while (0)

/* ----- stubs (weak: the real modules win when they are linked) ----- */

static int nat_calls;
static struct nf_nat_range2 nat_last_range;
static int nat_last_kind; /* 1 setup_info SRC, 2 DST, 3 masquerade, 4 redirect */
static char nat_last_if[16];

__attribute__((weak)) int nat_setup_info(struct nf_ns *ns, struct ct_entry *ct,
					 const struct nf_nat_range2 *range, enum nat_manip manip,
					 nf_time now)
{
	(void)ns; (void)ct; (void)now;
	nat_calls++;
	nat_last_range = *range;
	nat_last_kind = manip == NAT_MANIP_SRC ? 1 : 2;
	return NF_ACCEPT;
}

__attribute__((weak)) int nat_masquerade(struct nf_ns *ns, struct ct_entry *ct,
					 const struct nf_nat_range2 *range, const char *out,
					 nf_time now)
{
	(void)ns; (void)ct; (void)now;
	nat_calls++;
	nat_last_range = *range;
	nat_last_kind = 3;
	g_strlcpy(nat_last_if, out ? out : "", sizeof(nat_last_if));
	return NF_ACCEPT;
}

__attribute__((weak)) int nat_redirect(struct nf_ns *ns, struct ct_entry *ct,
				       const struct nf_nat_range2 *range, const char *in,
				       enum nf_hook hook, nf_time now)
{
	(void)ns; (void)ct; (void)now; (void)hook;
	nat_calls++;
	nat_last_range = *range;
	nat_last_kind = 4;
	g_strlcpy(nat_last_if, in ? in : "", sizeof(nat_last_if));
	return NF_ACCEPT;
}

/* iptable_nat's lookups join the NAT core's list (nat/nf_nat/nat_hooks.c):
 * stubbed too, so the NAT core stays out of this link and the targets above
 * record their calls. */
__attribute__((weak)) int nf_nat_ipv4_register_fn(struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	(void)ns; (void)ops;
	return 0;
}

__attribute__((weak)) void nf_trace(struct nf_ns *ns, const char *fmt, ...)
{
	if (!ns->env.trace)
		return;
	va_list ap;
	va_start(ap, fmt);
	gchar *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ns->env.trace(ns->env.ctx, s);
	g_free(s);
}

__attribute__((weak)) void nf_klog(struct nf_ns *ns, nf_time now, const char *fmt, ...)
{
	if (!ns->env.klog)
		return;
	va_list ap;
	va_start(ap, fmt);
	gchar *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ns->env.klog(ns->env.ctx, now, s);
	g_free(s);
}

/* ----- a namespace with just the iptables state ----- */

static GString *klog_text, *trace_text;

static void cb_klog(void *ctx, nf_time now, const char *text)
{
	(void)ctx; (void)now;
	g_string_append_printf(klog_text, "%s\n", text);
}

static void cb_trace(void *ctx, const char *line)
{
	(void)ctx;
	g_string_append_printf(trace_text, "%s\n", line);
}

static struct nf_ns *ns_new(void)
{
	struct nf_ns *ns = g_new0(struct nf_ns, 1);
	ns->env.klog = cb_klog;
	ipt_tables_init(ns);
	return ns;
}

static void ns_free(struct nf_ns *ns)
{
	ipt_tables_free(ns);
	g_free(ns);
}

/* Run "iptables ARGS" (shell syntax). */
static int ipt(struct nf_ns *ns, const char *args, GString *out, GString *err, bool dry)
{
	gchar *line = g_strdup_printf("iptables %s", args);
	gchar **argv;
	gint argc;
	if (!g_shell_parse_argv(line, &argc, &argv, NULL)) {
		g_free(line);
		return -1;
	}
	int rc = nf_cmd_iptables(ns, argc, argv, out, err, dry, 0);
	g_strfreev(argv);
	g_free(line);
	return rc;
}

static int ipt_ok(struct nf_ns *ns, const char *args)
{
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = ipt(ns, args, o, e, false);
	CHECK(rc == 0, "iptables %s: rc %d: %s", args, rc, e->str);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

/* ----- the real tool's texts ----- */

struct ipt_real { int block; const char *cmd, *out, *err; int rc; };
static const struct ipt_real ipt_real[] = {
	{ 0, "-A INPUT --foo",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--foo\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT --dport 80 -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--dport\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp --dport 99999 -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid port/service `99999' specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp --dport abc -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid port/service `abc' specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -s foo.invalid -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): host/network `foo.invalid' not found\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -s 1.2.3.4/33 -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid mask `33' specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -s 1.2.3.256 -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): host/network `1.2.3.256' not found\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A NOPE -j ACCEPT",
	  "",
	  "iptables: No chain/target/match by that name.\n"
	  "", 1 },
	{ 0, "-A INPUT -j NOPE",
	  "",
	  "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -s ! 1.2.3.4 -j ACCEPT",
	  "",
	  "Bad argument `1.2.3.4'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-t foo -L",
	  "",
	  "iptables v1.8.9 (nf_tables): table 'foo' does not exist\n"
	  "Perhaps iptables or your kernel needs to be upgraded.\n"
	  "", 3 },
	{ 0, "-t nat -A INPUT -j DROP",
	  "",
	  "iptables v1.8.9 (nf_tables): \n"
	  "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n"
	  "\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-t nat -P INPUT DROP",
	  "",
	  "iptables v1.8.9 (nf_tables): \n"
	  "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n"
	  "\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-P INPUT FOO",
	  "",
	  "iptables: Bad policy name. Run `dmesg' for more information.\n"
	  "", 1 },
	{ 0, "-N mychain",
	  "",
	  "", 0 },
	{ 0, "-P mychain ACCEPT",
	  "",
	  "iptables: Bad built-in chain name.\n"
	  "", 1 },
	{ 0, "-A INPUT -j SNAT --to-source 1.2.3.4",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 0, "-t nat -A PREROUTING -j SNAT --to-source 1.2.3.4",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n"
	  "", 4 },
	{ 0, "-t nat -A POSTROUTING -j DNAT --to-destination 1.2.3.4",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING\n"
	  "", 4 },
	{ 0, "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4:80",
	  "",
	  "iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-t nat -A POSTROUTING -j SNAT",
	  "",
	  "iptables v1.8.9 (nf_tables): SNAT: option \"--to-source\" must be specified\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-t nat -A POSTROUTING -j MASQUERADE --to-ports 80",
	  "",
	  "iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-t nat -A PREROUTING -j MASQUERADE",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n"
	  "", 4 },
	{ 0, "-t nat -A POSTROUTING -j REDIRECT",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING\n"
	  "", 4 },
	{ 0, "-A INPUT -j REJECT --reject-with tcp-reset",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 0, "-A INPUT -j REJECT --reject-with foo",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown reject type \"foo\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -j ACCEPT --log-prefix x",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--log-prefix\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -j LOG --log-level 99",
	  "",
	  "iptables v1.8.9 (nf_tables): log level \"99\" unknown\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp --tcp-flags SYN",
	  "",
	  "iptables v1.8.9 (nf_tables): --tcp-flags requires two args.\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp --tcp-flags SYN,FOO SYN",
	  "",
	  "iptables v1.8.9 (nf_tables): Unknown TCP flag `FOO'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p foo",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown protocol \"foo\" specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p icmp --icmp-type foo",
	  "",
	  "iptables v1.8.9 (nf_tables): Unknown ICMP type `foo'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -m state --state FOO",
	  "",
	  "iptables v1.8.9 (nf_tables): Bad state \"FOO\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -m conntrack --ctstate FOO",
	  "",
	  "iptables v1.8.9 (nf_tables): Bad ctstate \"FOO\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -m foo",
	  "",
	  "iptables v1.8.9 (nf_tables): Couldn't load match `foo':No such file or directory\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -m state",
	  "",
	  "iptables v1.8.9 (nf_tables): state: option \"--state\" must be specified\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
	  "",
	  "iptables v1.8.9 (nf_tables): too many ports specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16",
	  "",
	  "iptables v1.8.9 (nf_tables): too many ports specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT -m multiport --dports 80",
	  "",
	  "iptables v1.8.9 (nf_tables): multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-D INPUT 0",
	  "",
	  "iptables v1.8.9 (nf_tables): Invalid rule number `0'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-X INPUT",
	  "",
	  "iptables: No chain/target/match by that name.\n"
	  "", 1 },
	{ 0, "-X nochain",
	  "",
	  "iptables: No chain/target/match by that name.\n"
	  "", 1 },
	{ 0, "-N INPUT",
	  "",
	  "iptables: Chain already exists.\n"
	  "", 1 },
	{ 0, "-L nochain",
	  "",
	  "iptables v1.8.9 (nf_tables): chain `nochain' in table `filter' is incompatible, use 'nft' tool.\n"
	  "", 1 },
	{ 0, "-A",
	  "",
	  "iptables v1.8.9 (nf_tables): option \"-A\" requires an argument\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-A INPUT extra",
	  "",
	  "Bad argument `extra'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 0, "-F INPUT extra",
	  "",
	  "Bad argument `extra'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -j ACCEPT -j DROP",
	  "",
	  "iptables v1.8.9 (nf_tables): multiple -j flags not allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -p udp",
	  "",
	  "iptables v1.8.9 (nf_tables): multiple -p flags not allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -i eth0 -i eth1",
	  "",
	  "iptables v1.8.9 (nf_tables): multiple -i flags not allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-Z nochain",
	  "",
	  "iptables: No chain/target/match by that name.\n"
	  "", 1 },
	{ 1, "-E nochain x",
	  "",
	  "iptables: No chain/target/match by that name.\n"
	  "", 1 },
	{ 1, "-A INPUT ! -d 10.0.0.0/255.0.255.0 -o ! eth0",
	  "",
	  "Bad argument `eth0'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT ! -o eth0",
	  "",
	  "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -y",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"-y\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT ! -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): cannot have ! before -j\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp ! ! --dport 5",
	  "",
	  "iptables v1.8.9 (nf_tables): multiple consecutive ! not allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -j LOG ! --log-prefix x",
	  "",
	  "iptables v1.8.9 (nf_tables): LOG: option \"--log-prefix\" cannot be inverted.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -m comment ! --comment x",
	  "",
	  "iptables v1.8.9 (nf_tables): comment: option \"--comment\" cannot be inverted.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp --dport",
	  "",
	  "iptables v1.8.9 (nf_tables): option \"--dport\" requires an argument\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -D INPUT",
	  "",
	  "iptables v1.8.9 (nf_tables): Cannot use -D with -A\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-L INPUT -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): Illegal option `-j' with this command\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-F -s 1.2.3.4",
	  "",
	  "iptables v1.8.9 (nf_tables): Illegal option `-s' with this command\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-R INPUT -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): -R requires a rule number\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-R INPUT x -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): Invalid rule number `x'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-I INPUT x -j ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): Invalid rule number `x'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -s1.2.3.4",
	  "",
	  "iptables v1.8.9 (nf_tables): host/network `-s1.2.3.4' not found\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-P INPUT",
	  "",
	  "iptables v1.8.9 (nf_tables): -P requires a chain and a policy\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-P",
	  "",
	  "iptables v1.8.9 (nf_tables): option \"-P\" requires an argument\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-E a",
	  "",
	  "iptables v1.8.9 (nf_tables): -E requires old-chain-name and new-chain-name\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p icmp --icmp-type echo",
	  "",
	  "iptables v1.8.9 (nf_tables): Ambiguous ICMP type `echo': `echo-reply' or `echo-request'?\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p icmp --icmp-type 3/300",
	  "",
	  "iptables v1.8.9 (nf_tables): Unknown ICMP code `3/300'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p icmp --icmp-type 3x",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown character x\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p icmp --icmp-type 8 --icmp-type 0",
	  "",
	  "iptables v1.8.9 (nf_tables): icmp: option \"--icmp-type\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -m state --state NEW --state NEW",
	  "",
	  "iptables v1.8.9 (nf_tables): state: option \"--state\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -m multiport --dports 1 --dports 2",
	  "",
	  "iptables v1.8.9 (nf_tables): multiport: option \"--destination-ports\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -m multiport --dports 2:1",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid portrange specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -m multiport --dports x",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid port/service `x' specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp --sport 1 --sport 2",
	  "",
	  "iptables v1.8.9 (nf_tables): Only one `--source-port' allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A POSTROUTING -p tcp -j SNAT --to 1.1.1.1:5-",
	  "",
	  "iptables v1.8.9 (nf_tables): Port `' not valid\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A POSTROUTING -p tcp -j SNAT --to 1.1.1.1:1000-999",
	  "",
	  "iptables v1.8.9 (nf_tables): Port range `999' funky\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A POSTROUTING -p tcp -j SNAT --to 1.1.1.x",
	  "",
	  "iptables v1.8.9 (nf_tables): Bad IP address \"1.1.1.x\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1 --to-source 1.1.1.2",
	  "",
	  "iptables v1.8.9 (nf_tables): SNAT: option \"--to-source\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 70000",
	  "",
	  "iptables v1.8.9 (nf_tables): Port `70000' not valid\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-5",
	  "",
	  "iptables v1.8.9 (nf_tables): Port range `5' funky\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A PREROUTING -p tcp -j DNAT --to 1.1.1.1 --to-ports 5",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--to-ports\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A PREROUTING -p tcp -j DNAT",
	  "",
	  "iptables v1.8.9 (nf_tables): DNAT: option \"--to-destination\" must be specified\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t nat -A PREROUTING -m state --state NEW -j DNAT --to 1.2.3.4:80",
	  "",
	  "iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -i aaaaaaaaaaaaaaaaaaa",
	  "",
	  "iptables v1.8.9 (nf_tables): interface name `aaaaaaaaaaaaaaaaaaa' must be shorter than IFNAMSIZ (15)\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -m comment",
	  "",
	  "iptables v1.8.9 (nf_tables): comment: option \"--comment\" must be specified\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -m multiport --dports 1,2 --sports 3",
	  "",
	  "iptables v1.8.9 (nf_tables): multiport: option \"--source-ports\" cannot be used together with \"--destination-ports\".\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp --syn --tcp-flags ALL SYN",
	  "",
	  "iptables v1.8.9 (nf_tables): Only one of `--syn' or `--tcp-flags'  allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p 256",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown protocol \"256\" specified\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-N 'bad name'",
	  "",
	  "iptables v1.8.9 (nf_tables): Invalid chain name `bad name'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-N -foo",
	  "",
	  "iptables v1.8.9 (nf_tables): chain name not allowed to start with `-'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-N ACCEPT",
	  "",
	  "iptables v1.8.9 (nf_tables): chain name may not clash with target name\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-N aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "",
	  "iptables v1.8.9 (nf_tables): chain name `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' too long (must be under 29 chars)\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp --d 2",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--d\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp --sp 1 --dp 2 --dport 3",
	  "",
	  "iptables v1.8.9 (nf_tables): Only one `--destination-port' allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -p tcp -m multiport",
	  "",
	  "iptables v1.8.9 (nf_tables): multiport expection an option\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t mangle -A INPUT -j MARK",
	  "",
	  "iptables v1.8.9 (nf_tables): MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-A INPUT -j ACCEPT",
	  "",
	  "", 0 },
	{ 1, "-D INPUT 5",
	  "",
	  "iptables: Index of deletion too big.\n"
	  "", 1 },
	{ 1, "-R INPUT 5 -j ACCEPT",
	  "",
	  "iptables: Index of replacement too big.\n"
	  "", 1 },
	{ 1, "-I INPUT 5 -j ACCEPT",
	  "",
	  "iptables: Index of insertion too big.\n"
	  "", 1 },
	{ 1, "-D INPUT -j REJECT",
	  "",
	  "iptables: Bad rule (does a matching rule exist in that chain?).\n"
	  "", 1 },
	{ 1, "-A INPUT -p tcp --dport 80:70",
	  "",
	  "iptables v1.8.9 (nf_tables): invalid portrange (min > max)\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 1, "-t mangle -A INPUT -j REJECT",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 1, "-t nat -A PREROUTING -p tcp -j REJECT",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n"
	  "", 4 },
	{ 1, "-I INPUT -j SNAT --to 1.1.1.1",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_INSERT failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 1, "-R INPUT 1 -j SNAT --to 1.1.1.1",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_REPLACE failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 1, "-A INPUT -p tcp -m tcp ! --dport 22 -m udp",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n"
	  "", 4 },
	{ 1, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-A INPUT -j ACCEPT\n"
	  "",
	  "", 0 },
	{ 2, "-N mychain",
	  "",
	  "", 0 },
	{ 2, "-A INPUT -p tcp --dport 22 -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A INPUT -s 10.0.0.0/8 -d 192.168.1.1 -i eth0 -p udp --sport 53 -j DROP",
	  "",
	  "", 0 },
	{ 2, "-A INPUT ! -s 10.1.2.3 ! -i eth+ -p icmp --icmp-type echo-request -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A INPUT -m conntrack --ctstate NEW,INVALID,SNAT,DNAT,UNTRACKED -j mychain",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -m comment --comment \"web traffic\" -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j LOG --log-prefix \"SYN: \" --log-level 4",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -p tcp --syn -j REJECT --reject-with tcp-reset",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -p udp -j REJECT",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -o eth1 -g mychain",
	  "",
	  "", 0 },
	{ 2, "-A FORWARD -p tcp ! --dport 1000:2000 ! --sport 5",
	  "",
	  "", 0 },
	{ 2, "-A mychain -j RETURN",
	  "",
	  "", 0 },
	{ 2, "-A OUTPUT -p 47 -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A OUTPUT -p icmp --icmp-type 3/4 -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A OUTPUT -p icmp --icmp-type any -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-A OUTPUT -d 1.2.3.0/255.255.255.0 -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-N mychain\n"
	  "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	  "-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32 -i eth0 -p udp -m udp --sport 53 -j DROP\n"
	  "-A INPUT ! -s 10.1.2.3/32 ! -i eth+ -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
	  "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A INPUT -m conntrack --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT -j mychain\n"
	  "-A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -m comment --comment \"web traffic\" -j ACCEPT\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j LOG --log-prefix \"SYN: \"\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset\n"
	  "-A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable\n"
	  "-A FORWARD -o eth1 -g mychain\n"
	  "-A FORWARD -p tcp -m tcp ! --sport 5 ! --dport 1000:2000\n"
	  "-A OUTPUT -p gre -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type any -j ACCEPT\n"
	  "-A OUTPUT -d 1.2.3.0/24 -j ACCEPT\n"
	  "-A mychain -j RETURN\n"
	  "",
	  "", 0 },
	{ 2, "-L",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:ssh\n"
	  "DROP       udp  --  10.0.0.0/8           192.168.1.1          udp spt:domain\n"
	  "ACCEPT     icmp -- !10.1.2.3             anywhere             icmp echo-request\n"
	  "ACCEPT     all  --  anywhere             anywhere             state RELATED,ESTABLISHED\n"
	  "mychain    all  --  anywhere             anywhere             ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     tcp  --  anywhere             anywhere             multiport dports http,https,8000:http-alt /* web traffic */\n"
	  "LOG        tcp  --  anywhere             anywhere             tcp flags:SYN,RST/SYN LOG level warn prefix \"SYN: \"\n"
	  "REJECT     tcp  --  anywhere             anywhere             tcp flags:FIN,SYN,RST,ACK/SYN reject-with tcp-reset\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-port-unreachable\n"
	  "mychain    all  --  anywhere             anywhere            [goto] \n"
	  "           tcp  --  anywhere             anywhere             tcp spt:!5 dpts:!1000:cisco-sccp\n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     gre  --  anywhere             anywhere            \n"
	  "ACCEPT     icmp --  anywhere             anywhere             icmp fragmentation-needed\n"
	  "ACCEPT     icmp --  anywhere             anywhere             icmp any\n"
	  "ACCEPT     all  --  anywhere             1.2.3.0/24          \n"
	  "\n"
	  "Chain mychain (2 references)\n"
	  "target     prot opt source               destination         \n"
	  "RETURN     all  --  anywhere             anywhere            \n"
	  "",
	  "", 0 },
	{ 2, "-L -n",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22\n"
	  "DROP       17   --  10.0.0.0/8           192.168.1.1          udp spt:53\n"
	  "ACCEPT     1    -- !10.1.2.3             0.0.0.0/0            icmptype 8\n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
	  "mychain    0    --  0.0.0.0/0            0.0.0.0/0            ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports 80,443,8000:8080 /* web traffic */\n"
	  "LOG        6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:0x06/0x02 LOG flags 0 level 4 prefix \"SYN: \"\n"
	  "REJECT     6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:0x17/0x02 reject-with tcp-reset\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-port-unreachable\n"
	  "mychain    0    --  0.0.0.0/0            0.0.0.0/0           [goto] \n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp spt:!5 dpts:!1000:2000\n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     47   --  0.0.0.0/0            0.0.0.0/0           \n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 code 4\n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 255\n"
	  "ACCEPT     0    --  0.0.0.0/0            1.2.3.0/24          \n"
	  "\n"
	  "Chain mychain (2 references)\n"
	  "target     prot opt source               destination         \n"
	  "RETURN     0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "",
	  "", 0 },
	{ 2, "-L -n -v --line-numbers",
	  "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  "num   pkts bytes target     prot opt in     out     source               destination         \n"
	  "1        0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22\n"
	  "2        0     0 DROP       17   --  eth0   *       10.0.0.0/8           192.168.1.1          udp spt:53\n"
	  "3        0     0 ACCEPT     1    --  !eth+  *      !10.1.2.3             0.0.0.0/0            icmptype 8\n"
	  "4        0     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
	  "5        0     0 mychain    0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
	  "num   pkts bytes target     prot opt in     out     source               destination         \n"
	  "1        0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 80,443,8000:8080 /* web traffic */\n"
	  "2        0     0 LOG        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x06/0x02 LOG flags 0 level 4 prefix \"SYN: \"\n"
	  "3        0     0 REJECT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x17/0x02 reject-with tcp-reset\n"
	  "4        0     0 REJECT     17   --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with icmp-port-unreachable\n"
	  "5        0     0 mychain    0    --  *      eth1    0.0.0.0/0            0.0.0.0/0           [goto] \n"
	  "6        0     0            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp spt:!5 dpts:!1000:2000\n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  "num   pkts bytes target     prot opt in     out     source               destination         \n"
	  "1        0     0 ACCEPT     47   --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
	  "2        0     0 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 3 code 4\n"
	  "3        0     0 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 255\n"
	  "4        0     0 ACCEPT     0    --  *      *       0.0.0.0/0            1.2.3.0/24          \n"
	  "\n"
	  "Chain mychain (2 references)\n"
	  "num   pkts bytes target     prot opt in     out     source               destination         \n"
	  "1        0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
	  "",
	  "", 0 },
	{ 2, "-L -v -x",
	  "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  "    pkts      bytes target     prot opt in     out     source               destination         \n"
	  "       0        0 ACCEPT     tcp  --  any    any     anywhere             anywhere             tcp dpt:ssh\n"
	  "       0        0 DROP       udp  --  eth0   any     10.0.0.0/8           192.168.1.1          udp spt:domain\n"
	  "       0        0 ACCEPT     icmp --  !eth+  any    !10.1.2.3             anywhere             icmp echo-request\n"
	  "       0        0 ACCEPT     all  --  any    any     anywhere             anywhere             state RELATED,ESTABLISHED\n"
	  "       0        0 mychain    all  --  any    any     anywhere             anywhere             ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
	  "    pkts      bytes target     prot opt in     out     source               destination         \n"
	  "       0        0 ACCEPT     tcp  --  any    any     anywhere             anywhere             multiport dports http,https,8000:http-alt /* web traffic */\n"
	  "       0        0 LOG        tcp  --  any    any     anywhere             anywhere             tcp flags:SYN,RST/SYN LOG level warn prefix \"SYN: \"\n"
	  "       0        0 REJECT     tcp  --  any    any     anywhere             anywhere             tcp flags:FIN,SYN,RST,ACK/SYN reject-with tcp-reset\n"
	  "       0        0 REJECT     udp  --  any    any     anywhere             anywhere             reject-with icmp-port-unreachable\n"
	  "       0        0 mychain    all  --  any    eth1    anywhere             anywhere            [goto] \n"
	  "       0        0            tcp  --  any    any     anywhere             anywhere             tcp spt:!5 dpts:!1000:cisco-sccp\n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  "    pkts      bytes target     prot opt in     out     source               destination         \n"
	  "       0        0 ACCEPT     gre  --  any    any     anywhere             anywhere            \n"
	  "       0        0 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp fragmentation-needed\n"
	  "       0        0 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp any\n"
	  "       0        0 ACCEPT     all  --  any    any     anywhere             1.2.3.0/24          \n"
	  "\n"
	  "Chain mychain (2 references)\n"
	  "    pkts      bytes target     prot opt in     out     source               destination         \n"
	  "       0        0 RETURN     all  --  any    any     anywhere             anywhere            \n"
	  "",
	  "", 0 },
	{ 2, "-L FORWARD 2",
	  "LOG        tcp  --  anywhere             anywhere             tcp flags:SYN,RST/SYN LOG level warn prefix \"SYN: \"\n"
	  "",
	  "", 0 },
	{ 2, "-S FORWARD",
	  "-P FORWARD ACCEPT\n"
	  "-A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -m comment --comment \"web traffic\" -j ACCEPT\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j LOG --log-prefix \"SYN: \"\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset\n"
	  "-A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable\n"
	  "-A FORWARD -o eth1 -g mychain\n"
	  "-A FORWARD -p tcp -m tcp ! --sport 5 ! --dport 1000:2000\n"
	  "",
	  "", 0 },
	{ 2, "-S FORWARD 3",
	  "-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset\n"
	  "",
	  "", 0 },
	{ 2, "save",
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":FORWARD ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  ":mychain - [0:0]\n"
	  "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	  "-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32 -i eth0 -p udp -m udp --sport 53 -j DROP\n"
	  "-A INPUT ! -s 10.1.2.3/32 ! -i eth+ -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
	  "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A INPUT -m conntrack --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT -j mychain\n"
	  "-A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -m comment --comment \"web traffic\" -j ACCEPT\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j LOG --log-prefix \"SYN: \"\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset\n"
	  "-A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable\n"
	  "-A FORWARD -o eth1 -g mychain\n"
	  "-A FORWARD -p tcp -m tcp ! --sport 5 ! --dport 1000:2000\n"
	  "-A OUTPUT -p gre -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type any -j ACCEPT\n"
	  "-A OUTPUT -d 1.2.3.0/24 -j ACCEPT\n"
	  "-A mychain -j RETURN\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "",
	  "", 0 },
	{ 2, "-D FORWARD 2",
	  "",
	  "", 0 },
	{ 2, "-D INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-C OUTPUT -p gre -j ACCEPT",
	  "",
	  "", 0 },
	{ 2, "-C OUTPUT -p gre -j DROP",
	  "",
	  "iptables: Bad rule (does a matching rule exist in that chain?).\n"
	  "", 1 },
	{ 2, "-X mychain",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain mychain\n"
	  "", 4 },
	{ 2, "-F FORWARD",
	  "",
	  "", 0 },
	{ 2, "-X mychain",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain mychain\n"
	  "", 4 },
	{ 2, "-E mychain other",
	  "",
	  "", 0 },
	{ 2, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-N other\n"
	  "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	  "-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32 -i eth0 -p udp -m udp --sport 53 -j DROP\n"
	  "-A INPUT ! -s 10.1.2.3/32 ! -i eth+ -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
	  "-A INPUT -m conntrack --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT -j other\n"
	  "-A OUTPUT -p gre -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT\n"
	  "-A OUTPUT -p icmp -m icmp --icmp-type any -j ACCEPT\n"
	  "-A OUTPUT -d 1.2.3.0/24 -j ACCEPT\n"
	  "-A other -j RETURN\n"
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 1.2.3.4:1-1023",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -o eth1 -j SNAT --to 1.2.3.4-1.2.3.9 --random --persistent",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -o eth1 -j SNAT --to 1.2.3.4 --random-fully",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -o eth1 -j MASQUERADE",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -o eth1 -p udp -j MASQUERADE --to-ports 1000-2000 --random",
	  "",
	  "", 0 },
	{ 3, "-t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080",
	  "",
	  "", 0 },
	{ 3, "-t nat -A PREROUTING -i eth0 -p tcp --dport 81 -j DNAT --to 10.0.0.1",
	  "",
	  "", 0 },
	{ 3, "-t nat -A PREROUTING -i eth0 -p tcp --dport 82 -j REDIRECT --to-ports 8080",
	  "",
	  "", 0 },
	{ 3, "-t nat -A PREROUTING -i eth0 -p tcp --dport 83 -j REDIRECT",
	  "",
	  "", 0 },
	{ 3, "-t nat -A OUTPUT -p tcp --dport 83 -j DNAT --to-destination 10.0.0.1-10.0.0.5:100-200",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -j SNAT --to 1.1.1.1 --random --random-fully --persistent",
	  "",
	  "", 0 },
	{ 3, "-t nat -A POSTROUTING -p icmp -j SNAT --to 1.1.1.1:5",
	  "",
	  "", 0 },
	{ 3, "-t nat -N u",
	  "",
	  "", 0 },
	{ 3, "-t nat -A u -j SNAT --to 1.1.1.1",
	  "",
	  "", 0 },
	{ 3, "-t nat -A PREROUTING -j u",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n"
	  "", 4 },
	{ 3, "-t nat -A POSTROUTING -j u",
	  "",
	  "", 0 },
	{ 3, "-t nat -S",
	  "-P PREROUTING ACCEPT\n"
	  "-P INPUT ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-P POSTROUTING ACCEPT\n"
	  "-N u\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 82 -j REDIRECT --to-ports 8080\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 83 -j REDIRECT\n"
	  "-A OUTPUT -p tcp -m tcp --dport 83 -j DNAT --to-destination 10.0.0.1-10.0.0.5:100-200\n"
	  "-A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 1.2.3.4:1-1023\n"
	  "-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4-1.2.3.9 --random --persistent\n"
	  "-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4 --random-fully\n"
	  "-A POSTROUTING -o eth1 -j MASQUERADE\n"
	  "-A POSTROUTING -o eth1 -p udp -j MASQUERADE --to-ports 1000-2000 --random\n"
	  "-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully --persistent\n"
	  "-A POSTROUTING -p icmp -j SNAT --to-source 1.1.1.1:5\n"
	  "-A POSTROUTING -j u\n"
	  "-A u -j SNAT --to-source 1.1.1.1\n"
	  "",
	  "", 0 },
	{ 3, "-t nat -L",
	  "Chain PREROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "DNAT       tcp  --  anywhere             anywhere             tcp dpt:http to:10.0.0.1:8080\n"
	  "DNAT       tcp  --  anywhere             anywhere             tcp dpt:81 to:10.0.0.1\n"
	  "REDIRECT   tcp  --  anywhere             anywhere             tcp dpt:82 redir ports 8080\n"
	  "REDIRECT   tcp  --  anywhere             anywhere             tcp dpt:83\n"
	  "\n"
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "DNAT       tcp  --  anywhere             anywhere             tcp dpt:83 to:10.0.0.1-10.0.0.5:100-200\n"
	  "\n"
	  "Chain POSTROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "SNAT       tcp  --  anywhere             anywhere             to:1.2.3.4:1-1023\n"
	  "SNAT       all  --  anywhere             anywhere             to:1.2.3.4-1.2.3.9 random persistent\n"
	  "SNAT       all  --  anywhere             anywhere             to:1.2.3.4 random-fully\n"
	  "MASQUERADE  all  --  anywhere             anywhere            \n"
	  "MASQUERADE  udp  --  anywhere             anywhere             masq ports: 1000-2000 random\n"
	  "SNAT       all  --  anywhere             anywhere             to:1.1.1.1 random random-fully persistent\n"
	  "SNAT       icmp --  anywhere             anywhere             to:1.1.1.1:5\n"
	  "u          all  --  anywhere             anywhere            \n"
	  "\n"
	  "Chain u (1 references)\n"
	  "target     prot opt source               destination         \n"
	  "SNAT       all  --  anywhere             anywhere             to:1.1.1.1\n"
	  "",
	  "", 0 },
	{ 3, "-t nat -L -n -v",
	  "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
	  " pkts bytes target     prot opt in     out     source               destination         \n"
	  "    0     0 DNAT       6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80 to:10.0.0.1:8080\n"
	  "    0     0 DNAT       6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:81 to:10.0.0.1\n"
	  "    0     0 REDIRECT   6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:82 redir ports 8080\n"
	  "    0     0 REDIRECT   6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:83\n"
	  "\n"
	  "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  " pkts bytes target     prot opt in     out     source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
	  " pkts bytes target     prot opt in     out     source               destination         \n"
	  "    0     0 DNAT       6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:83 to:10.0.0.1-10.0.0.5:100-200\n"
	  "\n"
	  "Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
	  " pkts bytes target     prot opt in     out     source               destination         \n"
	  "    0     0 SNAT       6    --  *      eth1    0.0.0.0/0            0.0.0.0/0            to:1.2.3.4:1-1023\n"
	  "    0     0 SNAT       0    --  *      eth1    0.0.0.0/0            0.0.0.0/0            to:1.2.3.4-1.2.3.9 random persistent\n"
	  "    0     0 SNAT       0    --  *      eth1    0.0.0.0/0            0.0.0.0/0            to:1.2.3.4 random-fully\n"
	  "    0     0 MASQUERADE  0    --  *      eth1    0.0.0.0/0            0.0.0.0/0           \n"
	  "    0     0 MASQUERADE  17   --  *      eth1    0.0.0.0/0            0.0.0.0/0            masq ports: 1000-2000 random\n"
	  "    0     0 SNAT       0    --  *      *       0.0.0.0/0            0.0.0.0/0            to:1.1.1.1 random random-fully persistent\n"
	  "    0     0 SNAT       1    --  *      *       0.0.0.0/0            0.0.0.0/0            to:1.1.1.1:5\n"
	  "    0     0 u          0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
	  "\n"
	  "Chain u (1 references)\n"
	  " pkts bytes target     prot opt in     out     source               destination         \n"
	  "    0     0 SNAT       0    --  *      *       0.0.0.0/0            0.0.0.0/0            to:1.1.1.1\n"
	  "",
	  "", 0 },
	{ 3, "save",
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*nat\n"
	  ":PREROUTING ACCEPT [0:0]\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  ":POSTROUTING ACCEPT [0:0]\n"
	  ":u - [0:0]\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 82 -j REDIRECT --to-ports 8080\n"
	  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 83 -j REDIRECT\n"
	  "-A OUTPUT -p tcp -m tcp --dport 83 -j DNAT --to-destination 10.0.0.1-10.0.0.5:100-200\n"
	  "-A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 1.2.3.4:1-1023\n"
	  "-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4-1.2.3.9 --random --persistent\n"
	  "-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4 --random-fully\n"
	  "-A POSTROUTING -o eth1 -j MASQUERADE\n"
	  "-A POSTROUTING -o eth1 -p udp -j MASQUERADE --to-ports 1000-2000 --random\n"
	  "-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully --persistent\n"
	  "-A POSTROUTING -p icmp -j SNAT --to-source 1.1.1.1:5\n"
	  "-A POSTROUTING -j u\n"
	  "-A u -j SNAT --to-source 1.1.1.1\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp -m state ! --state NEW -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp -m conntrack ! --ctstate NEW -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp -m multiport ! --dports 80,90 -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp -m multiport --ports 80,90 -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -m multiport --sports 53 -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p icmp ! --icmp-type echo-reply -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p icmp --icmp-type port-unreachable -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p icmp --icmp-type 3/200 -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --tcp-flags ALL NONE -j DROP",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp ! --syn -j DROP",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --tcp-flags ALL FIN,PSH,URG -j DROP",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -j LOG --log-level 6 --log-prefix 'a\"b'",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -j LOG --log-level debug",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -j LOG --log-level 1",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -j LOG",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -m comment --comment simple_1",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -m comment --comment \"\"",
	  "",
	  "", 0 },
	{ 4, "-A INPUT ! -p tcp",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with icmp-host-prohibited",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with net-unreach",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with icmp-admin-prohibited",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with icmp-proto-unreachable",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with icmp-net-prohibited",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp -j REJECT --reject-with icmp-host-p",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p all -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p ALL -s 1.2.3.4/255.255.0.0",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p TCP --dport 5",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -s 10.1.1.1/8",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -s 1.2.3.4/255.0.255.0",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -d 0/0",
	  "",
	  "", 0 },
	{ 4, "-A INPUT --sou 2.2.2.2 --dest 1.1.1.1 --proto tcp --in-int eth0 --jump ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --so 2",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p icmp --icmp-type ECHO-REQ",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --dport :70",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --dport 70:",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p tcp --dport http",
	  "",
	  "", 0 },
	{ 4, "-A INPUT -p udp --sport ssh:http",
	  "",
	  "", 0 },
	{ 4, "-A FORWARD -p tcp -m tcp --dport 80 -m tcp --sport 5",
	  "",
	  "", 0 },
	{ 4, "-A FORWARD ! -p tcp --dport 80",
	  "",
	  "", 0 },
	{ 4, "-A FORWARD -w -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-A FORWARD -w 5 -j ACCEPT",
	  "",
	  "", 0 },
	{ 4, "-t raw -A PREROUTING -j NOTRACK",
	  "",
	  "", 0 },
	{ 4, "-t raw -A PREROUTING -j CT --notrack",
	  "",
	  "", 0 },
	{ 4, "-t mangle -A PREROUTING -j MARK --set-mark 5",
	  "",
	  "", 0 },
	{ 4, "-t mangle -A PREROUTING -j MARK --set-xmark 5/0xff",
	  "",
	  "", 0 },
	{ 4, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-A INPUT -p tcp -m state ! --state NEW -j ACCEPT\n"
	  "-A INPUT -p tcp -m conntrack ! --ctstate NEW -j ACCEPT\n"
	  "-A INPUT -p tcp -m multiport ! --dports 80,90 -j ACCEPT\n"
	  "-A INPUT -p tcp -m multiport --ports 80,90 -j ACCEPT\n"
	  "-A INPUT -p udp -m multiport --sports 53 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp ! --icmp-type 0 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 3/200 -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP\n"
	  "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,PSH,URG -j DROP\n"
	  "-A INPUT -j LOG --log-prefix \"a\\\"b\" --log-level 6\n"
	  "-A INPUT -j LOG --log-level 7\n"
	  "-A INPUT -j LOG --log-level 1\n"
	  "-A INPUT -j LOG\n"
	  "-A INPUT -m comment --comment simple_1\n"
	  "-A INPUT -m comment --comment \"\"\n"
	  "-A INPUT ! -p tcp\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-host-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-net-unreachable\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-admin-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-proto-unreachable\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-net-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-host-prohibited\n"
	  "-A INPUT -j ACCEPT\n"
	  "-A INPUT -s 1.2.0.0/16\n"
	  "-A INPUT -p tcp -m tcp --dport 5\n"
	  "-A INPUT -s 10.0.0.0/8\n"
	  "-A INPUT -s 1.0.3.0/255.0.255.0\n"
	  "-A INPUT\n"
	  "-A INPUT -s 2.2.2.2/32 -d 1.1.1.1/32 -i eth0 -p tcp -j ACCEPT\n"
	  "-A INPUT -s 2.0.0.0/32 -p tcp\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 8\n"
	  "-A INPUT -p tcp -m tcp --dport 0:70\n"
	  "-A INPUT -p tcp -m tcp --dport 70:65535\n"
	  "-A INPUT -p tcp -m tcp --dport 80\n"
	  "-A INPUT -p udp -m udp --sport 22:80\n"
	  "-A FORWARD -p tcp -m tcp --sport 5 --dport 80\n"
	  "-A FORWARD ! -p tcp -m tcp --dport 80\n"
	  "-A FORWARD -j ACCEPT\n"
	  "-A FORWARD -j ACCEPT\n"
	  "",
	  "", 0 },
	{ 4, "-L",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     tcp  --  anywhere             anywhere             ! state NEW\n"
	  "ACCEPT     tcp  --  anywhere             anywhere             ! ctstate NEW\n"
	  "ACCEPT     tcp  --  anywhere             anywhere             multiport dports  !http,90\n"
	  "ACCEPT     tcp  --  anywhere             anywhere             multiport ports http,90\n"
	  "ACCEPT     udp  --  anywhere             anywhere             multiport sports domain\n"
	  "ACCEPT     icmp --  anywhere             anywhere             icmp !echo-reply\n"
	  "ACCEPT     icmp --  anywhere             anywhere             icmp port-unreachable\n"
	  "ACCEPT     icmp --  anywhere             anywhere             icmptype 3 code 200\n"
	  "DROP       tcp  --  anywhere             anywhere             tcp flags:FIN,SYN,RST,PSH,ACK,URG/NONE\n"
	  "DROP       tcp  --  anywhere             anywhere             tcp flags:!FIN,SYN,RST,ACK/SYN\n"
	  "DROP       tcp  --  anywhere             anywhere             tcp flags:FIN,SYN,RST,PSH,ACK,URG/FIN,PSH,URG\n"
	  "LOG        all  --  anywhere             anywhere             LOG level info prefix \"a\"b\"\n"
	  "LOG        all  --  anywhere             anywhere             LOG level debug\n"
	  "LOG        all  --  anywhere             anywhere             LOG level alert\n"
	  "LOG        all  --  anywhere             anywhere             LOG level warn\n"
	  "           all  --  anywhere             anywhere             /* simple_1 */\n"
	  "           all  --  anywhere             anywhere             /*  */\n"
	  "          !tcp  --  anywhere             anywhere            \n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-host-prohibited\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-net-unreachable\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-admin-prohibited\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-proto-unreachable\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-net-prohibited\n"
	  "REJECT     udp  --  anywhere             anywhere             reject-with icmp-host-prohibited\n"
	  "ACCEPT     all  --  anywhere             anywhere            \n"
	  "           all  --  1.2.0.0/16           anywhere            \n"
	  "           tcp  --  anywhere             anywhere             tcp dpt:5\n"
	  "           all  --  10.0.0.0/8           anywhere            \n"
	  "           all  --  1.0.3.0/255.0.255.0  anywhere            \n"
	  "           all  --  anywhere             anywhere            \n"
	  "ACCEPT     tcp  --  2.2.2.2              1.1.1.1             \n"
	  "           tcp  --  2.0.0.0              anywhere            \n"
	  "           icmp --  anywhere             anywhere             icmp echo-request\n"
	  "           tcp  --  anywhere             anywhere             tcp dpts:0:gopher\n"
	  "           tcp  --  anywhere             anywhere             tcp dpts:gopher:65535\n"
	  "           tcp  --  anywhere             anywhere             tcp dpt:http\n"
	  "           udp  --  anywhere             anywhere             udp spts:22:80\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "           tcp  --  anywhere             anywhere             tcp spt:5 dpt:http\n"
	  "          !tcp  --  anywhere             anywhere             tcp dpt:http\n"
	  "ACCEPT     all  --  anywhere             anywhere            \n"
	  "ACCEPT     all  --  anywhere             anywhere            \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 4, "-L -n",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            ! state NEW\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            ! ctstate NEW\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports  !80,90\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport ports 80,90\n"
	  "ACCEPT     17   --  0.0.0.0/0            0.0.0.0/0            multiport sports 53\n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmp !type 0\n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 code 3\n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 code 200\n"
	  "DROP       6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:0x3F/0x00\n"
	  "DROP       6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:!0x17/0x02\n"
	  "DROP       6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:0x3F/0x29\n"
	  "LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 6 prefix \"a\"b\"\n"
	  "LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 7\n"
	  "LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 1\n"
	  "LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4\n"
	  "           0    --  0.0.0.0/0            0.0.0.0/0            /* simple_1 */\n"
	  "           0    --  0.0.0.0/0            0.0.0.0/0            /*  */\n"
	  "          !6    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-host-prohibited\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-net-unreachable\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-admin-prohibited\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-proto-unreachable\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-net-prohibited\n"
	  "REJECT     17   --  0.0.0.0/0            0.0.0.0/0            reject-with icmp-host-prohibited\n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "           0    --  1.2.0.0/16           0.0.0.0/0           \n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:5\n"
	  "           0    --  10.0.0.0/8           0.0.0.0/0           \n"
	  "           0    --  1.0.3.0/255.0.255.0  0.0.0.0/0           \n"
	  "           0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "ACCEPT     6    --  2.2.2.2              1.1.1.1             \n"
	  "           6    --  2.0.0.0              0.0.0.0/0           \n"
	  "           1    --  0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp dpts:0:70\n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp dpts:70:65535\n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:80\n"
	  "           17   --  0.0.0.0/0            0.0.0.0/0            udp spts:22:80\n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "           6    --  0.0.0.0/0            0.0.0.0/0            tcp spt:5 dpt:80\n"
	  "          !6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:80\n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 4, "-t raw -L -n",
	  "Chain PREROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "CT         0    --  0.0.0.0/0            0.0.0.0/0            NOTRACK\n"
	  "CT         0    --  0.0.0.0/0            0.0.0.0/0            CT notrack\n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 4, "-t mangle -S",
	  "-P PREROUTING ACCEPT\n"
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-P POSTROUTING ACCEPT\n"
	  "-A PREROUTING -j MARK --set-xmark 0x5/0xffffffff\n"
	  "-A PREROUTING -j MARK --set-xmark 0x5/0xff\n"
	  "",
	  "", 0 },
	{ 4, "-t mangle -L -n",
	  "Chain PREROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "MARK       0    --  0.0.0.0/0            0.0.0.0/0            MARK set 0x5\n"
	  "MARK       0    --  0.0.0.0/0            0.0.0.0/0            MARK xset 0x5/0xff\n"
	  "\n"
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain POSTROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 4, "save",
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*mangle\n"
	  ":PREROUTING ACCEPT [0:0]\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":FORWARD ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  ":POSTROUTING ACCEPT [0:0]\n"
	  "-A PREROUTING -j MARK --set-xmark 0x5/0xffffffff\n"
	  "-A PREROUTING -j MARK --set-xmark 0x5/0xff\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*raw\n"
	  ":PREROUTING ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  "-A PREROUTING -j NOTRACK\n"
	  "-A PREROUTING -j CT --notrack\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":FORWARD ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  "-A INPUT -p tcp -m state ! --state NEW -j ACCEPT\n"
	  "-A INPUT -p tcp -m conntrack ! --ctstate NEW -j ACCEPT\n"
	  "-A INPUT -p tcp -m multiport ! --dports 80,90 -j ACCEPT\n"
	  "-A INPUT -p tcp -m multiport --ports 80,90 -j ACCEPT\n"
	  "-A INPUT -p udp -m multiport --sports 53 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp ! --icmp-type 0 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 3/200 -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP\n"
	  "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,PSH,URG -j DROP\n"
	  "-A INPUT -j LOG --log-prefix \"a\\\"b\" --log-level 6\n"
	  "-A INPUT -j LOG --log-level 7\n"
	  "-A INPUT -j LOG --log-level 1\n"
	  "-A INPUT -j LOG\n"
	  "-A INPUT -m comment --comment simple_1\n"
	  "-A INPUT -m comment --comment \"\"\n"
	  "-A INPUT ! -p tcp\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-host-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-net-unreachable\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-admin-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-proto-unreachable\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-net-prohibited\n"
	  "-A INPUT -p udp -j REJECT --reject-with icmp-host-prohibited\n"
	  "-A INPUT -j ACCEPT\n"
	  "-A INPUT -s 1.2.0.0/16\n"
	  "-A INPUT -p tcp -m tcp --dport 5\n"
	  "-A INPUT -s 10.0.0.0/8\n"
	  "-A INPUT -s 1.0.3.0/255.0.255.0\n"
	  "-A INPUT\n"
	  "-A INPUT -s 2.2.2.2/32 -d 1.1.1.1/32 -i eth0 -p tcp -j ACCEPT\n"
	  "-A INPUT -s 2.0.0.0/32 -p tcp\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 8\n"
	  "-A INPUT -p tcp -m tcp --dport 0:70\n"
	  "-A INPUT -p tcp -m tcp --dport 70:65535\n"
	  "-A INPUT -p tcp -m tcp --dport 80\n"
	  "-A INPUT -p udp -m udp --sport 22:80\n"
	  "-A FORWARD -p tcp -m tcp --sport 5 --dport 80\n"
	  "-A FORWARD ! -p tcp -m tcp --dport 80\n"
	  "-A FORWARD -j ACCEPT\n"
	  "-A FORWARD -j ACCEPT\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "",
	  "", 0 },
	{ 5, "-N zeta",
	  "",
	  "", 0 },
	{ 5, "-N alpha",
	  "",
	  "", 0 },
	{ 5, "-N Beta",
	  "",
	  "", 0 },
	{ 5, "-A INPUT -j zeta",
	  "",
	  "", 0 },
	{ 5, "-A zeta -j alpha",
	  "",
	  "", 0 },
	{ 5, "-A alpha -j zeta",
	  "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain alpha\n"
	  "", 4 },
	{ 5, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-N Beta\n"
	  "-N alpha\n"
	  "-N zeta\n"
	  "-A INPUT -j zeta\n"
	  "-A zeta -j alpha\n"
	  "",
	  "", 0 },
	{ 5, "-L -n",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "zeta       0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain Beta (0 references)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain alpha (1 references)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain zeta (1 references)\n"
	  "target     prot opt source               destination         \n"
	  "alpha      0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "",
	  "", 0 },
	{ 5, "save",
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":FORWARD ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  ":Beta - [0:0]\n"
	  ":alpha - [0:0]\n"
	  ":zeta - [0:0]\n"
	  "-A INPUT -j zeta\n"
	  "-A zeta -j alpha\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "",
	  "", 0 },
	{ 6, "-F",
	  "",
	  "", 0 },
	{ 6, "-Z",
	  "",
	  "", 0 },
	{ 6, "-X",
	  "",
	  "", 0 },
	{ 6, "-L",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 6, "save",
	  "",
	  "", 0 },
	{ 7, "-N c1",
	  "",
	  "", 0 },
	{ 7, "-A c1 -j ACCEPT",
	  "",
	  "", 0 },
	{ 7, "-X c1",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain c1\n"
	  "", 4 },
	{ 7, "-A INPUT -j c1",
	  "",
	  "", 0 },
	{ 7, "-F c1",
	  "",
	  "", 0 },
	{ 7, "-X c1",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain c1\n"
	  "", 4 },
	{ 7, "-X",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain c1\n"
	  "", 4 },
	{ 7, "-N c2",
	  "",
	  "", 0 },
	{ 7, "-A INPUT -j c2",
	  "",
	  "", 0 },
	{ 7, "-X c2",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain c2\n"
	  "", 4 },
	{ 7, "-X",
	  "",
	  "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain c1\n"
	  "", 4 },
	{ 7, "-I INPUT 2 -j DROP",
	  "",
	  "", 0 },
	{ 7, "-I INPUT 4 -j DROP",
	  "",
	  "", 0 },
	{ 7, "-I INPUT -j LOG",
	  "",
	  "", 0 },
	{ 7, "-R INPUT 2 -p tcp -j ACCEPT",
	  "",
	  "", 0 },
	{ 7, "-S",
	  "-P INPUT ACCEPT\n"
	  "-P FORWARD ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-N c1\n"
	  "-N c2\n"
	  "-A INPUT -j LOG\n"
	  "-A INPUT -p tcp -j ACCEPT\n"
	  "-A INPUT -j DROP\n"
	  "-A INPUT -j c2\n"
	  "-A INPUT -j DROP\n"
	  "",
	  "", 0 },
	{ 7, "-L -n --line-numbers",
	  "Chain INPUT (policy ACCEPT)\n"
	  "num  target     prot opt source               destination         \n"
	  "1    LOG        0    --  0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4\n"
	  "2    ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "3    DROP       0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "4    c2         0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "5    DROP       0    --  0.0.0.0/0            0.0.0.0/0           \n"
	  "\n"
	  "Chain FORWARD (policy ACCEPT)\n"
	  "num  target     prot opt source               destination         \n"
	  "\n"
	  "Chain OUTPUT (policy ACCEPT)\n"
	  "num  target     prot opt source               destination         \n"
	  "\n"
	  "Chain c1 (0 references)\n"
	  "num  target     prot opt source               destination         \n"
	  "\n"
	  "Chain c2 (1 references)\n"
	  "num  target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 7, "-P FORWARD DROP",
	  "",
	  "", 0 },
	{ 7, "-L FORWARD",
	  "Chain FORWARD (policy DROP)\n"
	  "target     prot opt source               destination         \n"
	  "",
	  "", 0 },
	{ 7, "save",
	  "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":FORWARD DROP [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n"
	  ":c1 - [0:0]\n"
	  ":c2 - [0:0]\n"
	  "-A INPUT -j LOG\n"
	  "-A INPUT -p tcp -j ACCEPT\n"
	  "-A INPUT -j DROP\n"
	  "-A INPUT -j c2\n"
	  "-A INPUT -j DROP\n"
	  "COMMIT\n"
	  "# Completed on Thu Jan  1 00:00:00 1970\n"
	  "",
	  "", 0 },
	/* block 8: one match given twice (accepted by iptables 1.8.9; tcp and
	 * udp options printed back as one match by iptables-nft) */
	{ 8, "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate DNAT -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -m state --state NEW -m conntrack --ctstate NEW -m state --state INVALID",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -m comment --comment a -m comment --comment b -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m multiport --dports 80 -m tcp --dport 5 -m multiport --sports 7 -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p icmp -m icmp --icmp-type 8 -m icmp --icmp-type 0 -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m tcp --dport 80 -m state --state NEW -m tcp --sport 5 -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m tcp ! --dport 80 -m tcp --dport 81 -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m tcp -m state --state NEW -m tcp --dport 7 -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m tcp --syn -m tcp --tcp-flags ALL ACK -j ACCEPT",
	  "",
	  "", 0 },
	{ 8, "-S INPUT",
	  "-P INPUT ACCEPT\n"
	  "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate DNAT -j ACCEPT\n"
	  "-A INPUT -m state --state NEW -m conntrack --ctstate NEW -m state --state INVALID\n"
	  "-A INPUT -m comment --comment a -m comment --comment b -j ACCEPT\n"
	  "-A INPUT -p tcp -m multiport --dports 80 -m tcp --dport 5 -m multiport --sports 7 -j ACCEPT\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 8 -m icmp --icmp-type 0 -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp --sport 5 --dport 80 -m state --state NEW -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp ! --dport 81 -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp -m state --state NEW -m tcp --dport 7 -j ACCEPT\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG ACK -j ACCEPT\n"
	  "",
	  "", 0 },
	{ 8, "-L INPUT -n",
	  "Chain INPUT (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            ctstate NEW ctstate DNAT\n"
	  "           0    --  0.0.0.0/0            0.0.0.0/0            state NEW ctstate NEW state INVALID\n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            /* a */ /* b */\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports 80 tcp dpt:5 multiport sports 7\n"
	  "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 8 icmptype 0\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp spt:5 dpt:80 state NEW\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:!81\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp state NEW tcp dpt:7\n"
	  "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp flags:0x3F/0x10\n"
	  "",
	  "", 0 },
	/* the single-use checks of one instance stay */
	{ 8, "-A INPUT -m conntrack --ctstate NEW --ctstate DNAT",
	  "",
	  "iptables v1.8.9 (nf_tables): conntrack: option \"--ctstate\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -m conntrack --ctstate NEW -m conntrack",
	  "",
	  "iptables v1.8.9 (nf_tables): conntrack: At least one option is required\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -m comment --comment a -m comment --comment b --comment c",
	  "",
	  "iptables v1.8.9 (nf_tables): comment: option \"--comment\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -p tcp -m tcp --dport 1 -m tcp --dport 2 --dport 3",
	  "",
	  "iptables v1.8.9 (nf_tables): Only one `--destination-port' allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -m state --state NEW -m conntrack --state NEW",
	  "",
	  "iptables v1.8.9 (nf_tables): state: option \"--state\" can only be used once.\n"
	  "\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctst DNAT",
	  "",
	  "iptables v1.8.9 (nf_tables): unknown option \"--ctst\"\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -p tcp -p udp",
	  "",
	  "iptables v1.8.9 (nf_tables): multiple -p flags not allowed\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	/* CT --helper and -m helper (Linux 6.18, iptables 1.8.9; the kernel logs
	 * "xt_CT: You must specify a L4 protocol and not use inversions on it"
	 * and "xt_CT: No such helper \"foo\"" for the refusals) */
	{ 31, "-t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp", "", "", 0 },
	{ 31, "-t raw -A PREROUTING -p tcp -j CT --notrack --helper ftp", "", "", 0 },
	{ 31, "-t raw -A PREROUTING -j CT --helper ftp", "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain PREROUTING\n", 4 },
	{ 31, "-t raw -A PREROUTING -p tcp -j CT --helper foo", "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain PREROUTING\n", 4 },
	{ 31, "-t raw -A PREROUTING -p udp -j CT --helper ftp", "",
	  "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain PREROUTING\n", 4 },
	{ 31, "-A FORWARD -m helper --helper ftp -j ACCEPT", "", "", 0 },
	{ 31, "-A FORWARD -m helper ! --helper ftp", "", "", 0 },
	{ 31, "-t raw -S",
	  "-P PREROUTING ACCEPT\n"
	  "-P OUTPUT ACCEPT\n"
	  "-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp\n"
	  "-A PREROUTING -p tcp -j CT --notrack --helper ftp\n",
	  "", 0 },
	{ 31, "-t raw -L PREROUTING -n",
	  "Chain PREROUTING (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "CT         6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:21 CT helper ftp\n"
	  "CT         6    --  0.0.0.0/0            0.0.0.0/0            CT notrack helper ftp\n",
	  "", 0 },
	{ 31, "-S FORWARD",
	  "-P FORWARD ACCEPT\n"
	  "-A FORWARD -m helper --helper ftp -j ACCEPT\n"
	  "-A FORWARD -m helper ! --helper ftp\n",
	  "", 0 },
	{ 31, "-L FORWARD -n",
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            helper match \"ftp\"\n"
	  "           0    --  0.0.0.0/0            0.0.0.0/0            helper match ! \"ftp\"\n",
	  "", 0 },
	{ 31, "-L FORWARD",
	  "Chain FORWARD (policy ACCEPT)\n"
	  "target     prot opt source               destination         \n"
	  "ACCEPT     all  --  anywhere             anywhere             helper match \"ftp\"\n"
	  "           all  --  anywhere             anywhere             helper match ! \"ftp\"\n",
	  "", 0 },
	{ 8, "-A INPUT -p tcp -m tcp --sport 1 -m udp --sport 2",
	  "",
	  "iptables v1.8.9 (nf_tables): UDP match requires '-p udp'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
	{ 8, "-A INPUT -m tcp --dport 1",
	  "",
	  "iptables v1.8.9 (nf_tables): TCP match requires '-p tcp'\n"
	  "Try `iptables -h' or 'iptables --help' for more information.\n"
	  "", 2 },
};

static void show_diff(const char *what, const char *cmd, const char *want, const char *got)
{
	fprintf(stderr, "  %s of `%s`\n  --- real iptables\n%s  --- natsim\n%s", what, cmd, want, got);
}

static void test_real_texts(void)
{
	struct nf_ns *ns = NULL;
	int block = -1, distinct_errors = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_real); i++) {
		const struct ipt_real *c = &ipt_real[i];
		if (c->block != block) {
			if (ns)
				ns_free(ns);
			ns = ns_new();
			block = c->block;
		}
		GString *o = g_string_new(NULL), *e = g_string_new(NULL);
		int rc;
		if (strcmp(c->cmd, "save") == 0) {
			char *argv[] = { (char *)"iptables-save", NULL };
			rc = nf_cmd_iptables_save(ns, 1, argv, o, e);
		} else {
			rc = ipt(ns, c->cmd, o, e, false);
		}
		bool ok = rc == c->rc && strcmp(o->str, c->out) == 0 && strcmp(e->str, c->err) == 0;
		CHECK(ok, "block %d `%s`: rc %d (real %d)", c->block, c->cmd, rc, c->rc);
		if (!ok) {
			if (strcmp(o->str, c->out))
				show_diff("stdout", c->cmd, c->out, o->str);
			if (strcmp(e->str, c->err))
				show_diff("stderr", c->cmd, c->err, e->str);
		}
		if (c->rc == 2 && ok)
			distinct_errors++;
		g_string_free(o, TRUE);
		g_string_free(e, TRUE);
	}
	if (ns)
		ns_free(ns);
	CHECK(distinct_errors >= 20, "only %d parameter errors match", distinct_errors);
}

/* ----- iptables-save / iptables-restore ----- */

static void test_save_restore(void)
{
	struct nf_ns *ns = ns_new();
	CHECK(ns->ipt->tables[IPT_FILTER].touched == false, "fresh table untouched");
	ipt_ok(ns, "-N web");
	ipt_ok(ns, "-A FORWARD -i eth0 -o eth1 -p tcp -m multiport --dports 80,443 -m comment --comment \"a b\" -j web");
	ipt_ok(ns, "-A web -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
	ipt_ok(ns, "-A web -j LOG --log-prefix \"web: \" --log-level 6");
	ipt_ok(ns, "-P FORWARD DROP");
	ipt_ok(ns, "-t nat -A POSTROUTING -o eth1 -p udp -j SNAT --to-source 203.0.113.1-203.0.113.5:1024-2047 --random");
	ipt_ok(ns, "-t nat -A PREROUTING -i eth1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80");
	CHECK(ns->nat_loaded && ns->ct_loaded, "-t nat loads nat and conntrack");
	char *argv[] = { (char *)"iptables-save", NULL };
	GString *s1 = g_string_new(NULL), *s2 = g_string_new(NULL), *o = g_string_new(NULL),
		*e = g_string_new(NULL);
	CHECK(nf_cmd_iptables_save_at(ns, 1, argv, s1, e, 3600LL * 1000000000LL) == 0, "save");
	CHECK(strstr(s1->str, "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 01:00:00 1970\n*filter\n") != NULL,
	      "save header: %s", s1->str);
	CHECK(strstr(s1->str, "-A FORWARD -i eth0 -o eth1 -p tcp -m multiport --dports 80,443 -m comment --comment \"a b\" -j web\n") != NULL,
	      "save rule: %s", s1->str);
	CHECK(strstr(s1->str, "-A POSTROUTING -o eth1 -p udp -j SNAT --to-source 203.0.113.1-203.0.113.5:1024-2047 --random\n") != NULL,
	      "save snat: %s", s1->str);
	/* restore into a fresh namespace, save again: identical */
	struct nf_ns *ns2 = ns_new();
	int rc = nf_cmd_iptables_restore(ns2, s1->str, o, e, false, 0);
	CHECK(rc == 0, "restore: %s", e->str);
	CHECK(nf_cmd_iptables_save_at(ns2, 1, argv, s2, e, 3600LL * 1000000000LL) == 0, "save 2");
	CHECK(strcmp(s1->str, s2->str) == 0, "round trip:\n%s---\n%s", s1->str, s2->str);
	CHECK(ns2->nat_loaded, "restore of *nat loads nat");
	/* restore replaces (flushes) the tables it names */
	g_string_truncate(e, 0);
	rc = nf_cmd_iptables_restore(ns2, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n", o, e, false, 0);
	CHECK(rc == 0, "restore 2: %s", e->str);
	g_string_truncate(s2, 0);
	char *argv_f[] = { (char *)"iptables-save", (char *)"-t", (char *)"filter", NULL };
	nf_cmd_iptables_save(ns2, 3, argv_f, s2, e);
	CHECK(strcmp(s2->str, "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n"
			      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
			      "-A INPUT -j DROP\nCOMMIT\n# Completed on Thu Jan  1 00:00:00 1970\n") == 0,
	      "flushed: %s", s2->str);
	/* errors, as iptables-restore prints them; a failed block is rolled back.
	 * A missing jump target is reported at the COMMIT line (nft backend). */
	static const struct { const char *in, *err; int rc; } bad[] = {
		{ "*filter\n-A INPUT -j FOO\nCOMMIT\n",
		  "iptables-restore v1.8.9 (nf_tables): Chain 'FOO' does not exist\nError occurred at line: 3\n"
		  "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "*filter\n-A INPUT --foo\nCOMMIT\n",
		  "iptables-restore v1.8.9 (nf_tables): unknown option \"--foo\"\nError occurred at line: 2\n"
		  "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "*filter\n-A INPUT -j ACCEPT\n", "iptables-restore: COMMIT expected at line 3\n", 1 },
		{ "*foo\nCOMMIT\n",
		  "iptables-restore v1.8.9 (nf_tables): iptables-restore: line 1 table name 'foo' invalid\n"
		  "Error occurred at line: 1\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "-A INPUT -j ACCEPT\n", "iptables-restore: line 1 failed\n", 1 },
		{ "*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n", "iptables-restore: line 2 failed: Bad policy name.\n", 1 },
		{ "*filter\n*nat\nCOMMIT\n",
		  "Bad argument `*nat'\nError occurred at line: 2\n"
		  "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "*filter\n-A INPUT -s ! 1.2.3.4\nCOMMIT\n",
		  "Bad argument `1.2.3.4'\nError occurred at line: 2\n"
		  "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "*nat\n-A INPUT -j DROP\nCOMMIT\n",
		  "iptables-restore v1.8.9 (nf_tables): \nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\n"
		  "Error occurred at line: 2\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n", 2 },
		{ "*filter\n-A INPUT -j REJECT --reject-with tcp-reset\nCOMMIT\n",
		  "iptables-restore v1.8.9 (nf_tables): \nline 2: RULE_APPEND failed (Invalid argument): rule in chain INPUT\n", 4 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_string_truncate(e, 0);
		rc = nf_cmd_iptables_restore(ns2, bad[i].in, o, e, false, 0);
		CHECK(rc == bad[i].rc && strcmp(e->str, bad[i].err) == 0,
		      "restore error %u: rc %d\n%s--- want\n%s", i, rc, e->str, bad[i].err);
	}
	g_string_truncate(s2, 0);
	nf_cmd_iptables_save(ns2, 3, argv_f, s2, e);
	CHECK(strstr(s2->str, "-A INPUT -j DROP\nCOMMIT") != NULL, "rolled back: %s", s2->str);
	/* counters: ignored without -c, kept with -c */
	char *argv_c[] = { (char *)"iptables-restore", (char *)"-c", NULL };
	rc = nf_cmd_iptables_restore_args(ns2, 2, argv_c, "*filter\n:INPUT ACCEPT [5:100]\n[3:4] -A INPUT -j ACCEPT\nCOMMIT\n",
					  o, e, false, 0);
	CHECK(rc == 0, "restore -c");
	uint64_t pk = 0;
	CHECK(nf_ipt_rule_packets(ns2, "filter", "INPUT", 1, &pk) && pk == 3, "restored counter %lu", (unsigned long)pk);
	/* --noflush keeps what is there */
	char *argv_n[] = { (char *)"iptables-restore", (char *)"--noflush", NULL };
	rc = nf_cmd_iptables_restore_args(ns2, 2, argv_n, "*filter\n-A INPUT -j DROP\nCOMMIT\n", o, e, false, 0);
	CHECK(rc == 0 && ns2->ipt->tables[IPT_FILTER].hook_chain[NF_INET_LOCAL_IN]->rules->len == 2, "noflush");
	/* dry run changes nothing */
	struct nf_ns *ns3 = ns_new();
	rc = nf_cmd_iptables_restore(ns3, s1->str, o, e, true, 0);
	CHECK(rc == 0 && !ns3->ipt->tables[IPT_FILTER].touched && !ns3->nat_loaded, "restore dry run");
	ns_free(ns3);
	ns_free(ns2);
	ns_free(ns);
	g_string_free(s1, TRUE);
	g_string_free(s2, TRUE);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
}

static void test_dry_run(void)
{
	struct nf_ns *ns = ns_new();
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	CHECK(ipt(ns, "-A INPUT -j mychain", o, e, true) == 0, "unknown chain accepted in dry run");
	CHECK(ipt(ns, "-t nat -A POSTROUTING -o eth0 -j MASQUERADE", o, e, true) == 0, "dry nat");
	CHECK(!ns->nat_loaded && !ns->ipt->tables[IPT_NAT].touched &&
	      ns->ipt->tables[IPT_NAT].hook_chain[NF_INET_POST_ROUTING]->rules->len == 0, "dry run changed state");
	CHECK(ipt(ns, "-A INPUT --dport 80", o, e, true) == 2, "dry run still parses");
	g_string_truncate(e, 0);
	CHECK(ipt(ns, "-A INPUT -j SNAT --to 1.2.3.4", o, e, true) == 4, "dry run checks targets: %s", e->str);
	CHECK(ipt(ns, "-A INPUT -m state --state NEW", o, e, true) == 0 && !ns->ct_loaded, "dry ct");
	ipt_ok(ns, "-A INPUT -m state --state NEW");
	CHECK(ns->ct_loaded, "state match loads conntrack");
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	ns_free(ns);
}

/* ----- the packet path ----- */

static uint8_t frame[1600];


/* An IPv4 packet after a 14-byte Ethernet header; returns the skb. */
static struct nf_skb mkpkt(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
			   uint16_t dport, uint8_t tcpflags, uint16_t frag)
{
	memset(frame, 0, sizeof(frame));
	for (int i = 0; i < 6; i++) {
		frame[i] = (uint8_t)(0x02 + i);
		frame[6 + i] = (uint8_t)(0x12 + i);
	}
	frame[12] = 0x08;
	uint8_t *ip = frame + 14;
	unsigned l4 = proto == 6 ? 20 : 8;
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + l4));
	wr16(ip + 4, 1234);
	wr16(ip + 6, frag ? frag : 0x4000);
	ip[8] = 63;
	ip[9] = proto;
	wr32(ip + 12, src);
	wr32(ip + 16, dst);
	uint8_t *t = ip + 20;
	if (proto == 6) {
		wr16(t, sport);
		wr16(t + 2, dport);
		t[12] = 0x50;
		t[13] = tcpflags;
		wr16(t + 14, 64240);
	} else if (proto == 17) {
		wr16(t, sport);
		wr16(t + 2, dport);
		wr16(t + 4, 8);
	} else if (proto == 1) {
		t[0] = (uint8_t)sport; /* type */
		t[1] = (uint8_t)dport; /* code */
		wr16(t + 4, 77);
		wr16(t + 6, 1);
	}
	struct nf_skb skb = { .ip = ip, .len = 20 + l4 };
	return skb;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void test_traversal(void)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry ct;
	memset(&ct, 0, sizeof(ct));
	ipt_ok(ns, "-P FORWARD DROP");
	ipt_ok(ns, "-N web");
	ipt_ok(ns, "-N deny");
	ipt_ok(ns, "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
	ipt_ok(ns, "-A FORWARD -i eth0 -o eth+ -p tcp -j web");
	ipt_ok(ns, "-A FORWARD -p udp --dport 53 -j ACCEPT");
	ipt_ok(ns, "-A FORWARD -p udp -j REJECT --reject-with icmp-admin-prohibited");
	ipt_ok(ns, "-A FORWARD -p icmp --icmp-type echo-request -j ACCEPT");
	ipt_ok(ns, "-A web -p tcp -m multiport --dports 22,8000:8100 -g deny");
	ipt_ok(ns, "-A web -p tcp --dport 80 --tcp-flags SYN,ACK SYN -j LOG --log-prefix \"WEB \"");
	ipt_ok(ns, "-A web -p tcp --dport 80 -j ACCEPT");
	ipt_ok(ns, "-A web -s 10.9.0.0/16");
	ipt_ok(ns, "-A deny -p tcp --dport 22 -j REJECT --reject-with tcp-reset");
	ipt_ok(ns, "-A deny -j RETURN");

	struct nf_skb skb;
	int v;
	/* NEW tcp to 80 from eth0 to eth1: LOG then ACCEPT in web */
	g_string_truncate(klog_text, 0);
	skb = mkpkt(6, IP(192, 168, 1, 2), IP(203, 0, 113, 20), 40000, 80, 0x02, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_ACCEPT, "web accept: %d", v);
	CHECK(strcmp(klog_text->str,
		     "WEB IN=eth0 OUT=eth1 MAC=02:03:04:05:06:07:12:13:14:15:16:17:08:00 SRC=192.168.1.2 "
		     "DST=203.0.113.20 LEN=40 TOS=0x00 PREC=0x00 TTL=63 ID=1234 DF PROTO=TCP SPT=40000 "
		     "DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0 \n") == 0, "LOG line: %s", klog_text->str);
	uint64_t pk;
	CHECK(nf_ipt_rule_packets(ns, "filter", "FORWARD", 2, &pk) && pk == 1, "jump counted");
	CHECK(nf_ipt_rule_packets(ns, "filter", "web", 2, &pk) && pk == 1, "log counted");
	CHECK(nf_ipt_rule_packets(ns, "filter", "web", 3, &pk) && pk == 1, "accept counted");
	CHECK(!nf_ipt_rule_packets(ns, "filter", "web", 9, &pk), "no rule 9");
	/* the same packet ESTABLISHED: first rule */
	skb.ctinfo = IP_CT_ESTABLISHED_REPLY;
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth1", "eth0", 0);
	CHECK(v == NF_ACCEPT && ns->ipt->tables[0].hook_chain[2]->rules->len && nf_ipt_rule_packets(ns, "filter", "FORWARD", 1, &pk) && pk == 1,
	      "established");
	/* ssh: goto deny -> REJECT tcp-reset */
	skb = mkpkt(6, IP(192, 168, 1, 2), IP(203, 0, 113, 20), 40001, 22, 0x02, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_REJECT && skb.reject_with == NF_REJECT_TCP_RESET, "ssh reject %d", v);
	/* 8050: goto deny, RETURN from a goto'd chain returns past the jump of
	 * FORWARD (the caller of web): falls to the policy DROP */
	skb = mkpkt(6, IP(10, 9, 1, 1), IP(203, 0, 113, 20), 40002, 8050, 0x02, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	struct ipt_chain *fwd = ns->ipt->tables[IPT_FILTER].hook_chain[NF_INET_FORWARD];
	uint64_t pol_before = fwd->packets;
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_DROP && fwd->packets == pol_before + 1 && fwd->bytes == 40, "goto+RETURN -> policy");
	CHECK(nf_ipt_rule_packets(ns, "filter", "web", 4, &pk) && pk == 0, "rule after goto not reached");
	/* tcp 443 from 10.9.x: falls through web (counting rule 4), back in FORWARD, policy */
	skb = mkpkt(6, IP(10, 9, 1, 1), IP(203, 0, 113, 20), 40003, 443, 0x02, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_DROP && nf_ipt_rule_packets(ns, "filter", "web", 4, &pk) && pk == 1, "no-target rule counts");
	/* wrong interface: -i eth0 does not match eth2; -o eth+ needs an out */
	skb = mkpkt(6, IP(192, 168, 1, 2), IP(203, 0, 113, 20), 40000, 80, 0x02, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth2", "eth1", 0) == NF_DROP, "iface");
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "wlan0", 0) == NF_DROP, "iface +");
	/* udp: 53 accepted, others REJECT admin-prohibited; INVALID (ct NULL) */
	skb = mkpkt(17, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 5353, 53, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_ACCEPT, "dns");
	skb = mkpkt(17, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 5353, 54, 0, 0);
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_REJECT && skb.reject_with == NF_REJECT_ICMP_ADMIN_PROHIBITED, "udp reject");
	/* a non-first fragment never matches port matches: udp 53 rule skipped,
	 * the port-less REJECT matches */
	skb = mkpkt(17, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 5353, 53, 0, 0x0010);
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_REJECT, "fragment %d", v);
	/* icmp echo-request vs reply */
	skb = mkpkt(1, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 8, 0, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_ACCEPT, "ping");
	skb = mkpkt(1, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 0, 0, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_DROP, "pong");
	/* truncated tcp header: hotdrop */
	skb = mkpkt(6, IP(192, 168, 1, 2), IP(203, 0, 113, 20), 40000, 80, 0x02, 0);
	skb.len = 30;
	wr16(skb.ip + 2, 30);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_DROP, "hotdrop");
	/* empty chain: the policy; iptables-nft's base chain counts it only once
	 * a command gave it counters (-P sends them; Linux 6.x, iptables 1.8.9) */
	skb = mkpkt(17, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
	      ns->ipt->tables[0].hook_chain[NF_INET_LOCAL_IN]->packets == 0, "empty chain policy");
	ipt_ok(ns, "-P INPUT ACCEPT");
	skb = mkpkt(17, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
	      ns->ipt->tables[0].hook_chain[NF_INET_LOCAL_IN]->packets == 1,
	      "empty chain policy, counted after -P");
	CHECK(!ipt_hook_has_rules(ns, IPT_FILTER, NF_INET_LOCAL_IN) &&
	      ipt_hook_has_rules(ns, IPT_FILTER, NF_INET_FORWARD), "has_rules");
	/* trace lines */
	ns->env.trace = cb_trace;
	g_string_truncate(trace_text, 0);
	skb = mkpkt(17, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 5353, 53, 0, 0);
	ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(strcmp(trace_text->str, "  FORWARD     filter     rule 3: -A FORWARD -p udp -m udp --dport 53 -j ACCEPT => ACCEPT\n") == 0,
	      "trace: %s", trace_text->str);
	g_string_truncate(trace_text, 0);
	skb = mkpkt(1, IP(192, 168, 1, 2), IP(8, 8, 8, 8), 0, 0, 0, 0);
	ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(strcmp(trace_text->str, "  FORWARD     filter     policy DROP (chain FORWARD, no rule decided)\n") == 0, "trace policy: %s", trace_text->str);
	ns->env.trace = NULL;
	/* -L -v shows the counters */
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	ipt(ns, "-L web -v -n", o, e, false);
	CHECK(strstr(o->str, "    1    40 LOG        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80 flags:0x12/0x02 LOG flags 0 level 4 prefix \"WEB \"\n") != NULL,
	      "-L -v: %s", o->str);
	g_string_truncate(o, 0);
	ipt(ns, "-Z", o, e, false);
	CHECK(nf_ipt_rule_packets(ns, "filter", "web", 3, &pk) && pk == 0 && fwd->packets == 0, "-Z");
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	ns_free(ns);
}

static void test_state_and_nat(void)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry ct;
	memset(&ct, 0, sizeof(ct));
	ipt_ok(ns, "-A INPUT -m state --state INVALID -j DROP");
	ipt_ok(ns, "-A INPUT -m state --state UNTRACKED -j REJECT");
	ipt_ok(ns, "-A INPUT -m conntrack --ctstate DNAT -j ACCEPT");
	ipt_ok(ns, "-A INPUT -m conntrack ! --ctstate NEW -j LOG");
	struct nf_skb skb = mkpkt(17, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, 0, 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_DROP, "INVALID");
	skb.ctinfo = IP_CT_UNTRACKED;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_REJECT, "UNTRACKED");
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	ct.status = IPS_DST_NAT;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT, "DNAT");
	ct.status = 0;
	g_string_truncate(klog_text, 0);
	skb.ctinfo = IP_CT_RELATED;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
	      klog_text->len > 0, "! NEW logs RELATED");
	g_string_truncate(klog_text, 0);
	skb.ctinfo = IP_CT_NEW;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
	      klog_text->len == 0, "NEW not logged");

	ipt_ok(ns, "-t nat -A POSTROUTING -o eth1 -p udp -j SNAT --to-source 5.5.5.1-5.5.5.4:1000-2000 --random-fully --persistent");
	ipt_ok(ns, "-t nat -A POSTROUTING -o eth2 -j MASQUERADE");
	ipt_ok(ns, "-t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128");
	ipt_ok(ns, "-t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.0.0.9");
	skb = mkpkt(17, IP(10, 0, 0, 2), IP(8, 8, 8, 8), 5000, 53, 0, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	nat_calls = 0;
	CHECK(ipt_do_table(ns, IPT_NAT, NF_INET_POST_ROUTING, &skb, NULL, "eth1", 0) == NF_ACCEPT, "snat verdict");
	if (nat_calls) {
		CHECK(nat_last_kind == 1 && nat_last_range.min_addr.ip == IP(5, 5, 5, 1) &&
		      nat_last_range.max_addr.ip == IP(5, 5, 5, 4) && nat_last_range.min_port == 1000 &&
		      nat_last_range.max_port == 2000 &&
		      nat_last_range.flags == (NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED |
					       NF_NAT_RANGE_PROTO_RANDOM_FULLY | NF_NAT_RANGE_PERSISTENT),
		      "snat range flags %x", nat_last_range.flags);
		CHECK(ipt_do_table(ns, IPT_NAT, NF_INET_POST_ROUTING, &skb, NULL, "eth2", 0) == NF_ACCEPT &&
		      nat_last_kind == 3 && strcmp(nat_last_if, "eth2") == 0 && nat_last_range.flags == 0,
		      "masquerade");
		skb = mkpkt(6, IP(10, 0, 0, 2), IP(8, 8, 8, 8), 5000, 80, 2, 0);
		skb.ct = &ct;
		skb.ctinfo = IP_CT_NEW;
		CHECK(ipt_do_table(ns, IPT_NAT, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
		      nat_last_kind == 4 && nat_last_range.min_port == 3128 &&
		      nat_last_range.flags == NF_NAT_RANGE_PROTO_SPECIFIED, "redirect");
		skb = mkpkt(6, IP(10, 0, 0, 2), IP(8, 8, 8, 8), 5000, 81, 2, 0);
		skb.ct = &ct;
		skb.ctinfo = IP_CT_NEW;
		CHECK(ipt_do_table(ns, IPT_NAT, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0) == NF_ACCEPT &&
		      nat_last_kind == 2 && nat_last_range.min_addr.ip == IP(10, 0, 0, 9) &&
		      nat_last_range.flags == NF_NAT_RANGE_MAP_IPS, "dnat");
	}
	/* kernel refusal is logged like xt_check_target */
	g_string_truncate(klog_text, 0);
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	CHECK(ipt(ns, "-t nat -A PREROUTING -j SNAT --to 1.2.3.4", o, e, false) == 4, "snat in PREROUTING");
	CHECK(strcmp(klog_text->str, "x_tables: ip_tables: SNAT target: used from hooks PREROUTING, but only usable from INPUT/POSTROUTING\n") == 0,
	      "klog: %s", klog_text->str);
	g_string_truncate(klog_text, 0);
	CHECK(ipt(ns, "-A INPUT -j MASQUERADE", o, e, false) == 4 &&
	      strcmp(klog_text->str, "x_tables: ip_tables: MASQUERADE target: only valid in nat table, not filter\n") == 0,
	      "klog: %s", klog_text->str);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	ns_free(ns);
}

/* Every instance of a repeated match must match (the kernel's rule holds
 * them all): `--dport 7 -m udp --dport 9` never matches although -S prints
 * only `--dport 9`; `--ctstate NEW -m conntrack --ctstate DNAT` wants both. */
static void test_repeated_matches(void)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry ct;
	memset(&ct, 0, sizeof(ct));
	ipt_ok(ns, "-A INPUT -p udp -m udp --dport 7 -m udp --dport 9 -j DROP");
	ipt_ok(ns, "-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate DNAT -j ACCEPT");
	ipt_ok(ns, "-P INPUT DROP");
	struct nf_skb skb = mkpkt(17, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 9, 0, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	ct.status = IPS_DST_NAT;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT,
	      "dport 9 passes rule 1 (it also needs 7), NEW+DNAT accepted by rule 2");
	skb = mkpkt(17, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 7, 0, 0);
	skb.ct = &ct;
	skb.ctinfo = IP_CT_NEW;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_ACCEPT,
	      "dport 7 passes rule 1 (it also needs 9)");
	ct.status = 0;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_DROP,
	      "NEW without DNAT: rule 2 needs both, the policy drops");
	skb.ctinfo = IP_CT_ESTABLISHED;
	ct.status = IPS_DST_NAT;
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_IN, &skb, "eth0", NULL, 0) == NF_DROP,
	      "DNAT but not NEW: dropped");
	ns_free(ns);
}

/* xt_check_match runs over the instances in the order given: the first one
 * whose protocol the rule lacks names itself in the kernel log (checked on
 * Linux with iptables 1.8.9: `-p icmp -m udp -m tcp` logs the udp match,
 * `-m tcp -m udp` the tcp one, `-p udp -m icmp --icmp-type 8 -m tcp` the
 * icmp one). */
static void test_check_order(void)
{
	static const struct { const char *rule, *klog; } cases[] = {
		{ "-A INPUT -p icmp -m udp -m tcp -j ACCEPT",
		  "x_tables: ip_tables: udp match: only valid for protocol 17\n" },
		{ "-A INPUT -p icmp -m tcp -m udp -j ACCEPT",
		  "x_tables: ip_tables: tcp match: only valid for protocol 6\n" },
		{ "-A INPUT -p udp -m icmp --icmp-type 8 -m tcp -j ACCEPT",
		  "x_tables: ip_tables: icmp match: only valid for protocol 1\n" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct nf_ns *ns = ns_new();
		GString *o = g_string_new(NULL), *e = g_string_new(NULL);
		g_string_truncate(klog_text, 0);
		int rc = ipt(ns, cases[i].rule, o, e, false);
		CHECK(rc == 4, "%s: rc %d", cases[i].rule, rc);
		CHECK(strcmp(klog_text->str, cases[i].klog) == 0, "%s: klog %s", cases[i].rule,
		      klog_text->str);
		g_string_free(o, TRUE);
		g_string_free(e, TRUE);
		ns_free(ns);
	}
}

static void test_log_icmp_error(void)
{
	struct nf_ns *ns = ns_new();
	ipt_ok(ns, "-A OUTPUT -p icmp -j LOG --log-prefix \"E: \"");
	/* port unreachable quoting a udp datagram, locally generated (no MAC) */
	uint8_t buf[100];
	memset(buf, 0, sizeof(buf));
	uint8_t *ip = buf + 14;
	ip[0] = 0x45;
	wr16(ip + 2, 56);
	ip[8] = 64;
	ip[9] = 1;
	wr32(ip + 12, IP(10, 0, 0, 1));
	wr32(ip + 16, IP(10, 0, 0, 2));
	uint8_t *ic = ip + 20;
	ic[0] = 3;
	ic[1] = 3;
	uint8_t *in = ic + 8;
	in[0] = 0x45;
	wr16(in + 2, 28);
	wr16(in + 6, 0x4000);
	in[8] = 64;
	in[9] = 17;
	wr32(in + 12, IP(10, 0, 0, 2));
	wr32(in + 16, IP(10, 0, 0, 1));
	wr16(in + 20, 33000);
	wr16(in + 22, 9);
	wr16(in + 24, 8);
	struct nf_skb skb = { .ip = ip, .len = 56 };
	g_string_truncate(klog_text, 0);
	ipt_do_table(ns, IPT_FILTER, NF_INET_LOCAL_OUT, &skb, NULL, "eth0", 0);
	CHECK(strcmp(klog_text->str, "E: IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=0 "
				     "PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.2 DST=10.0.0.1 LEN=28 TOS=0x00 PREC=0x00 "
				     "TTL=64 ID=0 DF PROTO=UDP SPT=33000 DPT=9 LEN=8 ] \n") == 0,
	      "icmp log: %s", klog_text->str);
	ns_free(ns);
}

/* A SYN-flagged (or not) tcp segment with OPTS as its options (a multiple
 * of 4 bytes); `len` cuts the packet short of them. */
static struct nf_skb mkpkt_opts(uint8_t flags, const uint8_t *opts, unsigned n, unsigned len)
{
	struct nf_skb skb = mkpkt(6, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 40000, 80, flags, 0);
	if (n)
		memcpy(skb.ip + 40, opts, n);
	skb.ip[32] = (uint8_t)((5 + n / 4) << 4);
	skb.len = len ? len : 40 + n;
	wr16(skb.ip + 2, (uint16_t)skb.len);
	return skb;
}

/* -m tcpmss on crafted segments (tcpmss_mt): the first MSS option of
 * length 4 decides whatever the flags; a wrong-length MSS option is
 * skipped, so no option is seen and only the inverted rule matches; an
 * option list cut short drops the packet without counting the rule. */
static void test_tcpmss_match(void)
{
	struct nf_ns *ns = ns_new();
	ipt_ok(ns, "-A FORWARD -p tcp -m tcpmss --mss 1000:1460 -j DROP");
	ipt_ok(ns, "-A FORWARD -p tcp -m tcpmss ! --mss 0:65535 -j REJECT --reject-with tcp-reset");
	static const uint8_t mss1460[] = { 1, 1, 2, 4, 0x05, 0xb4, 0, 0 };
	static const uint8_t mss1500[] = { 2, 4, 0x05, 0xdc };
	static const uint8_t mss1200_late[] = { 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 2, 4, 0x04, 0xb0 };
	static const uint8_t bad_len[] = { 2, 3, 0x04, 0xb0 };
	struct nf_skb skb;
	uint64_t pk;
	skb = mkpkt_opts(0x02, mss1460, sizeof(mss1460), 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_DROP, "mss 1460");
	skb = mkpkt_opts(0x10, mss1200_late, sizeof(mss1200_late), 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_DROP,
	      "an ACK's MSS after SACK-permitted and a timestamp");
	skb = mkpkt_opts(0x02, mss1500, sizeof(mss1500), 0);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_ACCEPT, "mss 1500");
	skb = mkpkt_opts(0x02, NULL, 0, 0);
	int v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_REJECT, "no options: only ! --mss matches (%d)", v);
	skb = mkpkt_opts(0x02, bad_len, sizeof(bad_len), 0);
	v = ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0);
	CHECK(v == NF_REJECT, "an MSS option of length 3 is no MSS (%d)", v);
	CHECK(nf_ipt_rule_packets(ns, "filter", "FORWARD", 1, &pk) && pk == 2, "rule 1 counted 2");
	skb = mkpkt_opts(0x02, mss1460, sizeof(mss1460), 44);
	CHECK(ipt_do_table(ns, IPT_FILTER, NF_INET_FORWARD, &skb, "eth0", "eth1", 0) == NF_DROP,
	      "truncated options: hotdrop");
	CHECK(nf_ipt_rule_packets(ns, "filter", "FORWARD", 1, &pk) && pk == 2 &&
	      nf_ipt_rule_packets(ns, "filter", "FORWARD", 2, &pk) && pk == 2, "hotdrop counts no rule");
	ns_free(ns);
}

int main(void)
{
	klog_text = g_string_new(NULL);
	trace_text = g_string_new(NULL);
	test_real_texts();
	test_save_restore();
	test_dry_run();
	test_traversal();
	test_state_and_nat();
	test_repeated_matches();
	test_check_order();
	test_log_icmp_error();
	test_tcpmss_match();
	printf("test_ipt: %d checks, %d failures\n", checks, failures);
	printf("%d passed, %d failed\n", checks - failures, failures);
	g_string_free(klog_text, TRUE);
	g_string_free(trace_text, TRUE);
	return failures ? 1 : 0;
}
