"""The addons are layers: each calls down only, and elevates rarely.

Read from the sources, without Odoo: each addon's Python may name (``env["..."]``,
``_inherit``, a relational field's comodel, ``odoo.addons.<addon>`` imports) only the
models and modules of itself and of the addons it depends on (directly or not), and
``sudo()`` stays at most 4 per 1,000 lines of Python outside tests.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent.name for path in ROOT.glob("*/__manifest__.py") if path.parent.name.startswith("backward_"))
SUDO_PER_1000_LINES = 4
MODEL_NAME = re.compile(r"backward\.[a-z_.]+")


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())


def ancestors(addon):
    """The backward addons ``addon`` depends on, directly or not, and itself."""
    found, todo = set(), [addon]
    while todo:
        current = todo.pop()
        if current in found or current not in ADDONS:
            continue
        found.add(current)
        todo += manifest(current).get("depends", [])
    return found


def python_files(addon, tests=False):
    for path in sorted((ROOT / addon).rglob("*.py")):
        if ("tests" in path.relative_to(ROOT / addon).parts) == tests:
            yield path


def defined_models(addon):
    """The models ``addon`` creates (``_name`` of a class whose ``_inherit`` is not the same)."""
    models = set()
    for path in python_files(addon):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                values = {
                    target.id: statement.value
                    for statement in node.body
                    if isinstance(statement, ast.Assign)
                    for target in statement.targets
                    if isinstance(target, ast.Name)
                }
                name = values.get("_name")
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    models.add(name.value)
    return models


OWNER = {model: addon for addon in ADDONS for model in defined_models(addon)}


def named_models(path):
    """(line, model name) of every backward model a Python file names in a string."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and MODEL_NAME.fullmatch(node.value):
            yield node.lineno, node.value


def imported_addons(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("odoo.addons.backward_"):
            yield node.lineno, node.module.split(".")[2]


def test_the_addons_are_found():
    assert {"backward_plan", "backward_management"} <= set(ADDONS)
    assert set(OWNER.values()) >= {"backward_plan"}


@pytest.mark.parametrize("addon", ADDONS)
def test_an_addon_names_only_the_models_of_the_addons_below_it(addon):
    below = ancestors(addon)
    reaching_up = []
    for tests in (False, True):
        for path in python_files(addon, tests):
            for line, model in named_models(path):
                owner = OWNER.get(model)
                if owner and owner not in below:
                    reaching_up.append(f"{path.relative_to(ROOT)}:{line} names {model} of {owner}")
            for line, module in imported_addons(path):
                if module not in below:
                    reaching_up.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not reaching_up, "\n".join(reaching_up)


def test_sudo_is_rare():
    lines = sudo = 0
    for addon in ADDONS:
        for path in python_files(addon):
            text = path.read_text()
            lines += len(text.splitlines())
            sudo += text.count(".sudo(")
    assert sudo * 1000 <= SUDO_PER_1000_LINES * lines, f"{sudo} sudo() in {lines} lines"
