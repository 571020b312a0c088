"""Render the app icon (resources/icons/app.svg) into the formats installers need.

Windows wants an .ico, macOS an .icns, Linux desktop files a .png. Qt renders the SVG (QtSvg ships
with PySide6-Essentials), and this module writes both containers with PNG-compressed entries, which
Windows Vista and later and macOS 10.7 and later read. No Pillow or iconutil needed.

    python packaging/icons.py OUTPUT_DIR     # writes app.ico, app.icns, app.png
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SVG_PATH = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # ICO stores at most 256 px per entry
# ICNS entry type per pixel size (PNG payload); 1024 px is the 512 pt @2x Retina entry.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}
PNG_SIZE = 256
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_png(svg_path: Path, size: int) -> bytes:
    """Render ``svg_path`` to a ``size`` x ``size`` PNG with a transparent background.

    Needs a QGuiApplication; ``write_icons`` creates one (offscreen when no display is set).
    Raises ValueError when Qt cannot read the SVG.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"Qt cannot read the SVG icon {svg_path}; check that the file is valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ValueError(f"Qt could not encode the {size} px rendering of {svg_path} as PNG")
    buffer.close()
    return bytes(data)


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """Pack PNG images keyed by pixel size into a Windows .ico file."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, image count
    offset = len(header) + 16 * len(sizes)
    entries, payload = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry is 1 to 256 px wide, not {size}")
        data = pngs[size]
        dimension = 0 if size == 256 else size  # 0 means 256 in the one-byte width and height fields
        entries.append(struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(data), offset))
        payload.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(payload)


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """Pack PNG images keyed by pixel size into a macOS .icns file."""
    chunks = []
    for size in sorted(pngs):
        kind = ICNS_TYPES.get(size)
        if kind is None:
            raise ValueError(f"ICNS has no PNG entry type for {size} px; use one of {sorted(ICNS_TYPES)}")
        chunks.append(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size])
    body = b"".join(chunks)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(output_dir: Path, svg_path: Path = SVG_PATH) -> dict[str, Path]:
    """Write app.ico, app.icns and app.png into ``output_dir``; return their paths by suffix."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 (painting needs it)
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES) | {PNG_SIZE})
    pngs = {size: render_png(svg_path, size) for size in sizes}

    output_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "ico": output_dir / "app.ico",
        "icns": output_dir / "app.icns",
        "png": output_dir / "app.png",
    }
    written["ico"].write_bytes(build_ico({size: pngs[size] for size in ICO_SIZES}))
    written["icns"].write_bytes(build_icns({size: pngs[size] for size in ICNS_TYPES}))
    written["png"].write_bytes(pngs[PNG_SIZE])
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python packaging/icons.py OUTPUT_DIR")
    for path in write_icons(Path(sys.argv[1])).values():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
