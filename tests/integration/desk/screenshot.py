#!/usr/bin/python3
"""Screenshot of the desk page at URL into OUT (PNG), in headless chromium, once
its cards are on it (the README's picture: `KHOBOR_DEMO_SCREENSHOT=docs/desk.png
tools/dev demo`).  usage: screenshot.py URL OUT [WIDTH HEIGHT]"""
import base64
import os
import sys
import tempfile

from cdp import Browser
from desk_fixture import wait_for

url, out = sys.argv[1:3]
width, height = (int(x) for x in sys.argv[3:5]) if len(sys.argv) > 4 else (1000, 1300)
with tempfile.TemporaryDirectory() as tmp:
    b = Browser(os.path.join(tmp, "chromium"))
    try:
        b.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
               deviceScaleFactor=1, mobile=width < 600)
        b.call("Page.navigate", url=url)
        wait_for("the cards", lambda: b.eval(
            "document.querySelectorAll('article.event').length > 0 && "
            "document.getElementById('feeds-note')?.textContent !== ''"), 30)
        png = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
        with open(out, "wb") as f:
            f.write(png)
    finally:
        b.close()
print("screenshot: " + out)
