/* ipt_print.c - iptables text out: -S rules, -L tables, iptables-save.
 *
 * Mirrors iptables 1.8.9 (nf_tables backend): print_header/print_firewall
 * (nft-ipv4.c, xshared.c) for -L with its fixed-width columns and the
 * K/M/G counter suffixes of xtables_print_num, the extensions' print and
 * save callbacks (libxt_tcp, ... libxt_LOG) for the match and target text,
 * and iptables-save's layout. Every format here was compared with the real
 * tool's output.
 *
 * Design: one rule-to-text function per form (save form, list form); names
 * of ports and protocols come from built-in copies of Debian netbase's
 * /etc/services and /etc/protocols so output never depends on the machine.
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/ipt.h"

const char *ipt_icmp_type_name(uint8_t type, uint8_t cmin, uint8_t cmax);

/* /etc/services (netbase): name, port, proto (1 tcp, 2 udp), primary. */
struct ipt_service { const char *name; uint16_t port; uint8_t proto, primary; };
static const struct ipt_service ipt_services[] = {
{"tcpmux",1,1,1},{"echo",7,1,1},{"echo",7,2,1},{"discard",9,1,1},
{"sink",9,1,0},{"null",9,1,0},{"discard",9,2,1},{"sink",9,2,0},
{"null",9,2,0},{"systat",11,1,1},{"users",11,1,0},{"daytime",13,1,1},
{"daytime",13,2,1},{"netstat",15,1,1},{"qotd",17,1,1},{"quote",17,1,0},
{"chargen",19,1,1},{"ttytst",19,1,0},{"source",19,1,0},{"chargen",19,2,1},
{"ttytst",19,2,0},{"source",19,2,0},{"ftp-data",20,1,1},{"ftp",21,1,1},
{"fsp",21,2,1},{"fspd",21,2,0},{"ssh",22,1,1},{"telnet",23,1,1},
{"smtp",25,1,1},{"mail",25,1,0},{"time",37,1,1},{"timserver",37,1,0},
{"time",37,2,1},{"timserver",37,2,0},{"whois",43,1,1},{"nicname",43,1,0},
{"tacacs",49,1,1},{"tacacs",49,2,1},{"domain",53,1,1},{"domain",53,2,1},
{"bootps",67,2,1},{"bootpc",68,2,1},{"tftp",69,2,1},{"gopher",70,1,1},
{"finger",79,1,1},{"http",80,1,1},{"www",80,1,0},{"kerberos",88,1,1},
{"kerberos5",88,1,0},{"krb5",88,1,0},{"kerberos-sec",88,1,0},{"kerberos",88,2,1},
{"kerberos5",88,2,0},{"krb5",88,2,0},{"kerberos-sec",88,2,0},{"iso-tsap",102,1,1},
{"tsap",102,1,0},{"acr-nema",104,1,1},{"dicom",104,1,0},{"pop3",110,1,1},
{"pop-3",110,1,0},{"sunrpc",111,1,1},{"portmapper",111,1,0},{"sunrpc",111,2,1},
{"portmapper",111,2,0},{"auth",113,1,1},{"authentication",113,1,0},{"tap",113,1,0},
{"ident",113,1,0},{"nntp",119,1,1},{"readnews",119,1,0},{"untp",119,1,0},
{"ntp",123,2,1},{"epmap",135,1,1},{"loc-srv",135,1,0},{"netbios-ns",137,2,1},
{"netbios-dgm",138,2,1},{"netbios-ssn",139,1,1},{"imap2",143,1,1},{"imap",143,1,0},
{"snmp",161,1,1},{"snmp",161,2,1},{"snmp-trap",162,1,1},{"snmptrap",162,1,0},
{"snmp-trap",162,2,1},{"snmptrap",162,2,0},{"cmip-man",163,1,1},{"cmip-man",163,2,1},
{"cmip-agent",164,1,1},{"cmip-agent",164,2,1},{"mailq",174,1,1},{"xdmcp",177,2,1},
{"bgp",179,1,1},{"smux",199,1,1},{"qmtp",209,1,1},{"z3950",210,1,1},
{"wais",210,1,0},{"ipx",213,2,1},{"ptp-event",319,2,1},{"ptp-general",320,2,1},
{"pawserv",345,1,1},{"zserv",346,1,1},{"rpc2portmap",369,1,1},{"rpc2portmap",369,2,1},
{"codaauth2",370,1,1},{"codaauth2",370,2,1},{"clearcase",371,2,1},{"Clearcase",371,2,0},
{"ldap",389,1,1},{"ldap",389,2,1},{"svrloc",427,1,1},{"svrloc",427,2,1},
{"https",443,1,1},{"https",443,2,1},{"snpp",444,1,1},{"microsoft-ds",445,1,1},
{"kpasswd",464,1,1},{"kpasswd",464,2,1},{"submissions",465,1,1},{"ssmtp",465,1,0},
{"smtps",465,1,0},{"urd",465,1,0},{"saft",487,1,1},{"isakmp",500,2,1},
{"rtsp",554,1,1},{"rtsp",554,2,1},{"nqs",607,1,1},{"asf-rmcp",623,2,1},
{"qmqp",628,1,1},{"ipp",631,1,1},{"ldp",646,1,1},{"ldp",646,2,1},
{"exec",512,1,1},{"biff",512,2,1},{"comsat",512,2,0},{"login",513,1,1},
{"who",513,2,1},{"whod",513,2,0},{"shell",514,1,1},{"cmd",514,1,0},
{"syslog",514,1,0},{"syslog",514,2,1},{"printer",515,1,1},{"spooler",515,1,0},
{"talk",517,2,1},{"ntalk",518,2,1},{"route",520,2,1},{"router",520,2,0},
{"routed",520,2,0},{"gdomap",538,1,1},{"gdomap",538,2,1},{"uucp",540,1,1},
{"uucpd",540,1,0},{"klogin",543,1,1},{"kshell",544,1,1},{"krcmd",544,1,0},
{"dhcpv6-client",546,2,1},{"dhcpv6-server",547,2,1},{"afpovertcp",548,1,1},{"nntps",563,1,1},
{"snntp",563,1,0},{"submission",587,1,1},{"ldaps",636,1,1},{"ldaps",636,2,1},
{"tinc",655,1,1},{"tinc",655,2,1},{"silc",706,1,1},{"kerberos-adm",749,1,1},
{"domain-s",853,1,1},{"domain-s",853,2,1},{"rsync",873,1,1},{"ftps-data",989,1,1},
{"ftps",990,1,1},{"telnets",992,1,1},{"imaps",993,1,1},{"pop3s",995,1,1},
{"socks",1080,1,1},{"proofd",1093,1,1},{"rootd",1094,1,1},{"openvpn",1194,1,1},
{"openvpn",1194,2,1},{"rmiregistry",1099,1,1},{"lotusnote",1352,1,1},{"lotusnotes",1352,1,0},
{"ms-sql-s",1433,1,1},{"ms-sql-m",1434,2,1},{"ingreslock",1524,1,1},{"datametrics",1645,1,1},
{"old-radius",1645,1,0},{"datametrics",1645,2,1},{"old-radius",1645,2,0},{"sa-msg-port",1646,1,1},
{"old-radacct",1646,1,0},{"sa-msg-port",1646,2,1},{"old-radacct",1646,2,0},{"kermit",1649,1,1},
{"groupwise",1677,1,1},{"l2f",1701,2,1},{"l2tp",1701,2,0},{"radius",1812,1,1},
{"radius",1812,2,1},{"radius-acct",1813,1,1},{"radacct",1813,1,0},{"radius-acct",1813,2,1},
{"radacct",1813,2,0},{"cisco-sccp",2000,1,1},{"nfs",2049,1,1},{"nfs",2049,2,1},
{"gnunet",2086,1,1},{"gnunet",2086,2,1},{"rtcm-sc104",2101,1,1},{"rtcm-sc104",2101,2,1},
{"gsigatekeeper",2119,1,1},{"gris",2135,1,1},{"cvspserver",2401,1,1},{"venus",2430,1,1},
{"venus",2430,2,1},{"venus-se",2431,1,1},{"venus-se",2431,2,1},{"codasrv",2432,1,1},
{"codasrv",2432,2,1},{"codasrv-se",2433,1,1},{"codasrv-se",2433,2,1},{"mon",2583,1,1},
{"mon",2583,2,1},{"dict",2628,1,1},{"f5-globalsite",2792,1,1},{"gsiftp",2811,1,1},
{"gpsd",2947,1,1},{"gds-db",3050,1,1},{"gds_db",3050,1,0},{"icpv2",3130,2,1},
{"icp",3130,2,0},{"isns",3205,1,1},{"isns",3205,2,1},{"iscsi-target",3260,1,1},
{"mysql",3306,1,1},{"ms-wbt-server",3389,1,1},{"nut",3493,1,1},{"nut",3493,2,1},
{"distcc",3632,1,1},{"daap",3689,1,1},{"svn",3690,1,1},{"subversion",3690,1,0},
{"suucp",4031,1,1},{"sysrqd",4094,1,1},{"sieve",4190,1,1},{"epmd",4369,1,1},
{"remctl",4373,1,1},{"f5-iquery",4353,1,1},{"ntske",4460,1,1},{"ipsec-nat-t",4500,2,1},
{"iax",4569,2,1},{"mtn",4691,1,1},{"radmin-port",4899,1,1},{"sip",5060,1,1},
{"sip",5060,2,1},{"sip-tls",5061,1,1},{"sip-tls",5061,2,1},{"xmpp-client",5222,1,1},
{"jabber-client",5222,1,0},{"xmpp-server",5269,1,1},{"jabber-server",5269,1,0},{"cfengine",5308,1,1},
{"mdns",5353,2,1},{"postgresql",5432,1,1},{"postgres",5432,1,0},{"freeciv",5556,1,1},
{"rptp",5556,1,0},{"amqps",5671,1,1},{"amqp",5672,1,1},{"x11",6000,1,1},
{"x11-0",6000,1,0},{"x11-1",6001,1,1},{"x11-2",6002,1,1},{"x11-3",6003,1,1},
{"x11-4",6004,1,1},{"x11-5",6005,1,1},{"x11-6",6006,1,1},{"x11-7",6007,1,1},
{"gnutella-svc",6346,1,1},{"gnutella-svc",6346,2,1},{"gnutella-rtr",6347,1,1},{"gnutella-rtr",6347,2,1},
{"redis",6379,1,1},{"sge-qmaster",6444,1,1},{"sge_qmaster",6444,1,0},{"sge-execd",6445,1,1},
{"sge_execd",6445,1,0},{"mysql-proxy",6446,1,1},{"babel",6696,2,1},{"ircs-u",6697,1,1},
{"bbs",7000,1,1},{"afs3-fileserver",7000,2,1},{"afs3-callback",7001,2,1},{"afs3-prserver",7002,2,1},
{"afs3-vlserver",7003,2,1},{"afs3-kaserver",7004,2,1},{"afs3-volser",7005,2,1},{"afs3-bos",7007,2,1},
{"afs3-update",7008,2,1},{"afs3-rmtsys",7009,2,1},{"font-service",7100,1,1},{"xfs",7100,1,0},
{"http-alt",8080,1,1},{"webcache",8080,1,0},{"puppet",8140,1,1},{"bacula-dir",9101,1,1},
{"bacula-fd",9102,1,1},{"bacula-sd",9103,1,1},{"xmms2",9667,1,1},{"nbd",10809,1,1},
{"zabbix-agent",10050,1,1},{"zabbix-trapper",10051,1,1},{"amanda",10080,1,1},{"dicom",11112,1,1},
{"hkp",11371,1,1},{"db-lsp",17500,1,1},{"dcap",22125,1,1},{"gsidcap",22128,1,1},
{"wnn6",22273,1,1},{"kerberos4",750,2,1},{"kerberos-iv",750,2,0},{"kdc",750,2,0},
{"kerberos4",750,1,1},{"kerberos-iv",750,1,0},{"kdc",750,1,0},{"kerberos-master",751,2,1},
{"kerberos_master",751,2,0},{"kerberos-master",751,1,1},{"passwd-server",752,2,1},{"passwd_server",752,2,0},
{"krb-prop",754,1,1},{"krb_prop",754,1,0},{"krb5_prop",754,1,0},{"hprop",754,1,0},
{"zephyr-srv",2102,2,1},{"zephyr-clt",2103,2,1},{"zephyr-hm",2104,2,1},{"iprop",2121,1,1},
{"supfilesrv",871,1,1},{"supfiledbg",1127,1,1},{"poppassd",106,1,1},{"moira-db",775,1,1},
{"moira_db",775,1,0},{"moira-update",777,1,1},{"moira_update",777,1,0},{"moira-ureg",779,2,1},
{"moira_ureg",779,2,0},{"spamd",783,1,1},{"skkserv",1178,1,1},{"predict",1210,2,1},
{"rmtcfg",1236,1,1},{"xtel",1313,1,1},{"xtelw",1314,1,1},{"zebrasrv",2600,1,1},
{"zebra",2601,1,1},{"ripd",2602,1,1},{"ripngd",2603,1,1},{"ospfd",2604,1,1},
{"bgpd",2605,1,1},{"ospf6d",2606,1,1},{"ospfapi",2607,1,1},{"isisd",2608,1,1},
{"fax",4557,1,1},{"hylafax",4559,1,1},{"munin",4949,1,1},{"lrrd",4949,1,0},
{"rplay",5555,2,1},{"nrpe",5666,1,1},{"nsca",5667,1,1},{"canna",5680,1,1},
{"syslog-tls",6514,1,1},{"sane-port",6566,1,1},{"sane",6566,1,0},{"saned",6566,1,0},
{"ircd",6667,1,1},{"zope-ftp",8021,1,1},{"tproxy",8081,1,1},{"omniorb",8088,1,1},
{"clc-build-daemon",8990,1,1},{"xinetd",9098,1,1},{"git",9418,1,1},{"zope",9673,1,1},
{"webmin",10000,1,1},{"kamanda",10081,1,1},{"amandaidx",10082,1,1},{"amidxtape",10083,1,1},
{"sgi-cmsd",17001,2,1},{"sgi-crsd",17002,2,1},{"sgi-gcd",17003,2,1},{"sgi-cad",17004,1,1},
{"binkp",24554,1,1},{"asp",27374,1,1},{"asp",27374,2,1},{"csync2",30865,1,1},
{"dircproxy",57000,1,1},{"tfido",60177,1,1},{"fido",60179,1,1},};

/* /etc/protocols (netbase): number, name. */
struct ipt_protocol { uint8_t num; const char *name; };
static const struct ipt_protocol ipt_protocols[] = {
{0,"ip"},{0,"hopopt"},{1,"icmp"},{2,"igmp"},{3,"ggp"},{4,"ipencap"},
{5,"st"},{6,"tcp"},{8,"egp"},{9,"igp"},{12,"pup"},{17,"udp"},
{20,"hmp"},{22,"xns-idp"},{27,"rdp"},{29,"iso-tp4"},{33,"dccp"},{36,"xtp"},
{37,"ddp"},{38,"idpr-cmtp"},{41,"ipv6"},{43,"ipv6-route"},{44,"ipv6-frag"},{45,"idrp"},
{46,"rsvp"},{47,"gre"},{50,"esp"},{51,"ah"},{57,"skip"},{58,"ipv6-icmp"},
{59,"ipv6-nonxt"},{60,"ipv6-opts"},{73,"rspf"},{81,"vmtp"},{88,"eigrp"},{89,"ospf"},
{93,"ax.25"},{94,"ipip"},{97,"etherip"},{98,"encap"},{103,"pim"},{108,"ipcomp"},
{112,"vrrp"},{115,"l2tp"},{124,"isis"},{132,"sctp"},{133,"fc"},{135,"mobility-header"},
{136,"udplite"},{137,"mpls-in-ip"},{138,"manet"},{139,"hip"},{140,"shim6"},{141,"wesp"},
{142,"rohc"},{143,"ethernet"},};

/* xtables_getportbyname: any protocol's entry (getaddrinfo), the rule's
 * protocol first. */
int ipt_service_port(const char *name, uint8_t proto)
{
	uint8_t want = proto == 6 ? 1 : proto == 17 ? 2 : 0;
	int any = -1;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_services); i++) {
		if (strcmp(ipt_services[i].name, name) != 0)
			continue;
		if (ipt_services[i].proto == want)
			return ipt_services[i].port;
		if (any < 0)
			any = ipt_services[i].port;
	}
	return any;
}

const char *ipt_service_name(uint16_t port, uint8_t proto)
{
	uint8_t want = proto == 6 ? 1 : proto == 17 ? 2 : 0;
	if (!want)
		return NULL;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_services); i++)
		if (ipt_services[i].proto == want && ipt_services[i].port == port &&
		    ipt_services[i].primary)
			return ipt_services[i].name;
	return NULL;
}

int ipt_proto_number(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_protocols); i++)
		if (strcmp(ipt_protocols[i].name, name) == 0)
			return ipt_protocols[i].num;
	return -1;
}

/* proto_to_name: iptables' own short list first, then /etc/protocols. */
const char *ipt_proto_name(uint8_t proto)
{
	static const struct ipt_protocol chain_protos[] = {
		{ 6, "tcp" }, { 132, "sctp" }, { 17, "udp" }, { 136, "udplite" }, { 1, "icmp" },
		{ 58, "icmpv6" }, { 50, "esp" }, { 51, "ah" }, { 135, "mh" }, { 0, "all" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(chain_protos); i++)
		if (chain_protos[i].num == proto)
			return chain_protos[i].name;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_protocols); i++)
		if (ipt_protocols[i].num == proto)
			return ipt_protocols[i].name;
	return NULL;
}

/* ----- small formatters ----- */

static int ipt_mask_bits(uint32_t m)
{
	int n = 0;
	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	uint32_t canon = n ? 0xffffffffu << (32 - n) : 0;
	return canon == m ? n : -1;
}

/* xtables_ipmask_to_numeric: "" for /32, "/N", or "/dotted" */
static void ipt_mask(GString *o, uint32_t m, bool always)
{
	int bits = ipt_mask_bits(m);
	if (bits == 32 && !always)
		return;
	if (bits >= 0) {
		g_string_append_printf(o, "/%d", bits);
	} else {
		g_string_append_c(o, '/');
		nf_inet_append4(o, m);
	}
}

/* xtables_save_string */
static void ipt_save_string(GString *o, const char *s)
{
	static const char ok[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, ok);
	g_string_append_c(o, ' ');
	if (n > 0 && s[n] == '\0') {
		g_string_append(o, s);
		return;
	}
	g_string_append_c(o, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '\'')
			g_string_append_c(o, '\\');
		g_string_append_c(o, *p);
	}
	g_string_append_c(o, '"');
}

static void ipt_tcp_flag_names(GString *o, uint8_t flags)
{
	static const struct { const char *name; uint8_t v; } names[] = {
		{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
		{ "ACK", 0x10 }, { "URG", 0x20 },
	};
	bool have = false;
	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!(flags & names[i].v))
			continue;
		g_string_append_printf(o, "%s%s", have ? "," : "", names[i].name);
		have = true;
	}
	if (!have)
		g_string_append(o, "NONE");
}

static void ipt_states(GString *o, uint8_t mask)
{
	static const struct { uint8_t bit; const char *name; } order[] = {
		{ IPT_STATE_INVALID, "INVALID" }, { IPT_STATE_NEW, "NEW" },
		{ IPT_STATE_RELATED, "RELATED" }, { IPT_STATE_ESTABLISHED, "ESTABLISHED" },
		{ IPT_STATE_UNTRACKED, "UNTRACKED" }, { IPT_STATE_SNAT, "SNAT" },
		{ IPT_STATE_DNAT, "DNAT" },
	};
	const char *sep = "";
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
		if (mask & order[i].bit) {
			g_string_append_printf(o, "%s%s", sep, order[i].name);
			sep = ",";
		}
	}
}

static const char *ipt_reject_name(uint8_t with)
{
	switch (with) {
	case NF_REJECT_ICMP_NET_UNREACH: return "icmp-net-unreachable";
	case NF_REJECT_ICMP_HOST_UNREACH: return "icmp-host-unreachable";
	case NF_REJECT_ICMP_PORT_UNREACH: return "icmp-port-unreachable";
	case NF_REJECT_ICMP_PROTO_UNREACH: return "icmp-proto-unreachable";
	case NF_REJECT_ICMP_NET_PROHIBITED: return "icmp-net-prohibited";
	case NF_REJECT_ICMP_HOST_PROHIBITED: return "icmp-host-prohibited";
	case NF_REJECT_ICMP_ADMIN_PROHIBITED: return "icmp-admin-prohibited";
	case NF_REJECT_TCP_RESET: return "tcp-reset";
	}
	return "?";
}

/* NAT range text shared by -S (--to-source X) and -L (to:X). */
static void ipt_nat_range(GString *o, const struct nat_range *r, bool addr)
{
	if (addr && (r->flags & NF_NAT_RANGE_MAP_IPS)) {
		nf_inet_append4(o, r->min_addr);
		if (r->max_addr != r->min_addr) {
			g_string_append_c(o, '-');
			nf_inet_append4(o, r->max_addr);
		}
	}
	if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		if (addr)
			g_string_append_c(o, ':');
		g_string_append_printf(o, "%u", r->min_port);
		if (r->max_port != r->min_port)
			g_string_append_printf(o, "-%u", r->max_port);
	}
}

static void ipt_port(GString *o, uint16_t port, uint8_t proto, bool numeric)
{
	const char *name = numeric ? NULL : ipt_service_name(port, proto);
	if (name)
		g_string_append(o, name);
	else
		g_string_append_printf(o, "%u", port);
}

/* ----- the save form (-S, iptables-save) ----- */

static void ipt_save_ports(GString *o, const char *opt, bool inv, uint16_t lo, uint16_t hi)
{
	g_string_append_printf(o, "%s --%s %u", inv ? " !" : "", opt, lo);
	if (hi != lo)
		g_string_append_printf(o, ":%u", hi);
}

static bool ipt_tcp_has_options(const struct ipt_m_tcp *t)
{
	return t->sport_set || t->dport_set || t->flags_set;
}

/* What -S and -L show of the tcp (udp) instance i of a rule. iptables-nft
 * turns the options of every -m tcp of a rule into payload expressions and
 * reads them back into ONE tcp match, made where the first of them was
 * (nft_tcp_match): for each option the last instance giving it supplies the
 * value, and a '!' once given stays (nft_parse_tcp ORs the inversion
 * flags). An instance without options stays a match of its own. So
 * `-m tcp --dport 80 -m state --state NEW -m tcp --sport 5` prints as
 * `-m tcp --sport 5 --dport 80 -m state --state NEW`, while the kernel
 * still checks each instance (`--dport 80 -m tcp --dport 81` never
 * matches, and prints as `--dport 81`). Returns false when instance i is
 * folded into an earlier one. */
static bool ipt_tcp_view(const struct ipt_rule *r, unsigned i, struct ipt_m_tcp *out)
{
	const struct ipt_match *m = &r->m[i];
	*out = m->u.tcp;
	if (!ipt_tcp_has_options(&m->u.tcp))
		return true;
	for (unsigned k = 0; k < i; k++)
		if (r->m[k].id == m->id && ipt_tcp_has_options(&r->m[k].u.tcp))
			return false;
	for (unsigned k = i + 1; k < r->nmatches; k++) {
		const struct ipt_m_tcp *t = &r->m[k].u.tcp;
		if (r->m[k].id != m->id)
			continue;
		if (t->sport_set) {
			out->sport_set = true;
			out->sport_min = t->sport_min;
			out->sport_max = t->sport_max;
			out->sport_inv |= t->sport_inv;
		}
		if (t->dport_set) {
			out->dport_set = true;
			out->dport_min = t->dport_min;
			out->dport_max = t->dport_max;
			out->dport_inv |= t->dport_inv;
		}
		if (t->flags_set) {
			out->flags_set = true;
			out->flags_mask = t->flags_mask;
			out->flags_cmp = t->flags_cmp;
			out->flags_inv |= t->flags_inv;
		}
	}
	return true;
}

static void ipt_save_match(GString *o, const struct ipt_match *m)
{
	switch (m->id) {
	case IPT_M_TCP:
	case IPT_M_UDP: {
		const struct ipt_m_tcp *t = &m->u.tcp;
		g_string_append(o, m->id == IPT_M_TCP ? " -m tcp" : " -m udp");
		if (t->sport_set)
			ipt_save_ports(o, "sport", t->sport_inv, t->sport_min, t->sport_max);
		if (t->dport_set)
			ipt_save_ports(o, "dport", t->dport_inv, t->dport_min, t->dport_max);
		if (m->id == IPT_M_TCP && t->flags_set) {
			g_string_append(o, t->flags_inv ? " ! --tcp-flags " : " --tcp-flags ");
			ipt_tcp_flag_names(o, t->flags_mask);
			g_string_append_c(o, ' ');
			ipt_tcp_flag_names(o, t->flags_cmp);
		}
		break;
	}
	case IPT_M_ICMP: {
		const struct ipt_m_icmp *ic = &m->u.icmp;
		g_string_append(o, " -m icmp");
		if (!ic->set)
			break;
		if (ic->inv)
			g_string_append(o, " !");
		if (ic->type == 0xff) {
			g_string_append(o, " --icmp-type any");
		} else {
			g_string_append_printf(o, " --icmp-type %u", ic->type);
			if (ic->code_min != 0 || ic->code_max != 0xff)
				g_string_append_printf(o, "/%u", ic->code_min);
		}
		break;
	}
	case IPT_M_STATE:
		g_string_append_printf(o, " -m state%s --state ", m->u.state.inv ? " !" : "");
		ipt_states(o, m->u.state.mask);
		break;
	case IPT_M_CONNTRACK:
		g_string_append(o, " -m conntrack");
		if (m->u.state.set) {
			g_string_append_printf(o, "%s --ctstate ", m->u.state.inv ? " !" : "");
			ipt_states(o, m->u.state.mask);
		}
		break;
	case IPT_M_MULTIPORT: {
		static const char *const kinds[] = { "", "sports", "dports", "ports" };
		const struct ipt_m_multiport *mp = &m->u.mport;
		g_string_append_printf(o, " -m multiport%s --%s ", mp->inv ? " !" : "",
				       kinds[mp->kind]);
		for (unsigned i = 0; i < mp->n; i++) {
			g_string_append_printf(o, "%s%u", i ? "," : "", mp->min[i]);
			if (mp->max[i] != mp->min[i])
				g_string_append_printf(o, ":%u", mp->max[i]);
		}
		break;
	}
	case IPT_M_COMMENT:
		g_string_append(o, " -m comment --comment");
		ipt_save_string(o, m->u.comment ? m->u.comment : "");
		break;
	}
}

/* Match instance i as -S / -L show it: a tcp (udp) instance merged with the
 * rule's others (ipt_tcp_view); false when there is nothing to print. */
static bool ipt_match_view(const struct ipt_rule *r, unsigned i, struct ipt_match *view)
{
	*view = r->m[i];
	if (view->id == IPT_M_TCP || view->id == IPT_M_UDP)
		return ipt_tcp_view(r, i, &view->u.tcp);
	return true;
}

static void ipt_save_target(GString *o, const struct ipt_rule *r)
{
	switch (r->target) {
	case IPT_T_NONE:
		break;
	case IPT_T_ACCEPT: g_string_append(o, " -j ACCEPT"); break;
	case IPT_T_DROP: g_string_append(o, " -j DROP"); break;
	case IPT_T_RETURN: g_string_append(o, " -j RETURN"); break;
	case IPT_T_JUMP: g_string_append_printf(o, " -j %s", r->jump ? r->jump->name : "?"); break;
	case IPT_T_GOTO: g_string_append_printf(o, " -g %s", r->jump ? r->jump->name : "?"); break;
	case IPT_T_REJECT:
		g_string_append_printf(o, " -j REJECT --reject-with %s", ipt_reject_name(r->reject_with));
		break;
	case IPT_T_LOG:
		g_string_append(o, " -j LOG");
		if (r->log_prefix) {
			g_string_append(o, " --log-prefix");
			ipt_save_string(o, r->log_prefix);
		}
		if (r->log_level != 4)
			g_string_append_printf(o, " --log-level %u", r->log_level);
		break;
	case IPT_T_SNAT:
	case IPT_T_DNAT:
		g_string_append(o, r->target == IPT_T_SNAT ? " -j SNAT --to-source " : " -j DNAT --to-destination ");
		ipt_nat_range(o, &r->range, true);
		goto flags;
	case IPT_T_MASQUERADE:
	case IPT_T_REDIRECT:
		g_string_append(o, r->target == IPT_T_MASQUERADE ? " -j MASQUERADE" : " -j REDIRECT");
		if (r->range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			g_string_append(o, " --to-ports ");
			ipt_nat_range(o, &r->range, false);
		}
	flags:
		if (r->range.flags & NF_NAT_RANGE_PROTO_RANDOM)
			g_string_append(o, " --random");
		if (r->range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
			g_string_append(o, " --random-fully");
		if (r->range.flags & NF_NAT_RANGE_PERSISTENT)
			g_string_append(o, " --persistent");
		break;
	case IPT_T_NOTRACK:
		g_string_append(o, r->notrack_ct ? " -j CT --notrack" : " -j NOTRACK");
		break;
	case IPT_T_MARK:
		g_string_append_printf(o, " -j MARK --set-xmark 0x%x/0x%x", r->mark_value, r->mark_mask);
		break;
	}
}

/* A rule's save text without "-A CHAIN": addresses, interfaces, protocol,
 * matches, then `-c PACKETS BYTES` when `counters` is given (iptables -v -S),
 * then the target - the order iptables-nft's nft_rule_print_save writes
 * them in (`-A FORWARD -p tcp -c 11 660 -j DROP`). */
static void ipt_rule_text(const struct ipt_rule *r, const uint64_t *counters, GString *o)
{
	size_t start = o->len;
	if (r->src_mask || r->src_inv) {
		g_string_append(o, r->src_inv ? " ! -s " : " -s ");
		nf_inet_append4(o, r->src);
		ipt_mask(o, r->src_mask, true);
	}
	if (r->dst_mask || r->dst_inv) {
		g_string_append(o, r->dst_inv ? " ! -d " : " -d ");
		nf_inet_append4(o, r->dst);
		ipt_mask(o, r->dst_mask, true);
	}
	if (r->in[0])
		g_string_append_printf(o, "%s -i %s", r->in_inv ? " !" : "", r->in);
	if (r->out[0])
		g_string_append_printf(o, "%s -o %s", r->out_inv ? " !" : "", r->out);
	if (r->proto || r->proto_inv) {
		const char *name = ipt_proto_name(r->proto);
		g_string_append_printf(o, "%s -p ", r->proto_inv ? " !" : "");
		if (name)
			g_string_append(o, name);
		else
			g_string_append_printf(o, "%u", r->proto);
	}
	for (unsigned i = 0; i < r->nmatches; i++) {
		struct ipt_match view;
		if (ipt_match_view(r, i, &view))
			ipt_save_match(o, &view);
	}
	if (counters)
		g_string_append_printf(o, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
				       counters[0], counters[1]);
	ipt_save_target(o, r);
	/* callers add their own "-A CHAIN": drop our leading space */
	if (o->len > start && o->str[start] == ' ')
		g_string_erase(o, (gssize)start, 1);
}

void ipt_rule_format(const struct ipt_rule *r, GString *o)
{
	ipt_rule_text(r, NULL, o);
}

/* "-A CHAIN" and the rule's text, with its counters when asked (-v -S). */
static void ipt_rule_line(const struct ipt_chain *c, const struct ipt_rule *r, bool counters,
			  GString *o)
{
	const uint64_t pc[2] = { r->packets, r->bytes };
	g_string_append_printf(o, "-A %s", c->name);
	GString *t = g_string_new(NULL);
	ipt_rule_text(r, counters ? pc : NULL, t);
	if (t->len)
		g_string_append_printf(o, " %s", t->str);
	g_string_free(t, TRUE);
}

void ipt_rule_format_full(const struct ipt_chain *c, const struct ipt_rule *r, GString *o)
{
	ipt_rule_line(c, r, false, o);
}

void ipt_print_rules(struct ipt_table *t, struct ipt_chain *only, long rulenum, bool counters,
		     GString *out)
{
	if (only && rulenum > 0) {
		if ((unsigned long)rulenum <= only->rules->len) {
			ipt_rule_line(only, only->rules->pdata[rulenum - 1], counters, out);
			g_string_append_c(out, '\n');
		}
		return;
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		if (only && c != only)
			continue;
		if (c->builtin) {
			g_string_append_printf(out, "-P %s %s", c->name,
					       c->policy == NF_DROP ? "DROP" : "ACCEPT");
			if (counters)
				g_string_append_printf(out, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
						       c->packets, c->bytes);
			g_string_append_c(out, '\n');
		} else {
			g_string_append_printf(out, "-N %s\n", c->name);
		}
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		if (only && c != only)
			continue;
		for (unsigned j = 0; j < c->rules->len; j++) {
			ipt_rule_line(c, c->rules->pdata[j], counters, out);
			g_string_append_c(out, '\n');
		}
	}
}

void ipt_print_save(struct ipt_table *t, bool counters, const char *date, GString *out)
{
	g_string_append_printf(out, "# Generated by iptables-save v1.8.9 (nf_tables) on %s\n", date);
	g_string_append_printf(out, "*%s\n", ipt_table_name(t->id));
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		if (c->builtin)
			g_string_append_printf(out, ":%s %s [%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "]\n",
					       c->name, c->policy == NF_DROP ? "DROP" : "ACCEPT",
					       c->packets, c->bytes);
		else
			g_string_append_printf(out, ":%s - [0:0]\n", c->name);
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		for (unsigned j = 0; j < c->rules->len; j++) {
			const struct ipt_rule *r = c->rules->pdata[j];
			if (counters)
				g_string_append_printf(out, "[%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "] ",
						       r->packets, r->bytes);
			ipt_rule_format_full(c, r, out);
			g_string_append_c(out, '\n');
		}
	}
	g_string_append(out, "COMMIT\n");
	g_string_append_printf(out, "# Completed on %s\n", date);
}

/* ----- the list form (-L) ----- */

struct ipt_fmt { bool numeric, verbose, exact, linenum; };

/* xtables_print_num (table form) */
static void ipt_num(GString *o, uint64_t n, bool exact, bool notable)
{
	if (exact) {
		g_string_append_printf(o, notable ? "%" G_GUINT64_FORMAT " " : "%8" G_GUINT64_FORMAT " ", n);
		return;
	}
	static const char suffix[] = "KMGT";
	if (n <= 99999) {
		g_string_append_printf(o, notable ? "%" G_GUINT64_FORMAT " " : "%5" G_GUINT64_FORMAT " ", n);
		return;
	}
	for (int i = 0; i < 4; i++) {
		n = (n + 500) / 1000;
		if (n <= 9999 || i == 3) {
			g_string_append_printf(o, notable ? "%" G_GUINT64_FORMAT "%c " : "%4" G_GUINT64_FORMAT "%c ",
					       n, suffix[i]);
			return;
		}
	}
}

static void ipt_list_ports(GString *o, const char *name, bool inv, uint16_t lo, uint16_t hi,
			   uint8_t proto, bool numeric)
{
	if (lo == 0 && hi == 0xffff && !inv)
		return;
	if (lo == hi) {
		g_string_append_printf(o, " %s:%s", name, inv ? "!" : "");
		ipt_port(o, lo, proto, numeric);
	} else {
		g_string_append_printf(o, " %ss:%s", name, inv ? "!" : "");
		ipt_port(o, lo, proto, numeric);
		g_string_append_c(o, ':');
		ipt_port(o, hi, proto, numeric);
	}
}

static void ipt_list_match(GString *o, const struct ipt_match *m, uint8_t proto, bool numeric)
{
	switch (m->id) {
	case IPT_M_TCP:
	case IPT_M_UDP: {
		const struct ipt_m_tcp *t = &m->u.tcp;
		g_string_append(o, m->id == IPT_M_TCP ? " tcp" : " udp");
		if (t->sport_set)
			ipt_list_ports(o, "spt", t->sport_inv, t->sport_min, t->sport_max, proto, numeric);
		if (t->dport_set)
			ipt_list_ports(o, "dpt", t->dport_inv, t->dport_min, t->dport_max, proto, numeric);
		if (m->id == IPT_M_TCP && t->flags_set) {
			g_string_append_printf(o, " flags:%s", t->flags_inv ? "!" : "");
			if (numeric) {
				g_string_append_printf(o, "0x%02X/0x%02X", t->flags_mask, t->flags_cmp);
			} else {
				ipt_tcp_flag_names(o, t->flags_mask);
				g_string_append_c(o, '/');
				ipt_tcp_flag_names(o, t->flags_cmp);
			}
		}
		break;
	}
	case IPT_M_ICMP: {
		const struct ipt_m_icmp *ic = &m->u.icmp;
		g_string_append(o, " icmp");
		if (!ic->set)
			break;
		const char *name = numeric ? NULL
			: ipt_icmp_type_name(ic->type, ic->code_min, ic->code_max);
		if (name) {
			g_string_append_printf(o, " %s%s", ic->inv ? "!" : "", name);
			break;
		}
		if (ic->inv)
			g_string_append(o, " !");
		g_string_append_printf(o, "type %u", ic->type);
		if (ic->code_min == ic->code_max)
			g_string_append_printf(o, " code %u", ic->code_min);
		else if (ic->code_min != 0 || ic->code_max != 0xff)
			g_string_append_printf(o, " codes %u-%u", ic->code_min, ic->code_max);
		break;
	}
	case IPT_M_STATE:
		g_string_append_printf(o, " %sstate ", m->u.state.inv ? "! " : "");
		ipt_states(o, m->u.state.mask);
		break;
	case IPT_M_CONNTRACK:
		if (m->u.state.set) {
			g_string_append_printf(o, " %sctstate ", m->u.state.inv ? "! " : "");
			ipt_states(o, m->u.state.mask);
		}
		break;
	case IPT_M_MULTIPORT: {
		static const char *const kinds[] = { "", "sports", "dports", "ports" };
		const struct ipt_m_multiport *mp = &m->u.mport;
		g_string_append_printf(o, " multiport %s %s", kinds[mp->kind], mp->inv ? " !" : "");
		for (unsigned i = 0; i < mp->n; i++) {
			if (i)
				g_string_append_c(o, ',');
			ipt_port(o, mp->min[i], proto, numeric);
			if (mp->max[i] != mp->min[i]) {
				g_string_append_c(o, ':');
				ipt_port(o, mp->max[i], proto, numeric);
			}
		}
		break;
	}
	case IPT_M_COMMENT:
		g_string_append_printf(o, " /* %s */", m->u.comment ? m->u.comment : "");
		break;
	}
}

static void ipt_list_target(GString *o, const struct ipt_rule *r, bool numeric)
{
	static const char *const level_names[8] = { "emerg", "alert", "crit", "err",
						     "warn", "notice", "info", "debug" };
	switch (r->target) {
	case IPT_T_REJECT:
		g_string_append_printf(o, " reject-with %s", ipt_reject_name(r->reject_with));
		break;
	case IPT_T_LOG:
		if (numeric)
			g_string_append_printf(o, " LOG flags 0 level %u", r->log_level);
		else
			g_string_append_printf(o, " LOG level %s", level_names[r->log_level & 7]);
		if (r->log_prefix)
			g_string_append_printf(o, " prefix \"%s\"", r->log_prefix);
		break;
	case IPT_T_SNAT:
	case IPT_T_DNAT:
		g_string_append(o, " to:");
		ipt_nat_range(o, &r->range, true);
		goto flags;
	case IPT_T_MASQUERADE:
	case IPT_T_REDIRECT:
		if (r->range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			g_string_append(o, r->target == IPT_T_MASQUERADE ? " masq ports: " : " redir ports ");
			ipt_nat_range(o, &r->range, false);
		}
	flags:
		if (r->range.flags & NF_NAT_RANGE_PROTO_RANDOM)
			g_string_append(o, " random");
		if (r->range.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
			g_string_append(o, " random-fully");
		if (r->range.flags & NF_NAT_RANGE_PERSISTENT)
			g_string_append(o, " persistent");
		break;
	case IPT_T_NOTRACK:
		g_string_append(o, r->notrack_ct ? " CT notrack" : " NOTRACK");
		break;
	case IPT_T_MARK:
		if (r->mark_mask == 0xffffffffu)
			g_string_append_printf(o, " MARK set 0x%x", r->mark_value);
		else
			g_string_append_printf(o, " MARK xset 0x%x/0x%x", r->mark_value, r->mark_mask);
		break;
	default:
		break;
	}
}

static const char *ipt_target_column(const struct ipt_rule *r)
{
	switch (r->target) {
	case IPT_T_NONE: return "";
	case IPT_T_ACCEPT: return "ACCEPT";
	case IPT_T_DROP: return "DROP";
	case IPT_T_RETURN: return "RETURN";
	case IPT_T_JUMP:
	case IPT_T_GOTO: return r->jump ? r->jump->name : "?";
	case IPT_T_REJECT: return "REJECT";
	case IPT_T_LOG: return "LOG";
	case IPT_T_SNAT: return "SNAT";
	case IPT_T_DNAT: return "DNAT";
	case IPT_T_MASQUERADE: return "MASQUERADE";
	case IPT_T_REDIRECT: return "REDIRECT";
	case IPT_T_NOTRACK: return "CT";
	case IPT_T_MARK: return "MARK";
	}
	return "?";
}

static void ipt_list_addr(GString *o, uint32_t a, uint32_t m, bool inv, bool numeric)
{
	GString *b = g_string_new(NULL);
	g_string_append_c(o, inv ? '!' : ' ');
	if (m == 0 && !numeric) {
		g_string_append(b, "anywhere");
	} else {
		nf_inet_append4(b, a);
		ipt_mask(b, m, false);
	}
	g_string_append_printf(o, "%-19s ", b->str);
	g_string_free(b, TRUE);
}

static void ipt_list_iface(GString *o, const char *name, bool inv, bool numeric)
{
	char buf[20];
	g_snprintf(buf, sizeof(buf), "%s%s", inv ? "!" : "", name[0] ? name : numeric ? "*" : "any");
	g_string_append_printf(o, "%-6s ", buf);
}

static void ipt_list_rule(GString *o, const struct ipt_rule *r, unsigned num, const struct ipt_fmt *f)
{
	if (f->linenum)
		g_string_append_printf(o, "%-4u ", num);
	if (f->verbose) {
		ipt_num(o, r->packets, f->exact, false);
		ipt_num(o, r->bytes, f->exact, false);
	}
	g_string_append_printf(o, "%-9s ", ipt_target_column(r));
	g_string_append_c(o, r->proto_inv ? '!' : ' ');
	const char *pname = f->numeric ? NULL : ipt_proto_name(r->proto);
	if (pname)
		g_string_append_printf(o, "%-5s", pname);
	else
		g_string_append_printf(o, "%-5u", r->proto);
	g_string_append(o, "-- ");
	if (f->verbose) {
		g_string_append_c(o, ' ');
		ipt_list_iface(o, r->in, r->in_inv, f->numeric);
		ipt_list_iface(o, r->out, r->out_inv, f->numeric);
	}
	ipt_list_addr(o, r->src, r->src_mask, r->src_inv, f->numeric);
	ipt_list_addr(o, r->dst, r->dst_mask, r->dst_inv, f->numeric);
	if (r->target == IPT_T_GOTO)
		g_string_append(o, "[goto] ");
	for (unsigned i = 0; i < r->nmatches; i++) {
		struct ipt_match view;
		if (ipt_match_view(r, i, &view))
			ipt_list_match(o, &view, r->proto, f->numeric);
	}
	ipt_list_target(o, r, f->numeric);
	g_string_append_c(o, '\n');
}

static void ipt_list_header(GString *o, const struct ipt_chain *c, const struct ipt_fmt *f)
{
	g_string_append_printf(o, "Chain %s", c->name);
	if (c->builtin) {
		g_string_append_printf(o, " (policy %s", c->policy == NF_DROP ? "DROP" : "ACCEPT");
		if (f->verbose) {
			g_string_append_c(o, ' ');
			ipt_num(o, c->packets, f->exact, true);
			g_string_append(o, "packets, ");
			ipt_num(o, c->bytes, f->exact, true);
			g_string_truncate(o, o->len - 1);
			g_string_append(o, " bytes");
		}
		g_string_append(o, ")\n");
	} else {
		g_string_append_printf(o, " (%u references)\n", c->refs);
	}
	if (f->linenum)
		g_string_append_printf(o, "%-4s ", "num");
	if (f->verbose) {
		if (f->exact)
			g_string_append_printf(o, "%8s %10s ", "pkts", "bytes");
		else
			g_string_append_printf(o, "%5s %5s ", "pkts", "bytes");
	}
	g_string_append_printf(o, "%-9s ", "target");
	g_string_append(o, " prot opt");
	if (f->verbose)
		g_string_append_printf(o, " %-6s %-6s ", "in", "out");
	g_string_append_printf(o, " %-19s  %-19s \n", "source", "destination");
}

void ipt_print_list(struct ipt_table *t, struct ipt_chain *only, long rulenum, bool numeric,
		    bool verbose, bool exact, bool linenum, GString *out)
{
	struct ipt_fmt f = { numeric, verbose, exact, linenum };
	if (only && rulenum > 0) {
		if ((unsigned long)rulenum <= only->rules->len)
			ipt_list_rule(out, only->rules->pdata[rulenum - 1], (unsigned)rulenum, &f);
		return;
	}
	bool first = true;
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		if (only && c != only)
			continue;
		if (!first)
			g_string_append_c(out, '\n');
		first = false;
		ipt_list_header(out, c, &f);
		for (unsigned j = 0; j < c->rules->len; j++)
			ipt_list_rule(out, c->rules->pdata[j], j + 1, &f);
	}
}
