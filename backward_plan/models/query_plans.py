"""How PostgreSQL runs the addon's few large statements."""

from contextlib import contextmanager

from odoo.tools import SQL

# PostgreSQL compiles (JIT) a statement whose estimated cost passes ``jit_above_cost``. The
# chain walk and the watch's statements are estimated thousands of times dearer than they
# are (a recursive walk is guessed to reach a table's worth of moves; it reaches a few per
# order): compiling them costs a quarter of a second each, a hundred times running them.
NO_JIT = SQL("SET LOCAL jit = off")


@contextmanager
def without_jit(cr):
    """Run the statements inside without JIT compilation; the transaction's setting is
    restored after them (a request that confirms an order keeps what its server chose)."""
    cr.execute(SQL("SELECT current_setting('jit')"))
    previous = cr.fetchone()[0]
    if previous == "off":
        yield
        return
    cr.execute(NO_JIT)
    try:
        yield
    finally:
        cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))
