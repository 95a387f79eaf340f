#!/usr/bin/python3
"""A khobor subscriber in Python that never misses an alert.

Uses Debian's python3-zmq (apt install python3-zmq). It subscribes to the alert
stream first, then asks the control socket to replay everything after the last
sequence number it saw (kept in a state file), so alerts published while it was
away are received once, in order; a gap in the live stream (ZeroMQ drops messages
for a slow or reconnecting subscriber) is filled the same way, and repeats are
dropped.

    ./subscriber.py --publish tcp://127.0.0.1:7650 --control tcp://127.0.0.1:7651 \\
                    --state ~/.khobor-seq [--count N]
"""
import argparse
import json
import os
import sys

import zmq


def load_seq(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0


def save_seq(path, seq):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(seq))
    os.replace(tmp, path)  # atomic: a crash leaves the old or the new number


def replay(ctx, control, since, timeout_ms=5000):
    """Yield the stored alerts after `since`, in seq order, in batches."""
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    req.setsockopt(zmq.RCVTIMEO, timeout_ms)
    req.connect(control)
    try:
        while True:
            req.send_json({"cmd": "replay", "since": since, "limit": 500})
            reply = req.recv_json()
            if not reply.get("ok"):
                raise RuntimeError("replay refused: %s" % reply.get("error"))
            for item in reply["alerts"]:
                yield item["topic"], item["alert"]
                since = item["seq"]
            if not reply.get("more"):
                yield None, {"through": reply["through"]}
                return
    finally:
        req.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--publish", default="tcp://127.0.0.1:7650")
    ap.add_argument("--control", default="tcp://127.0.0.1:7651")
    ap.add_argument("--state", required=True, help="file that keeps the last seq")
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

    last = load_seq(args.state)
    through = last  # every seq up to here was either delivered or is not ours
    received = 0

    def deliver(topic, alert):
        nonlocal last, received
        seq = alert["seq"]
        if seq <= last:
            return  # a repeat: replay and the live stream overlapped
        print(json.dumps(alert, ensure_ascii=False), flush=True)
        last = seq
        received += 1
        save_seq(args.state, last)

    def catch_up():
        nonlocal through
        for topic, alert in replay(ctx, args.control, last):
            if topic is None:
                through = max(through, alert["through"])
            elif topic.startswith(args.topic):
                deliver(topic, alert)

    catch_up()
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    while args.count == 0 or received < args.count:
        timeout = int(args.idle_timeout * 1000) if args.idle_timeout else None
        if not poller.poll(timeout):
            break  # idle for too long
        topic, body = sub.recv_multipart()
        alert = json.loads(body)
        if alert["seq"] > max(last, through) + 1:
            catch_up()  # a gap: fetch what the live stream lost
        deliver(topic.decode(), alert)
        through = max(through, alert["seq"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
