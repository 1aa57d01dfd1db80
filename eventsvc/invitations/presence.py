"""The « liste de présence » of the minutes, from plain rows. Pure: no Flask, no database.

Who is present comes from check-ins when there are any, from replies otherwise (the service
decides and hands plain rows). Organisations are counted by their case-folded name; a
representative counts for the organisation of the person they represent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext


@dataclass(frozen=True)
class Person:
    name: str  # « Mme Claire Martin »
    function: str = ""
    organisation: str = ""

    def line(self) -> str:
        details = ", ".join(x for x in (self.function, self.organisation) if x)
        return f"{self.name} ({details})" if details else self.name


@dataclass(frozen=True)
class Represented:
    person: Person
    representative: Person

    def line(self) -> str:
        return str(
            _l(
                "%(person)s, représenté·e par %(representative)s",
                person=self.person.line(),
                representative=self.representative.line(),
            )
        )


@dataclass(frozen=True)
class Excused:
    person: Person
    message: str = ""


@dataclass(frozen=True)
class PresenceList:
    present: list[Person]
    excused: list[Excused]
    represented: list[Represented]
    from_check_ins: bool

    @property
    def organisations(self) -> int:
        return len({p.organisation.strip().casefold() for p in self.present if p.organisation})

    @property
    def people(self) -> int:
        return len(self.present)

    def summary(self) -> str:
        """« 21 organisations représentées par 23 personnes »."""
        organisations = str(
            lazy_ngettext(
                "%(num)d organisation représentée",
                "%(num)d organisations représentées",
                self.organisations,
            )
        )
        people = str(lazy_ngettext("%(num)d personne", "%(num)d personnes", self.people))
        return str(
            _l("%(organisations)s par %(people)s", organisations=organisations, people=people)
        )


def as_text(presence: PresenceList, title: str) -> str:
    """Plain text to paste into minutes."""
    lines = [title, "", presence.summary(), ""]
    lines.append(str(_l("Présents :")))
    lines += [f"- {person.line()}" for person in presence.present] or ["-"]
    lines += ["", str(_l("Excusés :"))]
    lines += [f"- {item.person.line()}" for item in presence.excused] or ["-"]
    lines += ["", str(_l("Représentés :"))]
    lines += [f"- {item.line()}" for item in presence.represented] or ["-"]
    return "\n".join(lines) + "\n"


def as_rows(presence: PresenceList) -> tuple[list[str], list[list[str]]]:
    """Header and rows for the CSV/XLSX export (exports.tabular)."""
    header = [
        str(_l("Statut")),
        str(_l("Nom")),
        str(_l("Fonction")),
        str(_l("Organisation ou commune")),
        str(_l("Représenté·e par")),
        str(_l("Message")),
    ]
    rows = []
    for person in presence.present:
        rows.append(
            [str(_l("présent·e")), person.name, person.function, person.organisation, "", ""]
        )
    for item in presence.excused:
        p = item.person
        rows.append([str(_l("excusé·e")), p.name, p.function, p.organisation, "", item.message])
    for item in presence.represented:
        p = item.person
        rows.append(
            [
                str(_l("représenté·e")),
                p.name,
                p.function,
                p.organisation,
                item.representative.name,
                "",
            ]
        )
    return header, rows
