"""Make the scheduling core importable without Odoo (it never imports it)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backward_plan"))
