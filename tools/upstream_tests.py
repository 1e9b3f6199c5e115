"""Run Odoo's own tests of some modules with the whole registry loaded; list what fails.

Fed to ``odoo-bin shell`` on standard input by ``./dev test upstream``, once on a database
with the addon and once on one without it: ``--test-tags`` would run the at-install tests
before the addon is loaded, so the addon's overrides would not be exercised. Both positions
(at_install, post_install) run here, after every module is loaded.

Environment: ``BM_UPSTREAM_MODULES`` (comma-separated modules), ``BM_UPSTREAM_OUT`` (the file
that receives one failing test id a line, sorted).
"""
# ruff: noqa: F821  (``env`` is given by odoo-bin shell)

import os
import threading

from odoo.modules import module as odoo_module
from odoo.tests import loader
from odoo.tests.result import OdooTestResult
from odoo.tools import config


class Collecting(OdooTestResult):
    """Odoo's result, keeping the id of every test that fails or errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.failed = set()

    def addError(self, test, err):
        self.failed.add(test.id())
        super().addError(test, err)

    def addFailure(self, test, err):
        self.failed.add(test.id())
        super().addFailure(test, err)

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.failed.add(test.id())
        super().addSubTest(test, subtest, err)


modules = os.environ["BM_UPSTREAM_MODULES"].split(",")
config["test_enable"] = True
config["test_tags"] = ",".join(f"/{module}" for module in modules)
env.cr.rollback()  # the tests open cursors of their own; hold no transaction meanwhile
# as odoo.tests.loader.run_suite does
odoo_module.current_test = True
threading.current_thread().testing = True
failed, run = set(), 0
for position in ("at_install", "post_install"):
    result = Collecting()
    loader.make_suite(modules, position)(result)
    failed |= result.failed
    run += result.testsRun
with open(os.environ["BM_UPSTREAM_OUT"], "w") as out:
    out.write("".join(f"{test}\n" for test in sorted(failed)))
print(f"upstream: {len(failed)} failed of {run} tests")
