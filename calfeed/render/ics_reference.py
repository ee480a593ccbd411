"""The same calendars, written by `icalendar`: the reference the fast serializer is held to.

`render` takes a `Plan` from `calfeed.render.ics` and builds it with icalendar's
components and typed values, so that ``tests/test_ics_fast_path.py`` can check
that the hand-written output parses to the same calendar, and ``benchmarks/ics.py``
can time icalendar on the same events. The server never calls it.
"""

from __future__ import annotations

from datetime import timedelta

import icalendar

from ..model import Site
from .ics import Plan, event_properties, zone_component
from .ics_lines import Geo, Prop, Recur, Uri


def render(site: Site, plan: Plan) -> bytes:
    """Write `plan` with icalendar: its properties, a VTIMEZONE per zone, a VEVENT per event."""
    calendar = icalendar.Calendar()
    for prop in plan.properties:
        add(calendar, prop)
    for tzid, first, end in plan.zones:
        calendar.add_component(zone_component(tzid, first, end))
    for event in plan.events:
        component = icalendar.Event()
        for prop in event_properties(site, event, plan.lang):
            add(component, prop)
        calendar.add_component(component)
    return calendar.to_ical()


def add(component: icalendar.cal.component.Component, prop: Prop) -> None:
    """Add `prop` with the icalendar type its value stands for."""
    value: object = prop.value
    if isinstance(value, Recur):
        value = icalendar.vRecur.from_ical(str(value))
    elif isinstance(value, Uri):
        value = icalendar.vCalAddress(str(value)) if prop.name == "ORGANIZER" else icalendar.vUri(str(value))
    elif isinstance(value, str):
        value = icalendar.vText(value)
    elif isinstance(value, timedelta):
        value = icalendar.vDuration(value)
    elif isinstance(value, Geo):
        value = (value.lat, value.lon)
    elif isinstance(value, tuple):
        value = list(value)
    component.add(prop.name, value, parameters=dict(prop.params))
