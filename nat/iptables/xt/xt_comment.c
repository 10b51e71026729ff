/* xt_comment.c - `-m comment --comment TEXT`.
 *
 * Mirrors libxt_comment.c (at most 255 bytes kept, printed as
 * `/ * TEXT * /` by -L and quoted by -S) and the kernel's
 * net/netfilter/xt_comment.c, whose match always matches.
 */
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_comment {
	char *comment;		/* NULL until --comment */
};

enum { O_COMMENT };

static const struct xt_option comment_opts[] = { { "comment", 1, O_COMMENT }, { NULL, 0, 0 } };

static int comment_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_comment *c = data;
	int rc = xt_noinvert(p, "comment");
	if (!rc)
		rc = xt_once(p, "comment", id);
	if (!rc) {
		g_free(c->comment);
		c->comment = g_strndup(arg, 255);
	}
	return rc;
}

static int comment_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_comment *c = data;
	if (!c->comment)
		return xt_err(p, "comment: option \"--comment\" must be specified\n");
	return 0;
}

static void comment_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_comment *c = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " /* %s */", c->comment ? c->comment : "");
}

static void comment_save(GString *o, const void *data)
{
	const struct xt_comment *c = data;
	g_string_append(o, " --comment");
	xt_save_string(o, c->comment ? c->comment : "");
}

static void comment_copy(void *dst, const void *src)
{
	((struct xt_comment *)dst)->comment = g_strdup(((const struct xt_comment *)src)->comment);
}

static void comment_destroy(void *data)
{
	g_free(((struct xt_comment *)data)->comment);
}

static bool comment_mt(struct xt_action_param *par, const void *data)
{
	(void)par;
	(void)data;
	return true;
}

/* comment_xlate: the text in double quotes, kept for the end of the rule
 * (xt_xlate_add_comment: a later comment replaces it). */
static bool comment_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_comment *c = data;
	(void)r;
	g_free(xl->comment);
	/* NFT_USERDATA_MAXLEN - 1 bytes, quotes included: a 254-byte comment
	 * loses its closing quote (as 1.8.9 prints it) */
	xl->comment = g_strdup_printf("\"%s\"", c->comment ? c->comment : "");
	if (strlen(xl->comment) > 255)
		xl->comment[255] = '\0';
	return true;
}

const struct xt_ops xt_comment_ops = {
	.name = "comment", .kind = XT_MATCH, .size = sizeof(struct xt_comment),
	.xlate = comment_xlate,
	.opts = comment_opts, .parse = comment_parse, .final_check = comment_final_check,
	.print = comment_print, .save = comment_save, .copy = comment_copy,
	.destroy = comment_destroy, .match = comment_mt,
};
