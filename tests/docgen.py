"""Test documents generated on the fly (nothing binary is checked in).

Small hand-written PDFs (text in Helvetica, images, /Rotate, CropBox, thousands of pages, RC4
encryption), a text page raster for orientation tests, and a PNG decompression bomb built from a
repeated deflate block so that it takes milliseconds to make.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFont

WORDS = (
    "the quick brown fox jumps over a lazy dog while Peter holds forty bright yellow kites and "
    "the judge pays July bills quickly before Monday"
).split()


def text_page(seed: int = 0, size: int = 22, w: int = 1275, h: int = 1650) -> Image.Image:
    """A left-aligned page of printed English lines (for orientation tests)."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    y = 110
    while y < h - 150:
        line = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 10)))
        draw.text((110, y), line.capitalize(), fill="black", font=font)
        y += int(size * 1.6) + (size * 2 if rnd.random() < 0.1 else 0)
    return img


# --- PDF --------------------------------------------------------------------------------------


class PdfBuilder:
    """Minimal PDF writer: numbered objects, a page tree, a correct xref table."""

    def __init__(self) -> None:
        self.objects: dict[int, bytes] = {}
        self.pages: list[int] = []
        self.next = 3
        self.trailer_extra = b""

    def add(self, body: bytes, stream: bytes | None = None) -> int:
        num = self.next
        self.next += 1
        self.set(num, body, stream)
        return num

    def set(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        if stream is not None:
            body = body + b"\nstream\n" + stream + b"\nendstream"
        self.objects[num] = body

    def page(
        self,
        content: bytes,
        size: tuple[float, float] = (612, 792),
        resources: bytes = b"",
        extra: bytes = b"",
    ) -> int:
        c = self.add(b"<< /Length %d >>" % len(content), content)
        num = self.add(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << %s >> "
            b"/Contents %d 0 R %s >>" % (size[0], size[1], resources, c, extra)
        )
        self.pages.append(num)
        return num

    def bytes(self) -> bytes:
        kids = b" ".join(b"%d 0 R" % p for p in self.pages)
        self.objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.pages))
        self.objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for num in sorted(self.objects):
            offsets[num] = out.tell()
            out.write(b"%d 0 obj\n%s\nendobj\n" % (num, self.objects[num]))
        xref = out.tell()
        size = max(self.objects) + 1
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for num in range(1, size):
            out.write(b"%010d 00000 n \n" % offsets.get(num, 0))
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, self.trailer_extra, xref)
        )
        return out.getvalue()


HELVETICA = b"/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"


def text_pdf(lines: list[tuple[float, float, str]], size=(612, 792), extra: bytes = b"") -> bytes:
    """One page with ``(x_pt, y_pt, text)`` lines in 24 pt Helvetica (PDF user space)."""
    b = PdfBuilder()
    ops = b"".join(
        b"BT /F1 24 Tf %g %g Td (%s) Tj ET\n" % (x, y, t.encode("latin-1")) for x, y, t in lines
    )
    b.page(ops, size, HELVETICA, extra)
    return b.bytes()


def image_and_text_pdf(secret: str, ink_rgb=(200, 0, 0)) -> bytes:
    """A page with a red embedded image (72x72 pt at 100,600) and the ``secret`` text over it."""
    b = PdfBuilder()
    px = Image.new("RGB", (40, 40), ink_rgb)
    img = b.add(
        b"<< /Type /XObject /Subtype /Image /Width 40 /Height 40 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>"
        % len(zlib.compress(px.tobytes())),
        zlib.compress(px.tobytes()),
    )
    ops = b"q 72 0 0 72 100 600 cm /Im1 Do Q\nBT /F1 24 Tf 100 610 Td (%s) Tj ET\n" % (
        secret.encode("latin-1")
    )
    b.page(ops, (612, 792), HELVETICA + b" /XObject << /Im1 %d 0 R >>" % img)
    return b.bytes()


def many_pages_pdf(n: int, size=(200, 200)) -> bytes:
    """``n`` pages sharing one small content stream (a 5,000-page PDF is ~0.5 MB)."""
    b = PdfBuilder()
    content = b"0 0 0 rg 20 20 60 60 re f"
    c = b.add(b"<< /Length %d >>" % len(content), content)
    for _ in range(n):
        b.pages.append(
            b.add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R >>"
                  % (size[0], size[1], c))
        )
    return b.bytes()


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for ch in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(ch ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: str = "secret", owner_password: str = "owner") -> bytes:
    """A PDF protected by the standard security handler (RC4 40-bit, R2) with a user password."""
    upw = (user_password.encode() + _PAD)[:32]
    opw = (owner_password.encode() + _PAD)[:32]
    o_entry = _rc4(hashlib.md5(opw).digest()[:5], upw)
    perms = -4
    file_id = hashlib.md5(b"penmark-test").digest()
    key = hashlib.md5(upw + o_entry + struct.pack("<i", perms) + file_id).digest()[:5]
    u_entry = _rc4(key, _PAD)
    b = PdfBuilder()
    b.page(b"0 0 0 rg 100 100 200 200 re f")  # content left unencrypted: never reached
    enc = b.add(
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (o_entry.hex().encode(), u_entry.hex().encode(), perms)
    )
    b.trailer_extra = b"/Encrypt %d 0 R /ID [<%s> <%s>]" % (
        enc, file_id.hex().encode(), file_id.hex().encode()
    )
    return b.bytes()


# --- PNG bomb -----------------------------------------------------------------------------


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bomb(side: int = 50_000) -> bytes:
    """A valid ``side x side`` 1-bit PNG (all black): ~1/1000 of its 312 MB of pixel rows.

    The deflate stream is one sync-flushed block of zero rows repeated (a block made from an empty
    history decodes the same anywhere), so building it costs milliseconds, not a 312 MB deflate.
    """
    row = (side + 7) // 8 + 1  # filter byte + packed bits
    rows_per_block = 1000
    assert side % rows_per_block == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(b"\x00" * (row * rows_per_block)) + comp.flush(zlib.Z_SYNC_FLUSH)
    total = row * side
    adler = ((total % 65521) << 16) | 1  # adler32 of `total` zero bytes
    deflate = block * (side // rows_per_block) + b"\x03\x00"  # + empty final fixed block
    idat = b"\x78\x01" + deflate + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
