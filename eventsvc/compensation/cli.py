"""``flask --app eventsvc compensation ...``: the compensation commands, for use without the
dashboard. Commands that write show what they will do and ask for confirmation, unless given
``--yes``; each takes the SQLite write lock before reading (``begin_write``).

- ``cli_scales``: ``scales``, ``quote`` (the simulator), ``event`` (an event's settings);
- ``cli_distances``: ``distances import|list|lookup``;
- ``cli_claims``: ``claims compute|list|show|correct|receipts|validate|history``;
- ``cli_batches``: ``batch create|list|export|paid``.
"""

from __future__ import annotations

from flask.cli import AppGroup

from . import cli_batches, cli_claims, cli_distances, cli_scales

compensation_cli = AppGroup(
    "compensation", help="Compensation of participants: scales and simulator."
)
compensation_cli.add_command(cli_scales.scales_command)
compensation_cli.add_command(cli_scales.quote_command)
compensation_cli.add_command(cli_scales.event_command)
compensation_cli.add_command(cli_distances.distances_group)
compensation_cli.add_command(cli_claims.claims_group)
compensation_cli.add_command(cli_batches.batch_group)
