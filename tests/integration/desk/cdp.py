"""A small Chrome DevTools Protocol client for the browser test: starts Debian's
headless chromium with its own profile on a free port, talks to its page over
the DevTools WebSocket (python3-websocket), and stops it (its process group)."""
import json
import os
import signal
import subprocess
import time
import urllib.request

import websocket


class Browser:
    def __init__(self, profile, deadline_s=30):
        self.profile = profile
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-dev-shm-usage", "--mute-audio",
             "--user-data-dir=" + profile, "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", "--window-size=1200,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port = self._port(deadline_s)
        deadline = time.monotonic() + deadline_s
        page = None
        while page is None:
            if time.monotonic() > deadline:
                raise RuntimeError("chromium offers no page target")
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=5) as r:
                page = next((t for t in json.load(r) if t["type"] == "page"), None)
            if page is None:
                time.sleep(0.05)  # polling for the target, with a deadline
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=deadline_s,
                                              suppress_origin=True)
        self.next_id = 0

    def _port(self, deadline_s):
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited %d" % self.proc.returncode)
            if os.path.exists(path):
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            time.sleep(0.05)  # polling for chromium's port file, with a deadline
        raise RuntimeError("chromium wrote no DevToolsActivePort")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg["result"]

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
