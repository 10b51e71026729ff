/* paste.c - commands pasted from web pages and terminals.
 *
 * A learner copies commands from a tutorial or a colleague's terminal. What
 * comes along is not part of the command: the shell prompt (`# `, `$ `,
 * `root@gw:~# `, `[root@gw ~]# `), and the typographic quotes a blog engine
 * puts where the author typed ASCII ones (“1”, ‘x’). The typographic dashes
 * are read in cmd_split (cmd.c); this file reads the rest. Each repair is
 * reported as a warning that names the scenario line, so the scenario can be
 * cleaned, but the command runs as the author meant it. `sudo` needs no
 * warning: it works the same for root, which every natsim node is.
 *
 * Design: all of it is text to text (or argv to argv) before the command is
 * dispatched, so no command knows about it.
 */
#include <string.h>

#include "sim/shell/paste.h"

/* ----- typographic quotes ----- */

enum curly { CURLY_NONE, CURLY_DOUBLE, CURLY_OPEN_SINGLE, CURLY_CLOSE_SINGLE };

/* U+201C “, U+201D ”, U+201E „ (double) and U+2018 ‘, U+2019 ’ (single). */
static enum curly curly_at(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] != 0xe2 || u[1] != 0x80)
		return CURLY_NONE;
	switch (u[2]) {
	case 0x9c: case 0x9d: case 0x9e: return CURLY_DOUBLE;
	case 0x98: return CURLY_OPEN_SINGLE;
	case 0x99: return CURLY_CLOSE_SINGLE;
	default: return CURLY_NONE;
	}
}

static bool paste_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Outside quotes, “ ” „ open a double-quoted string that the next of them
 * closes; ‘ (or ’ opening a word) opens a single-quoted one that ’ closes.
 * A ’ inside a word is an apostrophe (Bob’s) and stays, also within ‘...’.
 * Inside ASCII quotes
 * nothing changes: there the characters are literal for bash too. */
char *paste_quotes(const char *text, GPtrArray *warnings)
{
	if (!strstr(text, "\xe2\x80"))
		return NULL;
	GString *o = g_string_new(NULL);
	enum { S_NONE, S_SQ, S_DQ, S_CDQ, S_CSQ } st = S_NONE;
	const char *p = text, *seg = NULL;
	size_t seg_out = 0;
	bool changed = false;
	while (*p) {
		enum curly cq = curly_at(p);
		switch (st) {
		case S_NONE:
			if (*p == '\\' && p[1]) {
				g_string_append_len(o, p, 2);
				p += 2;
				continue;
			}
			if (*p == '\'' || *p == '"') {
				st = *p == '\'' ? S_SQ : S_DQ;
				break;
			}
			if (cq == CURLY_DOUBLE || cq == CURLY_OPEN_SINGLE ||
			    (cq == CURLY_CLOSE_SINGLE && (p == text || paste_blank(p[-1]) || p[-1] == '='))) {
				seg = p;
				seg_out = o->len;
				g_string_append_c(o, cq == CURLY_DOUBLE ? '"' : '\'');
				st = cq == CURLY_DOUBLE ? S_CDQ : S_CSQ;
				changed = true;
				p += 3;
				continue;
			}
			break;
		case S_SQ:
			if (*p == '\'')
				st = S_NONE;
			break;
		case S_DQ:
			if (*p == '\\' && p[1]) {
				g_string_append_len(o, p, 2);
				p += 2;
				continue;
			}
			if (*p == '"')
				st = S_NONE;
			break;
		case S_CDQ:
		case S_CSQ:
			if ((st == S_CDQ && cq == CURLY_DOUBLE) ||
			    (st == S_CSQ && cq == CURLY_CLOSE_SINGLE && !g_ascii_isalnum(p[3]))) {
				g_string_append_c(o, st == S_CDQ ? '"' : '\'');
				p += 3;
				if (warnings) {
					char *raw = g_strndup(seg, (size_t)(p - seg));
					g_ptr_array_add(warnings, g_strdup_printf(
						"typographic quotes in %s read as %s", raw, o->str + seg_out));
					g_free(raw);
				}
				st = S_NONE;
				continue;
			}
			if (st == S_CDQ && (*p == '"' || *p == '\\' || *p == '$' || *p == '`')) {
				g_string_append_c(o, '\\'); /* literal inside the quotes */
			} else if (st == S_CSQ && *p == '\'') {
				g_string_append(o, "'\\''");
				p++;
				continue;
			}
			break;
		}
		g_string_append_c(o, *p);
		p++;
	}
	if (!changed || st == S_CDQ || st == S_CSQ) {
		/* no pair: leave the text as typed (bash reads it as plain bytes) */
		g_string_free(o, TRUE);
		return NULL;
	}
	return g_string_free(o, FALSE);
}

/* ----- shell prompts ----- */

/* Length of a prompt word ending in '#' or '$' at p ("#", "$", "gw#",
 * "root@gw:~#", "user@host:/etc$"), or 0. Commands never end in # or $. */
static size_t prompt_word(const char *p)
{
	size_t n = 0;
	while (p[n] && (g_ascii_isalnum(p[n]) || strchr("_.@:~/+-", p[n])))
		n++;
	if ((p[n] == '#' || p[n] == '$') && (paste_blank(p[n + 1])))
		return n + 1;
	return 0;
}

/* "[root@gw ~]# " as RHEL's bash shows it. */
static size_t prompt_bracket(const char *p)
{
	if (*p != '[')
		return 0;
	const char *close = strchr(p, ']');
	if (!close || !strchr(p, '@') || strchr(p, '@') > close)
		return 0;
	if ((close[1] == '#' || close[1] == '$') && paste_blank(close[2]))
		return (size_t)(close - p) + 2;
	return 0;
}

const char *paste_strip_prompt(const char *cmd_text, GPtrArray *warnings)
{
	size_t n = prompt_bracket(cmd_text);
	if (!n)
		n = prompt_word(cmd_text);
	if (!n)
		return cmd_text;
	const char *rest = cmd_text + n;
	while (paste_blank(*rest))
		rest++;
	if (!*rest)
		return cmd_text;
	if (warnings)
		g_ptr_array_add(warnings, g_strdup_printf(
			"shell prompt \"%.*s\" before the command removed", (int)n, cmd_text));
	return rest;
}

bool paste_hash_is_prompt(const char *sofar, const char *p)
{
	/* sofar: "NODE:" or "at TIME NODE:" with optional blanks after the colon */
	if (*p != '#' || !paste_blank(p[1]))
		return false;
	size_t len = strlen(sofar);
	while (len && paste_blank(sofar[len - 1]))
		len--;
	if (!len || sofar[len - 1] != ':')
		return false;
	int words = 0;
	for (size_t i = 0; i < len; i++)
		if (!paste_blank(sofar[i]) && (i == 0 || paste_blank(sofar[i - 1])))
			words++;
	if (!(words == 1 || (words == 3 && strncmp(sofar, "at", 2) == 0 && paste_blank(sofar[2]))))
		return false;
	const char *q = p + 1;
	while (paste_blank(*q))
		q++;
	return *q && *q != '\n';
}

/* ----- sudo ----- */

int paste_sudo_skip(int argc, char **argv)
{
	/* sudo's options that take a value (sudo(8)) */
	static const char with_arg[] = "CDgprRtTuUh";
	static const char *const long_with_arg[] = {
		"--close-from", "--chdir", "--group", "--host", "--prompt", "--chroot", "--role",
		"--type", "--command-timeout", "--other-user", "--user", NULL,
	};
	int i = 0;
	while (i < argc && strcmp(argv[i], "sudo") == 0) {
		i++;
		while (i < argc && argv[i][0] == '-') {
			const char *a = argv[i++];
			if (strcmp(a, "--") == 0)
				break;
			if (a[1] == '-') {
				for (int k = 0; long_with_arg[k]; k++)
					if (strcmp(a, long_with_arg[k]) == 0 && i < argc)
						i++;
				continue;
			}
			/* -u root, -uroot; a value ends the cluster */
			for (const char *f = a + 1; *f; f++) {
				if (strchr(with_arg, *f)) {
					if (!f[1] && i < argc)
						i++;
					break;
				}
			}
		}
	}
	/* `sudo su`, `su -`, `sudo -i`: a root shell, which the scenario is */
	if (i < argc && strcmp(argv[i], "su") == 0) {
		int j = i + 1;
		while (j < argc && (strcmp(argv[j], "-") == 0 || strcmp(argv[j], "-l") == 0 ||
				    strcmp(argv[j], "--login") == 0 || strcmp(argv[j], "root") == 0))
			j++;
		if (j == argc)
			return argc;
	}
	return i;
}
