"""Top frames of a JFR recording's CPU samples (jdk.ExecutionSample and jdk.NativeMethodSample).

Usage: /usr/bin/python3 jfr_top.py FILE.jfr [N] [THREAD-SUBSTRING]
Prints the N hottest frames by self samples (top of stack) and by total samples (anywhere on the stack).
"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
thread_filter = sys.argv[3] if len(sys.argv) > 3 else None
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", path],
                      capture_output=True, text=True, check=True).stdout
self_counts = collections.Counter()
total_counts = collections.Counter()
events = 0
for block in text.split("jdk.ExecutionSample")[1:]:
    thread = re.search(r'sampledThread = "([^"]*)"', block)
    if thread_filter and (not thread or thread_filter not in thread.group(1)):
        continue
    frames = re.findall(r"^\s+([\w$.<>/]+\(.*?\))\s+line:", block, re.M)
    frames = [re.sub(r"\(.*\)", "", f) for f in frames]
    if not frames:
        continue
    events += 1
    self_counts[frames[0]] += 1
    for f in set(frames):
        total_counts[f] += 1
print(f"{events} samples{' on threads matching ' + thread_filter if thread_filter else ''}")
print("self:")
for f, c in self_counts.most_common(n):
    print(f"  {100.0 * c / events:5.1f}%  {f}")
print("total:")
for f, c in total_counts.most_common(n):
    print(f"  {100.0 * c / events:5.1f}%  {f}")
