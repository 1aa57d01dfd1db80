"""The form of the registrations table's bulk actions: checked rows, or everything the filter
shows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from ..common.forms import Form, IdCheckboxesField
from ..events.models import Event
from . import queries
from .operations_bulk import CANCEL, CONFIRM, RESEND

SELECTION, FILTER = "selection", "filter"
CSV, XLSX = "csv", "xlsx"


class BulkForm(Form):
    """``ids``: the rows checked (any registration of the event); ``scope``: which button was
    pressed (the checked rows, or every registration of the filter, on every page)."""

    ids = IdCheckboxesField(_l("Inscriptions cochées"), choices=[])
    action = SelectField(
        _l("Action groupée"),
        choices=[
            SelectChoice(RESEND, _l("Renvoyer la confirmation et le lien personnel")),
            SelectChoice(CONFIRM, _l("Confirmer depuis la liste d'attente (places libres)")),
            SelectChoice(CANCEL, _l("Annuler les inscriptions…")),
            SelectChoice(CSV, _l("Exporter (CSV)")),
            SelectChoice(XLSX, _l("Exporter (Excel)")),
        ],
    )
    scope = SelectField(choices=[SELECTION, FILTER], validate_choice=True)
    confirmed = BooleanField()

    @classmethod
    def for_event(cls, event: Event) -> BulkForm:
        form = cls()
        form.ids.choices = [SelectChoice(i, str(i)) for i in queries.registration_ids(event)]
        return form
