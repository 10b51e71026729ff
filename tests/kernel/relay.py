#!/usr/bin/python3
"""relay.py - a link's delay, rate, loss and queue in user space, where tc netem is missing.

usage: relay.py IF_A IF_B DELAY_NS RATE_BPS LOSS QUEUE   (0 = not set)

Runs inside a namespace of its own between the two ends of one scenario link
(A:IF <-veth-> IF_A [relay] IF_B <-veth-> B:IF) and moves every frame from one
side to the other as natsim's full-duplex link does: per direction a
drop-tail queue of QUEUE frames, serialisation at RATE (bits/s), then DELAY,
and a LOSS probability (an unseeded draw: loss is random on both sides
anyway). Single-threaded: one select loop and one heap of due frames.
Timing is good to a fraction of a millisecond, not to natsim's nanosecond.
"""

import heapq
import random
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    if_a, if_b = sys.argv[1], sys.argv[2]
    delay = int(sys.argv[3]) / 1e9
    rate = float(sys.argv[4])
    loss = float(sys.argv[5])
    queue = int(sys.argv[6])
    socks = {}
    for name in (if_a, if_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        socks[name] = s
    other = {socks[if_a]: socks[if_b], socks[if_b]: socks[if_a]}
    free_at = {socks[if_a]: 0.0, socks[if_b]: 0.0}     # serialisation, per direction
    pending = {socks[if_a]: [], socks[if_b]: []}      # serialisation ends, queued
    heap, seq = [], 0
    print("ready", flush=True)
    while True:
        timeout = max(0.0, heap[0][0] - time.monotonic()) if heap else 1.0
        ready, _, _ = select.select(list(socks.values()), [], [], timeout)
        now = time.monotonic()
        for s in ready:
            frame, addr = s.recvfrom(65536)
            if addr[2] == PACKET_OUTGOING:
                continue
            if loss and random.random() < loss:
                continue
            q = pending[s]
            while q and q[0] <= now:
                q.pop(0)
            if queue and len(q) >= queue:
                continue            # drop-tail
            start = max(now, free_at[s])
            done = start + (len(frame) * 8 / rate if rate else 0)
            free_at[s] = done
            q.append(done)
            seq += 1
            heapq.heappush(heap, (done + delay, seq, s, frame))
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            _, _, s, frame = heapq.heappop(heap)
            try:
                other[s].send(frame)
            except OSError:
                pass


if __name__ == "__main__":
    main()
