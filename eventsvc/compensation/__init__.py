"""Compensation of participants (travel, meals, childcare, time).

Pure parts: ``rules`` (claims and quotes), ``presets`` + ``scales.toml`` (shipped scales as data),
``distancier`` (distance-table CSV), ``wording`` and ``stored`` (translatable messages). Services:
``catalogue`` (presets plus the organisation's own scales), ``distances`` (the stored distance
table), ``declarations`` (what participants declare), ``claims`` (compute, correct, validate,
yearly history), ``batches`` (finance batches and their export). Commands: ``cli`` (scales,
quote) and ``organiser_cli`` (event settings, distances, claims, batches).
"""
