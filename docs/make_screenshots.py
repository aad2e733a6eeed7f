"""Refresh the README's screenshots (docs/screenshots/) from the current build on the demo.

Every page at 1440 px (desktop) and the Overview, Slice explorer, Inclusion and Engagement at
390 px (phone), in headless Chromium, each once its charts are drawn; plus the board pack's
verdict slide (LibreOffice).

    python docs/make_screenshots.py --db data/crossgen-demo.duckdb
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser_pages import CHROMIUM_ARGS, DRAWN, chromium, serve

OUT = Path(__file__).parent / "screenshots"
DESKTOP = {"/": "overview", "/skills": "skills", "/satisfaction": "satisfaction",
           "/inclusion": "inclusion", "/retention": "retention", "/engagement": "engagement",
           "/slices": "slices", "/data": "data"}
PHONE = {"/": "overview", "/slices": "slices", "/inclusion": "inclusion",
         "/engagement": "engagement"}


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    made = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True,
                                     args=CHROMIUM_ARGS)
        for width, height, pages in ((1440, 900, DESKTOP), (390, 844, PHONE)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for path, name in pages.items():
                page.goto(base + path)
                page.wait_for_function(DRAWN, timeout=120_000)
                page.wait_for_timeout(500)  # transitions settle
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=width > 400 or name != "overview")
                made.append(target)
            context.close()
        browser.close()
    return made


def verdict_slide(db: Path, out: Path) -> Path | None:
    """The board pack's second slide (the verdict) as PNG, when LibreOffice is installed."""
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / "board-pack.pptx"
        subprocess.run([sys.executable, "-m", "analysis.cli", "report", "--db", str(db),
                        "--out", str(deck)], check=True)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(deck)], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-r", "80", "-f", "2", "-l", "2", "-png", "-singlefile",
                        str(deck.with_suffix(".pdf")), str(out / "board-pack-verdict")],
                       check=True)
    return out / "board-pack-verdict.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/crossgen-demo.duckdb"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}: run `make demo` first")
    args.out.mkdir(parents=True, exist_ok=True)
    with serve(args.db) as base:
        made = shoot(base, args.out)
    slide = verdict_slide(args.db, args.out)
    for path in [*made, *([slide] if slide else [])]:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
