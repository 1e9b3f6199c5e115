"""How long each kind of step takes: one function per kind, from plain facts.

The facts come from Odoo's own hooks (``stock.rule._get_lead_days``, ``_select_seller``,
the work orders' expected durations), gathered by the ``backward.lead.time`` model; the
plan, the quotation check and the watch all turn them into durations here, and nowhere
else. A duration is a list of segments ``(kind, calendar key, hours)``: working time on a
calendar, or elapsed time (a vendor's days, transport) that runs day and night.
"""

from dataclasses import dataclass

from .plan import ELAPSED, WORK, Segment

DAY_HOURS = 24.0


def transfer_segments(calendar_key, rule_days=0.0, security_days=0.0, push_days=0.0):
    """A transfer: its rule's delay, the security lead before a customer, the pushes to come."""
    return [(ELAPSED, calendar_key, (rule_days + security_days + push_days) * DAY_HOURS)]


def purchase_segments(calendar_key, vendor_days=0.0, purchase_days=0.0, security_days=0.0, rule_days=0.0):
    """A purchase: days to purchase, the vendor's lead time, the purchase security lead."""
    return [(ELAPSED, calendar_key, (vendor_days + purchase_days + security_days + rule_days) * DAY_HOURS)]


@dataclass(frozen=True, slots=True)
class ProductionFacts:
    """What a manufacturing order's duration is made of.

    ``operations``: ``((calendar key, minutes), ...)`` of its work orders, in order, on
    their work centers' calendars; without any, ``produce_days`` of the bill of materials.
    Days of the company (preparing components, the security lead) are working days of
    ``hours_per_day`` on the company's calendar; ``rule_days`` (pre-production transfers)
    elapse day and night.
    """

    company_calendar: tuple
    hours_per_day: float = 8.0
    prepare_days: float = 0.0
    operations: tuple = ()
    produce_days: float = 0.0
    security_days: float = 0.0
    rule_days: float = 0.0


def production_segments(facts):
    """A manufacturing order: preparation, its work orders (or lead time), the security lead."""
    company, per_day = facts.company_calendar, facts.hours_per_day or 8.0
    segments = []
    if facts.prepare_days:
        segments.append((WORK, company, facts.prepare_days * per_day))
    for calendar_key, minutes in facts.operations:
        segments.append((WORK, calendar_key, minutes / 60.0))
    if not facts.operations:
        segments.append((WORK, company, facts.produce_days * per_day))
    if facts.security_days:
        segments.append((WORK, company, facts.security_days * per_day))
    if facts.rule_days:
        segments.append((ELAPSED, company, facts.rule_days * DAY_HOURS))
    return segments


def remaining_segments(operations):
    """The work left of a started manufacturing order: ``((calendar key, minutes left), ...)``."""
    return [(WORK, calendar_key, max(minutes, 0.0) / 60.0) for calendar_key, minutes in operations]


def core_segments(segments, calendars):
    """Segments of the core, their calendar keys replaced by ``calendars[key]``."""
    return tuple(Segment(kind, calendars[key], round(hours * 3600)) for kind, key, hours in segments)


def calendar_keys(segments):
    return {key for _kind, key, _hours in segments}


def encode(segments):
    """Segments as stored on a deadline: ``[[kind, calendar id, resource id, hours], ...]``."""
    return [[kind, key[0], key[1] or False, round(hours, 6)] for kind, key, hours in segments]


def decode(stored):
    """The segments a deadline stored, back to ``(kind, calendar key, hours)``."""
    return [
        (kind, (calendar_id, resource_id or False), hours) for kind, calendar_id, resource_id, hours in stored or ()
    ]
