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

/* The bytes a TCP connection of node n on local port lport receives, in
 * stream order, each byte once (retransmissions and out-of-order segments
 * are not delivered twice): fn(ctx, n, data, len) for every segment that
 * moves rcv_nxt, with the new bytes only. For connections a listener
 * accepted and connections made from that port alike. One callback per
 * port (a second replaces the first); it lasts until the node's sockets
 * are freed (reboot, end of run). An application reads a protocol's lines
 * with it (an FTP helper's "227 ..." reply), a test the bytes sent. */
typedef void (*tcp_recv_fn)(void *ctx, struct node *n, const uint8_t *data, size_t len);
void tcp_set_recv(struct node *n, uint16_t lport, tcp_recv_fn fn, void *ctx);

#endif
