/* xt_limit.c - `-m limit [--limit RATE[/second|/minute|/hour|/day]]
 * [--limit-burst N]`.
 *
 * Mirrors libxt_limit.c (the rate parsed with its unit named by any prefix,
 * kept as the average period in 1/10000 s, -L and -S naming the largest
 * unit that shows it whole; "Rate too fast" above 10000/s; burst default 5)
 * and what iptables-nft loads for it, nftables' net/netfilter/nft_limit.c
 * (a packet token bucket in nanoseconds: each packet costs unit/rate, the
 * bucket holds burst packets and starts full; a burst of 0 is 5).
 *
 * Design: the bucket is the rule's own (like the kernel's per-expression
 * state), carried along when natsim copies the rule; it starts full, so
 * starting its clock at the first packet is the same as at insertion.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

#define XT_LIMIT_SCALE 10000u
#define XT_LIMIT_BURST 5u

struct xt_limit_state {
	int64_t tokens, last;	/* ns; last < 0: no packet yet */
};

struct xt_rateinfo {
	uint32_t avg;		/* period in 1/XT_LIMIT_SCALE s */
	uint32_t burst;
	uint32_t rate, unit;	/* nft's rate per unit seconds */
	struct xt_limit_state *st;
};

enum { O_LIMIT, O_BURST };

static const struct xt_option limit_opts[] = {
	{ "limit", 1, O_LIMIT }, { "limit-burst", 1, O_BURST }, { NULL, 0, 0 },
};

static void limit_init(void *data)
{
	struct xt_rateinfo *r = data;
	/* 3/hour */
	r->rate = 3;
	r->unit = 3600;
	r->avg = XT_LIMIT_SCALE * 3600 / 3;
	r->burst = XT_LIMIT_BURST;
	r->st = g_new0(struct xt_limit_state, 1);
	r->st->last = -1;
}

static void limit_copy(void *dst, const void *src)
{
	const struct xt_rateinfo *s = src;
	((struct xt_rateinfo *)dst)->st = g_memdup2(s->st, sizeof(*s->st));
}

static void limit_destroy(void *data)
{
	g_free(((struct xt_rateinfo *)data)->st);
}

/* parse_rate: N[/unit], the unit by any prefix of second, minute, hour, day */
static int limit_parse_rate(struct xt_parse *p, const char *arg, struct xt_rateinfo *r)
{
	const char *slash = strchr(arg, '/');
	uint32_t mult = 1;
	if (slash) {
		size_t len = strlen(slash + 1);
		if (len == 0)
			return xt_err(p, "bad rate \"%s\"'", arg);
		if (g_ascii_strncasecmp(slash + 1, "second", len) == 0)
			mult = 1;
		else if (g_ascii_strncasecmp(slash + 1, "minute", len) == 0)
			mult = 60;
		else if (g_ascii_strncasecmp(slash + 1, "hour", len) == 0)
			mult = 3600;
		else if (g_ascii_strncasecmp(slash + 1, "day", len) == 0)
			mult = 86400;
		else
			return xt_err(p, "bad rate \"%s\"'", arg);
	}
	unsigned long v = strtoul(arg, NULL, 10);	/* atoi */
	if (v == 0 || v > 0xffffffffu)
		return xt_err(p, "bad rate \"%s\"'", arg);
	if (v / mult > XT_LIMIT_SCALE)
		return xt_err(p, "Rate too fast \"%s\"", arg);
	r->rate = (uint32_t)v;
	r->unit = mult;
	r->avg = (uint32_t)((uint64_t)XT_LIMIT_SCALE * mult / v);
	return 0;
}

static int limit_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_rateinfo *r = data;
	int rc = xt_once(p, limit_opts[id].name, id);
	if (!rc)
		rc = xt_noinvert(p, limit_opts[id].name);
	if (rc)
		return rc;
	if (id == O_LIMIT)
		return limit_parse_rate(p, arg, r);
	unsigned long v;
	if (!xt_strtoul(arg, 10000, &v))
		return xt_err(p, "limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n");
	r->burst = v ? (uint32_t)v : XT_LIMIT_BURST;	/* nft_limit_init: 0 is 5 */
	return 0;
}

/* print_rate */
static void limit_print_rate(GString *o, uint32_t period)
{
	static const struct { const char *name; uint32_t mult; } rates[] = {
		{ "day", XT_LIMIT_SCALE * 24 * 60 * 60 }, { "hour", XT_LIMIT_SCALE * 60 * 60 },
		{ "min", XT_LIMIT_SCALE * 60 }, { "sec", XT_LIMIT_SCALE },
	};
	if (period == 0) {
		g_string_append(o, " inf");
		return;
	}
	unsigned i;
	for (i = 1; i < G_N_ELEMENTS(rates); ++i)
		if (period > rates[i].mult || rates[i].mult / period < rates[i].mult % period)
			break;
	g_string_append_printf(o, " %u/%s", rates[i - 1].mult / period, rates[i - 1].name);
}

static void limit_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_rateinfo *r = data;
	(void)proto;
	(void)numeric;
	g_string_append(o, " limit: avg");
	limit_print_rate(o, r->avg);
	g_string_append_printf(o, " burst %u", r->burst);
}

static void limit_save(GString *o, const void *data)
{
	const struct xt_rateinfo *r = data;
	g_string_append(o, " --limit");
	limit_print_rate(o, r->avg);
	if (r->burst != XT_LIMIT_BURST)
		g_string_append_printf(o, " --limit-burst %u", r->burst);
}

/* nft_limit_eval / nft_limit_pkts_eval: true while under the limit */
static bool limit_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_rateinfo *r = data;
	struct xt_limit_state *st = r->st;
	int64_t cost = (int64_t)1000000000 * r->unit / r->rate;
	int64_t max = cost * r->burst;
	int64_t now = par->now;
	if (st->last < 0) {
		st->tokens = max;
		st->last = now;
	}
	int64_t tokens = st->tokens + now - st->last;
	if (tokens > max)
		tokens = max;
	st->last = now;
	int64_t delta = tokens - cost;
	if (delta >= 0) {
		st->tokens = delta;
		return true;
	}
	st->tokens = tokens;
	return false;
}

/* limit_xlate / print_rate_xlate: the largest unit that keeps the rate a
 * whole number (1.8.9's test), `burst N packets` unless 0. */
static bool limit_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const struct { const char *name; uint32_t mult; } rates[] = {
		{ "day", 10000u * 24 * 60 * 60 }, { "hour", 10000u * 60 * 60 },
		{ "minute", 10000u * 60 }, { "second", 10000u },
	};
	const struct xt_rateinfo *ri = data;
	uint32_t period = ri->avg;
	(void)r;
	xt_xlate_add(xl, "limit rate");
	if (period == 0) {
		xt_xlate_add(xl, " inf");
	} else {
		unsigned i;
		for (i = 1; i < G_N_ELEMENTS(rates); i++)
			if (period > rates[i].mult || rates[i].mult / period < rates[i].mult % period)
				break;
		xt_xlate_add(xl, " %u/%s", rates[i - 1].mult / period, rates[i - 1].name);
	}
	if (ri->burst != 0)
		xt_xlate_add(xl, " burst %u packets", ri->burst);
	return true;
}

/* add_nft_limit (iptables-nft 1.8.9): a native limit, which nft prints as
 * the xlate writes it but without the default burst of 5 (limit_stmt_print). */
static void limit_nft_list(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	struct xt_rateinfo ri = *(const struct xt_rateinfo *)data;
	if (ri.burst == 5)
		ri.burst = 0;
	limit_xlate(xl, r, &ri);
}

const struct xt_ops xt_limit_ops = {
	.name = "limit", .kind = XT_MATCH, .size = sizeof(struct xt_rateinfo),
	.xlate = limit_xlate, .nft_list = limit_nft_list,
	.opts = limit_opts, .init = limit_init, .parse = limit_parse,
	.print = limit_print, .save = limit_save, .copy = limit_copy, .destroy = limit_destroy,
	.match = limit_mt,
};
