"""Safe media viewing: server-side blurred greyscale previews, per-analyst preference, one reveal
at a time, exposure recorded per case, audio and video muted and unsent until revealed."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from conftest import fresh_home
from PIL import Image, ImageDraw

from workbench.content import media as media_view
from workbench.content.media import MediaItem


@pytest.fixture
def media_env(tmp_path, monkeypatch):
    """A case store and a media folder with two pictures and a short audio clip (no platform)."""
    with fresh_home(monkeypatch, tmp_path, analyst="media.tester") as cfg:
        yield _add_media(cfg)


def _add_media(cfg):
    (cfg.media_dir / "photos").mkdir(parents=True)
    for n in (1, 2):
        rng = random.Random(n)
        img = Image.new("RGB", (300, 240), "white")
        d = ImageDraw.Draw(img)
        for _ in range(30):  # sharp, colourful detail the blur must destroy
            x, y = rng.randrange(300), rng.randrange(240)
            d.rectangle([x, y, x + 12, y + 12], fill=tuple(rng.randrange(256) for _ in range(3)))
        img.save(cfg.media_dir / "photos" / f"p{n}.png")
    (cfg.media_dir / "audio").mkdir()
    (cfg.media_dir / "audio" / "a1.ogg").write_bytes(b"OggS" + bytes(200))
    (cfg.media_dir / "video").mkdir()
    (cfg.media_dir / "video" / "v1.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    return cfg


P1 = MediaItem("photo:1", "image", "photos/p1.png", "image/png", 11)
P2 = MediaItem("photo:2", "image", "photos/p2.png", "image/png", 11)
A1 = MediaItem("attachment:7", "audio", "audio/a1.ogg", "audio/ogg", 11)
V1 = MediaItem("attachment:8", "video", "video/v1.mp4", "video/mp4", 11)


def _img(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def _detail(img: Image.Image) -> float:
    """Mean absolute difference between neighbouring pixels: high for sharp images."""
    a = np.asarray(img.convert("L"), dtype=float)
    return float(np.abs(np.diff(a, axis=1)).mean())


def _is_grey(img: Image.Image) -> bool:
    if img.mode in ("L", "LA"):
        return True
    a = np.asarray(img.convert("RGB"), dtype=int)
    return bool((a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all())


def test_preview_is_blurred_and_greyscale_made_on_the_server(media_env):
    clear, _ = media_view.clear_bytes(P1)
    prev = media_view.preview(P1)
    assert prev != clear
    assert _is_grey(_img(prev)) and not _is_grey(_img(clear))
    assert _detail(_img(prev)) < 0.25 * _detail(_img(clear))


def test_preference_is_per_analyst_and_defaults_to_blur(media_env):
    assert media_view.preference().blur is True
    media_view.set_preference(blur=False, who="someone.else")
    assert media_view.preference().blur is True
    assert media_view.preference("someone.else").blur is False
    media_view.set_preference(blur=True, who="someone.else")
    assert media_view.preference("someone.else").blur is True


def test_reveal_records_exposure_per_case(media_env):
    from workbench import cases
    from workbench.errors import NotFoundError

    case = cases.create(category="scam_fraud", summary="photos")
    other = cases.create(category="scam_fraud", summary="other")
    data, mtype = media_view.reveal(case.case_id, P1)
    assert mtype == "image/png" and not _is_grey(_img(data))
    media_view.reveal(case.case_id, P2)
    media_view.reveal(case.case_id, P1)
    exp = media_view.exposure(case.case_id)
    assert (exp.reveals, exp.distinct_items) == (3, 2)
    assert exp.by_kind == {"image": 3} and exp.by_analyst == {"media.tester": 3}
    assert media_view.exposure(other.case_id).reveals == 0
    with pytest.raises(NotFoundError):
        media_view.reveal("ESC-2026-999999", P1)


def test_media_outside_the_media_folder_is_refused(media_env):
    from workbench.errors import InputError

    with pytest.raises(InputError, match="leaves the media folder"):
        media_view.preview(MediaItem("photo:9", "image", "../../etc/passwd", "image/png"))


def test_photo_grid_widget_shows_blur_by_default_and_reveals_one_at_a_time(media_env):
    from workbench import cases
    from workbench.widgets.photo_grid import PhotoGrid

    case = cases.create(category="scam_fraud", summary="grid")
    clear1, _ = media_view.clear_bytes(P1)
    grid = PhotoGrid(case.case_id, [P1, P2])
    assert grid.blur is True and grid.blur_toggle.value is True
    for tile, item in zip(grid.tiles, (P1, P2)):
        sent = tile.image.value  # the bytes the browser receives
        assert _is_grey(_img(sent))
        assert sent != media_view.clear_bytes(item)[0]
        assert _detail(_img(sent)) < 0.25 * _detail(_img(media_view.clear_bytes(item)[0]))
    assert grid.revealed == [] and media_view.exposure(case.case_id).reveals == 0

    grid.toggle(grid.tiles[0])
    assert grid.revealed == ["photo:1"] and grid.tiles[0].image.value == clear1
    grid.toggle(grid.tiles[1])  # revealing the second re-blurs the first
    assert grid.revealed == ["photo:2"] and _is_grey(_img(grid.tiles[0].image.value))
    grid.toggle(grid.tiles[1])
    assert grid.revealed == []
    assert media_view.exposure(case.case_id).reveals == 2

    # Turning blur off is remembered for this analyst and shows (and counts) clear images.
    grid.blur_toggle.value = False
    assert media_view.preference().blur is False
    assert PhotoGrid(case.case_id, [P1]).tiles[0].image.value == clear1
    assert media_view.exposure(case.case_id).reveals == 2 + 2 + 1


def test_media_player_sends_nothing_until_revealed_then_plays_muted(media_env):
    from workbench import cases
    from workbench.widgets.media_player import MediaPlayer

    case = cases.create(category="sexual_exploitation", summary="audio")
    player = MediaPlayer(case.case_id, A1)
    assert player.muted is True and player.player.value == ""
    assert b"OggS" not in player.poster.value
    player.reveal()
    assert "<audio" in player.player.value and " muted" in player.player.value
    assert "autoplay" not in player.player.value
    assert media_view.exposure(case.case_id).by_kind == {"audio": 1}


def test_video_is_hidden_until_revealed_then_plays_muted(media_env):
    from workbench import cases
    from workbench.widgets.media_player import MediaPlayer

    case = cases.create(category="sexual_exploitation", summary="video")
    player = MediaPlayer(case.case_id, V1)
    assert player.muted is True and player.player.value == ""
    assert b"ftypmp42" not in player.poster.value
    assert media_view.exposure(case.case_id).by_kind == {}
    player.reveal()
    assert "<video" in player.player.value and " muted" in player.player.value
    assert "autoplay" not in player.player.value
    assert media_view.exposure(case.case_id).by_kind == {"video": 1}
