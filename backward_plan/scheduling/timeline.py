"""What the chain timeline draws beyond the stored dates: slack to the promise, the
critical path, and the non-working time to shade.

A link's *remaining slack* is its planned slack (between the handover deadline and the
downstream need) less how late the handover is expected, or was. The watch carries a
delay downstream net of the slack that absorbed it, so the margin of a step (how many more
working hours it may lose before the promise moves) is the remaining slack of its own link,
when there is some left, plus the margin of the step it feeds; a link already passing delay
on adds nothing. A step with no margin is on the critical path: every hour it loses now is
an hour the customer waits.
"""

#: below this many hours a step has no margin left (stored hours are rounded to 0.01)
NO_SLACK = 0.005


def slack_to_promise(links):
    """{step: working hours it may still lose before the promise moves}.

    ``links`` are ``(upstream, downstream, slack_hours, delay_hours)``, the delay being how
    late the handover is expected or was (negative when early). A step that feeds several
    needs keeps the least margin; the customer (a step that feeds nothing) has none (0).
    """
    outgoing = {}
    for upstream, downstream, slack, delay in links:
        outgoing.setdefault(upstream, []).append((downstream, (slack or 0.0) - (delay or 0.0)))
    margins = {}

    def margin(step, path=()):
        if step in margins:
            return margins[step]
        needs = outgoing.get(step)
        if not needs or step in path:  # the customer; or a loop, which the planner refuses
            return 0.0
        value = min(max(0.0, remaining) + margin(downstream, (*path, step)) for downstream, remaining in needs)
        margins[step] = value
        return value

    return {step: margin(step) for step in outgoing}


def critical_steps(slack_by_step):
    """The steps with no slack left between them and the promise."""
    return {step for step, slack in slack_by_step.items() if slack <= NO_SLACK}


def idle_intervals(starts, ends, first, last):
    """The non-working ``(start, end)`` between ``first`` and ``last``, from the working
    intervals ``starts``/``ends`` (sorted, not overlapping, as in a WorkCalendar)."""
    idle = []
    cursor = first
    for start, end in zip(starts, ends, strict=True):
        if end <= first:
            continue
        if start >= last:
            break
        if start > cursor:
            idle.append((cursor, min(start, last)))
        cursor = max(cursor, end)
    if cursor < last:
        idle.append((cursor, last))
    return idle
