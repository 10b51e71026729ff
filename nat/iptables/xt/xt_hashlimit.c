/* xt_hashlimit.c - `-m hashlimit --hashlimit-upto|--hashlimit-above RATE
 * --hashlimit-name NAME [--hashlimit-burst N] [--hashlimit-mode
 * srcip,srcport,dstip,dstport] [--hashlimit-srcmask B] [--hashlimit-dstmask B]
 * [--hashlimit-htable-size N] [--hashlimit-htable-max N]
 * [--hashlimit-htable-expire MS] [--hashlimit-htable-gcinterval MS]`.
 *
 * Mirrors libxt_hashlimit.c (revision 3: the rate as a period in 1/1000000
 * s, -L/-S printing the largest unit that shows it whole, burst 5, the
 * entries' expiry defaulting to the rate's unit, the htable options shown
 * when not their defaults) and the kernel's net/netfilter/xt_hashlimit.c:
 * one token bucket per destination (the packet's fields the mode names,
 * addresses under their masks) in a table per name and namespace, shared
 * by every rule naming it, made with the config of the first rule that
 * uses it; credits as rateinfo_init/rateinfo_recalc/user2credits count
 * them with HZ=250 jiffies (CREDITS_PER_JIFFY 2^39); an entry unused for
 * the expiry leaves at the garbage collector's next run (every gcinterval
 * ms from the table's birth); a full table (htable-max) drops the packet.
 * Byte rates (`1kb/s`, `--hashlimit-burst 10kb`) as parse_bytes and
 * print_bytes keep them: the rate a cost per 16-byte chunk (UINT32_MAX /
 * chunks per second), the burst a count of whole rates, the expiry 15 s
 * (60 s with a burst); the kernel's bucket holds one second of credit
 * (CREDITS_PER_JIFFY_BYTES 2^24), charges a packet per started 16 bytes
 * of its length and, short of credit, spends one of the burst's refills.
 *
 * Design: the tables are the namespace's (ns->ipt->hashlimit), kept in
 * their entries' creation order; natsim looks the table up when a rule
 * first sees a packet (the kernel at checkentry), makes it with the config
 * of the first rule naming it in table order, and keeps it until the
 * namespace ends (the kernel: until the last rule naming it goes); its
 * /proc file exists while a rule names it. --hashlimit-rate-match and
 * --hashlimit-rate-interval say they are not implemented.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/ipt.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/nf_iptables.h"
#include "nat/iptables/xt.h"

#define HL_SCALE 1000000ull		/* XT_HASHLIMIT_SCALE_v2 */
#define HL_BURST_MAX 1000000ull	/* XT_HASHLIMIT_BURST_MAX */
#define HL_GCINTERVAL 1000u
#define HL_HZ 250u
#define HL_INITIAL_JIFFIES 4294892296ull	/* (unsigned int)(-300 * HZ) */
#define HL_CPJ (1ull << 39)		/* CREDITS_PER_JIFFY at HZ=250 */
#define HL_DEF_SIZE 8192u		/* a machine with more than 1 GB */
#define HL_BYTE_SHIFT 4			/* XT_HASHLIMIT_BYTE_SHIFT: 16-byte chunks */
#define HL_CPJ_BYTES (1ull << 24)	/* CREDITS_PER_JIFFY_BYTES at HZ=250 */
#define HL_BYTE_EXPIRE 15u		/* s, XT_HASHLIMIT_BYTE_EXPIRE */
#define HL_BYTE_EXPIRE_BURST 60u	/* s, XT_HASHLIMIT_BYTE_EXPIRE_BURST */

enum {
	XT_HASHLIMIT_HASH_DIP = 1 << 0,
	XT_HASHLIMIT_HASH_DPT = 1 << 1,
	XT_HASHLIMIT_HASH_SIP = 1 << 2,
	XT_HASHLIMIT_HASH_SPT = 1 << 3,
	XT_HASHLIMIT_INVERT = 1 << 4,
	XT_HASHLIMIT_BYTES = 1 << 5,
};

/* struct hashlimit_cfg3; in byte mode avg is a cost per 16-byte chunk
 * (UINT32_MAX / chunks per second) and burst a count of rates */
struct hl_cfg {
	uint64_t avg, burst;
	uint32_t mode, size, max, gc_interval, expire;
	uint8_t srcmask, dstmask;
};

struct xt_hashlimit {
	struct hl_cfg cfg;
	char name[256];
	struct hl_table *table;	/* the namespace's, from the first packet */
};

/* struct dsthash_ent */
struct hl_ent {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint64_t expires, prev, credit, credit_cap, cost;	/* jiffies, credits */
};

struct hl_table {
	char *name;
	struct hl_cfg cfg;
	uint64_t born;		/* jiffies: the gc runs at born + k * gc interval */
	uint64_t last_gc;	/* the last run accounted for */
	GPtrArray *ents;	/* struct hl_ent *, creation order */
};

extern const struct xt_ops xt_hashlimit_ops;

/* the namespace's tables: ns->ipt->hashlimit */
struct xt_hashlimit_net {
	GPtrArray *tables;
};

enum { O_UPTO, O_ABOVE, O_LIMIT, O_MODE, O_SRCMASK, O_DSTMASK, O_NAME, O_SIZE, O_MAX,
       O_GCINT, O_EXPIRE, O_BURST };

static const struct xt_option hashlimit_opts[] = {
	{ "hashlimit-upto", 1, O_UPTO }, { "hashlimit-above", 1, O_ABOVE },
	{ "hashlimit", 1, O_UPTO }, { "hashlimit-mode", 1, O_MODE },
	{ "hashlimit-srcmask", 1, O_SRCMASK }, { "hashlimit-dstmask", 1, O_DSTMASK },
	{ "hashlimit-name", 1, O_NAME }, { "hashlimit-htable-size", 1, O_SIZE },
	{ "hashlimit-htable-max", 1, O_MAX }, { "hashlimit-htable-gcinterval", 1, O_GCINT },
	{ "hashlimit-htable-expire", 1, O_EXPIRE }, { "hashlimit-burst", 1, O_BURST },
	{ "hashlimit-rate-match", 0, XT_OPT_UNIMPL }, { "hashlimit-rate-interval", 1, XT_OPT_UNIMPL + 1 },
	{ NULL, 0, 0 },
};

static const char *const hl_canon[] = {
	[O_UPTO] = "hashlimit-upto", [O_ABOVE] = "hashlimit-above", [O_MODE] = "hashlimit-mode",
	[O_SRCMASK] = "hashlimit-srcmask", [O_DSTMASK] = "hashlimit-dstmask",
	[O_NAME] = "hashlimit-name", [O_SIZE] = "hashlimit-htable-size",
	[O_MAX] = "hashlimit-htable-max", [O_GCINT] = "hashlimit-htable-gcinterval",
	[O_EXPIRE] = "hashlimit-htable-expire", [O_BURST] = "hashlimit-burst",
};

static void hashlimit_init(void *data)
{
	struct xt_hashlimit *h = data;
	h->cfg.burst = 5;
	h->cfg.gc_interval = HL_GCINTERVAL;
	h->cfg.srcmask = 32;
	h->cfg.dstmask = 32;
	/* expire: the rate's unit in ms (udata->mult * 1000), set with the
	 * rate unless --hashlimit-htable-expire was given */
}

/* parse_rate: N[/second|minute|hour|day by any prefix, any case] */
static bool hl_parse_rate(const char *rate, uint64_t *avg, uint32_t *mult)
{
	const char *delim = strchr(rate, '/');
	*mult = 1;
	if (delim) {
		size_t n = strlen(delim + 1);
		if (n == 0)
			return false;
		if (strncasecmp(delim + 1, "second", n) == 0)
			*mult = 1;
		else if (strncasecmp(delim + 1, "minute", n) == 0)
			*mult = 60;
		else if (strncasecmp(delim + 1, "hour", n) == 0)
			*mult = 3600;
		else if (strncasecmp(delim + 1, "day", n) == 0)
			*mult = 86400;
		else
			return false;
	}
	unsigned long long r = strtoull(rate, NULL, 10);
	if (!r)
		return false;
	*avg = HL_SCALE * *mult / r;
	return true;
}

/* cost_to_bytes / bytes_to_cost: a byte rate as the cost of one 16-byte
 * chunk, UINT32_MAX / (chunks per second + 1); bytes_to_cost keeps the
 * chunks in 32 bits as libxt_hashlimit.c does. */
static uint64_t hl_cost_to_bytes(uint64_t cost)
{
	uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;
	return (r - 1) << HL_BYTE_SHIFT;
}

static uint64_t hl_bytes_to_cost(uint64_t bytes)
{
	uint32_t r = (uint32_t)(bytes >> HL_BYTE_SHIFT);
	return UINT32_MAX / ((uint64_t)r + 1);
}

/* get_factor: only lowercase k and m count (`1Kb/s` is 1 byte) */
static uint64_t hl_get_factor(char c)
{
	return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1;
}

/* parse_bytes: N[k|m]b/s (strstr, so `1kb/s/x` is 1kb/s); 1 if a byte
 * rate, 0 if not, -1 for chunks that iptables 1.8.9 divides by zero
 * with (it dies of SIGFPE). */
static int hl_parse_bytes(const char *rate, uint64_t *avg)
{
	const char *mode = strstr(rate, "b/s");
	if (!mode || mode == rate)
		return 0;
	uint64_t r = (uint64_t)strtoll(rate, NULL, 10);	/* atoll */
	if (!r)
		return 0;
	uint64_t bytes = r * hl_get_factor(mode[-1]);
	if ((uint32_t)(bytes >> HL_BYTE_SHIFT) == UINT32_MAX)
		return -1;
	*avg = hl_bytes_to_cost(bytes);
	return 1;
}

/* parse_burst: N[k|m] (any other tail counts 1); a bare N at most
 * 1000000 (checked again for packet rates at the final check) */
static bool hl_parse_burst(const char *arg, uint64_t *burst)
{
	const char *q = arg;
	while (*q == ' ' || (*q >= '\t' && *q <= '\r'))
		q++;
	if (*q == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (end == arg || errno == ERANGE || v < 1 || (!*end && v > HL_BURST_MAX))
		return false;
	*burst = (uint64_t)v * hl_get_factor(*end);
	return true;
}

/* parse_mode: srcip, srcport, dstip, dstport, comma separated */
static bool hl_parse_mode(const char *arg, uint32_t *mode)
{
	char **parts = g_strsplit(arg, ",", -1);
	bool ok = true;
	uint32_t m = 0;
	for (char **w = parts; *w && ok; w++) {
		if (!**w && !w[1])
			break;	/* strtok: a trailing comma ends the list */
		if (strcmp(*w, "dstip") == 0)
			m |= XT_HASHLIMIT_HASH_DIP;
		else if (strcmp(*w, "srcip") == 0)
			m |= XT_HASHLIMIT_HASH_SIP;
		else if (strcmp(*w, "srcport") == 0)
			m |= XT_HASHLIMIT_HASH_SPT;
		else if (strcmp(*w, "dstport") == 0)
			m |= XT_HASHLIMIT_HASH_DPT;
		else
			ok = false;
	}
	g_strfreev(parts);
	if (ok)
		*mode = (*mode & (XT_HASHLIMIT_INVERT | XT_HASHLIMIT_BYTES)) | m;
	return ok;
}

/* XTTYPE_PLENMASK's length: a non-contiguous mask is 255 (-1 as a byte),
 * which the kernel refuses. */
static bool hl_parse_plen(const char *s, uint8_t *plen)
{
	unsigned long bits;
	if (xt_strtoul0(s, 32, &bits)) {
		*plen = (uint8_t)bits;
		return true;
	}
	uint32_t m;
	bool contig;
	if (!xt_plenmask_parse(s, &m, &contig))
		return false;
	unsigned b = 0;
	while (b < 32 && (m & (0x80000000u >> b)))
		b++;
	*plen = contig ? (uint8_t)b : 255;
	return true;
}

static int hashlimit_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_hashlimit *h = data;
	int rc = xt_once(p, hl_canon[id], id);
	if (!rc && id != O_UPTO && id != O_ABOVE)
		rc = xt_noinvert(p, hl_canon[id]);
	if (rc)
		return rc;
	unsigned long v;
	uint32_t mult;
	switch (id) {
	case O_UPTO:
	case O_ABOVE:
		switch (hl_parse_bytes(arg, &h->cfg.avg)) {
		case -1:
			return xt_unimpl(p->msg, "-m hashlimit's byte rate %s (on which iptables "
					 "1.8.9 divides by zero)", arg);
		case 1:
			h->cfg.mode |= XT_HASHLIMIT_BYTES;
			mult = HL_BYTE_EXPIRE;
			break;
		default:
			if (!hl_parse_rate(arg, &h->cfg.avg, &mult))
				return xt_err(p, "hashlimit: Bad value for \"--%s\" option: \"%s\"",
					      hl_canon[id], arg);
			if (h->cfg.avg == 0)
				return xt_err(p, "Rate too fast \"%s\"", arg);
		}
		if ((id == O_ABOVE) != p->invert)
			h->cfg.mode |= XT_HASHLIMIT_INVERT;
		if (!(*p->once & (1u << O_EXPIRE)))
			h->cfg.expire = mult * 1000;
		break;
	case O_MODE:
		if (!hl_parse_mode(arg, &h->cfg.mode))
			return xt_err(p, "hashlimit: Bad value for \"--hashlimit-mode\" option: \"%s\"", arg);
		break;
	case O_SRCMASK:
	case O_DSTMASK:
		if (!hl_parse_plen(arg, id == O_SRCMASK ? &h->cfg.srcmask : &h->cfg.dstmask))
			return xt_err(p, "hashlimit: bad value for option \"--%s\", neither a valid "
				      "network mask nor valid CIDR (0-32).\n", hl_canon[id]);
		break;
	case O_NAME:
		g_strlcpy(h->name, arg, sizeof(h->name));
		break;
	case O_SIZE:
	case O_MAX:
	case O_GCINT:
	case O_EXPIRE:
		if (!xt_strtoul0(arg, 0xffffffffUL, &v))
			return xt_err(p, "hashlimit: bad value for option \"--%s\", or out of range "
				      "(0-4294967295).\n", hl_canon[id]);
		*(id == O_SIZE ? &h->cfg.size : id == O_MAX ? &h->cfg.max :
		  id == O_GCINT ? &h->cfg.gc_interval : &h->cfg.expire) = (uint32_t)v;
		break;
	case O_BURST:
		if (!hl_parse_burst(arg, &h->cfg.burst))
			return xt_err(p, "bad value for option \"--hashlimit-burst\", or out of range "
				      "(1-1000000).");
		break;
	}
	return 0;
}

/* hashlimit_mt_check's last step, which completes the config: a byte
 * burst becomes a count of rates (rounded up, in 32 bits as iptables
 * keeps it; 0 without --hashlimit-burst) and moves the default expiry to
 * 60 s; a packet burst given as `10k` must still be at most 1000000. */
static int hl_burst_check(struct xt_parse *p, struct hl_cfg *c)
{
	unsigned given = *p->once;
	if (!(c->mode & XT_HASHLIMIT_BYTES)) {
		if (c->burst > HL_BURST_MAX)
			return xt_err(p, "bad value for option \"--hashlimit-burst\", or out of range "
				      "(1-1000000).");
		return 0;
	}
	uint32_t burst = 0;
	if (given & (1u << O_BURST)) {
		uint64_t unit = hl_cost_to_bytes(c->avg);
		if (unit == 0)	/* a rate under 16 bytes: iptables dies of SIGFPE */
			return xt_unimpl(p->msg, "--hashlimit-burst over a byte rate of 0b/s (on which "
					 "iptables 1.8.9 divides by zero)");
		if (c->burst < unit)
			return xt_err(p, "burst cannot be smaller than %" G_GUINT64_FORMAT "b", unit);
		burst = (uint32_t)c->burst;
		burst = (uint32_t)(burst / unit);
		if (c->burst % unit)
			burst++;
		if (!(given & (1u << O_EXPIRE)))
			c->expire = HL_BYTE_EXPIRE_BURST * 1000;
	}
	c->burst = burst;
	return 0;
}

static int hashlimit_final_check(struct xt_parse *p, const void *data)
{
	unsigned given = *p->once;
	if ((given & (1u << O_UPTO)) && (given & (1u << O_ABOVE)))
		return xt_err(p, "hashlimit: option \"--hashlimit-upto\" cannot be used together "
			      "with \"--hashlimit-above\".\n");
	if (!(given & (1u << O_NAME)))
		return xt_err(p, "hashlimit: option \"--hashlimit-name\" must be specified\n");
	if (!(given & (1u << O_UPTO | 1u << O_ABOVE)))
		return xt_err(p, "You have to specify --hashlimit");
	/* the option buffer is the rule's own, as xt_fcheck_call's data */
	return hl_burst_check(p, &((struct xt_hashlimit *)(void *)data)->cfg);
}

/* print_rate: the largest unit that shows the period whole; its ms */
static uint64_t hl_print_rate(GString *o, uint64_t period)
{
	static const struct { const char *name; uint64_t mult; } rates[] = {
		{ "day", HL_SCALE * 86400 }, { "hour", HL_SCALE * 3600 },
		{ "min", HL_SCALE * 60 }, { "sec", HL_SCALE },
	};
	unsigned i;
	for (i = 1; i < G_N_ELEMENTS(rates); i++)
		if (period > rates[i].mult || rates[i].mult / period < rates[i].mult % period)
			break;
	g_string_append_printf(o, " %" G_GUINT64_FORMAT "/%s", rates[i - 1].mult / period,
			       rates[i - 1].name);
	return rates[i - 1].mult / HL_SCALE * 1000;
}

/* print_bytes: the rate in the largest unit (m, k) whose whole multiple
 * has the same cost (the mask in 32 bits, as iptables computes it), then
 * the burst in bytes in the largest unit it reaches; its ms: the
 * default expiry (15 s, 60 s with a burst). */
struct hl_bytes_text {
	uint64_t rate, burst;		/* in their units; burst 0: none */
	const char *rate_unit, *burst_unit;	/* "m", "k", "" */
};

/* print_bytes' choice of units, for -L/-S and for the nft text. */
static void hl_bytes_units(uint64_t avg, uint64_t burst, struct hl_bytes_text *t)
{
	static const struct { const char *name; uint32_t thresh; } units[] = {
		{ "m", 1024 * 1024 }, { "k", 1024 }, { "", 1 },
	};
	uint64_t r = hl_cost_to_bytes(avg);
	unsigned i;
	for (i = 0; i < G_N_ELEMENTS(units) - 1; i++)
		if (r >= units[i].thresh &&
		    hl_bytes_to_cost(r & (uint64_t)(uint32_t)~(units[i].thresh - 1u)) == avg)
			break;
	t->rate = r / units[i].thresh;
	t->rate_unit = units[i].name;
	t->burst = 0;
	t->burst_unit = "";
	if (burst == 0)
		return;
	r *= burst;
	for (i = 0; i < G_N_ELEMENTS(units) - 1; i++)
		if (r >= units[i].thresh)
			break;
	t->burst = r / units[i].thresh;
	t->burst_unit = units[i].name;
}

static uint64_t hl_print_bytes(GString *o, uint64_t avg, uint64_t burst, const char *prefix)
{
	struct hl_bytes_text t;
	hl_bytes_units(avg, burst, &t);
	g_string_append_printf(o, " %" G_GUINT64_FORMAT "%sb/s", t.rate, t.rate_unit);
	if (burst == 0)
		return HL_BYTE_EXPIRE * 1000;
	g_string_append_printf(o, " %sburst %" G_GUINT64_FORMAT "%sb", prefix, t.burst,
			       t.burst_unit);
	return HL_BYTE_EXPIRE_BURST * 1000;
}

static void hl_print_mode(GString *o, uint32_t mode, char sep)
{
	static const struct { uint32_t bit; const char *name; } m[] = {
		{ XT_HASHLIMIT_HASH_SIP, "srcip" }, { XT_HASHLIMIT_HASH_SPT, "srcport" },
		{ XT_HASHLIMIT_HASH_DIP, "dstip" }, { XT_HASHLIMIT_HASH_DPT, "dstport" },
	};
	bool first = true;
	g_string_append_c(o, ' ');
	for (unsigned i = 0; i < G_N_ELEMENTS(m); i++)
		if (mode & m[i].bit) {
			if (!first)
				g_string_append_c(o, sep);
			g_string_append(o, m[i].name);
			first = false;
		}
}

#define HL_HASH_ALL (XT_HASHLIMIT_HASH_SIP | XT_HASHLIMIT_HASH_SPT | XT_HASHLIMIT_HASH_DIP | \
		     XT_HASHLIMIT_HASH_DPT)

static void hashlimit_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_hashlimit *h = data;
	const struct hl_cfg *c = &h->cfg;
	(void)proto;
	(void)numeric;
	g_string_append(o, (c->mode & XT_HASHLIMIT_INVERT) ? " limit: above" : " limit: up to");
	uint64_t quantum;
	if (c->mode & XT_HASHLIMIT_BYTES) {
		quantum = hl_print_bytes(o, c->avg, c->burst, "");
	} else {
		quantum = hl_print_rate(o, c->avg);
		g_string_append_printf(o, " burst %" G_GUINT64_FORMAT, c->burst);
	}
	if (c->mode & HL_HASH_ALL) {
		g_string_append(o, " mode");
		hl_print_mode(o, c->mode, '-');
	}
	if (c->size)
		g_string_append_printf(o, " htable-size %u", c->size);
	if (c->max)
		g_string_append_printf(o, " htable-max %u", c->max);
	if (c->gc_interval != HL_GCINTERVAL)
		g_string_append_printf(o, " htable-gcinterval %u", c->gc_interval);
	if (c->expire != quantum)
		g_string_append_printf(o, " htable-expire %u", c->expire);
	if (c->srcmask != 32)
		g_string_append_printf(o, " srcmask %u", c->srcmask);
	if (c->dstmask != 32)
		g_string_append_printf(o, " dstmask %u", c->dstmask);
}

static void hashlimit_save(GString *o, const void *data)
{
	const struct xt_hashlimit *h = data;
	const struct hl_cfg *c = &h->cfg;
	g_string_append(o, (c->mode & XT_HASHLIMIT_INVERT) ? " --hashlimit-above" : " --hashlimit-upto");
	uint64_t quantum;
	if (c->mode & XT_HASHLIMIT_BYTES) {
		quantum = hl_print_bytes(o, c->avg, c->burst, "--hashlimit-");
	} else {
		quantum = hl_print_rate(o, c->avg);
		g_string_append_printf(o, " --hashlimit-burst %" G_GUINT64_FORMAT, c->burst);
	}
	if (c->mode & HL_HASH_ALL) {
		g_string_append(o, " --hashlimit-mode");
		hl_print_mode(o, c->mode, ',');
	}
	g_string_append_printf(o, " --hashlimit-name %s", h->name);
	if (c->size)
		g_string_append_printf(o, " --hashlimit-htable-size %u", c->size);
	if (c->max)
		g_string_append_printf(o, " --hashlimit-htable-max %u", c->max);
	if (c->gc_interval != HL_GCINTERVAL)
		g_string_append_printf(o, " --hashlimit-htable-gcinterval %u", c->gc_interval);
	if (c->expire != quantum)
		g_string_append_printf(o, " --hashlimit-htable-expire %u", c->expire);
	if (c->srcmask != 32)
		g_string_append_printf(o, " --hashlimit-srcmask %u", c->srcmask);
	if (c->dstmask != 32)
		g_string_append_printf(o, " --hashlimit-dstmask %u", c->dstmask);
}

/* user2credits, revision 3 at HZ=250: user * (HZ * CPJ / SCALE) */
static uint64_t hl_user2credits(uint64_t user)
{
	return user * (HL_HZ * HL_CPJ / HL_SCALE);
}

/* user2credits_byte: a chunk's cost in credits, HZ * CPJ_BYTES of them a
 * second */
static uint32_t hl_user2credits_byte(uint64_t user)
{
	return (uint32_t)(((uint64_t)(uint32_t)user * (HL_HZ * HL_CPJ_BYTES)) >> 32);
}

/* hashlimit_mt_check_common's refusals (no log line). */
static int hashlimit_checkentry(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct hl_cfg *c = &((const struct xt_hashlimit *)data)->cfg;
	(void)par;
	(void)klog;
	if (c->gc_interval == 0 || c->expire == 0)
		return EINVAL;
	if (c->srcmask > 32 || c->dstmask > 32)
		return EINVAL;
	if (c->mode & XT_HASHLIMIT_BYTES) {
		if (hl_user2credits_byte(c->avg) == 0)
			return EINVAL;	/* "overflow, rate too high" */
	} else if (hl_user2credits(c->avg * c->burst) < hl_user2credits(c->avg)) {
		return ERANGE;	/* "overflow, try lower" */
	}
	return 0;
}

static uint64_t hl_jiffies(nf_time now)
{
	return HL_INITIAL_JIFFIES + (uint64_t)(now / (1000000000 / HL_HZ));
}

/* msecs_to_jiffies at HZ=250: rounded up */
static uint64_t hl_ms_to_jiffies(uint32_t ms)
{
	return ((uint64_t)ms + 3) / 4;
}

static struct xt_hashlimit_net *hl_net(struct nf_ns *ns)
{
	if (!ns->ipt->hashlimit) {
		ns->ipt->hashlimit = g_new0(struct xt_hashlimit_net, 1);
		ns->ipt->hashlimit->tables = g_ptr_array_new();
	}
	return ns->ipt->hashlimit;
}

static struct hl_table *hl_find(struct nf_ns *ns, const char *name)
{
	struct xt_hashlimit_net *hn = ns->ipt ? ns->ipt->hashlimit : NULL;
	for (unsigned i = 0; hn && i < hn->tables->len; i++) {
		struct hl_table *t = hn->tables->pdata[i];
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/* The first rule (tables, chains and rules in order) naming the table:
 * whose config the kernel's table most likely has (the first inserted). */
static const struct xt_hashlimit *hl_first_rule(struct nf_ns *ns, const char *name)
{
	for (int ti = 0; ns->ipt && ti < IPT_NTABLES; ti++) {
		const struct ipt_table *tb = &ns->ipt->tables[ti];
		for (unsigned c = 0; tb->chains && c < tb->chains->len; c++) {
			const struct ipt_chain *ch = tb->chains->pdata[c];
			for (unsigned r = 0; r < ch->rules->len; r++) {
				const struct ipt_rule *rule = ch->rules->pdata[r];
				for (unsigned m = 0; m < rule->nmatches; m++) {
					const struct xt_hashlimit *h = rule->m[m].data;
					if (rule->m[m].ops == &xt_hashlimit_ops &&
					    strcmp(h->name, name) == 0)
						return h;
				}
			}
		}
	}
	return NULL;
}

/* htable_find_get, else htable_create with the config of the first rule
 * naming it (this one's if none is in the tables). */
static struct hl_table *hl_table_get(struct nf_ns *ns, const struct xt_hashlimit *h, uint64_t j)
{
	struct hl_table *t = hl_find(ns, h->name);
	if (t)
		return t;
	const struct xt_hashlimit *first = hl_first_rule(ns, h->name);
	t = g_new0(struct hl_table, 1);
	t->name = g_strdup(h->name);
	t->cfg = (first ? first : h)->cfg;
	if (!t->cfg.size)
		t->cfg.size = HL_DEF_SIZE;
	if (!t->cfg.max)
		t->cfg.max = 8 * t->cfg.size;
	else if (t->cfg.max < t->cfg.size)
		t->cfg.max = t->cfg.size;
	t->born = t->last_gc = j;
	t->ents = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(hl_net(ns)->tables, t);
	return t;
}

/* htable_gc's runs up to j: each removes the entries expired by then. */
static void hl_gc(struct hl_table *t, uint64_t j)
{
	uint64_t d = hl_ms_to_jiffies(t->cfg.gc_interval);
	if (!d)
		d = 1;
	uint64_t run = t->born + (j - t->born) / d * d;	/* the last run at or before j */
	if (run <= t->last_gc)
		return;
	t->last_gc = run;
	for (unsigned i = 0; i < t->ents->len;) {
		struct hl_ent *e = t->ents->pdata[i];
		if (e->expires <= run)
			g_ptr_array_remove_index(t->ents, i);
		else
			i++;
	}
}

/* rateinfo_recalc: in byte mode the credit fills to one second's worth
 * (HZ * CPJ_BYTES) and credit_cap counts the bursts left. */
static void hl_recalc(struct hl_ent *e, uint64_t j, uint32_t mode)
{
	uint64_t delta = j - e->prev;
	if (!delta)
		return;
	e->prev = j;
	uint64_t cap;
	if (mode & XT_HASHLIMIT_BYTES) {
		uint64_t old = e->credit;
		e->credit += HL_CPJ_BYTES * delta;
		cap = HL_CPJ_BYTES * HL_HZ;
		if (old >= e->credit) {	/* overflow */
			e->credit = cap;
			return;
		}
	} else {
		e->credit += delta * HL_CPJ;
		cap = e->credit_cap;
	}
	if (e->credit > cap)
		e->credit = cap;
}

/* hashlimit_byte_cost: one credit cost per started 16-byte chunk
 * (xt_hashlimit_len_to_chunks), at most a second's worth; short of
 * credit, a burst left refills the bucket. */
static uint32_t hl_byte_cost(uint32_t len, struct hl_ent *e)
{
	uint64_t tmp = (uint64_t)((len >> HL_BYTE_SHIFT) + 1) * e->cost;
	if (tmp > HL_CPJ_BYTES * HL_HZ)
		tmp = HL_CPJ_BYTES * HL_HZ;
	if (e->credit < tmp && e->credit_cap) {
		e->credit_cap--;
		e->credit = HL_CPJ_BYTES * HL_HZ;
	}
	return (uint32_t)tmp;
}

static uint32_t hl_maskl(uint32_t a, uint8_t l)
{
	return l ? a & (0xffffffffu << (32 - l)) : 0;
}

/* hashlimit_mt_common (packet and byte modes) */
static bool hashlimit_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_hashlimit *h = data;
	uint64_t j = hl_jiffies(par->now);
	struct hl_table *t = h->table;
	if (!t)	/* the rule's reference to its table, as the kernel's info->hinfo */
		t = ((struct xt_hashlimit *)(void *)data)->table = hl_table_get(par->ns, h, j);
	hl_gc(t, j);
	const struct hl_cfg *c = &t->cfg;
	struct hl_ent key = { 0 };
	const struct xt_pkt *pk = par->pkt;
	if (c->mode & XT_HASHLIMIT_HASH_DIP)
		key.dst = hl_maskl(pk->dst, c->dstmask);
	if (c->mode & XT_HASHLIMIT_HASH_SIP)
		key.src = hl_maskl(pk->src, c->srcmask);
	if (c->mode & (XT_HASHLIMIT_HASH_SPT | XT_HASHLIMIT_HASH_DPT)) {
		int poff = -1;
		switch (pk->proto) {
		case 6: case 17: case 33: case 50: case 132: case 136:
			poff = 0;
			break;
		case 51:
			poff = 4;
			break;
		}
		uint16_t sp = 0, dp = 0;
		if (poff >= 0) {
			if (pk->l4len < (uint32_t)poff + 4) {
				par->hotdrop = true;
				return false;
			}
			sp = rd16(pk->l4 + poff);
			dp = rd16(pk->l4 + poff + 2);
		}
		if (c->mode & XT_HASHLIMIT_HASH_SPT)
			key.sport = sp;
		if (c->mode & XT_HASHLIMIT_HASH_DPT)
			key.dport = dp;
	}
	struct hl_ent *e = NULL;
	for (unsigned i = 0; i < t->ents->len; i++) {
		struct hl_ent *x = t->ents->pdata[i];
		if (x->src == key.src && x->dst == key.dst && x->sport == key.sport &&
		    x->dport == key.dport) {
			e = x;
			break;
		}
	}
	if (!e) {
		if (t->ents->len >= c->max) {	/* dsthash_alloc_init: "max count of %u reached" */
			nf_klog(par->ns, par->now, "xt_hashlimit: max count of %u reached", c->max);
			par->hotdrop = true;
			return false;
		}
		e = g_memdup2(&key, sizeof(key));
		g_ptr_array_add(t->ents, e);
		e->expires = j + hl_ms_to_jiffies(c->expire);
		e->prev = j;	/* rateinfo_init */
		if (c->mode & XT_HASHLIMIT_BYTES) {
			e->credit = HL_CPJ_BYTES * HL_HZ;
			e->cost = hl_user2credits_byte(c->avg);
			e->credit_cap = c->burst;
		} else {
			e->credit = hl_user2credits(c->avg * c->burst);
			e->cost = hl_user2credits(c->avg);
			e->credit_cap = e->credit;
		}
	} else {
		e->expires = j + hl_ms_to_jiffies(c->expire);
		hl_recalc(e, j, c->mode);
	}
	bool invert = h->cfg.mode & XT_HASHLIMIT_INVERT;	/* the rule's own */
	uint64_t cost = (c->mode & XT_HASHLIMIT_BYTES) ? hl_byte_cost(pk->len, e) : e->cost;
	if (e->credit >= cost) {
		e->credit -= cost;
		return !invert;
	}
	return invert;
}

static void hl_table_free(void *p)
{
	struct hl_table *t = p;
	g_ptr_array_free(t->ents, TRUE);
	g_free(t->name);
	g_free(t);
}

void xt_hashlimit_net_exit(struct nf_ns *ns)
{
	struct xt_hashlimit_net *hn = ns->ipt ? ns->ipt->hashlimit : NULL;
	if (!hn)
		return;
	g_ptr_array_set_free_func(hn->tables, hl_table_free);
	g_ptr_array_free(hn->tables, TRUE);
	g_free(hn);
	ns->ipt->hashlimit = NULL;
}

/* dl_seq_show for `cat /proc/net/ipt_hashlimit/NAME`: seconds to expiry,
 * the destination, credit, credit_cap, cost, after rateinfo_recalc. */
int nf_proc_ipt_hashlimit_read(struct nf_ns *ns, const char *name, nf_time now, GString *out)
{
	if (!ns || !ns->ipt || !hl_first_rule(ns, name))
		return -1;	/* the file lives while a rule names the table */
	struct hl_table *t = hl_find(ns, name);
	if (!t)
		return 0;	/* no packet yet: empty */
	uint64_t j = hl_jiffies(now);
	hl_gc(t, j);
	for (unsigned i = 0; i < t->ents->len; i++) {
		struct hl_ent *e = t->ents->pdata[i];
		hl_recalc(e, j, t->cfg.mode);
		g_string_append_printf(out, "%ld %u.%u.%u.%u:%u->%u.%u.%u.%u:%u %" G_GUINT64_FORMAT
				       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
				       (long)(int64_t)(e->expires - j) / (long)HL_HZ,
				       e->src >> 24, (e->src >> 16) & 255, (e->src >> 8) & 255,
				       e->src & 255, e->sport, e->dst >> 24, (e->dst >> 16) & 255,
				       (e->dst >> 8) & 255, e->dst & 255, e->dport, e->credit,
				       e->credit_cap, e->cost);
	}
	return 0;
}

/* hashlimit_mode_xlate's key: 1.8.9 takes the fields in the order dstip,
 * dstport, srcip, srcport, an address under its mask when the mask is not
 * 32, a port always as tcp's (whatever -p says). */
static void hl_xlate_key(GString *k, uint32_t mode, uint8_t srcmask, uint8_t dstmask)
{
	static const struct { uint32_t bit; const char *field; bool src; } keys[] = {
		{ XT_HASHLIMIT_HASH_DIP, "ip daddr", false }, { XT_HASHLIMIT_HASH_DPT, "tcp dport", false },
		{ XT_HASHLIMIT_HASH_SIP, "ip saddr", true }, { XT_HASHLIMIT_HASH_SPT, "tcp sport", true },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!(mode & keys[i].bit))
			continue;
		g_string_append_printf(k, "%s%s", k->len ? " . " : "", keys[i].field);
		uint8_t bits = keys[i].src ? srcmask : dstmask;
		bool ip = keys[i].bit == XT_HASHLIMIT_HASH_DIP || keys[i].bit == XT_HASHLIMIT_HASH_SIP;
		if (ip && bits != 32) {
			uint32_t m = bits ? 0xffffffffu << (32 - bits) : 0;
			g_string_append_printf(k, " and %u.%u.%u.%u", m >> 24, (m >> 16) & 0xff,
					       (m >> 8) & 0xff, m & 0xff);
		}
	}
}

/* hashlimit_mt4_xlate: nft's meter NAME { KEY [timeout Ns] limit rate
 * [over] RATE [burst N packets] }; the timeout (whole seconds, rounded
 * down) unless the expiry is 1000 ms, the rate in the largest unit that
 * keeps it whole (print_packets_rate_xlate), the burst unless 5. Without
 * a --hashlimit-mode there is no key: the rule is a comment. */
static bool hashlimit_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const struct { const char *name; uint64_t mult; } rates[] = {
		{ "day", HL_SCALE * 24 * 60 * 60 }, { "hour", HL_SCALE * 60 * 60 },
		{ "minute", HL_SCALE * 60 }, { "second", HL_SCALE },
	};
	const struct xt_hashlimit *h = data;
	const struct hl_cfg *c = &h->cfg;
	(void)r;
	if (!(c->mode & HL_HASH_ALL) || c->avg == 0)
		return false;
	GString *t = g_string_new(NULL);
	hl_xlate_key(t, c->mode, c->srcmask, c->dstmask);
	if (c->expire != 1000)
		g_string_append_printf(t, " timeout %us", c->expire / 1000);
	g_string_append(t, " limit rate");
	if (c->mode & XT_HASHLIMIT_INVERT)
		g_string_append(t, " over");
	unsigned i;
	if (c->mode & XT_HASHLIMIT_BYTES) {
		/* print_bytes_rate_cfg: "1 kbytes/second", "burst 10 kbytes",
		 * in the units print_bytes picks */
		struct hl_bytes_text bt;
		hl_bytes_units(c->avg, c->burst, &bt);
		g_string_append_printf(t, " %" G_GUINT64_FORMAT " %sbytes/second", bt.rate,
				       bt.rate_unit);
		if (c->burst)
			g_string_append_printf(t, " burst %" G_GUINT64_FORMAT " %sbytes", bt.burst,
					       bt.burst_unit);
	} else {
		for (i = 1; i < G_N_ELEMENTS(rates); i++)
			if (c->avg > rates[i].mult || rates[i].mult / c->avg < rates[i].mult % c->avg)
				break;
		g_string_append_printf(t, " %" G_GUINT64_FORMAT "/%s", rates[i - 1].mult / c->avg,
				       rates[i - 1].name);
		if (c->burst != 5)
			g_string_append_printf(t, " burst %" G_GUINT64_FORMAT " packets", c->burst);
	}
	xt_xlate_add(xl, "meter %s { %s }", h->name, t->str);
	g_string_free(t, TRUE);
	return true;
}

const struct xt_ops xt_hashlimit_ops = {
	.name = "hashlimit", .kind = XT_MATCH, .size = sizeof(struct xt_hashlimit),
	.opts = hashlimit_opts, .init = hashlimit_init, .parse = hashlimit_parse,
	.final_check = hashlimit_final_check, .print = hashlimit_print, .save = hashlimit_save,
	.xlate = hashlimit_xlate,
	.match = hashlimit_mt, .checkentry = hashlimit_checkentry,
};
