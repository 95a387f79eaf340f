"""khobor/tests/support/harness.py — what the Python integration tests share:
waiting on a condition with a deadline, the feed server, stopping a process, and
one request to khobord's control socket.

Import it with sys.path.insert(0, <repo>/tests/support) and `import harness`.
"""
import subprocess
import sys
import time


def wait_for(cond, timeout, what):
    """cond()'s first true value within `timeout` seconds; AssertionError after."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)  # polling interval of a condition with a deadline, not a wait
    raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))


def start_feed_server(feed_server, root, *extra):
    """tests/servers/feed_server.py serving `root` (it stops when our end of its
    stdin closes): the process and its port."""
    p = subprocess.Popen([sys.executable, feed_server, "--root", root, "--stdin-lifeline", *extra],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("PORT "), line
    return p, int(line.split()[1])


def stop(p):
    """SIGTERM, then SIGKILL after 5 s; nothing when `p` has already ended."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def control(endpoint, request, timeout_ms=1000, server_public=None):
    """khobord's JSON reply to `request` on its control socket, or None when it
    does not answer within `timeout_ms`; CURVE when `server_public` (the server's
    Z85 public key) is given, with a key pair made for this request."""
    import zmq  # only the tests that talk to khobord need python3-zmq

    s = zmq.Context.instance().socket(zmq.REQ)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, timeout_ms)
    if server_public:
        pub, sec = zmq.curve_keypair()
        s.curve_serverkey, s.curve_publickey, s.curve_secretkey = (
            server_public.encode(), pub, sec)
    s.connect(endpoint)
    try:
        s.send_json(request)
        return s.recv_json()
    except zmq.Again:
        return None
    finally:
        s.close()


def last_seq(endpoint, timeout_ms=2000):
    """The seq of the last alert khobord stored, from its status; -1 when it does
    not answer."""
    reply = control(endpoint, {"cmd": "status"}, timeout_ms)
    return -1 if reply is None else reply["alerts"]["last_seq"]


def wait_or_exit(what, cond, timeout):
    """wait_for for the plain scripts (no unittest): on timeout "FAIL: …" on stderr
    and exit status 1."""
    try:
        return wait_for(cond, timeout, what)
    except AssertionError as e:
        print("FAIL: " + str(e), file=sys.stderr)
        sys.exit(1)
