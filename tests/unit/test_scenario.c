/* test_scenario.c - the scenario runner's text handling: bash-like word
 * splitting and redirections (cmd_split), typographic dashes, logical lines
 * (comments, `\` continuations), times, rates, losses and names, and the
 * iptables-service / sysctl plumbing of cmd_exec on a host node.
 */
#include <stdio.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "sim/scenario/scenario.h"
#include "sim/sock/sock.h"

#include "tests/unit/check.h"

#define CHECK_STR(a, b)                                                          \
	do {                                                                     \
		const char *a_ = (a), *b_ = (b);                                 \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                         \
			fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__,   \
				__LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
			failures++;                                              \
		}                                                                \
	} while (0)

/* Split text; returns the words joined with '|' (for compact checks). */
static char *split(const char *text, struct cmd_redir *r, GPtrArray *warnings, int *rc,
		   GString *err)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	*rc = cmd_split(text, argv, r, warnings, err);
	GString *j = g_string_new(NULL);
	for (unsigned i = 0; i < argv->len; i++)
		g_string_append_printf(j, "%s%s", i ? "|" : "", (char *)argv->pdata[i]);
	g_ptr_array_free(argv, TRUE);
	return g_string_free(j, FALSE);
}

static void test_split_words(void)
{
	GString *err = g_string_new(NULL);
	struct cmd_redir r = { 0 };
	int rc;
	char *s;

	s = split("iptables  -t nat\t-A POSTROUTING", &r, NULL, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "iptables|-t|nat|-A|POSTROUTING");
	g_free(s);

	s = split("iptables -m comment --comment 'a  b \"c\"' -j ACCEPT", &r, NULL, &rc, err);
	CHECK_STR(s, "iptables|-m|comment|--comment|a  b \"c\"|-j|ACCEPT");
	g_free(s);

	s = split("echo \"x \\\"y\\\" \\d\" a\\ b '' \"\"", &r, NULL, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "echo|x \"y\" \\d|a b||");
	g_free(s);

	s = split("echo pre'mid'\"post\"", &r, NULL, &rc, err);
	CHECK_STR(s, "echo|premidpost");
	g_free(s);

	s = split("echo 'unterminated", &r, NULL, &rc, err);
	CHECK(rc == 2);
	CHECK_STR(err->str, "bash: unexpected EOF while looking for matching `''");
	g_free(s);

	s = split("echo \"unterminated", &r, NULL, &rc, err);
	CHECK(rc == 2);
	CHECK_STR(err->str, "bash: unexpected EOF while looking for matching `\"'");
	g_free(s);

	s = split("conntrack -L | grep udp", &r, NULL, &rc, err);
	CHECK(rc == 2);
	CHECK(strstr(err->str, "`|'") != NULL);
	g_free(s);

	s = split("echo 'a|b;c&d'", &r, NULL, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "echo|a|b;c&d");
	g_free(s);
	cmd_redir_clear(&r);
	g_string_free(err, TRUE);
}

static void test_split_redirections(void)
{
	GString *err = g_string_new(NULL);
	struct cmd_redir r = { 0 };
	int rc;
	char *s;

	s = split("echo \"1\" > /proc/sys/net/ipv4/ip_forward", &r, NULL, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "echo|1");
	CHECK_STR(r.out, "/proc/sys/net/ipv4/ip_forward");
	CHECK(!r.append && !r.in);
	g_free(s);
	cmd_redir_clear(&r);

	s = split("echo \"net.ipv4.ip_forward = 1\" >>/etc/sysctl.conf", &r, NULL, &rc, err);
	CHECK_STR(s, "echo|net.ipv4.ip_forward = 1");
	CHECK_STR(r.out, "/etc/sysctl.conf");
	CHECK(r.append);
	g_free(s);
	cmd_redir_clear(&r);

	s = split("iptables-restore < rules.v4", &r, NULL, &rc, err);
	CHECK_STR(s, "iptables-restore");
	CHECK_STR(r.in, "rules.v4");
	g_free(s);
	cmd_redir_clear(&r);

	s = split("iptables -D FORWARD 3 2>/dev/null", &r, NULL, &rc, err);
	CHECK_STR(s, "iptables|-D|FORWARD|3");
	CHECK_STR(r.err_out, "/dev/null");
	CHECK(r.out == NULL);
	g_free(s);
	cmd_redir_clear(&r);

	/* bash: `1>FILE` is fd 1; a quoted ">" is a word */
	s = split("echo 1>f '>' \">>\" x\\>y", &r, NULL, &rc, err);
	CHECK_STR(s, "echo|>|>>|x>y");
	CHECK_STR(r.out, "f");
	g_free(s);
	cmd_redir_clear(&r);

	s = split("echo a>b", &r, NULL, &rc, err);
	CHECK_STR(s, "echo|a");
	CHECK_STR(r.out, "b");
	g_free(s);
	cmd_redir_clear(&r);

	s = split("iptables-save >", &r, NULL, &rc, err);
	CHECK(rc == 2);
	CHECK_STR(err->str, "bash: syntax error near unexpected token `newline'");
	g_free(s);
	cmd_redir_clear(&r);

	s = split("echo > > f", &r, NULL, &rc, err);
	CHECK(rc == 2);
	g_free(s);
	cmd_redir_clear(&r);

	/* expectation lines: no redirections */
	s = split("router conntrack count >= 3", NULL, NULL, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "router|conntrack|count|>=|3");
	g_free(s);
	s = split("r log \"table full, dropping packet\"", NULL, NULL, &rc, err);
	CHECK_STR(s, "r|log|table full, dropping packet");
	g_free(s);
	g_string_free(err, TRUE);
}

static void test_typographic_dashes(void)
{
	GString *err = g_string_new(NULL);
	GPtrArray *warn = g_ptr_array_new_with_free_func(g_free);
	struct cmd_redir r = { 0 };
	int rc;
	char *s;

	/* en dash U+2013, em dash U+2014, minus sign U+2212 */
	s = split("iptables -t nat -A POSTROUTING -j SNAT \xe2\x80\x93to 1.2.3.4 "
		  "-m state \xe2\x80\x94state NEW \xe2\x88\x92\xe2\x88\x92" "dport 80",
		  &r, warn, &rc, err);
	CHECK(rc == 0);
	CHECK_STR(s, "iptables|-t|nat|-A|POSTROUTING|-j|SNAT|--to|1.2.3.4|-m|state|--state|NEW|--dport|80");
	CHECK(warn->len == 3);
	if (warn->len == 3) {
		CHECK_STR(warn->pdata[0], "typographic dash in \"\xe2\x80\x93to\" read as \"--to\"");
		CHECK_STR(warn->pdata[1], "typographic dash in \"\xe2\x80\x94state\" read as \"--state\"");
	}
	g_free(s);

	/* inside quotes and in the middle of a word: untouched */
	g_ptr_array_set_size(warn, 0);
	s = split("iptables --comment \"\xe2\x80\x93x\" a\xe2\x80\x93" "b", &r, warn, &rc, err);
	CHECK_STR(s, "iptables|--comment|\xe2\x80\x93x|a\xe2\x80\x93" "b");
	CHECK(warn->len == 0);
	g_free(s);

	/* plain dashes: no warning */
	s = split("iptables --to-source 1.2.3.4 -j", &r, warn, &rc, err);
	CHECK_STR(s, "iptables|--to-source|1.2.3.4|-j");
	CHECK(warn->len == 0);
	g_free(s);

	g_ptr_array_free(warn, TRUE);
	cmd_redir_clear(&r);
	g_string_free(err, TRUE);
}

static struct scn_line *line_at(GPtrArray *v, unsigned i)
{
	return i < v->len ? g_ptr_array_index(v, i) : NULL;
}

static void test_logical_lines(void)
{
	const char *text =
		"# a comment line\n"
		"host a   # trailing comment\n"
		"\n"
		"r: iptables -A FORWARD \\\n"
		"     -m comment --comment \"not # a comment\" \\\n"
		"     -j ACCEPT\n"
		"r: echo a#b '#c' \\#d\n"
		"# comment ending in a backslash \\\n"
		"router r\r\n"
		"r: echo x \\   \n"
		"   y\n"
		"   \t  \n"
		"end 3s";
	GPtrArray *v = scn_split_lines(text);
	CHECK(v->len == 6);
	struct scn_line *l;
	if ((l = line_at(v, 0))) {
		CHECK(l->line == 2);
		CHECK_STR(l->text, "host a");
	}
	if ((l = line_at(v, 1))) {
		CHECK(l->line == 4);
		CHECK_STR(l->text, "r: iptables -A FORWARD      -m comment --comment \"not # a comment\"      -j ACCEPT");
	}
	if ((l = line_at(v, 2))) {
		CHECK(l->line == 7);
		CHECK_STR(l->text, "r: echo a#b '#c' \\#d");
	}
	if ((l = line_at(v, 3))) {
		CHECK(l->line == 9);
		CHECK_STR(l->text, "router r");
	}
	if ((l = line_at(v, 4))) {
		CHECK(l->line == 10);
		CHECK_STR(l->text, "r: echo x    y");
	}
	if ((l = line_at(v, 5))) {
		CHECK(l->line == 13);
		CHECK_STR(l->text, "end 3s");
	}
	g_ptr_array_free(v, TRUE);

	/* a BOM, and an unterminated quote stays on its line */
	v = scn_split_lines("\xef\xbb\xbfhost a\nr: echo \"x # y\nhost b\n");
	CHECK(v->len == 3);
	if ((l = line_at(v, 1)))
		CHECK_STR(l->text, "r: echo \"x # y");
	if ((l = line_at(v, 2)))
		CHECK(l->line == 3);
	g_ptr_array_free(v, TRUE);
}

static void test_values(void)
{
	sim_time t;
	CHECK(sim_time_parse("1.5ms", &t) && t == 1500000);
	CHECK(sim_time_parse("3s", &t) && t == 3 * SIM_S);
	CHECK(sim_time_parse("250us", &t) && t == 250000);
	CHECK(sim_time_parse("10ns", &t) && t == 10);
	CHECK(sim_time_parse("0.1s", &t) && t == 100000000);
	CHECK(!sim_time_parse("1", &t));
	CHECK(!sim_time_parse("-1s", &t));
	CHECK(!sim_time_parse("1.5 ms", &t));
	CHECK(!sim_time_parse("ms", &t));
	CHECK(!sim_time_parse("1min", &t));

	uint64_t bps;
	CHECK(scn_parse_rate("10Mbit", &bps) && bps == 10000000);
	CHECK(scn_parse_rate("1.5Gbit", &bps) && bps == 1500000000);
	CHECK(scn_parse_rate("64kbit", &bps) && bps == 64000);
	CHECK(scn_parse_rate("300bit", &bps) && bps == 300);
	CHECK(scn_parse_rate("100mbit", &bps) && bps == 100000000);
	CHECK(!scn_parse_rate("10Mbps", &bps));
	CHECK(!scn_parse_rate("10", &bps));
	CHECK(!scn_parse_rate("Mbit", &bps));
	CHECK(!scn_parse_rate("0bit", &bps));
	CHECK(!scn_parse_rate("1000pps", &bps));

	double loss;
	CHECK(scn_parse_loss("0.5%", &loss) && loss > 0.00499 && loss < 0.00501);
	CHECK(scn_parse_loss("100%", &loss) && loss == 1.0);
	CHECK(scn_parse_loss("0%", &loss) && loss == 0.0);
	CHECK(!scn_parse_loss("0.5", &loss));
	CHECK(!scn_parse_loss("101%", &loss));
	CHECK(!scn_parse_loss("-1%", &loss));

	CHECK(scn_name_valid("router-1", 31));
	CHECK(scn_name_valid("c1.lan_2", 31));
	CHECK(!scn_name_valid(".hidden", 31));
	CHECK(!scn_name_valid("-x", 31));
	CHECK(!scn_name_valid("a/b", 31));
	CHECK(!scn_name_valid("..", 31));
	CHECK(!scn_name_valid("", 31));
	CHECK(!scn_name_valid("eth0:1", 15));
	CHECK(scn_name_valid("0123456789abcde", 15));
	CHECK(!scn_name_valid("0123456789abcdef", 15));
}

/* cmd_exec on a host: the file store, echo/cat, /proc/sys knobs, sysctl, and the
 * exit statuses bash and the tools give (1, 127, systemctl's 5). */
static int exec_line(struct world *w, struct node *n, const char *line, bool dry, GString *out,
		     GString *err)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	struct cmd_redir r = { 0 };
	g_string_truncate(out, 0);
	g_string_truncate(err, 0);
	int rc = cmd_split(line, argv, &r, NULL, err);
	if (rc == 0) {
		struct cmd_ctx c = { .w = w, .node = n, .dry_run = dry, .file = "t.scn", .line = 1,
				     .out = out, .err = err };
		g_ptr_array_add(argv, NULL);
		rc = cmd_exec(&c, (int)argv->len - 1, (char **)argv->pdata, &r);
	}
	cmd_redir_clear(&r);
	g_ptr_array_free(argv, TRUE);
	return rc;
}

static void test_host_commands(void)
{
	struct run_opts o = { .seed = 1, .until = SIM_TIME_NEVER, .out_dir = "." };
	struct world *w = world_new(&o);
	net_stack_init(); /* nodes made by hand, without scenario_load */
	struct node *h = node_new(w, "h1", NODE_HOST);
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);

	CHECK(exec_line(w, h, "echo \"1\" > /proc/sys/net/ipv4/ip_forward", true, out, err) == 0);
	CHECK(!h->ipv4->ip_forward); /* dry run */
	CHECK(exec_line(w, h, "echo \"1\" > /proc/sys/net/ipv4/ip_forward", false, out, err) == 0);
	CHECK(h->ipv4->ip_forward);
	CHECK_STR(out->str, "");
	CHECK(exec_line(w, h, "cat /proc/sys/net/ipv4/ip_forward", false, out, err) == 0);
	CHECK_STR(out->str, "1\n");
	CHECK(exec_line(w, h, "echo 2 > /proc/sys/net/ipv4/ip_forward", true, out, err) == 1);
	CHECK_STR(err->str, "bash: echo: write error: Invalid argument");
	CHECK(exec_line(w, h, "echo 1 > /proc/sys/net/ipv4/ip_forwarding", true, out, err) == 1);
	CHECK_STR(err->str, "bash: /proc/sys/net/ipv4/ip_forwarding: No such file or directory");

	CHECK(exec_line(w, h, "sysctl -w net.ipv4.ip_forward=0", false, out, err) == 0);
	CHECK_STR(out->str, "net.ipv4.ip_forward = 0\n");
	CHECK(!h->ipv4->ip_forward);
	CHECK(exec_line(w, h, "sysctl net/ipv4/ipfrag_time", false, out, err) == 0);
	CHECK_STR(out->str, "net.ipv4.ipfrag_time = 30\n");
	CHECK(exec_line(w, h, "sysctl -n net.ipv4.ip_forward", false, out, err) == 0);
	CHECK_STR(out->str, "0\n");
	CHECK(exec_line(w, h, "sysctl -w net.ipv4.nope=1", true, out, err) == 1);
	CHECK_STR(err->str, "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory");
	CHECK(exec_line(w, h, "sysctl -w net.ipv4.ip_forward", true, out, err) == 1);
	CHECK_STR(err->str, "sysctl: command line(0): invalid syntax, continuing...");
	CHECK(exec_line(w, h, "sysctl -w net.ipv4.ip_forward=yes", true, out, err) == 1);
	CHECK_STR(err->str, "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument");
	/* a host has no netfilter */
	CHECK(exec_line(w, h, "sysctl -w net.netfilter.nf_conntrack_max=16", true, out, err) == 1);
	CHECK_STR(err->str, "sysctl: cannot stat /proc/sys/net/netfilter/nf_conntrack_max: No such file or directory");
	CHECK(exec_line(w, h, "iptables -L", true, out, err) == 2);

	/* the file store and sysctl -p */
	CHECK(exec_line(w, h, "echo \"net.ipv4.ip_forward = 1\" >> /etc/sysctl.conf", false, out, err) == 0);
	CHECK(exec_line(w, h, "echo '; comment' >> /etc/sysctl.conf", false, out, err) == 0);
	CHECK(exec_line(w, h, "echo 'net.ipv4.ipfrag_time=20' >> /etc/sysctl.conf", false, out, err) == 0);
	CHECK(exec_line(w, h, "cat /etc/sysctl.conf", false, out, err) == 0);
	CHECK_STR(out->str, "net.ipv4.ip_forward = 1\n; comment\nnet.ipv4.ipfrag_time=20\n");
	CHECK(exec_line(w, h, "sysctl -p", false, out, err) == 0);
	CHECK_STR(out->str, "net.ipv4.ip_forward = 1\nnet.ipv4.ipfrag_time = 20\n");
	CHECK(h->ipv4->ip_forward && h->ipv4->ipfrag_time == 20);
	CHECK(exec_line(w, h, "sysctl -p /etc/missing.conf", true, out, err) == 0); /* deferred */
	CHECK(exec_line(w, h, "sysctl -p /etc/missing.conf", false, out, err) == 1);
	CHECK(exec_line(w, h, "cat /etc/none", false, out, err) == 1);
	CHECK_STR(err->str, "cat: /etc/none: No such file or directory");
	CHECK(exec_line(w, h, "echo -n a b > /tmp/x", false, out, err) == 0);
	CHECK(exec_line(w, h, "cat < /tmp/x", false, out, err) == 0);
	CHECK_STR(out->str, "a b");

	CHECK(exec_line(w, h, "frobnicate now", true, out, err) == 127);
	CHECK_STR(err->str, "bash: frobnicate: command not found");
	CHECK(exec_line(w, h, "sudo sysctl net.ipv4.ip_forward", false, out, err) == 0);
	CHECK_STR(out->str, "net.ipv4.ip_forward = 1\n");
	CHECK(exec_line(w, h, "systemctl start iptables", true, out, err) == 5);
	CHECK_STR(err->str, "Failed to start iptables.service: Unit iptables.service not found.");

	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
	world_free(w);
}

int main(void)
{
	test_split_words();
	test_split_redirections();
	test_typographic_dashes();
	test_logical_lines();
	test_values();
	test_host_commands();
	if (failures) {
		fprintf(stderr, "test_scenario: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_scenario: ok\n");
	return 0;
}
