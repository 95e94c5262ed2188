"""Draws Sightline's app icons (an eye-shaped sight line on a dark tile) as PNGs.

Pure standard library, so it runs anywhere; the PNGs it writes are committed in public/icons.
Usage: python3 tools/make-icons.py public/icons
"""
import math
import struct
import sys
import zlib


def png(width, height, rows):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def draw(size, maskable):
    bg = (14, 23, 38, 255)
    accent = (56, 189, 248, 255)
    pupil = (250, 204, 21, 255)
    rows = []
    c = (size - 1) / 2
    scale = 0.8 if maskable else 1.0
    for y in range(size):
        row = []
        for x in range(size):
            # Rounded-square tile (full bleed for maskable icons).
            dx, dy = abs(x - c), abs(y - c)
            half = size / 2
            corner = size * 0.22
            inside = maskable or (
                dx <= half - corner or dy <= half - corner or math.hypot(dx - (half - corner), dy - (half - corner)) <= corner
            )
            if not inside:
                row += [0, 0, 0, 0]
                continue
            px = (x - c) / (size * 0.5 * scale)
            py = (y - c) / (size * 0.5 * scale)
            # Eye outline: intersection of two circles, drawn as a ring.
            r_lens = 1.05
            d1 = math.hypot(px, py - 0.62)
            d2 = math.hypot(px, py + 0.62)
            in_eye = d1 < r_lens and d2 < r_lens
            near_edge = in_eye and (d1 > r_lens - 0.11 or d2 > r_lens - 0.11)
            dist = math.hypot(px, py)
            color = bg
            if near_edge:
                color = accent
            elif in_eye and dist < 0.26:
                color = pupil
            elif in_eye and dist < 0.36:
                color = accent
            row += list(color)
        rows.append(row)
    return png(size, size, rows)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "public/icons"
    for size, maskable, name in [(192, False, "icon-192.png"), (512, False, "icon-512.png"), (512, True, "maskable-512.png")]:
        with open(f"{out}/{name}", "wb") as f:
            f.write(draw(size, maskable))
