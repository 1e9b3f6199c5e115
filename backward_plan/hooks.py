"""Adopt what an earlier, single ``backward_management`` installed, so that an existing
database upgrades in place.

Upgrading ``backward_management`` from before the split (18.0.1.x) installs its new
dependencies first, and a module being installed runs no migration script: each layer
adopts the external ids of the records and models it now owns in its ``pre_init_hook``,
before its models and data load. Odoo then finds them as its own: the records, their
rows, the users in the groups and the noupdate flags stay as they were; no duplicate is
created and nothing is deleted as stale.
"""

import csv
import logging
import os
import re

from lxml import etree

from odoo.modules.module import get_manifest, get_module_path
from odoo.tools import SQL
from odoo.tools.parse_version import parse_version

_logger = logging.getLogger(__name__)

#: the single addon of before the split, and the first version of the split
MONOLITH = "backward_management"
SPLIT_VERSION = "18.0.2.0.0"
#: the layers an earlier adoption may have given the ids to (lowest first)
SOURCES = (MONOLITH, "backward_plan")


def upgrading_the_monolith(env):
    """True while a database of the single addon, from before the split, is upgraded."""
    env.cr.execute(
        SQL(
            "SELECT latest_version FROM ir_module_module WHERE name = %s AND state IN ('installed', 'to upgrade')",
            MONOLITH,
        )
    )
    row = env.cr.fetchone()
    return bool(row and row[0] and parse_version(row[0]) < parse_version(SPLIT_VERSION))


def adopt(env, addon, models=(), names=(), everything_but=None):
    """Give ``addon`` the external ids the earlier addons hold for it.

    ``models``: model names whose reflection ids (``model_x``, ``field_x__*``,
    ``selection__x__*``, ``constraint_x_*``) and constraints move; ``names``: the external
    ids of its records (groups, views, crons...); ``everything_but``: instead, every id of
    the monolith but those (SQL ``LIKE`` patterns).
    """
    if not upgrading_the_monolith(env):
        return
    cr = env.cr
    if everything_but is not None:
        excluded = SQL(" AND ").join(SQL("name NOT LIKE %s", pattern) for pattern in everything_but)
        cr.execute(
            SQL(
                "UPDATE ir_model_data SET module = %s WHERE module = %s AND %s",
                addon,
                MONOLITH,
                excluded or SQL("TRUE"),
            )
        )
        moved = cr.rowcount
        tables = None
    else:
        # a table's name may start another's (backward_review, backward_review_wizard):
        # both are the same layer's wherever it happens here
        conditions = [SQL("name = %s", name) for name in names]
        for model in models:
            table = model.replace(".", "_")
            conditions.append(SQL("name = %s", f"model_{table}"))
            for prefix in (f"field_{table}__", f"selection__{table}__", f"constraint_{table}_"):
                conditions.append(SQL("name LIKE %s", prefix.replace("_", "\\_") + "%"))
        if not conditions:
            return
        cr.execute(
            SQL(
                "UPDATE ir_model_data SET module = %s WHERE module IN %s AND (%s)",
                addon,
                SOURCES,
                SQL(" OR ").join(conditions),
            )
        )
        moved = cr.rowcount
        tables = [model.replace(".", "_") for model in models]
    # the SQL constraints and many2many tables Odoo reflects name their module too
    for reflection in ("ir_model_constraint", "ir_model_relation"):
        cr.execute(
            SQL(
                """
                UPDATE %(table)s r SET module = target.id
                  FROM ir_module_module source, ir_module_module target, ir_model m
                 WHERE r.module = source.id AND source.name IN %(sources)s AND target.name = %(addon)s
                   AND m.id = r.model AND (%(all)s OR m.model IN %(models)s)
                """,
                table=SQL.identifier(reflection),
                sources=SOURCES,
                addon=addon,
                all=tables is None,
                models=tuple(models) or ("",),
            )
        )
    _logger.info("%s adopted %s external ids of the addon it was split from", addon, moved)


#: the layers above the plan, split from the single addon with it: each takes its models
#: (the ones its Python creates) and its records (the ids its data files define)
LAYERS = ("backward_capacity", "backward_watch", "backward_review", "backward_timeline")
MODEL_NAME = re.compile(r"""^\s*_name = ["'](backward\.[a-z_.]+)["']""", re.MULTILINE)


def _layer_models(addon):
    """The models the Python of ``addon`` creates (read from its sources: not loaded yet)."""
    path = get_module_path(addon)
    if not path:
        return []
    models = set()
    for folder, _dirs, files in os.walk(path):
        if "tests" not in os.path.relpath(folder, path).split(os.sep):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), encoding="utf-8") as source:
                        models.update(MODEL_NAME.findall(source.read()))
    return sorted(models)


def _record_names(addon):
    """The external ids the data files of ``addon`` define in it (not another module's)."""
    manifest = get_manifest(addon)
    path = get_module_path(addon)
    if not manifest or not path:
        return []
    names = []
    for data in manifest.get("data", []):
        file = os.path.join(path, data)
        if data.endswith(".xml"):
            for element in etree.parse(file).iter():
                if isinstance(element.tag, str) and element.get("id") and "." not in element.get("id"):
                    names.append(element.get("id"))
        elif data.endswith(".csv"):
            with open(file, encoding="utf-8") as rows:
                names += [row["id"] for row in csv.DictReader(rows) if "." not in row["id"]]
    return names


def adopt_from_backward_management(env):
    """Each layer takes its models and records from the single addon, the plan the rest
    but the demo factory's (the umbrella's).

    All in one go, before the plan loads: a view of a layer above that inherits one of the
    plan's must not be validated while the plan loads (its fields are not there yet); owned
    by its layer, a module not loaded yet, Odoo leaves it aside until that layer loads.
    """
    if not upgrading_the_monolith(env):
        return
    for addon in LAYERS:
        adopt(env, addon, models=_layer_models(addon), names=_record_names(addon))
    adopt(env, "backward_plan", everything_but=["demo\\_%", "model_backward_demo", "field_backward_demo\\_\\_%"])
