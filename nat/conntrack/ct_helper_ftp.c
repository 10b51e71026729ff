/* ct_helper_ftp.c - the FTP helper (nf_conntrack_ftp.c, Linux 6.x).
 *
 * It reads only packets of an established control connection that start
 * right after a line end it saw in that direction (two such positions
 * remembered per direction, seq_aft_nl), so the first segment each way is
 * never parsed, and a command split across two segments is never seen
 * whole: its first half is a "partial match" of PORT/EPRT/227/229 and is
 * DROPPED (the kernel's choice, so that tracking stays exact), a later half
 * starts after no line end and is ignored. The client's PORT and EPRT
 * (IPv4: |1|) and the server's 227 (RFC 1123: the first six numbers after
 * "227 ", wherever they stand) and 229 (|||port|) announce a data
 * connection; the address must be the sender's own (loose=0), else the
 * helper stays quiet. The expectation: from the other side's address, any
 * source port, to the announced address and port, TCP; max_expected 1
 * (a second PORT replaces the first), timeout 300 s.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/core/nf_ns.h"

const struct nf_ct_expect_policy ftp_exp_policy = { .max_expected = 1, .timeout = 5 * 60 };

struct ftp_cmd {
	uint32_t addr;
	uint16_t port;
};

/* try_number: array_size numbers separated by sep, ended by term (or by
 * any other character when term is 0). Returns the length, 0 on failure. */
static int try_number(const char *data, size_t dlen, uint32_t array[], int array_size, char sep,
		      char term)
{
	uint32_t i, len;

	memset(array, 0, sizeof(array[0]) * (size_t)array_size);
	for (i = 0, len = 0; len < dlen && i < (uint32_t)array_size; len++, data++) {
		if (*data >= '0' && *data <= '9') {
			array[i] = array[i] * 10 + (uint32_t)(*data - '0');
		} else if (*data == sep) {
			i++;
		} else {
			if ((*data == term || !term) && i == (uint32_t)array_size - 1)
				return (int)len;
			return 0;
		}
	}
	return 0;
}

/* try_rfc959: "192,168,1,1,5,6" */
static int try_rfc959(const char *data, size_t dlen, struct ftp_cmd *cmd, char term,
		      unsigned *offset)
{
	uint32_t a[6];
	int length;

	(void)offset;
	length = try_number(data, dlen, a, 6, ',', term);
	if (length == 0)
		return 0;
	cmd->addr = a[0] << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
	cmd->port = (uint16_t)(a[4] << 8 | a[5]);
	return length;
}

/* try_rfc1123: the numbers start at the first digit (227 replies with or
 * without parentheses). */
static int try_rfc1123(const char *data, size_t dlen, struct ftp_cmd *cmd, char term,
		       unsigned *offset)
{
	size_t i;

	(void)term;
	for (i = 0; i < dlen; i++)
		if (isdigit((unsigned char)data[i]))
			break;
	if (i == dlen)
		return 0;
	*offset += (unsigned)i;
	return try_rfc959(data + i, dlen - i, cmd, 0, offset);
}

/* get_port: digits up to delim (not 0). Returns the index after delim. */
static int get_port(const char *data, size_t start, size_t dlen, char delim, uint16_t *port)
{
	uint32_t tmp = 0;

	for (size_t i = start; i < dlen; i++) {
		if (data[i] == delim) {
			if (tmp == 0)
				break;
			*port = (uint16_t)tmp;
			return (int)i + 1;
		} else if (data[i] >= '0' && data[i] <= '9') {
			tmp = (tmp * 10 + (uint32_t)(data[i] - '0')) & 0xffff;
		} else {
			break;
		}
	}
	return 0;
}

/* try_eprt: "|1|132.235.1.2|6275|" (IPv4 only: natsim has no IPv6). */
static int try_eprt(const char *data, size_t dlen, struct ftp_cmd *cmd, char term,
		    unsigned *offset)
{
	uint32_t a[4];
	char delim;
	int length;

	(void)term;
	(void)offset;
	if (dlen <= 3)
		return 0;
	delim = data[0];
	if (isdigit((unsigned char)delim) || delim < 33 || delim > 126 || data[2] != delim)
		return 0;
	if (data[1] != '1')
		return 0;
	length = try_number(data + 3, dlen - 3, a, 4, '.', delim);
	if (length == 0)
		return 0;
	cmd->addr = a[0] << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
	return get_port(data, 3 + (size_t)length + 1, dlen, delim, &cmd->port);
}

/* try_epsv_response: "|||6446|" */
static int try_epsv_response(const char *data, size_t dlen, struct ftp_cmd *cmd, char term,
			     unsigned *offset)
{
	char delim;

	(void)term;
	(void)offset;
	if (dlen <= 3)
		return 0;
	delim = data[0];
	if (isdigit((unsigned char)delim) || delim < 33 || delim > 126 || data[1] != delim ||
	    data[2] != delim)
		return 0;
	return get_port(data, 3, dlen, delim, &cmd->port);
}

static const struct ftp_search {
	const char *pattern;
	size_t plen;
	char skip, term;
	enum nf_ct_ftp_type type;
	int (*getnum)(const char *, size_t, struct ftp_cmd *, char, unsigned *);
} search[CT_DIR_MAX][2] = {
	[CT_DIR_ORIGINAL] = {
		{ "PORT", 4, ' ', '\r', NF_CT_FTP_PORT, try_rfc959 },
		{ "EPRT", 4, ' ', '\r', NF_CT_FTP_EPRT, try_eprt },
	},
	[CT_DIR_REPLY] = {
		{ "227 ", 4, 0, 0, NF_CT_FTP_PASV, try_rfc1123 },
		{ "229 ", 4, '(', ')', NF_CT_FTP_EPSV, try_epsv_response },
	},
};

/* find_pattern: 1 match, 0 none, -1 partial (the packet is a prefix of the
 * pattern, or the numbers do not parse). The pattern must start the
 * packet. */
static int find_pattern(const char *data, size_t dlen, const struct ftp_search *s,
			unsigned *numoff, unsigned *numlen, struct ftp_cmd *cmd)
{
	size_t i = s->plen;

	if (dlen <= s->plen)
		return strncasecmp(data, s->pattern, dlen) == 0 ? -1 : 0;
	if (strncasecmp(data, s->pattern, s->plen) != 0)
		return 0;
	if (s->skip) {
		for (i = s->plen; data[i] != s->skip; i++)
			if (i == dlen - 1)
				return -1;
		i++;
	}
	*numoff = (unsigned)i;
	*numlen = (unsigned)s->getnum(data + i, dlen - i, cmd, s->term, numoff);
	if (!*numlen)
		return -1;
	return 1;
}

int nf_ct_ftp_parse(const char *data, size_t dlen, enum ct_dir dir, uint32_t *addr,
		    uint16_t *port, unsigned *off, unsigned *len, int *type)
{
	struct ftp_cmd cmd = { *addr, 0 };
	int found = 0;
	unsigned i;

	for (i = 0; i < 2; i++) {
		found = find_pattern(data, dlen, &search[dir][i], off, len, &cmd);
		if (found)
			break;
	}
	if (found == 1) {
		*addr = cmd.addr;
		*port = cmd.port;
		*type = search[dir][i].type;
	} else if (found == -1) {
		*type = search[dir][i].type;
	}
	return found;
}

static bool find_nl_seq(uint32_t seq, const struct nf_ct_ftp_master *info, int dir)
{
	for (unsigned i = 0; i < info->seq_aft_nl_num[dir]; i++)
		if (info->seq_aft_nl[dir][i] == seq)
			return true;
	return false;
}

/* update_nl_seq: remember where a line ended; with two remembered, replace
 * the older if this one is after it. */
static void update_nl_seq(uint32_t nl_seq, struct nf_ct_ftp_master *info, int dir)
{
	unsigned oldest;

	for (unsigned i = 0; i < info->seq_aft_nl_num[dir]; i++)
		if (info->seq_aft_nl[dir][i] == nl_seq)
			return;
	if (info->seq_aft_nl_num[dir] < NUM_SEQ_TO_REMEMBER) {
		info->seq_aft_nl[dir][info->seq_aft_nl_num[dir]++] = nl_seq;
		return;
	}
	oldest = (int32_t)(info->seq_aft_nl[dir][0] - info->seq_aft_nl[dir][1]) < 0 ? 0 : 1;
	if ((int32_t)(nl_seq - info->seq_aft_nl[dir][oldest]) > 0)
		info->seq_aft_nl[dir][oldest] = nl_seq;
}

static const char *const ftp_type_name[] = { "PORT", "227", "EPRT", "229" };

/* help() of nf_conntrack_ftp.c. */
int nf_ct_ftp_help(struct nf_ns *ns, struct nf_skb *skb, unsigned protoff, struct ct_entry *ct,
		   uint8_t ctinfo, nf_time now)
{
	struct nf_conn_help *help = nfct_help(ns, ct);
	struct nf_ct_ftp_master *info = &help->ftp;
	int dir = ct_info_dir(ctinfo);
	const uint8_t *th = skb->ip + protoff;
	unsigned dataoff, datalen, matchoff = 0, matchlen = 0;
	uint32_t seq, tot;
	bool ends_in_nl;
	int found, type = 0, ret = NF_ACCEPT;
	uint32_t addr;
	uint16_t port = 0;
	const char *data;

	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	if (protoff + 20 > skb->len)
		return NF_ACCEPT;
	tot = rd16(skb->ip + 2);
	if (tot > skb->len)
		tot = skb->len;
	dataoff = protoff + (th[12] >> 4) * 4u;
	if (dataoff >= tot)
		return NF_ACCEPT;
	datalen = tot - dataoff;
	data = (const char *)skb->ip + dataoff;
	ends_in_nl = data[datalen - 1] == '\n';
	seq = rd32(th + 4) + datalen;

	if (!find_nl_seq(rd32(th + 4), info, dir))
		goto out_update_nl;

	addr = ct->tuplehash[dir].t.src;
	found = nf_ct_ftp_parse(data, datalen, (enum ct_dir)dir, &addr, &port, &matchoff,
				&matchlen, &type);
	if (found == -1) {
		if (ns->env.trace)
			nf_trace(ns, NF_TRACE_STEP "ftp: partial matching of `%s': DROP",
				 nf_hook_name(ns->cur_hook), "helper",
				 search[dir][type == NF_CT_FTP_EPRT || type == NF_CT_FTP_EPSV]
					 .pattern);
		skb->drop_reason = NF_DROP_REASON_HOOK;
		return NF_DROP;
	}
	if (found == 0)
		goto out_update_nl;
	if (ns->env.trace) {
		char a[16];

		nf_inet_ntop4(addr, a);
		nf_trace(ns, NF_TRACE_STEP "ftp: %s %.*s -> %s:%u", nf_hook_name(ns->cur_hook),
			 "helper", ftp_type_name[type], (int)matchlen, data + matchoff, a, port);
	}
	if (addr != ct->tuplehash[dir].t.src) {
		/* not the sender's own address: loose=0 records nothing */
		if (ns->env.trace)
			nf_trace(ns, NF_TRACE_STEP "ftp: address is not the sender's: no expectation",
				 nf_hook_name(ns->cur_hook), "helper");
		goto out_update_nl;
	}
	{
		struct nf_ct_expect exp = {
			.tuple = { .src = ct->tuplehash[!dir].t.src, .dst = ct->tuplehash[!dir].t.dst,
				   .sport = 0, .dport = port, .proto = 6 },
			.mask_src = 0xffffffffu, .mask_sport = 0, .master = ct,
		};
		nf_nat_ftp_hook_fn nat_ftp = ns->ct->help->nat_ftp;
		int rc;

		if (nat_ftp && (ct->status & IPS_NAT_MASK)) {
			/* NAT rewrites the line and registers the expectation
			 * (seq, taken before, stays the unrewritten one) */
			ret = nat_ftp(ns, skb, ctinfo, type, protoff, matchoff, matchlen, &exp,
				      now);
			goto out_update_nl;
		}
		rc = nf_ct_expect_related(ns, &exp, now);
		if (rc) {
			if (ns->env.trace)
				nf_trace(ns, NF_TRACE_STEP "ftp: cannot add expectation: DROP",
					 nf_hook_name(ns->cur_hook), "helper");
			skb->drop_reason = NF_DROP_REASON_HOOK;
			ret = NF_DROP;
		} else if (ns->env.trace) {
			char a[16], b[16];

			nf_inet_ntop4(exp.tuple.src, a);
			nf_inet_ntop4(exp.tuple.dst, b);
			nf_trace(ns, NF_TRACE_STEP "expectation created: %s:any -> %s:%u tcp, %u s",
				 nf_hook_name(ns->cur_hook), "helper", a, b, port,
				 ftp_exp_policy.timeout);
		}
	}
out_update_nl:
	if (ends_in_nl)
		update_nl_seq(seq, info, dir);
	return ret;
}
