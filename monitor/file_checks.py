"""What a text file really is, for messages that tell the user exactly what is wrong."""

from __future__ import annotations

import codecs
from pathlib import Path


def looks_utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or (without one) a zero byte in every other position."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    pairs = len(head) // 2
    if pairs < 2 or not head.strip(b"\0"):
        return False
    return max(head[0::2].count(0), head[1::2].count(0)) > pairs * 0.9


def first_bad_byte(path: Path) -> tuple[int, int]:
    """(byte offset, line) of the first byte that is not UTF-8, counted from the file start."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts from the bytes the decoder still held plus this chunk.
                held = len(exc.object) - len(chunk)
                bad = offset - held + exc.start
                handle.seek(0)
                before = handle.read(bad)
                return bad, before.count(b"\n") + 1
            offset += len(chunk)
            lines += chunk.count(b"\n")
        decoder.decode(b"", final=True)
    return offset, lines
