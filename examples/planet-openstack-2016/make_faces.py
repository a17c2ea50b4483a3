#!/usr/bin/env python3
"""Writes the example's face images (hackergotchis) into images/.

Every `face` of planet.ini gets a PNG of the size its section asks for
(`facewidth` x `faceheight`, from [DEFAULT] unless overridden): a symmetric
5x5 pattern in a colour derived from the subscription's name, so each
channel is told apart at a glance.  The images are this repository's own
making; no photograph of anyone is used.  Standard library only:

    python3 make_faces.py            # rewrites images/*.png
"""

import configparser
import hashlib
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def png(width, height, rows):
    """A truecolour PNG from `rows`, each a bytes object of width*3 RGB bytes."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def face(seed, width, height):
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    hue = digest[0] / 255.0
    # A saturated colour on a light background, from the digest.
    import colorsys

    fg = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.75))
    bg = (240, 240, 236)
    # 5 columns, mirrored around the middle one: 15 cells from 15 bits.
    bits = int.from_bytes(digest[1:3], "big")
    cells = [[False] * 5 for _ in range(5)]
    for row in range(5):
        for col in range(3):
            on = bool(bits >> (row * 3 + col) & 1)
            cells[row][col] = cells[row][4 - col] = on
    margin_x, margin_y = width // 10, height // 10
    inner_w, inner_h = width - 2 * margin_x, height - 2 * margin_y
    rows = []
    for y in range(height):
        line = bytearray()
        cy = (y - margin_y) * 5 // inner_h if margin_y <= y < margin_y + inner_h else -1
        for x in range(width):
            cx = (x - margin_x) * 5 // inner_w if margin_x <= x < margin_x + inner_w else -1
            on = 0 <= cy < 5 and 0 <= cx < 5 and cells[cy][cx]
            line += bytes(fg if on else bg)
        rows.append(bytes(line))
    return png(width, height, rows)


def main():
    config = configparser.RawConfigParser(strict=False, inline_comment_prefixes=None)
    config.read(HERE / "planet.ini", encoding="utf-8")
    out = HERE / "images"
    out.mkdir(exist_ok=True)
    for section in config.sections():
        if section == "Planet" or not config.has_option(section, "face"):
            continue
        name = config.get(section, "face").strip()
        if not name.endswith(".png"):
            raise SystemExit(f"[{section}]: face {name!r} is not a .png file")
        width = int(config.get(section, "facewidth"))
        height = int(config.get(section, "faceheight"))
        seed = config.get(section, "name", fallback=section)
        (out / name).write_bytes(face(seed, width, height))
        print(f"images/{name}: {width}x{height}")


if __name__ == "__main__":
    main()
