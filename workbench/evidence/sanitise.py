"""What a file is (from its bytes, never its name), and media copies without their metadata.

* :func:`sniff`: the media type from the first bytes (a small signature table; zip containers
  are told apart by their central directory: docx, xlsx, pptx, ODF, EPUB, plain zip). A
  ``.docx`` renamed ``photo.jpg`` is a docx.
* :func:`sanitise_image`: a brand-new image rebuilt from the pixels (EXIF orientation applied
  first, an embedded ICC profile baked into sRGB first), so no EXIF, XMP, IPTC, GPS, ICC, text
  chunk, comment, or bytes appended after the image survive. JPEG, PNG, WebP and GIF (animated
  too) come out in their own format.
* :func:`sanitise_av`: audio and video remuxed with PyAV (no re-encoding): container and stream
  tags cleared, ``fflags=+bitexact`` (no muxer version), ID3/BEXT off, only audio and video
  streams kept (no GPS data streams, subtitles or cover art), H.264/HEVC SEI units removed
  (encoder settings and user data).
* :func:`leftover_metadata`: what a scanner looks for in an image or A/V file that should
  have none (EXIF, XMP, IPTC, ICC, text chunks, comments, container tags).

Anything else, or a file these cannot read, is :class:`Unsanitisable`: outside audiences do
not get it (one line says why).
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from workbench.errors import InputError

MAX_PIXELS = 60_000_000
MAX_FRAMES = 1000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
AV_TYPES = (
    "video/mp4",
    "video/quicktime",
    "audio/mp4",
    "video/webm",
    "video/x-matroska",
    "audio/ogg",
    "video/ogg",
    "audio/mpeg",
    "audio/wav",
)
_FTYP = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"avis": "image/avif",
}
_OOXML = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
HEAD = 4096


class Unsanitisable(InputError):
    """A file that cannot leave for an outside audience: ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# --------------------------------------------------------------------------- type


def _mp3_frame(b: bytes) -> bool:
    if len(b) < 4 or b[0] != 0xFF or (b[1] & 0xE0) != 0xE0:
        return False
    version, layer = (b[1] >> 3) & 3, (b[1] >> 1) & 3
    bitrate, rate = b[2] >> 4, (b[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _zip_kind(fh: BinaryIO | None) -> str:
    if fh is None:
        return "application/zip"
    try:
        with zipfile.ZipFile(fh) as z:  # the central directory only; no entry is inflated
            names = z.namelist()
            if "mimetype" in names:
                with z.open("mimetype") as m:
                    mt = m.read(100).decode("ascii", "replace").strip()
                if mt.startswith(("application/vnd.oasis.opendocument", "application/epub+zip")):
                    return mt
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML:
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        pass
    return "application/zip"


def sniff(head: bytes, fh: BinaryIO | None = None) -> str:
    """The media type of a file from its first bytes (``fh``, seekable, lets zips be told
    apart); ``application/octet-stream`` when unknown, ``text/plain`` for UTF-8 text."""
    h = head[:HEAD]
    if h.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if h.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if h[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if h[:4] == b"RIFF" and h[8:12] == b"WEBP":
        return "image/webp"
    if h[:4] == b"RIFF" and h[8:12] == b"WAVE":
        return "audio/wav"
    if h[:4] == b"RIFF" and h[8:12] == b"AVI ":
        return "video/x-msvideo"
    if h.startswith(b"%PDF-"):
        return "application/pdf"
    if h[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _zip_kind(fh)
    if h[4:8] == b"ftyp":
        return _FTYP.get(h[8:12], "video/mp4")
    if h.startswith(b"\x1a\x45\xdf\xa3"):
        i = h.find(b"\x42\x82")
        return "video/webm" if i != -1 and b"webm" in h[i : i + 12] else "video/x-matroska"
    if h.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in h[:512] else "audio/ogg"
    if h.startswith(b"fLaC"):
        return "audio/flac"
    if h.startswith(b"ID3") or _mp3_frame(h):
        return "audio/mpeg"
    if h.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if h.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if h.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"
    if h.startswith((b"MZ", b"\x7fELF")):
        return "application/x-executable"
    if b"PAR1" == h[:4]:
        return "application/vnd.apache.parquet"
    if _is_text(h):
        return "text/plain"
    return "application/octet-stream"


def _is_text(h: bytes) -> bool:
    if not h or b"\x00" in h:
        return False
    try:
        h.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(h) - 4:  # a character cut at the end of the sample is fine
            return False
    return True


def sniff_file(path: Path) -> str:
    """:func:`sniff` over a file on disk."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
        fh.seek(0)
        return sniff(head, fh)


# --------------------------------------------------------------------------- images


def _pixels_only(frame, icc: bytes | None, transpose):
    from PIL import Image, ImageCms

    has_alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    mode = "RGBA" if has_alpha else ("L" if frame.mode in ("1", "L", "I;16") else "RGB")
    f = frame.convert(mode)
    if icc and mode in ("RGB", "RGBA"):
        try:  # bake the embedded profile into sRGB pixels, then drop it
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
            f = ImageCms.profileToProfile(f, src, srgb, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    if transpose is not None:
        f = f.transpose(transpose)
    return Image.frombytes(f.mode, f.size, f.tobytes())  # a brand-new image: .info == {}


def sanitise_image(data: bytes) -> tuple[bytes, str]:
    """(clean bytes, media type) of an image rebuilt from its pixels; :class:`Unsanitisable`
    for anything Pillow cannot read safely."""
    import warnings

    from PIL import Image, ImageSequence, UnidentifiedImageError

    transposes = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }
    formats = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "GIF"}
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                fmt = formats.get(im.format or "")
                if fmt is None:
                    raise Unsanitisable(f"{im.format or 'this'} images cannot be cleaned")
                try:
                    transpose = transposes.get(int(im.getexif().get(0x0112) or 0))
                except Exception:
                    transpose = None  # unreadable EXIF: it is dropped all the same
                icc = im.info.get("icc_profile")
                animated = fmt in ("GIF", "WEBP") and getattr(im, "n_frames", 1) > 1
                frames, durations = [], []
                for frame in ImageSequence.Iterator(im) if animated else [im]:
                    frames.append(_pixels_only(frame, icc, transpose))
                    durations.append(int(frame.info.get("duration", 100) or 100))
                    if len(frames) > MAX_FRAMES:
                        raise Unsanitisable("an animation of more than 1,000 frames")
                loop = int(im.info.get("loop", 0) or 0)
    except Unsanitisable:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Unsanitisable("the image cannot be read (damaged, disguised or too large)") from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, MemoryError) as exc:
        raise Unsanitisable(f"the image cannot be read ({type(exc).__name__})") from None
    out = io.BytesIO()
    first = frames[0]
    more = (
        {"save_all": True, "append_images": frames[1:], "duration": durations, "loop": loop}
        if animated
        else {}
    )
    if fmt == "JPEG":
        first.convert("RGB" if first.mode == "RGBA" else first.mode).save(
            out, "JPEG", quality=90, optimize=True
        )
    elif fmt == "PNG":
        first.save(out, "PNG", optimize=True)
    elif fmt == "WEBP":
        first.save(out, "WEBP", quality=90, method=4, exif=b"", xmp=b"", icc_profile=None, **more)
    else:
        first.save(out, "GIF", comment=b"", **more)
    media_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        fmt, "image/gif"
    )
    return out.getvalue(), media_type


# --------------------------------------------------------------------------- audio, video

_MUXER = {
    "mov,mp4,m4a,3gp,3g2,mj2": ("mp4", "video/mp4"),
    "matroska,webm": ("matroska", "video/x-matroska"),
    "ogg": ("ogg", "audio/ogg"),
    "mp3": ("mp3", "audio/mpeg"),
    "wav": ("wav", "audio/wav"),
}
_MUXER_OPTS = {
    "mp3": {"id3v2_version": "0", "write_id3v1": "0", "write_xing": "0"},
    "wav": {"write_bext": "0"},
}
_SEI_STRIP = {"h264": "filter_units=remove_types=6", "hevc": "filter_units=remove_types=39|40"}


def sanitise_av(src: Path, dst: Path) -> str:
    """Remux ``src`` into ``dst`` without metadata; returns the output's media type."""
    import av

    try:
        with av.open(str(src), metadata_errors="replace") as inp:
            family = inp.format.name
            if family not in _MUXER:
                raise Unsanitisable(f"{family} containers cannot be cleaned")
            fmt, media_type = _MUXER[family]
            if fmt == "matroska" and family == "matroska,webm":
                codecs = {s.codec_context.name for s in inp.streams if s.type in ("audio", "video")}
                if codecs <= {"vp8", "vp9", "av1", "opus", "vorbis"}:
                    fmt, media_type = "webm", "video/webm"
            keep = [
                s
                for s in inp.streams
                if s.type in ("audio", "video")
                and not (s.disposition & av.stream.Disposition.attached_pic)
            ]
            if not keep:
                raise Unsanitisable("the file holds no audio or video stream")
            if fmt == "ogg":
                media_type = "video/ogg" if any(s.type == "video" for s in keep) else "audio/ogg"
            opts = {"fflags": "+bitexact", **_MUXER_OPTS.get(fmt, {})}
            with av.open(str(dst), "w", format=fmt, container_options=opts) as out:
                out.metadata.clear()
                mapping, bsfs = {}, {}
                for s in keep:
                    o = out.add_stream_from_template(s, opaque=True)
                    o.metadata.clear()
                    mapping[s.index] = o
                    name = s.codec_context.name
                    if name in _SEI_STRIP:
                        bsfs[s.index] = av.bitstream.BitStreamFilterContext(_SEI_STRIP[name], s, o)
                for pkt in inp.demux(keep):
                    if pkt.dts is None and pkt.size == 0:
                        continue
                    o = mapping[pkt.stream.index]
                    got = bsfs[pkt.stream.index].filter(pkt) if pkt.stream.index in bsfs else [pkt]
                    for p in got:
                        p.stream = o
                        out.mux(p)
                for i, f in bsfs.items():
                    for p in f.filter(None):
                        p.stream = mapping[i]
                        out.mux(p)
    except Unsanitisable:
        raise
    except (av.error.FFmpegError, OSError, ValueError, TypeError, KeyError) as exc:
        raise Unsanitisable(f"the audio or video cannot be read ({type(exc).__name__})") from None
    return media_type


# --------------------------------------------------------------------------- checking

_IMAGE_MARKERS = (
    (b"Exif\x00\x00", "EXIF"),
    (b"http://ns.adobe.com/xap", "XMP"),
    (b"adobe:ns:meta", "XMP"),
    (b"Photoshop 3.0", "IPTC"),
    (b"8BIM", "IPTC"),
    (b"ICC_PROFILE", "ICC profile"),
)


def _png_chunks(d: bytes) -> list[bytes]:
    i, out = 8, []
    while i + 8 <= len(d):
        n, t = struct.unpack(">I4s", d[i : i + 8])
        out.append(t)
        i += 12 + n
    return out


def _jpeg_markers(d: bytes) -> list[int]:
    i, out = 2, []
    while i + 4 <= len(d) and d[i] == 0xFF:
        m = d[i + 1]
        out.append(m)
        if m == 0xDA:
            break
        i += 2 + struct.unpack(">H", d[i + 2 : i + 4])[0]
    return out


def _webp_chunks(d: bytes) -> list[bytes]:
    i, out = 12, []
    while i + 8 <= len(d):
        t, n = d[i : i + 4], struct.unpack("<I", d[i + 4 : i + 8])[0]
        out.append(t)
        i += 8 + n + (n & 1)
    return out


def leftover_metadata(data: bytes, media_type: str, path: Path | None = None) -> str | None:
    """What metadata a supposedly clean image or A/V file still holds (None: none found)."""
    if media_type.startswith("image/"):
        for marker, what in _IMAGE_MARKERS:
            if marker in data:
                return what
        if data.startswith(b"\x89PNG"):
            bad = {b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} & set(_png_chunks(data))
            if bad:
                return f"PNG {sorted(bad)[0].decode()} chunk"
        elif data.startswith(b"\xff\xd8"):
            marks = _jpeg_markers(data)
            if any(0xE1 <= m <= 0xEF or m == 0xFE for m in marks):
                return "a JPEG APP or comment segment"
            end = data.rfind(b"\xff\xd9")
            if end != -1 and data[end + 2 :].strip(b"\x00"):
                return "bytes after the end of the image"
        elif data[8:12] == b"WEBP":
            if {b"EXIF", b"XMP ", b"ICCP"} & set(_webp_chunks(data)):
                return "WebP metadata chunk"
        elif data[:3] == b"GIF" and b"!\xfe" in data:
            return "GIF comment"
        return None
    if media_type.startswith(("audio/", "video/")) and path is not None:
        import av

        try:
            with av.open(str(path), metadata_errors="replace") as c:
                tags = {k: v for k, v in c.metadata.items() if k.lower() not in ("encoder",)}
                tags = {k: v for k, v in tags.items() if k not in _MUXER_DEFAULT_TAGS}
                if tags:
                    return "container tags"
                for s in c.streams:
                    for k, v in s.metadata.items():
                        allowed = _STREAM_DEFAULT_TAGS.get(k)
                        if allowed is None or (allowed and v not in allowed):
                            return "stream tags"
        except (av.error.FFmpegError, OSError, ValueError):
            return "an unreadable container"
    return None


# Tags muxers write themselves (no personal data): the mp4 brand, Matroska's duration.
_MUXER_DEFAULT_TAGS = {"major_brand", "minor_version", "compatible_brands"}
_STREAM_DEFAULT_TAGS: dict[str, tuple[str, ...]] = {
    "language": ("und",),
    "handler_name": ("VideoHandler", "SoundHandler"),
    "vendor_id": ("[0][0][0][0]",),
    "DURATION": (),  # any value: Matroska's duration
}
