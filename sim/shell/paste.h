/* paste.h - reading commands pasted from web pages and terminals (paste.c). */
#ifndef SIM_PASTE_H
#define SIM_PASTE_H

#include <glib.h>
#include <stdbool.h>

/* Typographic quotes used as shell quotes (“1”, ‘x’) read as ASCII ones.
 * NULL if nothing changed; else the new text (g_free it), and with warnings
 * non-NULL one message per quoted string. */
char *paste_quotes(const char *text, GPtrArray *warnings);

/* The command text after a pasted shell prompt (`# `, `$ `, `root@gw:~# `,
 * `[root@gw ~]# `), with a warning; cmd_text itself if there is none. */
const char *paste_strip_prompt(const char *cmd_text, GPtrArray *warnings);

/* True if the '#' at p, with `sofar` the line read before it ("NODE: " or
 * "at TIME NODE: "), is a pasted root prompt rather than a comment. */
bool paste_hash_is_prompt(const char *sofar, const char *p);

/* Index in argv of the command after `sudo [OPTIONS]` (0 without sudo);
 * argc when nothing is left to run (`sudo -i`, `sudo su -`): the scenario
 * already runs as root. */
int paste_sudo_skip(int argc, char **argv);

#endif
