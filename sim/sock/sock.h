/* sock.h - the sockets of a node (sim/sock: udp.c, tcp.c, ping.c, and the
 * helpers of traffic.c) as the rest of the simulator sees them. What the IP
 * stack calls (udp_rcv, tcp_err, ...) is declared in sim/inet/inet.h.
 */
#ifndef SIM_SOCK_H
#define SIM_SOCK_H

#include <glib.h>
#include "sim/inet/inet.h"

/* Free a node's transport state (end of run, reboot). */
void transport_free(struct node *n);
/* summary.json: appends a node's socket counters to an open JSON object as
 * `, "udp_tx": N, "udp_rx": N, ...` fields, each preceded by ", " (the caller
 * has written at least one field before). Nothing for a node without sockets. */
void transport_summary(struct node *n, GString *json_obj);


#endif
