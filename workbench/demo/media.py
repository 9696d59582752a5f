"""Real media files for the demo platform: photos (JPEG), voice notes (WAV) and clips (WebM).

Every picture is drawn procedurally from a 64-bit seed, so different seeds give pictures with
clearly different perceptual hashes, and a near-duplicate is made the way people really re-use
photos: re-encoded at another JPEG quality, cropped a little or resized, with a slight colour
tweak. The perceptual hash is computed *at ingest*, from the saved file, with ``imagehash.phash``.

Everything here is deterministic for its inputs (no clock, no global random state), so a rebuilt
demo has byte-identical files. Rendering runs in worker processes through :func:`render_photos`.
"""

from __future__ import annotations

import hashlib
import io
import os
import wave
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

SIZE = 128
BASE_QUALITY = 88


@dataclass(frozen=True)
class PhotoJob:
    """One photo to write: drawn from ``seed``, then ``transform``-ed (``""`` for an original).

    ``transform`` is one of ``""``, ``"reencode"``, ``"crop"``, ``"resize"``; ``tweak`` is a
    small seed for the transform's parameters (quality, crop box, colour factor).
    """

    rel_path: str
    seed: int
    transform: str = ""
    tweak: int = 0


def draw_picture(seed: int, size: int = SIZE) -> Image.Image:
    """A procedurally drawn 'portrait': gradient backdrop, large shapes and a head-and-shoulders
    silhouette. Large shapes put the variation in the low frequencies the perceptual hash reads."""
    rng = np.random.Generator(np.random.PCG64(seed))
    # a random low-resolution colour field blown up smoothly: independent low frequencies, so
    # the perceptual hashes of two pictures are about as far apart as two random 64-bit words
    grid = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    img = Image.fromarray(grid, "RGB").resize((size, size), Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(1, 4))):
        x0, y0 = rng.integers(0, size, 2)
        w, h = rng.integers(size // 8, size // 3, 2)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        box = [int(x0), int(y0), int(x0 + w), int(y0 + h)]
        if rng.random() < 0.5:
            d.ellipse(box, fill=colour)
        else:
            d.rectangle(box, fill=colour)
    # head and shoulders, somewhere near the middle
    cx = int(size * rng.uniform(0.3, 0.7))
    cy = int(size * rng.uniform(0.3, 0.5))
    r = int(size * rng.uniform(0.12, 0.2))
    skin = tuple(int(v) for v in rng.integers(60, 240, 3))
    cloth = tuple(int(v) for v in rng.integers(0, 256, 3))
    d.ellipse([cx - 2 * r, cy + r, cx + 2 * r, cy + 5 * r], fill=cloth)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=skin)
    return img


def _transform(img: Image.Image, transform: str, tweak: int) -> tuple[Image.Image, int]:
    """Apply a near-duplicate transform; returns the image and the JPEG quality to save with."""
    rng = np.random.Generator(np.random.PCG64(tweak))
    quality = BASE_QUALITY
    if transform == "reencode":
        quality = int(rng.integers(45, 70))
    elif transform == "crop":
        w, h = img.size
        frac = rng.uniform(0.02, 0.05)  # people crop a border, not the subject
        dx, dy = int(w * frac * rng.uniform(0.3, 1)), int(h * frac * rng.uniform(0.3, 1))
        img = img.crop((dx, dy, w - int(w * frac) + dx, h - int(h * frac) + dy))
    elif transform == "resize":
        side = int(rng.choice([96, 112, 160, 192]))
        img = img.resize((side, side), Image.Resampling.LANCZOS)
    elif transform:
        raise ValueError(f"unknown transform {transform!r}")
    if transform:
        img = ImageEnhance.Color(img).enhance(rng.uniform(0.9, 1.1))
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.95, 1.05))
    return img, quality


def jpeg_bytes(job: PhotoJob) -> bytes:
    """The JPEG file content for a job (deterministic)."""
    img = draw_picture(job.seed)
    img, quality = _transform(img, job.transform, job.tweak)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def phash_hex(data: bytes | Path) -> str:
    """``imagehash.phash`` of an image file, as 16 hex characters (as stored in photos.phash)."""
    import imagehash

    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with Image.open(src) as im:
        return str(imagehash.phash(im))


def _render_one(root: str, job: PhotoJob) -> tuple[str, int, int]:
    data = jpeg_bytes(job)
    path = Path(root) / job.rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    import imagehash

    with Image.open(io.BytesIO(data)) as im:  # the bytes just written: hashed as at ingest
        return str(imagehash.phash(im)), im.size[0], im.size[1]


def _render_batch(root: str, jobs: list[PhotoJob]) -> list[tuple[str, int, int]]:
    return [_render_one(root, j) for j in jobs]


def render_photos(
    root: Path,
    jobs: list[PhotoJob],
    *,
    workers: int | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[tuple[str, int, int]]:
    """Write every job under ``root``; returns ``(phash, width, height)`` per job, in order."""
    if not jobs:
        return []
    workers = workers or min(4, os.cpu_count() or 1)
    if (workers <= 1 and pool is None) or len(jobs) < 200:
        return _render_batch(str(root), jobs)
    step = max(100, len(jobs) // (workers * 8) + 1)
    batches = [jobs[i : i + step] for i in range(0, len(jobs), step)]
    own = pool is None
    pool = pool or ProcessPoolExecutor(workers)
    try:
        out: list[tuple[str, int, int]] = []
        for part in pool.map(_render_batch, [str(root)] * len(batches), batches):
            out.extend(part)
        return out
    finally:
        if own:
            pool.shutdown()


def wav_bytes(seed: int, seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A short voice-note stand-in: a two-tone chirp with a fade, 16-bit mono PCM WAV."""
    rng = np.random.Generator(np.random.PCG64(seed))
    f0, f1 = rng.uniform(220, 660), rng.uniform(330, 880)
    t = np.arange(int(seconds * rate)) / rate
    freq = f0 + (f1 - f0) * t / seconds
    env = np.minimum(1, np.minimum(t, seconds - t) * 8)
    pcm = (np.sin(2 * np.pi * np.cumsum(freq) / rate) * env * 12000).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def webm_bytes(seed: int, frames: int = 12, fps: int = 12, side: int = 96) -> bytes:
    """A one-second VP8 WebM clip (a square moving over a gradient), made with PyAV.

    Falls back to a hand-written MJPEG AVI if PyAV is missing; :func:`video_suffix` says which.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    bg = draw_picture(int(rng.integers(0, 2**62)), side)
    colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    pics = []
    for k in range(frames):
        im = bg.copy()
        x = int((side - 24) * k / max(1, frames - 1))
        ImageDraw.Draw(im).rectangle([x, side // 2 - 12, x + 24, side // 2 + 12], fill=colour)
        pics.append(im)
    buf = io.BytesIO()
    with av.open(buf, "w", format="webm", options={"fflags": "+bitexact"}) as out:
        stream = out.add_stream("libvpx", rate=fps)
        stream.width = stream.height = side
        stream.pix_fmt = "yuv420p"
        stream.thread_count = 1  # one thread: identical bytes on every run
        stream.codec_context.flags |= getattr(av.codec.context.Flags, "bitexact", 0)
        for im in pics:
            for pkt in stream.encode(av.VideoFrame.from_image(im)):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return buf.getvalue()


def video_suffix() -> tuple[str, str]:
    """(file suffix, media type) of the clips :func:`webm_bytes` writes."""
    return ".webm", "video/webm"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
