#!/usr/bin/env python3
"""Top frames of an async-profiler collapsed-stacks file: the N frames with the most samples on top of the stack
(self) and the N Java frames of our code or Netty's present in the most stacks (total), in % of all samples.
    bench/top-frames.py FILE.collapsed [N=15]"""
import collections
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
total = 0
own = collections.Counter()
inclusive = collections.Counter()
for line in open(path):
    stack, count = line.rstrip().rsplit(' ', 1)
    count = int(count)
    total += count
    frames = stack.split(';')
    own[frames[-1]] += count
    for frame in set(frames):
        if 'netty' in frame or 'mjpegserver' in frame:
            inclusive[frame] += count
print(f"samples {total}; self:")
for frame, count in own.most_common(n):
    print(f"  {100 * count / total:5.1f} %  {frame}")
print("total (netty and ours):")
for frame, count in inclusive.most_common(n):
    print(f"  {100 * count / total:5.1f} %  {frame}")
