"""Count what a database holds of the addons before and after ``-u backward_management``.

Run by ``./dev test upgrade`` with the virtualenv's Python (psycopg2, no Odoo import; the
connection takes PGHOST, PGUSER... from the environment, as Odoo does):

    upgrade_test.py snapshot --database DB --out before.json
    upgrade_test.py lose --database DB --table TABLE     (the self-test: one row deleted)
    upgrade_test.py compare --database DB --before before.json --out after.json
                            --log upgrade.log --addons-root ROOT

``compare`` takes the second snapshot, prints before/after, and exits non-zero when the
upgrade lost or changed anything: the rows of a ``backward_*`` table (or of an m2m table of
the addons), of the sale/purchase/manufacturing documents, the non-empty values of a
``backward_*`` column of Odoo's tables, the messages and activities on the addons' records;
a group of the addons with fewer users; a cron, activity type, group or menu of the addons
gone or there twice; an ERROR/CRITICAL line or a traceback in the upgrade's log; an addon of
``--addons-root`` that ``backward_management`` needs not installed at its manifest's version.
New tables, columns, xmlids, crons, activity types and menus are allowed; an existing count
may change only when ``MAY_CHANGE`` says why. ``XMLID_OWNERSHIP`` (off while empty) says
which xmlids an addon may still own once the split has moved the others to the layers.
"""

import argparse
import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path

import psycopg2
from psycopg2 import sql

UMBRELLA = "backward_management"
# Tables (or "table.column") an upgrade may legitimately change the count of, with why;
# e.g. {"backward_replan_batch_pending_rel": "18.0.1.1.0 copies the old column into it"}.
MAY_CHANGE = {}
# Renamed xmlids (old -> new, "module.name"): a record keeps its identity under a new
# name, e.g. {"backward_management.backward_management_group_user":
# "backward_plan.backward_plan_group_user"}. A record whose xmlid only moved to another
# addon (same name) is found without an entry here.
XMLID_RENAMES = {}
# Which xmlids an addon may still own after the upgrade: {module: [regex, ...]}, each
# xmlid name of the module must match one (re.match). Empty: the check is off. Since the
# split, the umbrella keeps only its demo factory: every other record moved to a layer.
XMLID_OWNERSHIP = {"backward_management": [r"demo_", r"model_backward_demo$", r"field_backward_demo__"]}
# The documents the addon plans and watches: their counts never change in an upgrade.
DOCUMENTS = [
    "sale_order",
    "sale_order_line",
    "purchase_order",
    "purchase_order_line",
    "mrp_production",
    "mrp_workorder",
    "stock_picking",
    "stock_move",
]
LOG_PROBLEM = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) |^Traceback \(most recent call last\)"
)


def fetch(cr, query, params=None):
    cr.execute(query, params)
    return cr.fetchall()


def count(cr, table):
    return fetch(cr, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))[0][0]


def addon_tables(cr):
    """The tables of the addons: ``backward_*`` and the m2m tables they declared."""
    rows = fetch(
        cr,
        r"""
        SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name LIKE 'backward\_%%'
        UNION
        SELECT rel.name FROM ir_model_relation rel
          JOIN ir_module_module mod ON mod.id = rel.module
         WHERE mod.name LIKE 'backward%%'
           AND EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_name = rel.name)
        """,
    )
    return sorted(name for (name,) in rows)


def addon_columns(cr):
    """Non-empty values of every ``backward_*`` column the addons added to Odoo's tables."""
    rows = fetch(
        cr,
        r"""
        SELECT c.table_name, c.column_name FROM information_schema.columns c
          JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.column_name LIKE 'backward\_%%' AND c.table_name NOT LIKE 'backward\_%%'
        """,
    )
    counts = {}
    for table, column in sorted(rows):
        query = sql.SQL("SELECT count(*) FROM {} WHERE {} IS NOT NULL").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        counts[f"{table}.{column}"] = fetch(cr, query)[0][0]
    return counts


def addon_records(cr, model, label):
    """The records of ``model`` with an xmlid of an addon: (xmlid, label) pairs, one per record."""
    query = sql.SQL(
        """
        SELECT min(imd.module || '.' || imd.name), {label}
          FROM ir_model_data imd JOIN {table} rec ON rec.id = imd.res_id
         WHERE imd.model = %s AND imd.module LIKE 'backward%%'
         GROUP BY rec.id, {label} ORDER BY 1
        """
    ).format(label=sql.SQL(label), table=sql.Identifier(model.replace(".", "_")))
    return [list(row) for row in fetch(cr, query, [model])]


def addon_menus(cr):
    """The menus of the addons, each as its path from the top menu."""
    rows = fetch(
        cr,
        r"""
        WITH RECURSIVE path(id, parent_id, label) AS (
            SELECT id, parent_id, name->>'en_US' FROM ir_ui_menu
            UNION ALL
            SELECT path.id, menu.parent_id, (menu.name->>'en_US') || ' / ' || path.label
              FROM path JOIN ir_ui_menu menu ON menu.id = path.parent_id
        )
        SELECT min(imd.module || '.' || imd.name), path.label
          FROM path JOIN ir_model_data imd ON imd.res_id = path.id AND imd.model = 'ir.ui.menu'
         WHERE path.parent_id IS NULL AND imd.module LIKE 'backward%%'
         GROUP BY path.id, path.label ORDER BY 1
        """,
    )
    return [list(row) for row in rows]


def addon_groups(cr):
    """The groups of the addons (an xmlid of theirs, or in their category), with their users."""
    rows = fetch(
        cr,
        r"""
        SELECT g.id, coalesce(cat.name->>'en_US', '') || ' / ' || (g.name->>'en_US'),
               array(SELECT imd.module || '.' || imd.name FROM ir_model_data imd
                      WHERE imd.model = 'res.groups' AND imd.res_id = g.id ORDER BY 1),
               array(SELECT rel.uid FROM res_groups_users_rel rel WHERE rel.gid = g.id ORDER BY 1)
          FROM res_groups g LEFT JOIN ir_module_category cat ON cat.id = g.category_id
         WHERE g.id IN (SELECT res_id FROM ir_model_data WHERE model = 'res.groups' AND module LIKE 'backward%%')
            OR g.category_id IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.module.category'
                                  AND name = 'module_category_backward_management')
         ORDER BY g.id
        """,
    )
    return [{"id": gid, "name": name, "xmlids": xmlids, "users": users} for gid, name, xmlids, users in rows]


def snapshot(cr):
    return {
        "tables": {table: count(cr, table) for table in addon_tables(cr)},
        "documents": {table: count(cr, table) for table in DOCUMENTS},
        "columns": addon_columns(cr),
        "messages": dict(
            fetch(cr, r"SELECT model, count(*) FROM mail_message WHERE model LIKE 'backward.%%' GROUP BY model")
        ),
        "activities": dict(
            fetch(
                cr,
                r"""
                SELECT type.name->>'en_US', count(act.id) FROM mail_activity act
                  JOIN mail_activity_type type ON type.id = act.activity_type_id
                 WHERE type.id IN (SELECT res_id FROM ir_model_data
                                    WHERE model = 'mail.activity.type' AND module LIKE 'backward%%')
                 GROUP BY 1
                """,
            )
        ),
        "groups": addon_groups(cr),
        "crons": addon_records(cr, "ir.cron", "rec.cron_name"),
        "activity_types": addon_records(cr, "mail.activity.type", "rec.name->>'en_US'"),
        "menus": addon_menus(cr),
        "xmlids": dict(
            fetch(
                cr, r"SELECT module, count(*) FROM ir_model_data WHERE module LIKE 'backward%%' GROUP BY 1 ORDER BY 1"
            )
        ),
        "xmlid_names": {
            module: [name for (name,) in fetch(cr, "SELECT name FROM ir_model_data WHERE module = %s", [module])]
            for module in XMLID_OWNERSHIP
        },
        "modules": {
            name: [state, version, demo]
            for name, state, version, demo in fetch(
                cr,
                "SELECT name, state, latest_version, demo FROM ir_module_module WHERE name LIKE 'backward%%'",
            )
        },
    }


# ----------------------------------------------------------------------- comparison


def allowed(key):
    """Why ``key`` (a table, "table.column", a model) may change in an upgrade, or None."""
    return MAY_CHANGE.get(key) or MAY_CHANGE.get(key.split(".")[0])


def compare_counts(title, before, after, problems, changed_only=False):
    """Print before/after of each key; a problem for each one gone or changed."""
    print(f"\n  {title:<58} {'before':>8} {'after':>8}")
    shown = 0
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        note = ""
        if old is None:
            note = "added"
        elif new != old and allowed(key):
            note = f"allowed: {allowed(key)}"
        elif new is None:
            note = "GONE"
            problems.append(f"{title}: {key} is gone after the upgrade (had {old})")
        elif new != old:
            note = "LOST" if new < old else "CHANGED"
            problems.append(f"{title}: {key} had {old}, has {new} after the upgrade")
        if note or not changed_only:
            shown += 1
            print(f"  {key:<58} {'-' if old is None else old:>8} {'-' if new is None else new:>8}  {note}")
    if changed_only and not shown:
        print(f"  (all {len(before)} kept their counts)")


def compare_named(title, before, after, problems):
    """Records of the addons by label (cron, activity type, menu path): none lost, none twice."""
    old, new = Counter(label for _xmlid, label in before), Counter(label for _xmlid, label in after)
    print(f"\n  {title}: {sum(old.values())} before, {sum(new.values())} after")
    for label in sorted(old - new):
        problems.append(f"{title}: {label!r} is gone after the upgrade")
    for label, times in sorted(new.items()):
        if times > 1 and times > old.get(label, 0):
            owners = ", ".join(xmlid for xmlid, other in after if other == label)
            problems.append(f"{title}: {label!r} is there {times} times after the upgrade ({owners})")
    moved = sorted({(a, b) for a, label in before for b, other in after if label == other and a != b})
    for old_xmlid, new_xmlid in moved:
        print(f"    {old_xmlid} -> {new_xmlid}")


def find_group(group, after):
    """The group after the upgrade: renamed xmlid, else the same name in any addon, else the same row."""
    for xmlid in group["xmlids"]:
        wanted = XMLID_RENAMES.get(xmlid)
        candidates = [
            other
            for other in after
            if wanted in other["xmlids"]
            or any(theirs.split(".", 1)[1] == xmlid.split(".", 1)[1] for theirs in other["xmlids"])
        ]
        if candidates:
            return candidates
    return [other for other in after if other["id"] == group["id"]]


def compare_groups(before, after, problems):
    print(f"\n  {'groups (xmlid before -> after)':<58} {'before':>8} {'after':>8}")
    for group in before:
        label = group["xmlids"][0] if group["xmlids"] else group["name"]
        found = find_group(group, after)
        if len(found) != 1:
            problems.append(f"groups: {label} is {'there twice' if found else 'gone'} after the upgrade")
            print(f"  {label:<58} {len(group['users']):>8} {'-':>8}  {'TWICE' if found else 'GONE'}")
            continue
        new = found[0]
        lost = sorted(set(group["users"]) - set(new["users"]))
        target = new["xmlids"][0] if new["xmlids"] else new["name"]
        shown = label if target == label else f"{label} -> {target}"
        if new["id"] != group["id"]:
            shown += f" (row {group['id']} -> {new['id']})"
        print(f"  {shown:<58} {len(group['users']):>8} {len(new['users']):>8}  {'LOST' if lost else ''}")
        if lost:
            problems.append(f"groups: {label} lost the users {lost}")
    names = Counter(group["name"] for group in after)
    for name, times in names.items():
        if times > 1:
            problems.append(f"groups: {name!r} is there {times} times after the upgrade")


def manifest(path):
    return ast.literal_eval((path / "__manifest__.py").read_text())


def check_modules(modules, root, problems):
    """Every addon of ``root`` that the umbrella needs is installed, at its manifest's version."""
    local = {path.parent.name: manifest(path.parent) for path in root.glob("*/__manifest__.py")}
    needed, todo = set(), [UMBRELLA]
    while todo:
        name = todo.pop()
        if name in needed or name not in local:
            continue
        needed.add(name)
        todo.extend(local[name].get("depends", []))
    print("\n  installed addons of this repository:")
    for name, (state, version, demo) in sorted(modules.items()):
        print(f"    {name:<40} {state:<14} {version or '-':<14} {'demo' if demo else ''}")
    for name in sorted(needed):
        wanted = local[name]["version"]
        state, version, _demo = modules.get(name, ["absent", None, False])
        if state != "installed":
            problems.append(f"modules: {name} is {state} after the upgrade")
        elif version != wanted:
            problems.append(f"modules: {name} is at {version} after the upgrade, its manifest says {wanted}")


def check_ownership(names, problems):
    for module, patterns in XMLID_OWNERSHIP.items():
        strays = sorted(name for name in names.get(module, []) if not any(re.match(p, name) for p in patterns))
        for name in strays[:20]:
            problems.append(f"xmlids: {module}.{name} should belong to another addon now")
        if len(strays) > 20:
            problems.append(f"xmlids: and {len(strays) - 20} more of {module}")


def check_log(path, problems):
    lines = Path(path).read_text(errors="replace").splitlines()
    bad = [line for line in lines if LOG_PROBLEM.search(line)]
    warnings = sum(" WARNING " in line for line in lines)
    print(f"\n  upgrade log: {len(bad)} ERROR/CRITICAL/traceback line(s), {warnings} warning(s) ({path})")
    problems.extend(f"log: {line[:200]}" for line in bad[:20])


def compare(before, after, log, root):
    problems = []
    compare_counts("tables of the addons (rows)", before["tables"], after["tables"], problems)
    compare_counts("documents (rows)", before["documents"], after["documents"], problems)
    columns = "non-empty values of the addons' columns on Odoo's tables"
    compare_counts(columns, before["columns"], after["columns"], problems, changed_only=True)
    compare_counts("messages on the addons' records", before["messages"], after["messages"], problems)
    compare_counts("activities of the addons' types", before["activities"], after["activities"], problems)
    compare_groups(before["groups"], after["groups"], problems)
    compare_named("crons", before["crons"], after["crons"], problems)
    compare_named("activity types", before["activity_types"], after["activity_types"], problems)
    compare_named("menus", before["menus"], after["menus"], problems)
    print(f"\n  {'xmlids by addon (information)':<58} {'before':>8} {'after':>8}")
    for module in sorted(set(before["xmlids"]) | set(after["xmlids"])):
        print(f"  {module:<58} {before['xmlids'].get(module, '-'):>8} {after['xmlids'].get(module, '-'):>8}")
    check_ownership(after["xmlid_names"], problems)
    check_modules(after["modules"], root, problems)
    check_log(log, problems)
    return problems


def lose_row(cr, table):
    """The self-test: delete one row of ``table``, the newest first that nothing refers to."""
    rows = fetch(cr, sql.SQL("SELECT ctid::text FROM {} ORDER BY ctid DESC LIMIT 50").format(sql.Identifier(table)))
    for (ctid,) in rows:
        cr.execute("SAVEPOINT lose")
        try:
            cr.execute(sql.SQL("DELETE FROM {} WHERE ctid = %s::tid").format(sql.Identifier(table)), [ctid])
        except psycopg2.IntegrityError:
            cr.execute("ROLLBACK TO SAVEPOINT lose")
            continue
        print(f"  upgrade self-test: deleted the row {ctid} of {table} before the upgrade")
        return 0
    print(f"  upgrade self-test: no row of {table} could be deleted")
    return 1


# ----------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["snapshot", "lose", "compare"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", help="snapshot, compare: where the snapshot is written (JSON)")
    parser.add_argument("--table", help="lose: the table to delete one row of")
    parser.add_argument("--before", help="compare: the snapshot taken before the upgrade")
    parser.add_argument("--log", help="compare: the upgrade's Odoo log")
    parser.add_argument("--addons-root", type=Path, help="compare: the folder of the new addons")
    args = parser.parse_args()
    with psycopg2.connect(dbname=args.database) as connection, connection.cursor() as cr:
        if args.action == "lose":
            return lose_row(cr, args.table)
        state = snapshot(cr)
    Path(args.out).write_text(json.dumps(state, indent=1, sort_keys=True))
    if args.action == "snapshot":
        umbrella, _version, demo = state["modules"].get(UMBRELLA, ["absent", None, False])
        if umbrella != "installed" or not demo:
            print(f"  {UMBRELLA} is {umbrella}, {'with' if demo else 'without'} demo data: nothing to upgrade")
            return 1
        print(
            f"  {sum(state['tables'].values())} rows in {len(state['tables'])} tables of the addons, "
            f"{sum(state['documents'].values())} documents, {len(state['groups'])} groups, "
            f"{len(state['crons'])} crons, {len(state['activity_types'])} activity types, {len(state['menus'])} menus"
        )
        return 0
    problems = compare(json.loads(Path(args.before).read_text()), state, args.log, args.addons_root)
    for problem in problems:
        print(f"  FAILED {problem}")
    print(f"\n  upgrade: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
