"""Run by Debian's python3 (python3-gi): parse a calendar from stdin with libical and apply its
iTIP restriction check (RFC 5546 tables). Prints JSON: whether it parsed and the errors found."""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def errors(component):
    found = []
    prop = component.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(prop.as_ical_string().strip())
        prop = component.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        found += errors(child)
        child = component.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    return found


text = sys.stdin.read()
component = ICalGLib.Component.new_from_string(text)
if component is None:
    print(json.dumps({"parsed": False, "errors": ["unparseable"]}))
    sys.exit(0)
parse_errors = errors(component)
restriction_ok = bool(ICalGLib.restriction_check(component))
print(
    json.dumps(
        {
            "parsed": True,
            "restriction_ok": restriction_ok,
            "errors": parse_errors + [e for e in errors(component) if e not in parse_errors],
        }
    )
)
