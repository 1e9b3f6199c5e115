"""Capture the documentation's pictures from a running Odoo with the demo, in headless Chromium.

    python tools/screenshots.py --url http://localhost:8069 --db backward_management --out docs/screenshots

``./dev screenshots`` starts Odoo on the demo database and calls this. It speaks the
Chrome DevTools protocol over websocket-client (one of Odoo's own test requirements) and
reads record ids with Odoo's JSON-RPC: nothing here imports Odoo.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import requests
import websocket

WIDTH, HEIGHT = 1440, 960
CLICK_TAB = """
[...document.querySelectorAll('.o_notebook .nav-link')]
    .find((tab) => tab.textContent.trim() === %s)?.click();
"""


class Odoo:
    """JSON-RPC as the demo's administrator."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.session = requests.Session()
        reply = self.session.post(
            f"{url}/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": password}},
            timeout=60,
        ).json()
        if reply.get("error"):
            raise SystemExit(f"cannot log in as {login}: {reply['error']['data']['message']}")

    def call(self, model, method, *args, **kwargs):
        reply = self.session.post(
            f"{self.url}/web/dataset/call_kw",
            json={"params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}},
            timeout=120,
        ).json()
        if reply.get("error"):
            raise SystemExit(f"{model}.{method}: {reply['error']['data']['message']}")
        return reply["result"]

    def first(self, model, domain, order="id desc"):
        ids = self.call(model, "search", domain, limit=1, order=order)
        if not ids:
            raise SystemExit(f"the demo has no {model} matching {domain}: build it with ./dev run")
        return ids[0]


class Browser:
    """One headless Chromium tab, driven over the DevTools protocol."""

    def __init__(self, port=9339):
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("Chromium is missing (Debian: apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="bm_shots_")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(100):
            try:
                pages = json.load(urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
                page = next(target for target in pages if target["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.2)
        else:
            raise SystemExit("Chromium did not open its debugging port")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.counter = 0
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def send(self, method, **params):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.25)
        raise SystemExit(f"{selector} never appeared")

    def shoot(self, url, selector, path, before=None, then=None):
        self.send("Page.navigate", url=url)
        self.wait_for(selector)
        if before:
            self.evaluate(before)
            self.wait_for(then or selector)
        time.sleep(1.5)  # fonts, charts and transitions settle
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"  {path}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="backward_management")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    # the records worth showing: an order whose chain is at risk, the purchase that
    # endangers it, its manufacturing order
    link = odoo.call(
        "backward.link",
        "search_read",
        [("state", "in", ("at_risk", "late")), ("upstream_kind", "=", "purchase"), ("sale_order_id", "!=", False)],
        ["sale_order_id", "upstream_id"],
        limit=1,
        order="date_deadline",
    )
    if not link:
        raise SystemExit("the demo has no purchase at risk: build it with ./dev run")
    order_id = link[0]["sale_order_id"][0]
    purchase = odoo.call("backward.deadline", "read", [link[0]["upstream_id"][0]], ["purchase_id"])[0]["purchase_id"][0]
    production = odoo.first("mrp.production", [("backward_deadline_ids.sale_order_ids", "in", [order_id])])
    session = odoo.session.cookies.get("session_id")
    browser = Browser()
    try:
        host = args.url.split("//", 1)[1].split(":")[0]
        browser.send("Network.setCookie", name="session_id", value=session, domain=host, path="/")
        print("the documentation's pictures:")
        browser.shoot(
            f"{args.url}/odoo/action-sale.action_orders/{order_id}",
            ".o_form_view .o_notebook",
            out / "sale_order_timeline.png",
            before=CLICK_TAB % json.dumps("Backward Plan")
            + "setTimeout(() => document.querySelector('.o_bm_timeline')?.scrollIntoView(), 800);",
            then=".o_bm_timeline .o_bm_bar_group",
        )
        browser.shoot(
            f"{args.url}/odoo/action-purchase.purchase_rfq/{purchase}",
            ".o_form_view .alert-danger",
            out / "purchase_order_banner.png",
        )
        browser.shoot(
            f"{args.url}/odoo/action-mrp.mrp_production_action/{production}",
            ".o_form_view .o_form_sheet",
            out / "manufacturing_order.png",
        )
        browser.shoot(
            f"{args.url}/odoo/action-backward_watch.backward_ontime_report_action?view_type=graph",
            ".o_graph_renderer canvas",
            out / "ontime_rate_graph.png",
        )
        browser.shoot(
            f"{args.url}/odoo/action-backward_review.backward_penalty_action",
            ".o_list_renderer .o_data_row",
            out / "penalty_ledger.png",
        )
        browser.shoot(
            f"{args.url}/odoo/action-backward_timeline.backward_timeline_action",
            ".o_bm_timeline .o_bm_bar_group",
            out / "open_orders_timeline.png",
        )
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
