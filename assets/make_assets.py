"""Makes the sample sprites and backgrounds in assets/ (procedural; nothing is downloaded).

python3 assets/make_assets.py   (needs Pillow)
"""
import math
import pathlib
import random

from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent


def disc():
    """An opaque shaded disc of radius 12 in a 32 x 32 transparent square."""
    im = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    for y in range(32):
        for x in range(32):
            dx, dy = x + 0.5 - 16, y + 0.5 - 16
            if dx * dx + dy * dy <= 12 * 12:
                shade = int(255 - 4 * math.hypot(dx + 5, dy + 5))
                im.putpixel((x, y), (shade, int(shade * 0.55), 40, 255))
    im.save(ROOT / "sprites" / "disc.png", optimize=True)


def tee():
    """An asymmetric opaque T (bar on top, stem below) in a 24 x 16 transparent image."""
    im = Image.new("RGBA", (24, 16), (0, 0, 0, 0))
    for y in range(16):
        for x in range(24):
            if (2 <= y < 6 and 2 <= x < 22) or (6 <= y < 14 and 9 <= x < 15):
                im.putpixel((x, y), (30, 90 + 6 * y, 200, 255))
    im.save(ROOT / "sprites" / "tee.png", optimize=True)


def meadow():
    """A procedural PNG: soft diagonal stripes over a vertical gradient, 160 x 120."""
    w, h = 160, 120
    im = Image.new("RGB", (w, h))
    for y in range(h):
        for x in range(w):
            s = 0.5 + 0.5 * math.sin((x + 0.6 * y) / 9.0)
            im.putpixel((x, y), (int(90 + 60 * s), int(120 + 50 * y / h), int(70 + 40 * s)))
    im.save(ROOT / "backgrounds" / "meadow.png", optimize=True)


def gravel():
    """A JPEG of seeded noise, smoothed by bicubic upsampling, 200 x 150."""
    rng = random.Random(4)
    small = Image.new("RGB", (20, 15))
    for y in range(15):
        for x in range(20):
            g = rng.randint(90, 170)
            small.putpixel((x, y), (g, g - rng.randint(0, 20), g - rng.randint(10, 40)))
    small.resize((200, 150), Image.BICUBIC).save(ROOT / "backgrounds" / "gravel.jpg", quality=85)


if __name__ == "__main__":
    disc()
    tee()
    meadow()
    gravel()
