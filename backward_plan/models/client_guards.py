"""What a client may not set: defaults it sends in the context count as values it sends.

Odoo's ``default_get`` fills missing fields from ``default_<field>`` context keys, readonly
fields included: a guard that only looks at the values of ``create`` would let a client
forge them through the context. Models that guard fields drop those keys first.
"""

from odoo.exceptions import AccessError


def without_client_defaults(records, allowed=None, denied=None):
    """``records`` with a context holding no ``default_`` key for a field outside
    ``allowed`` (when given) or inside ``denied`` (when given).

    A model that owns its fields gives ``allowed``; a model of Odoo's gives ``denied``, the
    addon's fields only, so that the defaults Odoo's own flows pass on stay untouched.
    """
    context = records.env.context
    if records.env.su or not any(key.startswith("default_") for key in context):
        return records

    def dropped(key):
        name = key[8:]
        return key.startswith("default_") and (
            (allowed is not None and name not in allowed) or (denied is not None and name in denied)
        )

    kept = {key: value for key, value in context.items() if not dropped(key)}
    # with_context() merges into the context; a new environment replaces it
    return records.with_env(records.env(context=kept)) if len(kept) != len(context) else records


def plain_fields(model):
    """The mail and activity fields a client writes through the chatter, on any record."""
    return set(model.env["mail.thread"]._fields) | set(model.env["mail.activity.mixin"]._fields)


def refuse_client_writes(records, vals):
    """Refuse ``vals`` beyond the chatter's fields from anyone but the superuser: rows the
    planner and the watch keep (they write as superuser)."""
    forged = set(vals) - plain_fields(records)
    if forged and not records.env.su:
        labels = sorted(
            records._fields[name]._description_string(records.env) for name in forged if name in records._fields
        )
        raise AccessError(
            records.env._(
                "%(fields)s are kept by the backward planning and its watch, not set by hand.",
                fields=", ".join(labels),
            )
        )


def require_superuser(records):
    """Refuse to go on unless ``records`` act as superuser: the services of the planning
    (writers, re-plans, caches shared by everyone) are reached from an entry point that
    elevated once (a checked button, the planner, a scheduled action, a job), never
    from a client; they do not elevate again."""
    if not records.env.su:
        raise AccessError(
            records.env._(
                "%(model)s is run by the backward planning, not by hand.", model=records._description or records._name
            )
        )
