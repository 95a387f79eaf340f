#!/usr/bin/python3
"""A khobor subscriber in Python that never misses an alert.

Uses Debian's python3-zmq (apt install python3-zmq). It subscribes to the alert
stream first, then asks khobord's control socket to replay everything after the
last sequence number it has covered (kept in a state file), so alerts published
while it was away are received once, in order. A gap in the live stream (ZeroMQ
drops messages for a subscriber that is slow or reconnecting) is filled the same
way, and repeats are dropped. The protocol is in bus/WIRE_FORMAT.md.

    ./subscriber.py --publish tcp://127.0.0.1:5680 --control ipc:///run/khobor/control \\
                    --state ~/.khobor-seq [--topic alert.summit] [--count N]

Prints each alert as one JSON line. A crash of this script between printing an
alert and saving the state file prints that alert again on the next start (at
least once); otherwise every alert is printed exactly once.
"""
import argparse
import json
import os
import sys
import time

import zmq


def load_seq(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0  # a new state file: from the oldest alert khobord still keeps


def save_seq(path, seq):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(seq))
    os.replace(tmp, path)  # atomic: a crash leaves the old or the new number


def replay_batches(ctx, control, since, topic, timeout_ms=3000):
    """Yield replay replies after `since` until khobord has no more."""
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    req.setsockopt(zmq.RCVTIMEO, timeout_ms)
    req.connect(control)
    try:
        while True:
            req.send_json({"cmd": "replay", "since": since, "limit": 1000, "topic": topic})
            reply = req.recv_json()  # zmq.Again after timeout_ms: khobord is not answering
            if not reply.get("ok"):
                raise RuntimeError("replay refused: %s" % reply.get("error"))
            yield reply
            since = reply["through"]
            if not reply["more"]:
                return
    finally:
        req.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--publish", default="tcp://127.0.0.1:5680")
    ap.add_argument("--control", default="ipc:///run/khobor/control")  # group khobor
    ap.add_argument("--state", required=True, help="file that keeps the last seq covered")
    ap.add_argument("--topic", default="alert.")
    ap.add_argument("--count", type=int, default=0, help="stop after N alerts")
    ap.add_argument("--idle-timeout", type=float, default=0,
                    help="stop after this many seconds without an alert")
    args = ap.parse_args()

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt_string(zmq.SUBSCRIBE, args.topic)
    sub.connect(args.publish)  # subscribe before replaying: nothing falls between

    pos = load_seq(args.state)  # every seq up to here was printed or is not ours
    held = {}  # live alerts past a gap, until the replay fills it
    printed = 0

    def done():
        return args.count and printed >= args.count

    def deliver(alert):
        nonlocal pos, printed
        if alert["seq"] <= pos or done():
            return  # a repeat: replay and the live stream overlapped
        print(json.dumps(alert, ensure_ascii=False), flush=True)
        pos = alert["seq"]
        printed += 1
        save_seq(args.state, pos)

    def catch_up():
        """Replay until khobord has nothing more, retrying with a bounded backoff."""
        nonlocal pos
        delay = 0.1
        while not done():
            try:
                for reply in replay_batches(ctx, args.control, pos, args.topic):
                    for item in reply["alerts"]:
                        deliver(item["alert"])
                    if not done():
                        pos = max(pos, reply["through"])
                        save_seq(args.state, pos)
                break
            except zmq.Again:
                print("replay: no answer from %s; retrying" % args.control, file=sys.stderr)
                time.sleep(delay)  # khobord is restarting: back off, bounded
                delay = min(delay * 2, 5.0)
        for seq in sorted(held):  # what the live stream held back, in order
            if seq > pos + 1:
                break  # still a gap: the next alert or catch-up fills it
            deliver(held.pop(seq))

    catch_up()
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    while not done():
        timeout = int(args.idle_timeout * 1000) if args.idle_timeout else None
        if not poller.poll(timeout):
            break  # idle for too long
        topic, body = sub.recv_multipart()
        alert = json.loads(body)
        if alert["seq"] > pos + 1:
            held[alert["seq"]] = alert  # a gap: fetch what the live stream lost
            catch_up()
        else:
            deliver(alert)
    return 0


if __name__ == "__main__":
    sys.exit(main())
