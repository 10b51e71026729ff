/* protocol.c - the table of protocol.h (inet_protos[]): 256 pointers,
 * filled at start-up, read on every local delivery. */
#include "sim/inet/protocol.h"

static const struct net_protocol *inet_protos[256];

void inet_add_protocol(const struct net_protocol *prot, uint8_t protocol)
{
	inet_protos[protocol] = prot;
}

const struct net_protocol *inet_protocol(uint8_t protocol)
{
	return inet_protos[protocol];
}
