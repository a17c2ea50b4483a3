#!/usr/bin/env python3
"""Compares a rendered front page of the example with page.txt.

    python3 check.py output/index.html            # threshold 95%
    python3 check.py output/index.html --min-text 99 -v
    python3 check.py output/index.html --write-page   # rewrite page.txt from it

page.txt and planet.ini are read from this file's folder unless --page or
--config say otherwise.  Standard library only (Python 3.8+).  See README.md
("Running the check") for what is compared and how.
"""

import argparse
import configparser
import difflib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SKIP = {"head", "script", "style", "template"}
MONTHS = ("January February March April May June July August September "
          "October November December").split()
DATE_HEADING = re.compile(r"^(%s) \d{1,2}, \d{4}$" % "|".join(MONTHS))
BY_LINE = re.compile(r"^by .* at (%s) \d{1,2}, \d{4} \d{2}:\d{2} [AP]M$" % "|".join(MONTHS))
EMAIL = re.compile(r"\s*\(?[\w.+-]+@[\w-]+(\.[\w-]+)+\)?")


class Text(HTMLParser):
    """innerText-like: block elements and <br> break lines; whitespace
    collapses outside <pre>; head, script and style are left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current, self.skip, self.pre = [], [], 0, 0

    def flush(self):
        text = "".join(self.current)
        if not self.pre:
            text = re.sub(r"\s+", " ", text)
        self.lines.append(text.strip())
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        if tag == "pre":
            self.pre += 1
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def normalize(line):
    line = line.replace("\u00a0", " ")
    line = re.sub(r"^(•|\d+\.)\s*", "", line)
    line = EMAIL.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def page_lines(html):
    parser = Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    lines = [normalize(l) for l in parser.lines]
    return [l for l in lines if l]


def entries_part(lines):
    """From the first date heading to the last "by" line."""
    start = next((i for i, l in enumerate(lines) if DATE_HEADING.match(l)), 0)
    ends = [i for i, l in enumerate(lines) if BY_LINE.match(l)]
    end = ends[-1] + 1 if ends else len(lines)
    return lines[start:end]


def structure(lines, names):
    """Date headings, channel lines, titles and by lines, in order."""
    items, after_marker = [], False
    for line in lines:
        if DATE_HEADING.match(line):
            items.append(("date", line))
            after_marker = True
        elif line in names:
            items.append(("channel", line))
            after_marker = True
        elif BY_LINE.match(line):
            items.append(("by", line))
            after_marker = True
        elif after_marker:
            items.append(("title", line))
            after_marker = False
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("--page", type=Path, default=HERE / "page.txt")
    ap.add_argument("--config", type=Path, default=HERE / "planet.ini")
    ap.add_argument("--min-text", type=float, default=95.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--write-page", action="store_true",
                    help="write the page's entries and footer text as page.txt")
    args = ap.parse_args()

    config = configparser.RawConfigParser(strict=False)
    config.read(args.config, encoding="utf-8")
    names = {config.get(s, "name") for s in config.sections()
             if s not in ("Planet",) and config.has_option(s, "name")}
    missing = [s for s in config.sections()
               if s != "Planet" and not (args.config.parent / s).exists()]

    rendered = page_lines(args.html.read_text(encoding="utf-8"))
    body = entries_part(rendered)
    if args.write_page:
        args.page.write_text("\n".join(body) + "\n", encoding="utf-8")
        print(f"wrote {args.page} ({len(body)} lines)")
        return 0
    expected = [normalize(l) for l in args.page.read_text(encoding="utf-8").splitlines()]
    expected = entries_part([l for l in expected if l])

    # STRUCTURE: the expected items found in order, plus rendered date
    # headings and by lines that page.txt lacks (each one unmatched item).
    want = structure(expected, names)
    found, at = 0, 0
    for kind, text in want:
        for j in range(at, len(body)):
            if body[j] == text:
                found, at = found + 1, j + 1
                break
        else:
            if args.verbose:
                print(f"  missing {kind}: {text}")
    extra = [l for l in body if (DATE_HEADING.match(l) or BY_LINE.match(l))
             and l not in expected]
    for line in extra:
        if args.verbose:
            print(f"  extra: {line}")
    total = len(want) + len(extra)
    ratio = difflib.SequenceMatcher(None, expected, body, autojunk=False).ratio() * 100
    if args.verbose:
        for line in difflib.unified_diff(expected, body, "page.txt", str(args.html),
                                         lineterm="", n=0):
            print("  " + line)
    print(f"STRUCTURE: {found}/{total}")
    print(f"TEXT: {ratio:.1f}%")

    # SIDEBAR and FOOTER: reported only.
    start = rendered.index(body[0]) if body else 0
    outside = set(rendered[:start] + rendered[start + len(body):])
    listed = sorted(n for n in names if n in outside)
    print(f"SIDEBAR: {len(listed)}/{len(names)} subscription names listed outside the entries")
    html = args.html.read_text(encoding="utf-8")
    marked = 0
    for section in missing:
        name = config.get(section, "name", fallback=section)
        for item in re.findall(r"<li\b.*?</li>", html, re.S):
            if name in item:
                if re.search(r"\b(class|title)=", item) or "error" in item.lower():
                    marked += 1
                break
    print(f"SIDEBAR: {marked}/{len(missing)} subscriptions with a missing feed file marked")
    text = "\n".join(rendered)
    for phrase in ("Last updated", "All times are UTC"):
        print(f"FOOTER: {phrase!r} {'present' if phrase in text else 'missing'}")

    print(f"structure {found}/{total}, text {ratio:.1f}%")
    return 0 if found == total and ratio >= args.min_text else 1


if __name__ == "__main__":
    sys.exit(main())
