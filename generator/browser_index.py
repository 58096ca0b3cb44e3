"""The in-browser search index: Pagefind, fed with records whose text is already tokenised.

Pagefind segments Japanese queries in the browser differently from the index, so it never sees
Japanese here: every token from `search.tokens` is written as an ASCII word (each character as
four base-36 digits). Pagefind's prefix match then finds a one-character query at the start of
any bigram, and search.js verifies longer words against the normalised page text it reads from
the record's metadata.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import cbor2

from generator.search import SearchDocument, normalize, tokens

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
# Pagefind has no stemmer or segmenter for an unknown language: words stay as written.
LANGUAGE = "zz"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_token(token: str) -> str:
    """A token as one ASCII word: "x" and four base-36 digits per character."""
    encoded = ["x"]
    for ch in token:
        number, digits = ord(ch), []
        for _ in range(4):
            number, remainder = divmod(number, 36)
            digits.append(_DIGITS[remainder])
        encoded.append("".join(reversed(digits)))
    return "".join(encoded)


def record_content(text: str) -> str:
    """The distinct tokens of a text, encoded, in the order they first appear."""
    return " ".join(encode_token(t) for t in dict.fromkeys(tokens(normalize(text))))


def record_html(document: SearchDocument) -> str:
    """A page for Pagefind to index: the encoded tokens, with metadata and filters beside them."""
    e = html.escape
    meta = {"title": document.title, "place": document.place, "field": document.field, "type": document.type}
    lines = [
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{e(document.title)}</title></head>',
        "<body data-pagefind-body>",
        # The title's tokens again in a heading: Pagefind ranks heading matches higher.
        f"<h1>{record_content(document.title)}</h1>",
        f"<p>{record_content(document.text)}</p>",
    ]
    lines += [f'<p data-pagefind-ignore data-pagefind-meta="{key}">{e(value)}</p>' for key, value in meta.items()]
    lines.append(f'<div data-pagefind-ignore data-pagefind-meta="text">{e(document.text)}</div>')
    for key, values in document.filters.items():
        lines += [f'<p data-pagefind-ignore data-pagefind-filter="{e(key)}">{e(value)}</p>' for value in values]
    lines.append("</body></html>")
    return "\n".join(lines)


def write_bundle(documents: list[SearchDocument], site: Path) -> None:
    """Run Pagefind over one small page per document; the bundle goes to site/pagefind/."""
    with tempfile.TemporaryDirectory(prefix="jirei-pagefind-") as work:
        for document in documents:
            path = Path(work) / document.url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_html(document), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            work,
            "--output-path",
            str(site / BUNDLE_DIR),
            "--force-language",
            LANGUAGE,
            "--silent",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Pagefind failed ({result.returncode}): {result.stderr or result.stdout}")
    make_reproducible(site / BUNDLE_DIR)


# Pagefind writes its filter indexes from hash maps, in a different order on every run
# (Pagefind issue #638: fragments are stable since 1.3, filters and metadata are not).
# Sorting them, and naming each file after its new content, makes two builds identical.
_SIGNATURE = b"pagefind_dcd"


def _read_cbor(path: Path):
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(_SIGNATURE), path
    return cbor2.loads(data[len(_SIGNATURE) :])


def _write_cbor(folder: Path, stem_prefix: str, suffix: str, value, digits: int) -> str:
    """Write a Pagefind file named after its content; returns its hash name (e.g. zz_1a2b3c4)."""
    data = _SIGNATURE + cbor2.dumps(value)
    name = f"{LANGUAGE}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{stem_prefix}{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def make_reproducible(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    language = entry["languages"][LANGUAGE]
    meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
    meta = _read_cbor(meta_path)
    filters = []
    for filter_name, old_hash in meta[3]:
        old_path = bundle / "filter" / f"{old_hash}.pf_filter"
        name, values = _read_cbor(old_path)
        old_path.unlink()
        new_hash = _write_cbor(bundle / "filter", "", ".pf_filter", [name, sorted(values)], 7)
        filters.append([filter_name, new_hash])
    meta[3] = sorted(filters)
    meta_path.unlink()
    language["hash"] = _write_cbor(bundle, "pagefind.", ".pf_meta", meta, 10)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
