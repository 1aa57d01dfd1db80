"""Compensation of participants (travel, meals, childcare, time).

Pure parts: ``rules`` (claims and quotes, with ``rules_terms`` and ``rules_lines``), ``presets`` +
``scales.toml`` (shipped scales as data), ``distance_table`` (distance-table CSV) and ``stored``
(translatable messages). Services: ``catalogue`` (presets plus the organisation's own scales),
``distances`` (the stored distance table), ``declarations`` (what participants declare),
``claims`` (compute, find), ``claim_review`` (checks, documents), ``claim_operations`` (the
organiser's audited actions), ``claim_history`` (yearly history), ``batches`` (finance batches and
their export). Web: ``public`` (distance JSON) and ``organiser`` (dashboard pages, registered by
the dashboard). Commands: ``cli`` (scales, quote, event settings, distances, claims, batches).
"""
