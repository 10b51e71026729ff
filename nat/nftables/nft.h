/* nft.h - the nftables ruleset model (natsim's nf_tables) and the `nft`
 * command.
 *
 * Design: the objects carry the kernel's names (nft_table, nft_chain,
 * nft_rule, nft_expr, nft_set) but no netlink: the parser builds them
 * directly and the printer reads them back as `nft list` prints them.
 * Handles are allocated as nf_tables does: one counter per namespace for
 * tables, one per table shared by its chains, rules and sets (anonymous
 * sets included). The values are kept typed (numbers in host order):
 * nft_eval.c evaluates rules on packets from them, and nft_hooks.c puts
 * the base chains on the namespace's hook ops.
 */
#ifndef NAT_NFTABLES_NFT_H
#define NAT_NFTABLES_NFT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nat/core/nf_types.h"

struct nf_ns;

enum nft_family { NFT_FAMILY_IP, NFT_FAMILY_INET };

/* Datatypes of nft (datatype.c): how a value parses and prints. */
enum nft_dtype {
	NFT_DT_INTEGER, NFT_DT_IPV4, NFT_DT_SERVICE, NFT_DT_PROTO, NFT_DT_IFNAME,
	NFT_DT_CTSTATE, NFT_DT_CTSTATUS, NFT_DT_MARK, NFT_DT_NFPROTO, NFT_DT_PKTTYPE,
	NFT_DT_ICMPTYPE, NFT_DT_TCPFLAG, NFT_DT_FIBADDR, NFT_DT_CTDIR,
	/* IPv6 (nft_ip6.c): an address is held in nft_elem.str, see there */
	NFT_DT_IPV6, NFT_DT_ICMP6TYPE, NFT_DT_ICMP6CODE,
	NFT_DT_FIBOIF,		/* fib ... oif: missing, exists (nft_fib.c) */
	/* payload fields (nft_payload.c): dscp (cs0.., af11.., ef), ecn,
	 * icmp code, and a raw payload's integer (printed in hex) */
	NFT_DT_DSCP, NFT_DT_ECN, NFT_DT_ICMPCODE, NFT_DT_RAW,
	NFT_DT_TIME,		/* milliseconds, printed 1m30s (ct expiration) */
	/* meta keys (nft_meta_keys.c) */
	NFT_DT_UID, NFT_DT_GID, NFT_DT_ARPHRD, NFT_DT_TCHANDLE, NFT_DT_ETHERTYPE, NFT_DT_DEVGROUP,
	NFT_DT_DATE, NFT_DT_DAY, NFT_DT_HOUR,	/* quoted strings: nft_time_string() */
};

/* What a selector loads from the packet (nft_eval.c). */
enum nft_key_id {
	NFT_K_IP_SADDR, NFT_K_IP_DADDR, NFT_K_IP_PROTOCOL, NFT_K_IP_TTL, NFT_K_IP_LENGTH,
	NFT_K_TCP_DPORT, NFT_K_TCP_SPORT, NFT_K_TCP_FLAGS, NFT_K_UDP_DPORT, NFT_K_UDP_SPORT,
	NFT_K_TH_DPORT, NFT_K_TH_SPORT, NFT_K_ICMP_TYPE,
	NFT_K_CT_STATE, NFT_K_CT_STATUS, NFT_K_CT_MARK, NFT_K_CT_DIRECTION,
	NFT_K_CT_ORIG_SADDR, NFT_K_CT_ORIG_DADDR, NFT_K_CT_REPL_SADDR, NFT_K_CT_REPL_DADDR,
	NFT_K_CT_ORIG_PSRC, NFT_K_CT_ORIG_PDST, NFT_K_CT_REPL_PSRC, NFT_K_CT_REPL_PDST,
	NFT_K_IIFNAME, NFT_K_OIFNAME, NFT_K_L4PROTO, NFT_K_NFPROTO, NFT_K_MARK, NFT_K_PKTTYPE,
	NFT_K_LENGTH, NFT_K_FIB_DADDR_TYPE, NFT_K_FIB_SADDR_TYPE, NFT_K_NUMGEN,
	NFT_K_CT_HELPER,
	/* IPv6 header and ICMPv6 fields: natsim's packets are IPv4, so these
	 * never load (the implicit `meta nfproto ipv6` fails) */
	NFT_K_IP6_SADDR, NFT_K_IP6_DADDR, NFT_K_IP6_NEXTHDR, NFT_K_IP6_HOPLIMIT,
	NFT_K_ICMP6_TYPE, NFT_K_ICMP6_CODE,
	NFT_K_FIB_SADDR_OIF, NFT_K_FIB_SADDR_IIF_OIF,	/* nft_fib.c */
	/* jhash, symhash (nft_hash.c): parameters on the expression */
	NFT_K_JHASH, NFT_K_SYMHASH,
	/* any other payload field, by offset and length (nft_payload.c) */
	NFT_K_PAYLOAD,
	/* the other keys of nft_ct_get_eval (nft_ct.c loads them): the zone,
	 * l3proto, protocol, the acct counters (none, original, reply
	 * direction: the sum, or one), the remaining time */
	NFT_K_CT_ZONE, NFT_K_CT_ZONE_ORIG, NFT_K_CT_ZONE_REPL, NFT_K_CT_L3PROTO,
	NFT_K_CT_PROTOCOL, NFT_K_CT_BYTES, NFT_K_CT_BYTES_ORIG, NFT_K_CT_BYTES_REPL,
	NFT_K_CT_PKTS, NFT_K_CT_PKTS_ORIG, NFT_K_CT_PKTS_REPL, NFT_K_CT_AVGPKT,
	NFT_K_CT_AVGPKT_ORIG, NFT_K_CT_AVGPKT_REPL, NFT_K_CT_EXPIRATION,
	/* meta keys of nft_meta_keys.c (nft_meta_get_eval) */
	NFT_K_SKUID, NFT_K_SKGID, NFT_K_CPU, NFT_K_IIFTYPE, NFT_K_OIFTYPE, NFT_K_RANDOM,
	NFT_K_PRIORITY, NFT_K_SECPATH, NFT_K_SDIF, NFT_K_SDIFNAME, NFT_K_PROTOCOL,
	NFT_K_IIFGROUP, NFT_K_OIFGROUP, NFT_K_TIME, NFT_K_DAY, NFT_K_HOUR,
	NFT_K_IIFKIND, NFT_K_OIFKIND,
};

/* A selector (payload, meta, ct, fib key) as nft prints it. */
struct nft_key {
	const char *name;	/* printed form: "tcp dport", "iifname", "meta mark" */
	enum nft_dtype dtype;
	int l4proto;		/* transport protocol it depends on, or -1 */
	bool ip_payload;	/* an `ip` header field (depends on nfproto ipv4) */
	enum nft_key_id id;
};
/* An ip6 or icmpv6 field (depends on nfproto ipv6). */
static inline bool nft_key_ip6(const struct nft_key *k)
{
	return k->id >= NFT_K_IP6_SADDR && k->id <= NFT_K_ICMP6_CODE;
}

/* One value, range or prefix (lo..hi, host order) or string. */
struct nft_elem {
	uint32_t lo, hi;
	int plen;		/* prefix length printed as /plen, or -1 */
	char *str;		/* interface names; IPv6 values (nft_ip6.c) */
	bool range;		/* printed lo-hi */
};

enum nft_expr_kind {
	NFT_EXPR_MATCH, NFT_EXPR_VERDICT, NFT_EXPR_COUNTER, NFT_EXPR_LOG, NFT_EXPR_LIMIT,
	NFT_EXPR_QUOTA, NFT_EXPR_NAT, NFT_EXPR_REJECT, NFT_EXPR_META_SET, NFT_EXPR_CT_SET,
	NFT_EXPR_NOTRACK, NFT_EXPR_MSS_RTMTU, NFT_EXPR_NFTRACE,
	NFT_EXPR_CT_HELPER_SET,		/* `ct helper set "OBJ"` (obj: the object's name) */
	NFT_EXPR_OBJREF,		/* `counter|quota|limit name "OBJ"` (obj, obj_type) */
	NFT_EXPR_DYNSET,		/* `add|update @SET { KEY [. KEY] }` (set_ref, map_keys) */
	NFT_EXPR_FLOW_OFFLOAD,		/* `flow add @FT` (set_ref: the flowtable's name) */
	NFT_EXPR_CT_TIMEOUT_SET,	/* `ct timeout set "OBJ"` (nft_cttimeout.c) */
	NFT_EXPR_CT_EXPECT_SET,		/* `ct expectation set "OBJ"` */
	NFT_EXPR_PAYLOAD_SET,		/* `KEY set VALUE` (key, value; nft_payload.c) */
	NFT_EXPR_CT_COUNT,		/* `ct count [over] N` (nft_ct.c: value, neq, conncount) */
	NFT_EXPR_CT_ZONE_SET,		/* `ct [original|reply] zone set N` (value, ct_dir) */
	NFT_EXPR_CT_EVENT_SET,		/* `ct event set new,...` (value: the kernel's IPCT_ bits) */
	NFT_EXPR_CT_LABEL,		/* `ct label [==|!=] N` (value, neq; ct_dir 1: `==` typed) */
	NFT_EXPR_CT_LABEL_SET,		/* `ct label set N` (value) */
	NFT_EXPR_PRIORITY_SET,		/* `meta priority set VALUE|KEY...` (as META_SET) */
};

/* A limit's token bucket (nft_limit.c's nft_limit_priv with its state;
 * nft_stateful.c): `limit rate [over] RATE/UNIT [burst N packets|bytes]`.
 * Tokens are nanoseconds of the simulated clock. */
struct nft_limit {
	uint64_t rate;			/* packets, or bytes (bytes set), per unit */
	uint64_t unit;			/* seconds: 1, 60, 3600, 86400, 604800 */
	uint32_t burst;			/* packets (5 when not given), or bytes */
	bool bytes, over;
	bool started;			/* tokens and last set (at the first packet) */
	int64_t tokens, last;
};

/* A quota (nft_quota.c): `quota [over|until] N UNIT [used M UNIT]`. */
struct nft_quota {
	uint64_t bytes, used;
	bool over;
};

enum nft_verdict { NFT_ACCEPT, NFT_DROP, NFT_RETURN, NFT_CONTINUE, NFT_JUMP, NFT_GOTO };
enum nft_nat_type { NFT_SNAT, NFT_DNAT, NFT_MASQ, NFT_REDIR };
#define NFT_NAT_RANDOM 1
#define NFT_NAT_FULLY_RANDOM 2
#define NFT_NAT_PERSISTENT 4

/* Values of these types are quoted strings ("10:00", "Monday"). */
static inline bool nft_time_string(enum nft_dtype dt)
{
	return dt == NFT_DT_DATE || dt == NFT_DT_DAY || dt == NFT_DT_HOUR;
}

/* Where a word was in the input (for errors found after parsing). */
struct nft_loc { int line, col, len; };

/* The stateful expressions a set element carries (nft_setelem_expr.c; the
 * kernel's NFT_SET_EXT_EXPRESSIONS, at most NFT_SET_EXPR_MAX): a counter,
 * limit or quota with its state. A set's declaration (`counter;`), an
 * element (`1.2.3.4 counter packets 3 bytes 180`), and `add|update @set
 * { KEY STMT }` and `meter` hold one list; plain data, copied by value. */
#define NFT_SET_EXPR_MAX 2
struct nft_stateful {
	uint8_t kind;			/* NFT_EXPR_COUNTER, _LIMIT, _QUOTA, _CT_COUNT */
	uint64_t packets, bytes;	/* counter */
	struct nft_limit limit;
	struct nft_quota quota;
	struct nft_loc loc;		/* its text (nft's evaluation errors) */
	/* `ct count [over] N` (nft_connlimit): the element's connection
	 * list (nf_conncount.h), made at its first packet; the one part that
	 * is not plain data: an element's copy copies it, its free frees it
	 * (nft_set.c), a template (a set's, a dynset's) never has one */
	uint32_t ct_count;
	bool ct_over;
	GArray *conncount;
};
struct nft_stateful_list {
	uint8_t n;
	struct nft_stateful s[NFT_SET_EXPR_MAX];
};

/* One nft_bitwise: (v & mask) ^ xor (NFT_BITWISE_BOOL), or a shift
 * left or right by shift bits (NFT_BITWISE_LSHIFT/RSHIFT). */
struct nft_bitwise {
	char op;			/* 'b' bool, '<' lshift, '>' rshift */
	uint8_t shift;
	uint32_t mask, xor;
};

/* One expression or statement of a rule. */
struct nft_expr {
	enum nft_expr_kind kind;
	bool implicit;			/* a dependency nft does not print back */
	/* match */
	const struct nft_key *key;
	bool neq;
	GArray *elems;			/* struct nft_elem */
	bool is_set;			/* an anonymous set { ... } */
	bool has_mask;
	bool and_form;			/* `KEY & MASK == VALUE` (not tcp flags' `/ MASK`) */
	bool not_form;			/* tcp flags `! MASK`: (flags & MASK) == 0 */
	bool exact;			/* a bitmask compared with `==`/`!=`: the value, not its bits */
	/* `KEY < VALUE` (<, >, <=, >=: NFT_CMP_*; 0: none), the value in elems */
	uint8_t cmp_op;
	uint32_t mask;
	/* verdict */
	enum nft_verdict verdict;
	char *chain;
	struct nft_loc chain_loc;
	/* counter, quota */
	uint64_t packets, bytes;
	/* log */
	char *prefix;
	int level;			/* -1: none given; 0..7 syslog, 8 audit */
	int log_group;			/* -1: none (nf_log syslog) */
	unsigned log_flags;		/* NF_LOG_* */
	uint32_t log_snaplen;
	uint16_t log_qthreshold;
	bool log_has_snaplen, log_has_qthreshold;
	/* limit, quota (their state, carried when the rule is copied) */
	struct nft_limit limit;
	struct nft_quota quota;
	/* nat */
	enum nft_nat_type nat;
	bool nat_ip;			/* `dnat ip to` (inet tables) */
	bool has_addr, has_port;
	uint32_t addr_lo, addr_hi;
	uint16_t port_lo, port_hi;
	int nat_flags;
	/* concatenations: `ip daddr . tcp dport @set|{ ... }|vmap ...` (a
	 * match, key is map_keys[0]) and `dnat to KEY [. KEY] map { ... }`
	 * (the map, anon, gives an address, or an address . port) */
	const struct nft_key *map_keys[4];
	unsigned n_map_keys;
	/* numgen inc|random mod N [offset M] (a key of id NFT_K_NUMGEN):
	 * NFT_NG_*, and nft_ng_inc's counter */
	uint8_t ng_mode;
	uint32_t ng_mod, ng_off, ng_counter;
	/* jhash KEY [. KEY]... mod N [seed S] [offset M] and symhash mod N
	 * [offset M] (keys of id NFT_K_JHASH, NFT_K_SYMHASH; nft_hash.c) with
	 * ng_mod, ng_off: the hashed selectors, the seed (hash_seed_set:
	 * given; else drawn once from the run's generator: hash_seeded) */
	const struct nft_key *hash_keys[4];
	uint8_t n_hash_keys;
	bool hash_seed_set, hash_seeded;
	uint32_t hash_seed;
	/* reject: NULL = default, else "tcp reset", "icmp host-unreachable", ... */
	char *reject;
	/* meta/ct mark set VALUE, meta priority set VALUE */
	uint32_t value;
	/* `meta|ct mark set KEY OP VALUE...` (nft_mark_expr.c): the source
	 * key (map_keys[0]) through nft_bitwise steps, in order */
	struct nft_bitwise bw[4];
	uint8_t n_bw;
	/* set lookups and verdict maps: `@name`, or an anonymous map */
	char *set_ref;
	bool vmap;
	struct nft_set *anon;
	/* how nft_eval.c compares (nft_expr_prepare, once per parsed rule):
	 * NFT_OP_*, and one value range copied out of elems for the common
	 * single-value case */
	uint8_t op;
	uint32_t op_lo, op_hi;
	/* the selector's fast load (NFT_FAST_*, nft_expr_prepare): a field at
	 * a fixed offset of the IP or transport header, as the kernel's
	 * nft_payload_fast_eval; 0: nft_load's general switch */
	uint8_t fast, fast_off;
	int16_t fast_l4;		/* the transport protocol it needs, or -1 */
	/* a stateful object's name (`ct helper set "NAME"`), and where; its
	 * type (enum nft_obj_type) for NFT_EXPR_OBJREF */
	char *obj;
	uint8_t obj_type;
	bool dyn_update;		/* NFT_EXPR_DYNSET: `update`, not `add` */
	uint64_t dyn_timeout_ms;	/* NFT_EXPR_DYNSET: `timeout T` (ms), 0: the set's */
	struct nft_loc dyn_loc;		/* NFT_EXPR_DYNSET with a timeout: the statement's text */
	/* NFT_EXPR_DYNSET: the statements of the elements it adds
	 * (nft_setelem_expr.c); a `meter NAME [size N] { ... }` (the set
	 * NAME is the meter's, made by the parser; dyn_size its size) */
	struct nft_stateful_list dyn_stmts;
	bool dyn_meter;
	uint32_t dyn_size;
	/* NFT_EXPR_DYNSET: `KEY and MASK` (an address key masked, nft_bitwise
	 * before the dynset: iptables-translate's hashlimit masks): bit i of
	 * key_masked for map_keys[i], its mask in key_mask[i] */
	uint8_t key_masked;
	uint32_t key_mask[4];
	/* nft's older `dnat to KEY map {...} : PORT|KEY map {...}`: the port
	 * part after an address map (has_port and port_lo/hi, or map_keys
	 * and anon; nft_datamap.c) */
	struct nft_expr *nat_port;
	/* NFT_EXPR_CT_COUNT: the rule's connection list (nf_conncount.h's
	 * GArray of tuples, kept across transactions with the rule);
	 * NFT_EXPR_CT_ZONE_SET: its direction (0 both, 1 original, 2 reply) */
	GArray *conncount;
	uint8_t ct_dir;
};
enum { NFT_NG_INC = 1, NFT_NG_RANDOM = 2 };
enum { NFT_CMP_NONE, NFT_CMP_LT, NFT_CMP_GT, NFT_CMP_LTE, NFT_CMP_GTE };
enum { NFT_FAST_NONE, NFT_FAST_NH32, NFT_FAST_NH8, NFT_FAST_TH16, NFT_FAST_PROTO,
       NFT_FAST_CTSTATE, NFT_FAST_IFNAME };
enum { NFT_OP_RANGE, NFT_OP_ANY, NFT_OP_MASK, NFT_OP_BITS, NFT_OP_LOOKUP, NFT_OP_VMAP,
       NFT_OP_IFNAME,
       NFT_OP_IFNAME1 };	/* iifname|oifname "one": op_lo its length, op_hi 1 for "eth*" */

/* One match compiled for nft_eval.c's rule scan: the load and the
 * comparison in one code (NFT_FM_*), as the kernel keeps its fast cmp and
 * payload expressions inline in the rule's blob. */
struct nft_fast_match {
	uint8_t code;		/* NFT_FM_* */
	uint8_t off;		/* header offset */
	uint8_t l4;		/* NFT_FM_L4_RANGE: the transport protocol */
	bool neq;
	uint32_t lo, span;	/* the range lo..lo+span; lo: the bits for NFT_FM_CTSTATE_BITS */
	const struct nft_expr *e;	/* NFT_FM_EXPR: the expression, for nft_match_fast */
};
enum { NFT_FM_EXPR, NFT_FM_L4_RANGE, NFT_FM_TH_RANGE, NFT_FM_NH32_RANGE, NFT_FM_NH8_RANGE,
       NFT_FM_PROTO_RANGE, NFT_FM_CTSTATE_BITS };

struct nft_rule {
	uint64_t handle;
	struct nft_loc loc;		/* the rule's text, for errors after parsing */
	GPtrArray *exprs;		/* struct nft_expr * */
	char *comment;
	bool inserted;			/* made by `insert rule` (its monitor event says so) */
	/* the first exprs that are matches nft_eval.c decides without a call,
	 * compiled (nft_rule_prepare): tested before the rule's expression loop */
	struct nft_fast_match *fast;
	unsigned n_fast;
};

struct nft_chain {
	char *name;
	uint64_t handle;
	bool base;
	const char *type;		/* filter, nat, route */
	int hook;			/* NF_INET_* numbering: 0 prerouting .. 4 postrouting */
	int prio;
	bool policy_drop;
	GPtrArray *rules;		/* struct nft_rule * */
	char *comment;			/* `comment "..."` of the chain, or NULL */
	bool created;			/* made by `create chain` (its monitor event says so) */
};

/* One element of a set or map: the key (one value per concatenated type)
 * and, in a map, the data (values, or a verdict). */
struct nft_setelem {
	GArray *key;			/* struct nft_elem */
	GArray *data;			/* struct nft_elem, maps of values */
	enum nft_verdict verdict;	/* verdict maps */
	char *chain;			/* jump/goto target */
	struct nft_loc chain_loc;
	struct nft_loc loc;		/* the key's text (add/delete element errors) */
	/* timeouts (nft_settimeout.c): `timeout` and `expires` as given (ms,
	 * 0: none), and the simulated time it expires at (ns, 0: never),
	 * set when its batch is committed (armed) */
	uint64_t timeout_ms, expires_ms;
	bool has_expires, armed;
	int64_t expires_at;
	/* its counter, limit, quota (nft_setelem_expr.c) and `comment "..."` */
	struct nft_stateful_list stmts;
	char *comment;
};

struct nft_set {
	char *name;
	uint64_t handle;
	bool map;
	GArray *key_types;		/* enum nft_dtype, one per concatenated type */
	GArray *data_types;		/* maps: enum nft_dtype; empty for verdict maps */
	bool data_verdict;
	int flags;			/* NFT_SET_F_* */
	uint64_t timeout_ms;
	uint64_t gc_interval_ms;	/* `gc-interval`, printed as given */
	uint32_t size;
	GPtrArray *elems;		/* struct nft_setelem *, in nft's listing order */
	char *comment;
	/* `counter; limit ...; quota ...;` of its declaration: every element
	 * gets these when it has none (nft_setelem_expr.c) */
	struct nft_stateful_list stmts;
	bool meter;			/* a meter's set (anonymous: listed by `list meters`) */
};
#define NFT_SET_F_INTERVAL 1
#define NFT_SET_F_TIMEOUT 2
#define NFT_SET_F_CONSTANT 4
#define NFT_SET_F_DYNAMIC 8

/* A stateful object of a table (nft_obj.c): the ct helper,
 * `ct helper NAME { type "ftp" protocol tcp; l3proto ip; }`, and
 * (nft_stateful.c) `counter|quota|limit NAME { ... }`. Names are per type,
 * as nf_tables keys objects by type and name. */
enum nft_obj_type { NFT_OBJ_CT_HELPER, NFT_OBJ_COUNTER, NFT_OBJ_QUOTA, NFT_OBJ_LIMIT,
		    NFT_OBJ_CT_TIMEOUT, NFT_OBJ_CT_EXPECT };
struct ctnl_timeout;
struct nft_obj {
	char *name;
	uint64_t handle;
	enum nft_obj_type otype;
	uint64_t packets, bytes;	/* counter */
	struct nft_quota quota;
	struct nft_limit limit;
	char type[16];			/* the kernel helper's name: "ftp", "tftp" */
	uint8_t l4proto;		/* 6, 17 */
	enum nft_family l3proto;	/* printed `l3proto ip|inet` */
	bool typed;			/* `type ... protocol ...` given */
	/* ct timeout and ct expectation (nft_cttimeout.c): l3proto as an
	 * NFPROTO_* number, the comment; a timeout's values as nft sends
	 * them (attribute order) and the kernel's policy, made at its first
	 * use and shared by the ruleset's copies; an expectation's dport,
	 * timeout (ms) and size */
	uint16_t l3num;
	char *comment;
	uint32_t tmo[11];
	struct ctnl_timeout *policy;
	uint16_t dport;
	uint32_t exp_timeout_ms;
	uint8_t exp_size;
	bool said;			/* natsim's note on a helper it lacks, given */
};

/* A flowtable (nft_flowtable.c): `flowtable NAME { hook ingress priority
 * P; devices = { ... }; [counter;] }`, the devices in the order given. */
struct nft_flowtable {
	char *name;
	uint64_t handle;
	int prio;
	GPtrArray *devs;		/* char *, interface names */
	bool counter;			/* NFT_FLOWTABLE_COUNTER */
	bool hw_offload;		/* `flags offload` */
};

struct nft_table {
	enum nft_family family;
	char *name;
	uint64_t handle;
	uint64_t next_handle;		/* chains, rules and sets of this table */
	GPtrArray *chains;		/* struct nft_chain * */
	GPtrArray *sets;		/* struct nft_set * */
	char *comment;
	GPtrArray *objs;		/* struct nft_obj *, in creation order */
	GPtrArray *flowtables;		/* struct nft_flowtable *, in creation order */
	bool created;			/* made by `create table` (its monitor event says so) */
};

struct nft_ruleset {
	GPtrArray *tables;		/* struct nft_table *, in creation order */
	uint64_t table_handle;
	/* iptables-nft's tables (bits of enum ipt_table_id) this batch
	 * deleted (`delete table ip filter`, `flush ruleset`): nf_nft.c clears
	 * them when the batch succeeds (nft_list_xt.c) */
	unsigned xt_deleted;
	/* and the chains it flushed: (table << 56) | chain handle, 0 for
	 * every chain of the table (`flush table|chain ip filter ...`) */
	uint64_t xt_flushed[16];
	unsigned n_xt_flushed;
	/* and the regular chains it added to them, "ID:NAME" (nft_xt_share.c) */
	GPtrArray *xt_added;
	/* kept by the ruleset object across transactions (nft_cmd swaps the
	 * tables only): the base chains on the hook ops (nft_hooks.c), the
	 * conntrack references they hold, the natsim notes said once per
	 * ruleset (bits: nft_hash_say's symhash line, nft_flowtable_say's) */
	GPtrArray *regs;		/* struct nft_hook_reg * */
	unsigned ct_refs;
	unsigned said;
	/* the namespace whose conntrack helpers a ct helper object names
	 * (set by nf_nft.c; NULL for a scratch ruleset: then the names
	 * natsim's helper modules register are accepted) */
	struct nf_ns *ns;
	/* the simulated clock (ns) of the command running (nf_nft.c sets
	 * it): element timeouts start and expire on it */
	int64_t now;
	/* the flowtables' offloaded flows (nft_flow_offload.c), NULL: none yet */
	struct nft_flows *flows;
	/* `nft monitor trace`'s cache of the rules' counters when it started
	 * (nft_trace_cache.c), NULL: none */
	GHashTable *trace_cache;
	/* the kernel's names of the anonymous sets, "__set%d" (nft_event.c's
	 * nft_anon_names_update), NULL: none yet */
	GHashTable *anon_names;
};

/* The flowtable fast path (nft_flow_offload.c): a packet arriving on `in`
 * that an offloaded flow takes (true: rewritten, *out its device); the
 * flows' gc; all flows let go (the namespace's exit). */
bool nft_flow_offload_ip_hook(struct nf_ns *ns, uint8_t *ip, uint32_t len, const char *in,
			      nf_time now, const char **out);
void nft_flow_offload_gc(struct nf_ns *ns, nf_time now);
nf_time nft_flow_offload_gc_next(struct nf_ns *ns);
void nft_flows_sync(struct nf_ns *ns);
void nft_flows_free(struct nf_ns *ns, struct nft_ruleset *rs);

struct nft_ruleset *nft_ruleset_new(void);
void nft_ruleset_free(struct nft_ruleset *rs);

/* natsim's notes, once, after a committed batch: ct helper objects of
 * helpers natsim lacks (nft_obj.c), flowtables with `flags offload`
 * (nft_flowtable.c). */
void nft_obj_say(struct nft_ruleset *rs, GString *err);
void nft_flowtable_say(struct nft_ruleset *rs, GString *err);

/* The nft command. argv[0] is "nft"; stdin_text is the text of `-f -`
 * (or NULL); files are read through read_file (the node's file store)
 * which returns a g_malloc'ed text or NULL. Exit status as nft's (0, 1). */
typedef char *(*nft_read_file_fn)(void *priv, const char *path);
/* The paths a glob pattern matches on the node, sorted, a directory with a
 * trailing '/' (glob(3) with GLOB_MARK); a NULL-terminated g_strfreev list. */
typedef char **(*nft_glob_fn)(void *priv, const char *pattern);
/* Where nft's files come from: `-f FILE` and `include` (nft_include.c). */
struct nft_files {
	nft_read_file_fn read;		/* NULL: no file exists */
	nft_glob_fn glob;		/* NULL: no pattern matches */
	void *priv;
	const char *const *paths;	/* the include search path: /etc, then -I DIRs */
	unsigned npaths;
};
int nft_cmd(struct nft_ruleset *rs, int argc, char **argv, const char *stdin_text,
	    nft_read_file_fn read_file, nft_glob_fn glob, void *priv, GString *out, GString *err);

/* nft_hooks.c: put the ruleset's base chains on the namespace's hook ops
 * (nat chains as NAT rule lookups) and take or drop conntrack as its
 * expressions need, after every change; detach before the ruleset goes.
 * Problems (a hook's list full) are said on err. */
struct nf_ns;
void nft_hooks_sync(struct nf_ns *ns, struct nft_ruleset *rs, GString *err);
void nft_hooks_detach(struct nf_ns *ns, struct nft_ruleset *rs);

#endif
