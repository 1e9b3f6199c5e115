"""Whether a customer's promise holds, read from the passes of :mod:`plan`.

The order's feasibility and the effect a downstream owner is shown before accepting a
re-promise are one reading of the same forward pass (which spends the buffers after an
accepted re-promise): what the decider is told is what the order shows once accepted.
"""

from dataclasses import dataclass

from .plan import hours_late


@dataclass(frozen=True, slots=True)
class Delivery:
    """When the customer of a promise is served, how late that is, whether the promise holds."""

    served: float | None
    late_hours: float = 0.0
    feasible: bool = True


@dataclass(frozen=True, slots=True)
class Effect:
    """A re-promise were it accepted: the step it feeds (start by, finish by) and the customer."""

    start: float | None
    finish: float | None
    delivery: Delivery


def delivery(steps, plan, forward, key, now, counted=()):
    """The :class:`Delivery` of the promise ``key``, from the forward pass.

    The customer is served at the promise's forward date. The promise holds when that is
    by the promise and none of the ``counted`` steps (the ones the promise drives that have
    not started) should have started before ``now``.
    """
    dates = forward.get(key)
    promise = steps[key].promise if key in steps else None
    served = dates.finish if dates else None
    late = hours_late(served, promise) if served is not None and promise is not None else 0.0
    past = any(other in plan.steps and plan.steps[other].start < now for other in counted)
    return Delivery(served, late, not past and late <= 0)


def repromise_effect(steps, links, plan, forward, index, key, now, counted=()):
    """The :class:`Effect` of accepting the re-promise of link ``index`` on the promise ``key``.

    ``plan`` and ``forward`` are the passes run with the re-promised date agreed, as they
    will be run once it is accepted: the step it feeds starts and finishes by its pushed
    deadlines, and the customer is served as :func:`delivery` says, the same verdict the
    order then shows.
    """
    down = plan.steps.get(links[index].downstream)
    return Effect(
        down.start if down else None,
        down.finish if down else None,
        delivery(steps, plan, forward, key, now, counted),
    )
