/* xt_statistic.c - `-m statistic --mode random [!] --probability P` and
 * `--mode nth [!] --every N [--packet P]`.
 *
 * Mirrors libxt_statistic.c (the probability kept as lround(P * 2^31) and
 * printed back with %.11f; --every kept as N-1; its checks: the
 * extension's first, then xtables' mandatory/exclusion/also-requires ones)
 * and the kernel's net/netfilter/xt_statistic.c (statistic_mt: random
 * mode compares 31 random bits with the probability; nth mode steps a
 * counter that starts at every-packet and matches when it wraps to 0).
 *
 * Design: the random bits come from the run's seeded generator
 * (nf_env.random_u32), so a run is repeatable and another seed gives
 * another split; the nth counter is the rule's own (the kernel's
 * info->master), carried along when natsim copies the rule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/xt.h"

enum { XT_STATISTIC_MODE_RANDOM, XT_STATISTIC_MODE_NTH };

struct xt_statistic_info {
	uint8_t mode;
	bool invert;
	uint32_t probability;		/* random: P * 2^31 */
	uint32_t every, packet;		/* nth: every is N-1 */
	uint32_t *count;		/* nth: the rule's counter (info->master) */
};

enum { O_MODE, O_PROBABILITY, O_EVERY, O_PACKET };

static const struct xt_option statistic_opts[] = {
	{ "mode", 1, O_MODE }, { "probability", 1, O_PROBABILITY },
	{ "every", 1, O_EVERY }, { "packet", 1, O_PACKET }, { NULL, 0, 0 },
};

static void statistic_init(void *data)
{
	((struct xt_statistic_info *)data)->count = g_new0(uint32_t, 1);
}

static void statistic_copy(void *dst, const void *src)
{
	const struct xt_statistic_info *s = src;
	((struct xt_statistic_info *)dst)->count = g_memdup2(s->count, sizeof(*s->count));
}

static void statistic_destroy(void *data)
{
	g_free(((struct xt_statistic_info *)data)->count);
}

static bool statistic_u32(const char *s, unsigned long min, unsigned long *out)
{
	char *end;
	if (!g_ascii_isdigit(*s))
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || v < min || v > 0xffffffffull)
		return false;
	*out = (unsigned long)v;
	return true;
}

static int statistic_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_statistic_info *info = data;
	int rc = xt_once(p, statistic_opts[id].name, id);
	if (rc)
		return rc;
	unsigned long v;
	switch (id) {
	case O_MODE:
		rc = xt_noinvert(p, "mode");
		if (rc)
			break;
		if (strcmp(arg, "random") == 0)
			info->mode = XT_STATISTIC_MODE_RANDOM;
		else if (strcmp(arg, "nth") == 0)
			info->mode = XT_STATISTIC_MODE_NTH;
		else
			rc = xt_err(p, "Bad mode \"%s\"", arg);
		break;
	case O_PROBABILITY: {
		char *end;
		double d = strtod(arg, &end);
		if (!*arg || *end || !(d >= 0 && d <= 1))
			return xt_err(p, "statistic: bad value for option \"--probability\", or out of range (0-1).\n");
		info->probability = (uint32_t)lround(0x80000000 * d);
		if (p->invert)
			info->invert = true;
		break;
	}
	case O_EVERY:
		if (!statistic_u32(arg, 1, &v))
			return xt_err(p, "statistic: bad value for option \"--every\", or out of range (1-4294967295).\n");
		info->every = (uint32_t)(v - 1);
		if (p->invert)
			info->invert = true;
		break;
	default:
		rc = xt_noinvert(p, "packet");
		if (!rc && !statistic_u32(arg, 0, &v))
			rc = xt_err(p, "statistic: bad value for option \"--packet\", or out of range (0-4294967295).\n");
		if (!rc)
			info->packet = (uint32_t)v;
		break;
	}
	return rc;
}

/* statistic_check, then xtables_options_fcheck over the option table. */
static int statistic_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_statistic_info *info = data;
	unsigned f = *p->once;
	if (info->mode == XT_STATISTIC_MODE_RANDOM && !(f & 1u << O_PROBABILITY))
		return xt_err(p, "--probability must be specified when using random mode");
	if (info->mode == XT_STATISTIC_MODE_NTH && !(f & (1u << O_EVERY | 1u << O_PACKET)))
		return xt_err(p, "--every and --packet must be specified when using nth mode");
	if (info->packet > info->every)
		return xt_err(p, "the --packet p must be 0 <= p <= n-1");
	if (!(f & 1u << O_MODE))
		return xt_err(p, "statistic: option \"--mode\" must be specified\n");
	if ((f & 1u << O_PROBABILITY) && (f & 1u << O_EVERY))
		return xt_err(p, "statistic: option \"--probability\" cannot be used together with \"--every\".\n");
	if ((f & 1u << O_PROBABILITY) && (f & 1u << O_PACKET))
		return xt_err(p, "statistic: option \"--probability\" cannot be used together with \"--packet\".\n");
	if ((f & 1u << O_EVERY) && !(f & 1u << O_PACKET))
		return xt_err(p, "statistic: option \"--every\" also requires \"--packet\".\n");
	if ((f & 1u << O_PACKET) && !(f & 1u << O_EVERY))
		return xt_err(p, "statistic: option \"--packet\" also requires \"--every\".\n");
	/* statistic_mt_check: the counter starts at every - packet */
	*info->count = info->every - info->packet;
	return 0;
}

/* print_match: prefix "" for -L, "--" for -S (which always shows --packet) */
static void statistic_dump(GString *o, const struct xt_statistic_info *info, const char *prefix)
{
	if (info->mode == XT_STATISTIC_MODE_RANDOM) {
		g_string_append_printf(o, " %smode random%s %sprobability %.11f", prefix,
				       info->invert ? " !" : "", prefix,
				       1.0 * info->probability / 0x80000000);
		return;
	}
	g_string_append_printf(o, " %smode nth%s %severy %u", prefix, info->invert ? " !" : "",
			       prefix, info->every + 1);
	if (info->packet || *prefix)
		g_string_append_printf(o, " %spacket %u", prefix, info->packet);
}

static void statistic_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append(o, " statistic");
	statistic_dump(o, data, "");
}

static void statistic_save(GString *o, const void *data)
{
	statistic_dump(o, data, "--");
}

/* statistic_mt */
static bool statistic_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_statistic_info *info = data;
	bool ret = info->invert;
	if (info->mode == XT_STATISTIC_MODE_RANDOM) {
		struct nf_ns *ns = par->ns;
		uint32_t r = ns->env.random_u32 ? ns->env.random_u32(ns->env.ctx) : 0;
		if ((r & 0x7fffffffu) < info->probability)
			ret = !ret;
	} else {
		uint32_t nval = *info->count == info->every ? 0 : *info->count + 1;
		*info->count = nval;
		if (nval == 0)
			ret = !ret;
	}
	return ret;
}

/* statistic_xlate: `meta random & 2147483647 <|>= P*2^31` and `numgen inc
 * mod N [!= ]P`. */
static bool statistic_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_statistic_info *info = data;
	(void)r;
	if (info->mode == XT_STATISTIC_MODE_RANDOM)
		xt_xlate_add(xl, "meta random & %u %s %u", 2147483647u, info->invert ? ">=" : "<",
			     info->probability);
	else
		xt_xlate_add(xl, "numgen inc mod %u %s%u", info->every + 1,
			     info->invert ? "!= " : "", info->packet);
	return true;
}

const struct xt_ops xt_statistic_ops = {
	.name = "statistic", .kind = XT_MATCH, .size = sizeof(struct xt_statistic_info),
	.xlate = statistic_xlate,
	.opts = statistic_opts, .init = statistic_init, .parse = statistic_parse,
	.final_check = statistic_final_check, .print = statistic_print, .save = statistic_save,
	.copy = statistic_copy, .destroy = statistic_destroy, .match = statistic_mt,
};
