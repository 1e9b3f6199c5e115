"""Each kind of document's state, as the state of its step: once, for the plan and the watch.

A step is ``planned`` (not started), ``in_progress``, ``done`` or ``cancel``.
"""

PLANNED, IN_PROGRESS, DONE, CANCEL = "planned", "in_progress", "done", "cancel"

_PRODUCTION = {
    "draft": PLANNED,
    "confirmed": PLANNED,
    "progress": IN_PROGRESS,
    "to_close": IN_PROGRESS,
    "done": DONE,
    "cancel": CANCEL,
}


def production_state(state):
    """A manufacturing order: started once in progress (or waiting to be closed)."""
    return _PRODUCTION.get(state, PLANNED)


def picking_state(state):
    """A transfer is done or cancelled; until then it has not handed over."""
    return state if state in (DONE, CANCEL) else PLANNED


def purchase_line_state(order_state, line_state, moves_open=0, moves_done=0, moves_cancelled=0):
    """A purchase line, from its order and its receipt moves.

    Done when every receipt move is done or cancelled and one at least is done (a
    backorder cancelled counts as received); cancelled when the order or the line is, or
    when every receipt move was cancelled; in progress once ordered.
    """
    if order_state == CANCEL or line_state == CANCEL:
        return CANCEL
    if (moves_done or moves_cancelled) and not moves_open:
        return DONE if moves_done else CANCEL
    if order_state in ("purchase", "done"):
        return IN_PROGRESS
    return PLANNED
