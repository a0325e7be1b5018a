"""Learning-curve pictures: matplotlib when installed (``fastnn[plot]``), else a built-in
dependency-free PNG writer (a framed line chart without text)."""

import struct
import zlib

import numpy as np


def learning_curve_png(costs, iterations, path, title="learning curve"):
    """Write the cost-versus-iteration curve as a PNG file.

    Parameters
    ----------
    costs : sequence of float
    iterations : sequence of int
        Iteration of each cost.
    path : str or os.PathLike
    title : str
        Used by the matplotlib rendering.

    Returns
    -------
    str
        ``"matplotlib"`` or ``"builtin"``: which renderer wrote the file.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _write_png(_rasterise(np.asarray(iterations, float), np.asarray(costs, float)), path)
        return "builtin"
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(iterations, costs)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return "matplotlib"


def _rasterise(x, y, width=600, height=400, margin=40):
    """RGB image of the polyline through (x, y), scaled into a framed plot area."""
    img = np.full((height, width, 3), 255, np.uint8)
    x0, x1, y0, y1 = margin, width - margin, margin, height - margin
    img[y0:y1 + 1, [x0, x1]] = 0  # frame
    img[[y0, y1], x0:x1 + 1] = 0
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if x.size == 0:
        return img
    span = lambda v: (v - v.min()) / (np.ptp(v) or 1.0)  # noqa: E731
    px = x0 + span(x) * (x1 - x0)
    py = y1 - span(y) * (y1 - y0)
    if x.size == 1:
        px, py = np.repeat(px, 2), np.repeat(py, 2)
    for (ax, ay), (bx, by) in zip(zip(px[:-1], py[:-1]), zip(px[1:], py[1:])):
        n = int(max(abs(bx - ax), abs(by - ay))) + 1
        cols = np.rint(np.linspace(ax, bx, n)).astype(int)
        rows = np.rint(np.linspace(ay, by, n)).astype(int)
        for dr in (-1, 0, 1):  # 3 px thick
            img[np.clip(rows + dr, 0, height - 1), cols] = (31, 119, 180)
    return img


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
