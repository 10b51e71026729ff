/* expect.h - scenario expectations (README: The scenario language,
 * Expectations): parsed once, checked at a time.
 *
 * An expectation is a small record: what to look at (an interface's captured
 * frames, a router's conntrack table, counters, kernel log, an iptables rule),
 * a comparison, and, once checked, its result with the expected and seen
 * values as text (for stderr, summary.json and JUnit). `saw` counts frames
 * incrementally as they are captured, so checking it costs nothing.
 */
#ifndef SIM_EXPECT_H
#define SIM_EXPECT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/scenario/scenario.h"
#include "sim/core/world.h"

enum expect_kind {
	EXPECT_SAW,		/* NODE:IF saw PROTO [src A[:P]] [dst A[:P]] [count OP N] */
	EXPECT_CT_COUNT,	/* NODE conntrack count OP N */
	EXPECT_CT_MATCH,	/* NODE conntrack match "REGEX" */
	EXPECT_STAT,		/* NODE stat NAME OP N */
	EXPECT_LOG,		/* NODE log "REGEX" */
	EXPECT_IPT_PACKETS,	/* NODE iptables TABLE CHAIN RULE packets OP N */
};

#define EXPECT_PROTO_ANY (-1)	/* any frame, IPv4 or not */
#define EXPECT_PROTO_IP 0	/* any IPv4 packet */

/* One side (src or dst) of a `saw` filter. */
struct expect_end {
	bool set;
	uint32_t addr, mask;	/* host order; mask 0xffffffff for an address */
	bool ports;
	uint16_t lo, hi;
};

struct expect {
	enum expect_kind kind;
	int line;
	char *text;		/* the statement as written ("at 3s expect ...") */
	sim_time at;		/* SIM_TIME_NEVER: checked at the end of the run */
	struct node *node;
	struct iface *ifc;	/* EXPECT_SAW */
	int proto;		/* EXPECT_SAW: EXPECT_PROTO_ANY, _IP, or an IP protocol */
	struct expect_end src, dst;
	enum expect_op op;
	uint64_t n;
	GRegex *re;		/* CT_MATCH, LOG */
	char *name;		/* STAT: counter; IPT_PACKETS: table */
	char *chain;		/* IPT_PACKETS */
	unsigned rule;		/* IPT_PACKETS: 1-based */
	uint64_t frames;	/* EXPECT_SAW: matching frames captured so far */
	/* result */
	bool checked, passed;
	bool not_evaluated;	/* the run stopped before it could be checked */
	char *expected, *seen;	/* seen: the reason when not_evaluated */
	sim_time checked_at;
};

/* Parse the words after "expect" (argv[0] is the first of them). Node and
 * interface must exist (declarations are parsed first). Returns 0 with *out,
 * or 2 with a message in err. */
int expect_parse(struct world *w, int argc, char **argv, const char *text, int line,
		 sim_time at, struct expect **out, GString *err);
void expect_free(struct expect *e);

/* Evaluate at w->now: records the result; a failure is printed on stderr as
 * FILE:LINE: expectation failed: TEXT: expected X, saw Y. */
void expect_check(struct world *w, struct expect *e);

/* An expectation that was never checked (its time lies after the run's
 * end): recorded as failed with the reason. */
void expect_not_reached(struct world *w, struct expect *e);

/* The run stopped early (--strict, a signal, an output error) before the
 * expectation's time: it is neither passed nor failed; `why` says so. */
void expect_not_evaluated(struct expect *e, const char *why);

/* "pass", "fail" or "not evaluated", as summary.json writes it. */
const char *expect_result(const struct expect *e);

/* "==", "!=", ... */
const char *expect_op_text(enum expect_op op);

#endif
