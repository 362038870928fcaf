"""The Windows and macOS icons the build makes from the SVG are what those systems read."""

from __future__ import annotations

import struct
from pathlib import Path

from PySide6.QtGui import QImage, QImageReader
from pytestqt.qtbot import QtBot

from tools.bundle.icons import ICNS_TYPES, ICO_SIZES, write_icons

#: The icon's tile colour (resources/icons/clinicdesk.svg).
TEAL = "#2f7d7a"


def test_ico_holds_every_windows_size_and_qt_reads_it(qtbot: QtBot, tmp_path: Path) -> None:
    paths = write_icons(tmp_path)
    data = paths["ico"].read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    sides = []
    for n in range(count):
        width, height, _c, _r, _planes, _bits, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * n : 22 + 16 * n]
        )
        assert width == height
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + size <= len(data)
        sides.append(width or 256)
    assert sides == sorted(ICO_SIZES)
    reader = QImageReader(str(paths["ico"]))
    assert reader.imageCount() == len(ICO_SIZES)
    biggest = QImage()
    for _ in range(reader.imageCount()):
        image = reader.read()
        if image.width() > biggest.width():
            biggest = image
        reader.jumpToNextImage()
    assert biggest.width() == 256
    assert biggest.pixelColor(20, 128).name() == TEAL


def test_icns_holds_the_macos_sizes_and_png_is_the_icon(qtbot: QtBot, tmp_path: Path) -> None:
    paths = write_icons(tmp_path)
    data = paths["icns"].read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, at = [], 8
    while at < len(data):
        kind, length = data[at : at + 4], struct.unpack(">I", data[at + 4 : at + 8])[0]
        assert data[at + 8 : at + 16] == b"\x89PNG\r\n\x1a\n"
        found.append(kind)
        at += length
    assert at == len(data)
    assert found == [kind for kind, _size in ICNS_TYPES]
    assert not QImage(str(paths["icns"])).isNull()
    png = QImage(str(paths["png"]))
    assert (png.width(), png.height()) == (256, 256)
    assert png.pixelColor(20, 128).name() == TEAL
