/* shell_state.c - the node's shell state (struct shell_state), made on
 * first use and freed with the node.
 *
 * Design: the shell's own node subsystem (the kernel's pernet_operations
 * of a module loaded later): registered the first time a node's state is
 * made, so every node that has a state is freed through it, and a program
 * that never runs a command registers nothing.
 */
#include "sim/shell/shell_state.h"

static void shell_file_free(gpointer s)
{
	g_string_free(s, TRUE);
}

static void shell_node_exit(struct node *n)
{
	struct shell_state *sh = n->shell;
	if (!sh)
		return;
	g_hash_table_destroy(sh->files);
	if (sh->journal)
		g_ptr_array_free(sh->journal, TRUE);
	g_free(sh);
	n->shell = NULL;
}

static const struct node_subsys shell_subsys = {
	.name = "shell",
	.node_exit = shell_node_exit,
};

struct shell_state *shell_state(struct node *n)
{
	if (!n->shell) {
		node_subsys_register(&shell_subsys);
		struct shell_state *sh = g_new0(struct shell_state, 1);
		sh->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  shell_file_free);
		n->shell = sh;
	}
	return n->shell;
}
