#!/usr/bin/env python3
"""Copy the NHS.UK frontend build from node_modules into static/vendor/nhsuk/.

    node_modules/nhsuk-frontend/dist/nhsuk/
        nhsuk-frontend-<version>.min.css  ->  static/vendor/nhsuk/nhsuk-frontend.min.css
        nhsuk-frontend-<version>.min.js   ->  static/vendor/nhsuk/nhsuk-frontend.min.js
        assets/                           ->  static/vendor/nhsuk/assets/

No page may ask for anything outside the site, and the CSP says font-src 'self'. The prebuilt
CSS breaks both rules, so on the way through it is rewritten:

- the @font-face rules that load Frutiger from https://assets.nhs.uk/ are removed; the
  design system's font stack then falls back to Arial;
- icon URLs on the absolute path /assets/ are pointed at /static/vendor/nhsuk/assets/;
- sourceMappingURL comments are dropped, because the .map files are not copied.

The result is checked (no external URL, every url() target exists) and the script exits
non-zero with a reason if the check fails, leaving the previous copy in place.

Idempotent: a hash of the inputs (and of this script) is kept in the output folder, and
nothing is written when it matches. Standard library only, so it runs before the venv exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "nhsuk-frontend"
SOURCE = PACKAGE / "dist" / "nhsuk"
DEST = ROOT / "static" / "vendor" / "nhsuk"
STAMP_NAME = ".source-sha256"

# Where the app serves DEST from (Flask's default static_url_path is /static).
ASSETS_URL = "/static/vendor/nhsuk/assets/"

FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}")
ASSETS_URL_IN_CSS = re.compile(r"""url\(\s*(["']?)/assets/""")
CSS_SOURCE_MAP = re.compile(r"\s*/\*#\s*sourceMappingURL=[^*]*\*/\s*")
JS_SOURCE_MAP = re.compile(r"\s*//#\s*sourceMappingURL=\S*\s*")
EXTERNAL_URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"')]*")
# Namespace names inside inline SVG are identifiers, not requests.
XML_NAMESPACES = ("http://www.w3.org/",)
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


class VendorError(Exception):
    pass


def pinned_version() -> str:
    package_json = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return package_json["dependencies"]["nhsuk-frontend"]


def installed_version() -> str:
    package_json = PACKAGE / "package.json"
    if not package_json.is_file():
        raise VendorError(
            f"{package_json.relative_to(ROOT)} not found: run `npm ci` (or `make assets`) first"
        )
    return json.loads(package_json.read_text(encoding="utf-8"))["version"]


def source_files(version: str) -> tuple[Path, Path, Path]:
    css = SOURCE / f"nhsuk-frontend-{version}.min.css"
    js = SOURCE / f"nhsuk-frontend-{version}.min.js"
    assets = SOURCE / "assets"
    for path in (css, js, assets):
        if not path.exists():
            raise VendorError(f"expected {path.relative_to(ROOT)} in the nhsuk-frontend package")
    return css, js, assets


def inputs_hash(css: Path, js: Path, assets: Path) -> str:
    digest = hashlib.sha256()
    asset_files = sorted(p for p in assets.rglob("*") if p.is_file())
    files = [Path(__file__).resolve(), css, js, *asset_files]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def rewrite_css(css: str) -> str:
    css = FONT_FACE.sub(lambda m: "" if "assets.nhs.uk" in m.group(0) else m.group(0), css)
    css = ASSETS_URL_IN_CSS.sub(lambda m: f"url({m.group(1)}{ASSETS_URL}", css)
    css = CSS_SOURCE_MAP.sub("\n", css)
    return css.rstrip() + "\n"


def rewrite_js(js: str) -> str:
    return JS_SOURCE_MAP.sub("\n", js).rstrip() + "\n"


def check_css(css: str, out_dir: Path) -> None:
    problems = []
    external = sorted({u for u in EXTERNAL_URL.findall(css) if not u.startswith(XML_NAMESPACES)})
    if "https://" in css or external:
        problems.append("an external URL remains: " + ", ".join(external or ["https://..."]))
    if "@font-face" in css and "assets.nhs.uk" in css:
        problems.append("an @font-face rule still loads from assets.nhs.uk")
    if "sourceMappingURL" in css:
        problems.append("a sourceMappingURL comment remains")
    for _quote, url in CSS_URL.findall(css):
        if url.startswith("data:"):
            continue
        if url.startswith("//"):
            problems.append(f"protocol-relative url({url})")
        elif not url.startswith(ASSETS_URL):
            problems.append(f"url({url}) is not under {ASSETS_URL}")
        elif not (out_dir / "assets" / url.removeprefix(ASSETS_URL).split("?")[0]).is_file():
            problems.append(f"url({url}) points at a file that was not copied")
    if problems:
        problems = list(dict.fromkeys(problems))
        raise VendorError(
            "rewritten nhsuk-frontend CSS would make pages ask for something outside the site "
            "or for a missing file:\n  - " + "\n  - ".join(problems)
        )


def build(out_dir: Path, css: Path, js: Path, assets: Path, stamp: str) -> None:
    new_css = rewrite_css(css.read_text(encoding="utf-8"))
    shutil.copytree(assets, out_dir / "assets")
    check_css(new_css, out_dir)
    (out_dir / "nhsuk-frontend.min.css").write_text(new_css, encoding="utf-8")
    (out_dir / "nhsuk-frontend.min.js").write_text(
        rewrite_js(js.read_text(encoding="utf-8")), encoding="utf-8"
    )
    (out_dir / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")


def main() -> int:
    try:
        version = installed_version()
        if version != pinned_version():
            raise VendorError(
                f"node_modules has nhsuk-frontend {version} but package.json pins "
                f"{pinned_version()}: run `npm ci`"
            )
        css, js, assets = source_files(version)
        stamp = inputs_hash(css, js, assets)
        stamp_file = DEST / STAMP_NAME
        if stamp_file.is_file() and stamp_file.read_text(encoding="utf-8").strip() == stamp:
            print(f"static/vendor/nhsuk: nhsuk-frontend {version} already up to date")
            return 0

        DEST.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=DEST.parent, prefix=".nhsuk-") as tmp:
            out_dir = Path(tmp) / "nhsuk"
            out_dir.mkdir()
            build(out_dir, css, js, assets, stamp)
            # Swap the finished folder in; the old copy stays usable until the last moment.
            old = Path(tmp) / "old"
            if DEST.exists():
                DEST.rename(old)
            out_dir.rename(DEST)
    except VendorError as error:
        print(f"vendor_frontend: ERROR: {error}", file=sys.stderr)
        return 1
    print(
        f"static/vendor/nhsuk: copied nhsuk-frontend {version} (fonts from assets.nhs.uk "
        f"removed, icons under {ASSETS_URL})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
