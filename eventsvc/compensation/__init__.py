"""Compensation of participants: scales (presets as data), pure rules, distance tables, simulator.

Claims from check-ins, their validation and the finance batches come later, on top of ``rules``.
"""
