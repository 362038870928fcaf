"""The app's icon in each platform's format, drawn from ``resources/icons/clinicdesk.svg``.

Windows wants an ``.ico``, macOS an ``.icns``: both are made here with Qt (which the build has
anyway), each holding PNG images at the sizes the system asks for, so nothing is drawn twice and
no converter has to be installed on a build machine. Run by ``tools/build_bundle.py``; by hand:
``python tools/bundle/icons.py OUT_DIR``.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "resources" / "icons" / "clinicdesk.svg"
#: Sizes of a Windows icon (Explorer, the taskbar, the title bar, at every scaling).
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
_APP: list[object] = []
#: macOS icon types holding PNG data, by size.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render_png(size: int, svg: Path = SVG) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes (Qt offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        _APP.append(QGuiApplication([]))  # kept: Qt draws only while an application exists
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # str at run time
        raise OSError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows ``.ico`` holding ``images`` (size -> PNG), PNG-compressed (Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(images: dict[bytes, bytes]) -> bytes:
    """A macOS ``.icns`` holding ``images`` (icon type -> PNG)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(png)) + png for kind, png in images.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(folder: Path, svg: Path = SVG) -> dict[str, Path]:
    """``clinicdesk.ico``, ``clinicdesk.icns`` and a 256-pixel ``clinicdesk.png`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(ICO_SIZES) | {size for _kind, size in ICNS_TYPES})
    pngs = {size: render_png(size, svg) for size in sizes}
    paths = {
        "ico": folder / "clinicdesk.ico",
        "icns": folder / "clinicdesk.icns",
        "png": folder / "clinicdesk.png",
    }
    paths["ico"].write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))
    paths["icns"].write_bytes(icns({kind: pngs[size] for kind, size in ICNS_TYPES}))
    paths["png"].write_bytes(pngs[256])
    return paths


if __name__ == "__main__":
    for path in write_icons(Path(sys.argv[1])).values():
        print(path)
