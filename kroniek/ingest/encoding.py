"""Input in UTF-16 or UTF-32 with a byte order mark, read as UTF-8, so the readers need only one decoder.

Without a byte order mark a file is read as UTF-8; the readers say so when text holds NUL bytes, the mark of
UTF-16 read as UTF-8 (`nul_hint`). Bytes that are not text in the file's encoding reject only the record that
holds them, whichever the encoding.
"""

from __future__ import annotations

import codecs
import io
from typing import IO, Any

# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_READ = 1 << 16


def _head(stream: IO[bytes], size: int) -> bytes | None:
    """The first `size` bytes of the stream, left unread; None when it can be neither peeked at nor rewound."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(size)[:size])
    try:
        if stream.seekable():
            at = stream.tell()
            head = stream.read(size)
            stream.seek(at)
            return head
    except (OSError, ValueError):
        return None
    return None


def encoding_of(stream: IO[bytes]) -> str | None:
    """"utf-16" or "utf-32" when the stream starts with that byte order mark, else None (read as UTF-8)."""
    head = _head(stream, 4)
    if not head:
        return None
    return next((name for mark, name in _MARKS if head.startswith(mark)), None)


def as_utf8(stream: IO[bytes]) -> tuple[IO[bytes], str]:
    """The stream itself, or, when it starts with a UTF-16 or UTF-32 byte order mark, its text as UTF-8 bytes;
    and the name of the encoding it was in."""
    encoding = encoding_of(stream)
    if encoding is None:
        return stream, "UTF-8"
    return io.BufferedReader(_Transcoded(stream, encoding)), encoding.upper()


def nul_hint(text: str) -> str:
    """A note for a reason when `text` holds NUL bytes: most likely UTF-16 without a byte order mark."""
    if "\x00" not in text:
        return ""
    return ("; the text holds NUL bytes: is the file UTF-16 without a byte order mark? Save it as UTF-8 "
            "(or as UTF-16 with a byte order mark)")


def _mark_undecodable(err: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: bytes that are not text in the stream's encoding become U+DCFF, which the UTF-8
    they are written out in carries as the byte 0xFF, never valid UTF-8: the record that holds them is rejected
    as undecodable, like one with bad bytes in a UTF-8 file, and the records around it are read."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return "\udcff", err.end


codecs.register_error("kroniek-undecodable", _mark_undecodable)


class _Transcoded(io.RawIOBase):
    """A UTF-16 or UTF-32 stream read as UTF-8 bytes; the byte order mark is read, not passed on."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("kroniek-undecodable")
        self._out = b""
        self._pos = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._pos >= len(self._out) and not self._done:
            data = self._raw.read(_READ)
            self._done = not data
            text = self._decoder.decode(data, final=self._done)
            self._out, self._pos = text.encode("utf-8", "surrogateescape"), 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos:self._pos + n]
        self._pos += n
        return n
