"""
Take the README's screenshots: a fresh demo catalog in a temporary SQLite
database, served by Django's development server, photographed by headless
Chromium. Run with `make screenshots`.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/screenshots.sqlite3",
            "MEDIA_ROOT": f"{scratch}/media",
            "DEBUG": "1",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(50):
                try:
                    urllib.request.urlopen(base + "/pieces/")
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(base + "/pieces/?method=handcrafted")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(ROOT / "docs" / "listing.png"))
                page.locator(".card__link").first.click()
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(ROOT / "docs" / "piece.png"), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
