"""The sentences of the webhooks' log lines (kept apart: ``sentences`` is long enough). Pure.

Each line names the endpoint's URL; a replay also the type of event sent again."""

from __future__ import annotations

from ..common.wording import N_

# action -> the sentence, its ``%(url)s`` (and ``%(type)s``) read from the line's details.
WEBHOOK_SENTENCES = {
    "webhook.added": N_("Point de réception de webhooks %(url)s ajouté (%(events)s)"),
    "webhook.disabled": N_("Point de réception de webhooks %(url)s désactivé"),
    "webhook.enabled": N_("Point de réception de webhooks %(url)s activé"),
    "webhook.deleted": N_("Point de réception de webhooks %(url)s supprimé"),
    "webhook.replayed": N_("Webhook « %(type)s » renvoyé à %(url)s"),
}
