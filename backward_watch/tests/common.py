from odoo.addons.backward_plan.tests.common import BackwardCase, DefaultsCase


class WatchMixin:
    """The watch's two scheduled actions, run as Odoo runs them."""

    def _run_watch(self):
        """Both scheduled actions, as Odoo runs them: the watch, then the owners told until done."""
        watch = self.env["backward.watch"]
        watch._cron_backward_watch()
        for _chunk in range(100):
            if not watch._cron_backward_tell():
                break


class WatchCase(WatchMixin, BackwardCase):
    """The plan's factory and parties (no buffers, an hourly grid), watched."""


class WatchDefaultsCase(WatchMixin, DefaultsCase):
    """The factory at the addons' default settings, watched."""
