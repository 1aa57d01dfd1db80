"""The scales an instance can use: the shipped presets plus the organisation's own.

An organisation defines its own scales (a flat 50 € per half day in titres-services, childcare at
the halte-garderie's hourly cost...) in a TOML file of the same format as ``scales.toml``:
``COMPENSATION_SCALES_FILE``, by default ``scales.toml`` in the instance folder. The file is read
again when it changes, so adding a version needs no restart. Its ids must not clash with the
presets'.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import current_app

from . import presets
from .rules import Scale

_cache: dict[str, tuple[Scale, ...]] = {}


def scales_file() -> Path | None:
    configured = current_app.config.get("COMPENSATION_SCALES_FILE")
    path = Path(configured) if configured else Path(current_app.instance_path) / "scales.toml"
    return path if path.is_file() else None


def available_scales() -> tuple[Scale, ...]:
    """Presets, then the organisation's versions; ``InvalidScaleData`` if its file is wrong."""
    path = scales_file()
    if path is None:
        return presets.load_presets()
    text = path.read_text(encoding="utf-8")  # small: read each time, parsed once per content
    if text not in _cache:
        combined = presets.load_presets() + presets.parse_scales(text)
        ids = [scale.id for scale in combined]
        clash = sorted({i for i in ids if ids.count(i) > 1} | (set(ids) & _families(combined)))
        if clash:
            raise presets.InvalidScaleData(f"{path}: ids already used: {clash}")
        _cache.clear()
        _cache[text] = combined
    return _cache[text]


def _families(scales) -> set[str]:
    return {scale.family for scale in scales}


def resolve(name: str, on: date) -> Scale:
    return presets.resolve(name, on, available_scales())


def find_scale(scale_id: str) -> Scale:
    return presets.find_scale(scale_id, available_scales())


def families() -> list[str]:
    return sorted({scale.family for scale in available_scales()})
