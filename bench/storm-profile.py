#!/usr/bin/env python3
"""Where a connection storm's CPU samples go in our server, from async-profiler's collapsed stacks: the share of
each part of a connection's start (accepting, registering, the pipeline's set-up, reading the request, the
response head) and of streaming, then the frames that cost most outside streaming.
    bench/storm-profile.py FILE.collapsed"""
import collections
import sys

# The first category whose marker is in a stack takes its samples; streaming is checked first, since a part's
# send can run inside a request's handling.
CATEGORIES = [
    ("streaming (parts sent)", ("StreamSession.offer", "Broadcaster")),
    ("accept (accept4, acceptor)", ("EpollServerSocketChannel", "NioServerSocketChannel", "ServerBootstrapAcceptor",
                                    "AbstractEpollServerChannel", "accept4", "AbstractNioMessageChannel")),
    ("register (epoll_ctl, channel register)", ("register0", "AbstractChannel$AbstractUnsafe.register", "epoll_ctl")),
    ("pipeline set-up (initChannel)", ("initChannel", "ChannelInitializer")),
    ("request and response head", ("RequestRouter", "HttpServerCodec", "HttpObjectDecoder", "StreamResponder")),
    ("closing", ("doClose", "close0")),
    ("GC", ("GCTaskThread", "G1", "gc_")),
    ("JIT compiler", ("CompileBroker", "C2Compiler", "C1Compiler", "Compile::")),
]


def main(path):
    total = 0
    shares = collections.Counter()
    top = collections.Counter()
    for line in open(path):
        stack, n = line.rstrip().rsplit(" ", 1)
        n = int(n)
        total += n
        frames = stack.split(";")
        category = next((name for name, markers in CATEGORIES if any(m in f for f in frames for m in markers)), "other")
        shares[category] += n
        if category != "streaming (parts sent)":
            ours = [f for f in frames if "mjpegserver" in f or "netty" in f]
            top[ours[-1] if ours else frames[-1]] += n
    print(f"samples {total}")
    for name, n in shares.most_common():
        print(f"  {100 * n / max(total, 1):5.1f} %  {name}")
    print("top frames outside streaming (the deepest of ours or Netty's, else the leaf):")
    for frame, n in top.most_common(12):
        print(f"  {100 * n / max(total, 1):5.1f} %  {frame}")


if __name__ == "__main__":
    main(sys.argv[1])
