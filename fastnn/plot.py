"""Learning-curve pictures: matplotlib when installed (``fastnn-numba[plot]``), else a built-in,
dependency-free PNG writer that draws the same chart with axes, tick labels, axis titles and
a legend in a small bitmap font."""

import math
import struct
import zlib

import numpy as np

#: Line colours of successive curves (matplotlib's first four).
COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40))


def learning_curve_png(path, curves, title="learning curve", xlabel="iteration", ylabel="cost"):
    """Write one or more curves (cost, accuracy, ... against iteration or epoch) as a PNG.

    Parameters
    ----------
    path : str or os.PathLike
    curves : sequence of (label, x, y)
        One line per entry, e.g. ``[("train", epochs, costs), ("validation", epochs, v)]``.
    title, xlabel, ylabel : str

    Returns
    -------
    str
        ``"matplotlib"`` or ``"builtin"``: which renderer wrote the file.
    """
    curves = [(str(label), np.asarray(x, float), np.asarray(y, float)) for label, x, y in curves]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _write_png(_chart(curves, title, xlabel, ylabel), path)
        return "builtin"
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for label, x, y in curves:
        ax.plot(x, y, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return "matplotlib"


# ------------------------------------------------------------------ built-in renderer

#: 5x7 bitmap glyphs: seven rows of five bits, most significant bit on the left.
_GLYPHS = {
    '0': (14, 17, 19, 21, 25, 17, 14),
    '1': (4, 12, 4, 4, 4, 4, 14),
    '2': (14, 17, 1, 2, 4, 8, 31),
    '3': (31, 2, 4, 2, 1, 17, 14),
    '4': (2, 6, 10, 18, 31, 2, 2),
    '5': (31, 16, 30, 1, 1, 17, 14),
    '6': (6, 8, 16, 30, 17, 17, 14),
    '7': (31, 1, 2, 4, 8, 8, 8),
    '8': (14, 17, 17, 14, 17, 17, 14),
    '9': (14, 17, 17, 15, 1, 2, 12),
    '.': (0, 0, 0, 0, 0, 12, 12),
    '-': (0, 0, 0, 31, 0, 0, 0),
    '+': (0, 4, 4, 31, 4, 4, 0),
    ' ': (0, 0, 0, 0, 0, 0, 0),
    '%': (24, 25, 2, 4, 8, 19, 3),
    ':': (0, 12, 12, 0, 12, 12, 0),
    '(': (2, 4, 8, 8, 8, 4, 2),
    ')': (8, 4, 2, 2, 2, 4, 8),
    ',': (0, 0, 0, 0, 12, 4, 8),
    '/': (0, 1, 2, 4, 8, 16, 0),
    '=': (0, 0, 31, 0, 31, 0, 0),
    '_': (0, 0, 0, 0, 0, 0, 31),
    '[': (14, 8, 8, 8, 8, 8, 14),
    ']': (14, 2, 2, 2, 2, 2, 14),
    'a': (0, 0, 14, 1, 15, 17, 15),
    'b': (16, 16, 22, 25, 17, 17, 30),
    'c': (0, 0, 14, 16, 16, 17, 14),
    'd': (1, 1, 13, 19, 17, 17, 15),
    'e': (0, 0, 14, 17, 31, 16, 14),
    'f': (6, 9, 8, 28, 8, 8, 8),
    'g': (0, 15, 17, 17, 15, 1, 14),
    'h': (16, 16, 22, 25, 17, 17, 17),
    'i': (4, 0, 12, 4, 4, 4, 14),
    'j': (2, 0, 6, 2, 2, 18, 12),
    'k': (16, 16, 18, 20, 24, 20, 18),
    'l': (12, 4, 4, 4, 4, 4, 14),
    'm': (0, 0, 26, 21, 21, 17, 17),
    'n': (0, 0, 22, 25, 17, 17, 17),
    'o': (0, 0, 14, 17, 17, 17, 14),
    'p': (0, 0, 30, 17, 30, 16, 16),
    'q': (0, 0, 13, 19, 15, 1, 1),
    'r': (0, 0, 22, 25, 16, 16, 16),
    's': (0, 0, 14, 16, 14, 1, 30),
    't': (8, 8, 28, 8, 8, 9, 6),
    'u': (0, 0, 17, 17, 17, 19, 13),
    'v': (0, 0, 17, 17, 17, 10, 4),
    'w': (0, 0, 17, 17, 21, 21, 10),
    'x': (0, 0, 17, 10, 4, 10, 17),
    'y': (0, 0, 17, 17, 15, 1, 14),
    'z': (0, 0, 31, 2, 4, 8, 31),
}


def _text(img, x, y, text, colour=(0, 0, 0), vertical=False):
    """Draw ``text`` with its top-left corner at ``(x, y)`` (rotated 90 degrees
    anticlockwise when ``vertical``, reading bottom to top); unknown characters are
    skipped. Pixels outside the image are dropped."""
    height, width, _ = img.shape
    for k, ch in enumerate(text.lower()):
        rows = _GLYPHS.get(ch)
        if rows is None:
            continue
        for r, bits in enumerate(rows):
            for c in range(5):
                if bits >> (4 - c) & 1:
                    if vertical:  # column c of the glyph goes up the page
                        px, py = x + r, y - 6 * k - c
                    else:
                        px, py = x + 6 * k + c, y + r
                    if 0 <= px < width and 0 <= py < height:
                        img[py, px] = colour


def _ticks(lo, hi, n=6):
    """About ``n`` round tick values covering ``[lo, hi]``, and a format for them."""
    if not hi > lo:
        return [lo], "{:.4g}"
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if mult * step >= raw:
            step *= mult
            break
    first = math.ceil(lo / step - 1e-9) * step
    ticks = [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return ticks, ("{:.%df}" % decimals if decimals <= 6 else "{:.2g}")


def _chart(curves, title, xlabel, ylabel, width=640, height=420):
    """RGB image: frame, ticks and tick labels on both axes, axis titles, title, legend."""
    img = np.full((height, width, 3), 255, np.uint8)
    left, right, top, bottom = 70, width - 20, 30, height - 50
    pts = [(x[np.isfinite(x) & np.isfinite(y)], y[np.isfinite(x) & np.isfinite(y)]) for _, x, y in curves]
    xs = np.concatenate([p[0] for p in pts] + [np.zeros(0)])
    ys = np.concatenate([p[1] for p in pts] + [np.zeros(0)])
    x0, x1 = (xs.min(), xs.max()) if xs.size else (0.0, 1.0)
    y0, y1 = (ys.min(), ys.max()) if ys.size else (0.0, 1.0)
    if y1 == y0:
        y0, y1 = y0 - 0.5 * (abs(y0) or 1), y1 + 0.5 * (abs(y1) or 1)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    pad = 0.05 * (y1 - y0)
    y0, y1 = y0 - pad, y1 + pad
    sx = lambda v: left + (v - x0) / (x1 - x0) * (right - left)  # noqa: E731
    sy = lambda v: bottom - (v - y0) / (y1 - y0) * (bottom - top)  # noqa: E731
    grey = (200, 200, 200)
    yticks, yfmt = _ticks(y0, y1)
    for v in yticks:
        r = int(round(sy(v)))
        img[r, left:right + 1] = grey
        img[r, left - 4:left] = 0
        label = yfmt.format(v)
        _text(img, left - 7 - 6 * len(label), r - 3, label)
    xticks, xfmt = _ticks(x0, x1)
    for v in xticks:
        c = int(round(sx(v)))
        img[top:bottom + 1, c] = grey
        img[bottom + 1:bottom + 5, c] = 0
        label = xfmt.format(v)
        _text(img, c - 3 * len(label), bottom + 8, label)
    img[top:bottom + 1, [left, right]] = 0  # frame
    img[[top, bottom], left:right + 1] = 0
    _text(img, (left + right) // 2 - 3 * len(xlabel), bottom + 26, xlabel)
    _text(img, 8, (top + bottom) // 2 + 3 * len(ylabel), ylabel, vertical=True)
    _text(img, (left + right) // 2 - 3 * len(title), 10, title)
    for k, ((label, _, _), (x, y)) in enumerate(zip(curves, pts)):
        colour = COLOURS[k % len(COLOURS)]
        _polyline(img, sx(x), sy(y), colour)
        if len(curves) > 1:  # legend, top right
            lx, ly = right - 10 - 6 * max(len(c[0]) for c in curves) - 20, top + 8 + 12 * k
            img[ly + 2:ly + 5, lx:lx + 14] = colour
            _text(img, lx + 18, ly, label)
    return img


def _polyline(img, px, py, colour):
    """Draw the polyline through the pixel coordinates ``(px, py)``, 3 px thick."""
    height, width, _ = img.shape
    if px.size == 1:
        px, py = np.repeat(px, 2), np.repeat(py, 2)
    for (ax, ay), (bx, by) in zip(zip(px[:-1], py[:-1]), zip(px[1:], py[1:])):
        n = int(max(abs(bx - ax), abs(by - ay))) + 1
        cols = np.clip(np.rint(np.linspace(ax, bx, n)).astype(int), 0, width - 1)
        rows = np.rint(np.linspace(ay, by, n)).astype(int)
        for dr in (-1, 0, 1):
            img[np.clip(rows + dr, 0, height - 1), cols] = colour


def _write_png(img, path):
    """Minimal PNG encoder: 8-bit RGB, no interlace, filter 0 on every row."""
    height, width, _ = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))
