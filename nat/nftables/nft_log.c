/* nft_log.c - nft's log statement: its arguments, their checks, its
 * listing, and what it does to a packet.
 *
 *   log [prefix S] [level emerg|alert|crit|err|warn|notice|info|debug|audit]
 *       [flags tcp sequence,options | flags ip options | flags skuid |
 *        flags ether | flags all]...
 *   log [prefix S] group N [snaplen N] [queue-threshold N]
 *
 * Mirrors nft 1.0.6's parser_bison.y log_args (every argument may come
 * again: the last prefix/level/group wins, flags add up; numbers are cut to
 * the attribute's width: group and queue-threshold 16 bits), evaluate.c's
 * stmt_evaluate_log (the three refusals, marked at `log`), netlink_linearize
 * (with a group: no level nor flags; without one: no snaplen nor
 * queue-threshold) and statement.c's log_stmt_print. The kernel (nft_log.c)
 * refuses a prefix of 128 bytes or more (ERANGE) and sends the packet to
 * nf_log_syslog's line with the NF_LOG_* flags, to audit for level audit
 * (no kernel log line), and to nfnetlink_log for a group: with no
 * userspace listener on the group (natsim has none) nothing is written.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/nf_log.h"
#include "nat/nftables/nft_int.h"

#define NFT_LOGLEVEL_AUDIT 8
#define NF_LOG_PREFIXLEN 128

static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn", "notice",
				      "info", "debug", "audit", NULL };

/* A separator or brace the parser took by mistake goes back: recovery
 * skips the rest of the line from there, not the next line. */
static void unread_sep(struct nft_parse *p, const struct nft_token *t)
{
	if (t->type == NFT_T_NL || t->type == NFT_T_SEMI || t->type == NFT_T_RBRACE)
		p->pos--;
}

/* bison's "syntax error, unexpected X, expecting Y" at t, the token just
 * taken. */
static void expecting(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	nft_error_expecting(p, t, what);
	unread_sep(p, t);
}

/* nft's NUM (decimal or 0x hex), 64 bits; the caller cuts it. */
static bool log_num(struct nft_parse *p, uint64_t *v)
{
	const struct nft_token *t = nft_next(p);
	char *end = NULL;
	if (t->type == NFT_T_WORD && g_ascii_isdigit(t->text[0])) {
		bool hex = t->text[0] == '0' && (t->text[1] == 'x' || t->text[1] == 'X');
		*v = g_ascii_strtoull(t->text, &end, hex ? 16 : 10);
		if (end && !*end)
			return true;
	}
	expecting(p, t, "number");
	return false;
}

/* log_flags: `tcp sequence[,options]`, `ip options`, `skuid`, `ether`, `all`. */
static bool log_flags(struct nft_parse *p, unsigned *flags)
{
	const struct nft_token *t = nft_next(p);
	if (nft_is_word(t, "tcp")) {
		for (;;) {
			const struct nft_token *f = nft_next(p);
			if (nft_is_word(f, "sequence")) {
				*flags |= NF_LOG_TCPSEQ;
			} else if (nft_is_word(f, "options")) {
				*flags |= NF_LOG_TCPOPT;
			} else {
				expecting(p, f, "seq or options");
				return false;
			}
			if (nft_peek(p, 0)->type != NFT_T_COMMA)
				return true;
			nft_next(p);
		}
	}
	if (nft_is_word(t, "ip")) {
		const struct nft_token *f = nft_next(p);
		if (!nft_is_word(f, "options")) {
			expecting(p, f, "options");
			return false;
		}
		*flags |= NF_LOG_IPOPT;
	} else if (nft_is_word(t, "skuid")) {
		*flags |= NF_LOG_UID;
	} else if (nft_is_word(t, "ether")) {
		*flags |= NF_LOG_MACDECODE;
	} else if (nft_is_word(t, "all")) {
		*flags |= NF_LOG_MASK;
	} else {
		nft_error_unexpected(p, t);
		unread_sep(p, t);
		return false;
	}
	return true;
}

/* The arguments after `log` (kw). */
bool nft_log_parse(struct nft_parse *p, const struct nft_token *kw, struct nft_expr *e)
{
	bool has_flags = false;
	for (;;) {
		const struct nft_token *t = nft_peek(p, 0);
		uint64_t v;
		if (nft_is_word(t, "prefix")) {
			nft_next(p);
			t = nft_next(p);
			if (t->type != NFT_T_STRING && t->type != NFT_T_WORD) {
				nft_error_unexpected(p, t);
				return false;
			}
			g_free(e->prefix);
			e->prefix = g_strdup(t->text);
		} else if (nft_is_word(t, "level")) {
			nft_next(p);
			t = nft_next(p);
			if (t->type != NFT_T_STRING &&
			    (t->type != NFT_T_WORD || g_ascii_isdigit(t->text[0]))) {
				expecting(p, t, "string or quoted string or string with a "
					  "trailing asterisk");
				return false;
			}
			e->level = -1;
			for (int i = 0; levels[i]; i++)
				if (!strcmp(t->text, levels[i]))
					e->level = i;
			if (e->level < 0) {
				nft_error(p, t, NULL, "invalid log level");
				return false;
			}
		} else if (nft_is_word(t, "group")) {
			nft_next(p);
			if (!log_num(p, &v))
				return false;
			e->log_group = (int)(uint16_t)v;
		} else if (nft_is_word(t, "snaplen")) {
			nft_next(p);
			if (!log_num(p, &v))
				return false;
			e->log_snaplen = (uint32_t)v;
			e->log_has_snaplen = true;
		} else if (nft_is_word(t, "queue-threshold")) {
			nft_next(p);
			if (!log_num(p, &v))
				return false;
			e->log_qthreshold = (uint16_t)v;
			e->log_has_qthreshold = true;
		} else if (nft_is_word(t, "flags")) {
			nft_next(p);
			if (!log_flags(p, &e->log_flags))
				return false;
			has_flags = true;
		} else {
			break;
		}
	}
	/* stmt_evaluate_log */
	if (e->log_group >= 0 && e->level >= 0) {
		nft_error(p, kw, NULL, "level and group are mutually exclusive");
		return false;
	}
	if (e->log_group >= 0 && has_flags) {
		nft_error(p, kw, NULL, "flags and group are mutually exclusive");
		return false;
	}
	if (e->level == NFT_LOGLEVEL_AUDIT &&
	    (e->prefix || e->log_group >= 0 || e->log_has_snaplen || e->log_has_qthreshold ||
	     has_flags)) {
		nft_error(p, kw, NULL, "log level audit doesn't support any further options");
		return false;
	}
	/* nft_log_init: the prefix with its NUL in NF_LOG_PREFIXLEN */
	if (e->prefix && strlen(e->prefix) >= NF_LOG_PREFIXLEN) {
		nft_error(p, kw, NULL, "Could not process rule: Numerical result out of range");
		return false;
	}
	if (e->log_group < 0)
		e->log_has_snaplen = e->log_has_qthreshold = false;
	return true;
}

/* log_stmt_print of what the kernel gives back. */
void nft_log_print(GString *s, const struct nft_expr *e)
{
	g_string_append(s, "log");
	if (e->prefix)
		g_string_append_printf(s, " prefix \"%s\"", e->prefix);
	if (e->log_group >= 0)
		g_string_append_printf(s, " group %d", e->log_group);
	if (e->log_has_snaplen)
		g_string_append_printf(s, " snaplen %u", e->log_snaplen);
	if (e->log_has_qthreshold)
		g_string_append_printf(s, " queue-threshold %u", e->log_qthreshold);
	if (e->level >= 0 && e->level != 4)
		g_string_append_printf(s, " level %s", levels[e->level]);
	unsigned f = e->log_flags;
	if ((f & NF_LOG_MASK) == NF_LOG_MASK) {
		g_string_append(s, " flags all");
		return;
	}
	if (f & (NF_LOG_TCPSEQ | NF_LOG_TCPOPT)) {
		g_string_append(s, " flags tcp");
		if (f & NF_LOG_TCPSEQ)
			g_string_append(s, " sequence");
		if (f & NF_LOG_TCPOPT)
			g_string_append(s, f & NF_LOG_TCPSEQ ? ",options" : " options");
	}
	if (f & NF_LOG_IPOPT)
		g_string_append(s, " flags ip options");
	if (f & NF_LOG_UID)
		g_string_append(s, " flags skuid");
	if (f & NF_LOG_MACDECODE)
		g_string_append(s, " flags ether");
}

/* nft_log_eval: the syslog line with the rule's flags; audit and an
 * nflog group with no listener write nothing. */
void nft_log_eval(const struct nft_expr *e, struct nf_ns *ns, const struct nf_skb *skb,
		  const char *in, const char *out, nf_time now)
{
	if (e->log_group >= 0 || e->level == NFT_LOGLEVEL_AUDIT)
		return;
	nf_log_ip_packet_flags(ns, skb, in, out, e->prefix, e->log_flags, now);
}
