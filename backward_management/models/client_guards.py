"""What a client may not set: defaults it sends in the context count as values it sends.

Odoo's ``default_get`` fills missing fields from ``default_<field>`` context keys, readonly
fields included: a guard that only looks at the values of ``create`` would let a client
forge them through the context. Models that guard fields drop those keys first.
"""


def without_client_defaults(records, allowed):
    """``records`` with a context holding no ``default_`` key but those of ``allowed`` fields."""
    context = records.env.context
    if records.env.su or not any(key.startswith("default_") for key in context):
        return records
    kept = {key: value for key, value in context.items() if not key.startswith("default_") or key[8:] in allowed}
    # with_context() merges into the context; a new environment replaces it
    return records.with_env(records.env(context=kept)) if len(kept) != len(context) else records


def plain_fields(model):
    """The mail and activity fields a client writes through the chatter, on any record."""
    return set(model.env["mail.thread"]._fields) | set(model.env["mail.activity.mixin"]._fields)
