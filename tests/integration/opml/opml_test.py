#!/usr/bin/python3
"""`khobor opml import` and `khobor opml export` on real files: the printed
[[feed]] tables are valid TOML, --write appends only new URLs and leaves a config
khobord accepts, export gives back the config's feeds as OPML, and a broken OPML
file is refused with its name.

usage: opml_test.py KHOBOR KHOBORD
"""
import os
import subprocess
import sys
import tempfile
import tomllib
import unittest
import xml.etree.ElementTree as ET

KHOBOR, KHOBORD = sys.argv[1:3]
del sys.argv[1:3]

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Bangla news</title></head>
  <body>
    <outline text="Daily Star" title="The Daily Star" type="rss" xmlUrl="https://www.thedailystar.net/frontpage/rss.xml"/>
    <outline text="বাংলা">
      <outline text="প্রথম আলো" type="rss" xmlUrl="https://www.prothomalo.com/feed/"/>
      <outline text="The Daily Star" type="rss" xmlUrl="https://www.thedailystar.net/bangla/rss.xml"/>
      <outline text="dup" type="rss" xmlUrl="https://www.prothomalo.com/feed/"/>
    </outline>
  </body>
</opml>
"""


def run(*args):
    return subprocess.run([KHOBOR, *args], capture_output=True, text=True, timeout=30)


class Opml(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.opml = os.path.join(self.dir, "feeds.opml")
        with open(self.opml, "w") as f:
            f.write(OPML)
        self.config = os.path.join(self.dir, "khobor.toml")
        os.mkdir(os.path.join(self.dir, "wl"))
        with open(self.config, "w") as f:
            f.write('watchlists = "wl"\n[store]\npath = "state.db"\n[[feed]]\nid = "the-daily-star"\n'
                    'url = "https://www.thedailystar.net/frontpage/rss.xml"\n')

    def tearDown(self):
        self.tmp.cleanup()

    def test_import_prints_feed_tables_with_unique_ids(self):
        out = run("opml", "import", self.opml)
        self.assertEqual(out.returncode, 0, out.stderr)
        feeds = tomllib.loads(out.stdout)["feed"]
        urls = [f["url"] for f in feeds]
        self.assertEqual(urls, ["https://www.thedailystar.net/frontpage/rss.xml",
                                "https://www.prothomalo.com/feed/",
                                "https://www.thedailystar.net/bangla/rss.xml"])
        ids = [f["id"] for f in feeds]
        self.assertEqual(len(set(ids)), 3, ids)
        self.assertEqual(ids[0], "the-daily-star")
        self.assertEqual(ids[1], "prothomalo-com-feed")  # a Bengali title: from the URL
        self.assertEqual(ids[2], "the-daily-star-2")
        self.assertIn("# প্রথম আলো", out.stdout)

    def test_import_write_appends_only_new_urls_and_the_config_stays_valid(self):
        out = run("opml", "import", self.opml, "--write", self.config)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("2 feed(s) added", out.stdout)
        with open(self.config, "rb") as f:
            cfg = tomllib.load(f)
        self.assertEqual(len(cfg["feed"]), 3)
        self.assertEqual(len({f["id"] for f in cfg["feed"]}), 3)
        check = subprocess.run([KHOBORD, "--config", self.config, "--check-config"],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stderr)
        again = run("opml", "import", self.opml, "--write", self.config)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("0 feed(s) added", again.stdout)

    def test_export_gives_the_configs_feeds_as_opml(self):
        run("opml", "import", self.opml, "--write", self.config)
        out = run("opml", "export", "--config", self.config)
        self.assertEqual(out.returncode, 0, out.stderr)
        root = ET.fromstring(out.stdout.encode())
        self.assertEqual(root.tag, "opml")
        got = [(o.get("text"), o.get("xmlUrl")) for o in root.iter("outline")]
        with open(self.config, "rb") as f:
            want = [(f_["id"], f_["url"]) for f_ in tomllib.load(f)["feed"]]
        self.assertEqual(got, want)

    def test_a_broken_opml_file_is_refused_with_its_name(self):
        bad = os.path.join(self.dir, "bad.opml")
        with open(bad, "w") as f:
            f.write("<opml><body><outline xmlUrl='x'></body>")
        out = run("opml", "import", bad)
        self.assertEqual(out.returncode, 1)
        self.assertIn("bad.opml", out.stderr)
        out = run("opml", "export", "--config", os.path.join(self.dir, "missing.toml"))
        self.assertEqual(out.returncode, 78)


if __name__ == "__main__":
    unittest.main(verbosity=2)
