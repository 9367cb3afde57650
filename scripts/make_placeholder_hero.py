"""Generate the placeholder hero photo for the hair-mesotherapy page.

Writes ``content/images/mezoterapiya-volos.JPG``: a 3000 x 2000 px (3:2) RGB JPEG that
imitates a softly lit studio photograph - a warm cream backdrop with vignetting,
out-of-focus bokeh, a sweeping lock of glossy hair with shallow depth of field and a
few teal serum droplets resting on it, finished with fine film grain.

It is only a PLACEHOLDER so the brochure can be laid out and tested; replace it with
the clinic's real photo (same file name) before anything goes to print.

The output is deterministic (fixed seed). Needs only Pillow and the standard library:

    .venv/bin/python scripts/make_placeholder_hero.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

W, H = 3000, 2000
SEED = 20240611
OUT = Path(__file__).resolve().parent.parent / "content" / "images" / "mezoterapiya-volos.JPG"

CREAM = (244, 236, 224)
BEIGE = (214, 196, 176)
TEAL = (31, 111, 120)

Color = tuple[int, int, int]


def _mix(a: Color, b: Color, t: float) -> Color:
    t = min(1.0, max(0.0, t))
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _smooth_field(fn: Callable[[float, float], Color], w: int = 150, h: int = 100) -> Image.Image:
    """Evaluate ``fn(u, v)`` on a coarse grid and upscale smoothly to full size."""
    small = Image.new("RGB", (w, h))
    px = small.load()
    assert px is not None
    for y in range(h):
        for x in range(w):
            px[x, y] = fn(x / (w - 1), y / (h - 1))
    return small.resize((W, H), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(12))


def background() -> Image.Image:
    """Warm studio backdrop: key light from the upper left, falling off to beige."""

    def fn(u: float, v: float) -> Color:
        d = math.hypot((u - 0.28) * 1.5, v - 0.2)
        base = _mix(CREAM, BEIGE, d * 0.9)
        # a faint cool spill from the right, as if from a window
        cool = max(0.0, 1 - math.hypot((u - 1.05) * 1.2, v - 0.65) * 1.6)
        return _mix(base, (200, 212, 210), cool * 0.35)

    return _smooth_field(fn)


def bokeh(img: Image.Image, rng: random.Random) -> Image.Image:
    """Out-of-focus highlights: soft discs with a slightly brighter rim.

    Warm discs are screened on (they only brighten); teal ones are blended in as
    translucent tinted discs so the accent colour actually shows on the cream.
    """
    s = 4  # drawn at quarter size, blurred, upscaled
    warm = Image.new("RGB", (W // s, H // s), (0, 0, 0))
    teal = Image.new("L", (W // s, H // s), 0)
    dw, dt = ImageDraw.Draw(warm), ImageDraw.Draw(teal)
    for _ in range(75):
        r = rng.uniform(14, 55)
        y = rng.gauss(0.42, 0.22) * H / s
        if rng.random() < 0.16:
            x = rng.triangular(0, W / s, W / s * 0.85)  # cool light comes from the right
            r *= 0.8
            a = rng.randint(22, 48)
            dt.ellipse((x - r, y - r, x + r, y + r), fill=a, outline=a + 18, width=2)
        else:
            x = rng.uniform(0, W / s)
            col = _mix((0, 0, 0), (120, 104, 82), rng.uniform(0.2, 0.55))
            rim = _mix(col, (160, 140, 112), 0.5)
            dw.ellipse((x - r, y - r, x + r, y + r), fill=col, outline=rim, width=2)
    warm = warm.filter(ImageFilter.GaussianBlur(2.2)).resize((W, H), Image.Resampling.BICUBIC)
    teal = teal.filter(ImageFilter.GaussianBlur(3.0)).resize((W, H), Image.Resampling.BICUBIC)
    img = ImageChops.screen(img, warm)
    return Image.composite(Image.new("RGB", (W, H), (120, 182, 184)), img, teal)


def lock_centre(u: float, depth_shift: float = 0.0) -> float:
    """Y of the lock's centre line at horizontal position ``u`` (0..1)."""
    return (
        H * 0.60
        - 360 * math.sin(math.pi * (u * 1.1 - 0.08))
        + 110 * math.sin(math.tau * (u * 0.85 + 0.2))
        + depth_shift
    )


def _fan(u: float) -> float:
    """The lock is gathered in the middle and fans out towards both edges."""
    return 0.5 + 1.5 * (abs(u - 0.48) * 2) ** 2


def foreground_centre(u: float, depth_shift: float = 0.0) -> float:
    """A second, out-of-focus lock close to the lens, crossing the lower right corner."""
    return (
        H * 1.1 - 640 * math.pow(max(0.0, u), 1.5) + 50 * math.sin(math.tau * u * 1.3) + depth_shift
    )


Curve = Callable[[float, float], float]


def _strand_points(
    rng: random.Random, centre: Curve, offset: float, depth_shift: float
) -> list[tuple[float, float]]:
    """One hair strand following a lock's curve, with its own gentle wobble."""
    wob_a = rng.uniform(3, 14)
    wob_k = rng.uniform(1.2, 3.2)
    wob_p = rng.uniform(0, math.tau)
    stray = rng.random() < 0.04  # the odd flyaway strand
    pts = []
    x = -120.0
    while x <= W + 120:
        u = x / W
        y = centre(u, depth_shift) + offset * _fan(u)
        y += wob_a * math.sin(math.tau * wob_k * u + wob_p)
        if stray:
            y += 90 * math.sin(math.pi * u * wob_k + wob_p) * (abs(u - 0.5) * 2)
        pts.append((x, y))
        x += 12
    return pts


def _sheen(theta: float, u: float) -> float:
    """Anisotropic highlight: strands facing the key light (upper left) catch it."""
    lit = math.exp(-(((theta + 0.32) / 0.16) ** 2))  # rising segments face the light
    lit += 0.55 * math.exp(-(((theta - 0.18) / 0.1) ** 2))  # weaker back-light band
    return min(1.0, lit) * (1.05 - 0.45 * u)


def hair_layer(
    rng: random.Random,
    count: int,
    spread: float,
    width: int,
    tones: tuple[Color, Color, Color],
    depth_shift: float,
    blur: float,
    centre: Curve = lock_centre,
) -> tuple[Image.Image, Image.Image]:
    """Return (colour, alpha) for a layer of strands, shaded segment by segment."""
    dark, mid, light = tones
    col = Image.new("RGB", (W, H), mid)
    alpha = Image.new("L", (W, H), 0)
    dc = ImageDraw.Draw(col)
    da = ImageDraw.Draw(alpha)
    for _ in range(count):
        off = rng.gauss(0, spread)
        pts = _strand_points(rng, centre, off, depth_shift)
        a = rng.randint(130, 240)
        w = max(1, width + rng.choice((-1, 0, 0, 1)))
        base = _mix(dark, mid, rng.uniform(0.0, 1.0) * (0.6 + 0.4 * (off < 0)))
        gain = rng.uniform(0.55, 1.0)
        da.line(pts, fill=a, width=w, joint="curve")
        for i in range(0, len(pts) - 2, 2):
            (x0, y0), (x2, y2) = pts[i], pts[i + 2]
            theta = math.atan2(y2 - y0, x2 - x0)
            c = _mix(base, light, _sheen(theta, x0 / W) * gain)
            dc.line(pts[i : i + 3], fill=c, width=w + 1, joint="curve")
    if blur:
        col = col.filter(ImageFilter.GaussianBlur(blur))
        alpha = alpha.filter(ImageFilter.GaussianBlur(blur))
    return col, alpha


def droplet(size: int) -> tuple[Image.Image, Image.Image]:
    """A glassy serum drop: teal-tinted body, dark rim, specular spot and caustic glow."""
    w, h = size, round(size * 0.82)  # slightly flattened where it rests on the hair
    img = Image.new("RGB", (w, h))
    mask = Image.new("L", (w, h), 0)
    px, pm = img.load(), mask.load()
    assert px is not None and pm is not None
    for y in range(h):
        for x in range(w):
            dx, dy = (x + 0.5 - w / 2) / (w / 2 - 1), (y + 0.5 - h / 2) / (h / 2 - 1)
            d = math.hypot(dx, dy)
            if d > 1:
                continue
            edge = d**4
            body = _mix((168, 214, 210), TEAL, 0.25 + 0.7 * edge)
            # caustic: light focused through the drop onto its lower right
            c = max(0.0, 1 - math.hypot((dx - 0.25) * 0.8, dy - 0.5) / 0.5)
            body = _mix(body, (236, 252, 244), min(1.0, c**1.2 * 1.1))
            # fresnel: a thin bright reflection along the upper rim
            if dy < 0:
                body = _mix(body, (240, 250, 248), max(0.0, d - 0.86) / 0.14 * -dy * 0.8)
            spec = max(0.0, 1 - math.hypot((dx + 0.36) * 0.8, dy + 0.45) / 0.22)
            body = _mix(body, (255, 255, 252), min(1.0, spec * 1.6))
            px[x, y] = body
            pm[x, y] = round(255 * min(1.0, (1 - d) * 25) * min(1.0, 0.5 + 0.5 * edge + spec))
    return img, mask.filter(ImageFilter.GaussianBlur(0.7))


def warm_vignette() -> Image.Image:
    """Multiplicative vignette that darkens towards warm brown rather than grey."""

    def fn(u: float, v: float) -> Color:
        d = math.hypot((u - 0.5) * 1.1, (v - 0.47) * 1.35)
        k = max(0.0, d - 0.3) ** 1.7 * 1.6
        return (
            round(255 * (1 - 0.30 * k)),
            round(255 * (1 - 0.36 * k)),
            round(255 * (1 - 0.42 * k)),
        )

    return _smooth_field(fn)


def main() -> None:
    rng = random.Random(SEED)
    img = background()
    img = bokeh(img, rng)

    # back strands: soft and lighter (out of focus); front strands: crisper and richer
    layers = (
        (150, 100, 5, ((140, 102, 70), (176, 134, 94), (232, 202, 158)), -110, 10.0),
        (280, 72, 3, ((84, 52, 32), (132, 88, 54), (240, 200, 142)), -10, 2.4),
        (200, 46, 2, ((62, 38, 23), (112, 72, 44), (248, 214, 158)), 30, 1.0),
    )
    for i, (count, spread, width, tones, shift, blur) in enumerate(layers):
        col, alpha = hair_layer(rng, count, spread, width, tones, shift, blur)
        if i == 1:
            # the lock casts a soft shadow onto the backdrop, down and to the right
            sh = alpha.resize((W // 8, H // 8), Image.Resampling.BOX)
            sh = sh.filter(ImageFilter.GaussianBlur(9)).resize((W, H), Image.Resampling.BICUBIC)
            sh = ImageChops.offset(sh, 70, 150).point(lambda v: v * 0.28)
            img = Image.composite(Image.new("RGB", (W, H), (120, 92, 70)), img, sh)
        img = Image.composite(col, img, alpha)

    # serum droplets resting on top of the lock
    for u, size in ((0.6, 240), (0.685, 104), (0.535, 74), (0.738, 50), (0.31, 60)):
        cx = round(u * W)
        top = lock_centre(u, 30) - 1.5 * 46 * _fan(u)
        drop, mask = droplet(size)
        cy = round(top - drop.height * 0.38)
        shadow = Image.new("L", (W, H), 0)
        ImageDraw.Draw(shadow).ellipse(
            (cx - size * 0.42, cy + size * 0.12, cx + size * 0.55, cy + size * 0.5), fill=120
        )
        shadow = shadow.filter(ImageFilter.GaussianBlur(size * 0.1))
        img = Image.composite(Image.new("RGB", (W, H), (44, 30, 20)), img, shadow)
        # light focused through the drop lands as a soft bright spot just below it
        glow = Image.new("L", (W, H), 0)
        ImageDraw.Draw(glow).ellipse(
            (cx - size * 0.05, cy + size * 0.22, cx + size * 0.5, cy + size * 0.5), fill=150
        )
        glow = glow.filter(ImageFilter.GaussianBlur(size * 0.08))
        img = Image.composite(Image.new("RGB", (W, H), (190, 236, 226)), img, glow)
        img.paste(drop, (cx - drop.width // 2, cy - drop.height // 2), mask)

    # out-of-focus foreground strands, as if the lens were shooting past them
    tones = ((96, 64, 42), (150, 108, 74), (226, 190, 142))
    col, alpha = hair_layer(rng, 120, 70, 9, tones, 0, 22.0, foreground_centre)
    img = Image.composite(col, img, alpha)

    img = ImageChops.multiply(img, warm_vignette())

    # fine film grain, slightly coarser than a pixel; drawn from the seeded rng (not
    # Image.effect_noise, which uses the C library's rand()) so the output is reproducible
    gw, gh = W // 2, H // 2
    grain = Image.blend(
        Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)),
        Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)),
        0.5,
    ).resize((W, H), Image.Resampling.BILINEAR)
    grain = Image.blend(Image.new("L", (W, H), 128), grain, 0.09).convert("RGB")
    img = ImageChops.add(img, grain, 1.0, -128)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    img.save(OUT, "JPEG", quality=85, optimize=True, progressive=True, subsampling="4:2:0")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {img.width}x{img.height})")


if __name__ == "__main__":
    main()
