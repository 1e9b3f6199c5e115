"""Every menu of the backward_* addons opens, for every role that sees it, as the web client opens it.

The menus are found as the home screen finds them (``ir.ui.menu.load_menus``), so a new
menu is covered without touching this file. A click is replayed with the calls the web
client makes: ``/web/action/load`` (the action, cleaned as the controller cleans it),
``/web/action/run`` for a server action, then for a window the views it loads
(``get_views`` with the search view, filters and toolbar) and the first page of its first
view, with the action's domain, context and default filters; a client action's start call.
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from odoo.addons.backward_review.tests.common import ReviewCase
from odoo.addons.web.controllers.utils import clean_action

#: the addons of the method: their menus are the ones tested
MODULE_PREFIX = "backward_"
BACKWARD_USER = "backward_plan.backward_management_group_user"
#: login suffix: groups; the administrator (base.user_admin) is added to them
ROLES = {
    "manager": "backward_plan.backward_management_group_manager",
    "user": BACKWARD_USER,
    "production": f"mrp.group_mrp_user,{BACKWARD_USER}",
    "salesperson": f"sales_team.group_sale_salesman,{BACKWARD_USER}",
    "buyer": f"purchase.group_purchase_user,{BACKWARD_USER}",
    "warehouse": f"stock.group_stock_user,{BACKWARD_USER}",
    # Manufacturing and Sales, no Backward Management group: sees none of the addon's menus
    "outsider": "mrp.group_mrp_user,sales_team.group_sale_salesman",
}
MANAGERS = ("administrator", "manager")
#: the menus (and what is under them) for managers only
MANAGER_MENUS = (
    "backward_plan.backward_management_menu_configuration",
    "backward_capacity.backward_capacity_replan_menu",
)
#: a view's first page, as the web client loads it (the list's default limit)
PAGE = 80


class MenuClient:
    """The calls of the web client when ``user`` clicks a menu, replayed in Python."""

    def __init__(self, test, user):
        self.test = test
        self.user = user
        self.context = dict(user.context_get(), allowed_company_ids=user.company_id.ids)
        self.env = test.env(user=user, context=self.context)

    def menus(self):
        """{xml id: menu} of the addons' menus reachable from the user's home screen."""
        menus = self.env["ir.ui.menu"].load_menus(False)
        reached, todo = {}, list(menus["root"]["children"])
        while todo:
            menu = menus[todo.pop()]
            if menu["xmlid"].startswith(MODULE_PREFIX):
                reached[menu["xmlid"]] = menu
            todo.extend(menu["children"])
        return reached

    def click(self, menu):
        """Open the menu's action as the web client does; a folder opens nothing."""
        if menu["action"]:
            _action_model, action_id = menu["action"].split(",")
            self.do_action(self.load_action(int(action_id)))

    def load_action(self, action_id):
        """/web/action/load (web/controllers/action.py)."""
        action_type = self.env["ir.actions.actions"].browse(action_id).sudo().read(["type"])[0]["type"]
        actions = self.env[action_type].sudo().browse(action_id)
        if action_type == "ir.actions.act_window":
            return clean_action(actions._get_action_dict(), env=self.env)
        return clean_action(actions.read()[0], env=self.env)

    def do_action(self, action, context=None):
        """The action service: run a server action, open a window, start a client action."""
        kind = action["type"]
        if kind == "ir.actions.server":
            server = self.env["ir.actions.server"].with_context(**dict(self.context, **(context or {})))
            result = server.browse(action["id"]).run()
            return self.do_action(clean_action(result, env=self.env)) if result else None
        if kind == "ir.actions.act_window":
            return self.open_window(action)
        if kind == "ir.actions.client":
            return self.start_client_action(action)
        self.test.fail(f"The menus' test does not know how the web client opens a {kind}.")

    def start_client_action(self, action):
        """What a client action asks the server when it starts (see static/src)."""
        tag = action["tag"]
        params = action.get("params") or {}
        if tag == "display_notification":
            return params
        if tag == "backward_timeline.chain_timeline":
            # chain_timeline.js load(): the props of an action opened from a menu
            return self.env["backward.timeline"].get_timeline(
                res_model=params.get("res_model") or None,
                res_ids=params.get("res_ids") or [],
                states=None,
                user_id=None,
            )
        self.test.fail(f"Tell the menus' test what the client action {tag} calls when it starts.")

    def _eval(self, expression, context):
        if not isinstance(expression, str):
            return expression
        values = dict(
            context,
            uid=self.user.id,
            context_today=lambda: fields.Datetime.context_timestamp(self.user, fields.Datetime.now()),
            datetime=safe_datetime,
            time=safe_time,
            relativedelta=relativedelta,
            active_id=False,
            active_ids=[],
            allowed_company_ids=self.user.company_id.ids,
        )
        return safe_eval(expression, values)

    def open_window(self, action):
        """Load the views of the action, then the first page of its first view."""
        context = dict(self.context, **self._eval(action.get("context") or {}, self.context))
        domain = list(self._eval(action.get("domain") or [], context))
        model = self.env[action["res_model"]]
        views = [list(view) for view in action["views"]]
        target = action.get("target") or "current"
        if target != "inline" and not (target == "new" and views[0][1] == "form"):
            search_view = action.get("search_view_id")
            views.append([search_view and search_view[0], "search"])
        # the client sends only the language and the *_view_ref keys to get_views
        view_context = {key: value for key, value in context.items() if key == "lang" or key.endswith("_view_ref")}
        descriptions = model.with_context(**view_context).get_views(
            views, {"action_id": action.get("id") or False, "load_filters": True, "toolbar": True}
        )
        defaults_domain, groupby = self._search_defaults(descriptions["views"].get("search"), context)
        groupby = groupby or context.get("group_by") or []
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
        data_context = {key: value for key, value in context.items() if not key.startswith("search_default_")}
        data_context.pop("group_by", None)
        view_type = views[0][1]
        self._load_first_page(
            model.with_context(**data_context),
            view_type,
            descriptions["views"][view_type]["arch"],
            descriptions["models"][model._name]["fields"],
            domain + defaults_domain,
            groupby,
            action,
        )
        return descriptions

    def _search_defaults(self, search, context):
        """(domain, group by) of the search view's filters set by ``search_default_*`` keys;
        filters of one group (not parted by a separator) are or-ed, groups and-ed."""
        if not search:
            return [], []
        domains, groupby, group = [], [], []

        def close_group():
            if group:
                domains.append(["|"] * (len(group) - 1) + [leaf for filter_domain in group for leaf in filter_domain])
                group.clear()

        def walk(parent):
            for node in parent:
                value = context.get(f"search_default_{node.get('name')}")
                if node.tag == "filter":
                    if value and node.get("domain"):
                        group.append(self._eval(node.get("domain"), context))
                    if value and node.get("context"):
                        groupby.extend(self._group_by(self._eval(node.get("context"), context)))
                    continue
                close_group()
                if node.tag == "group":
                    walk(node)
                elif node.tag == "field" and value:
                    filter_domain = node.get("filter_domain")
                    operator = node.get("operator") or "="
                    domains.append(
                        self._eval(filter_domain, dict(context, self=value))
                        if filter_domain
                        else [(node.get("name"), operator, value)]
                    )

        walk(etree.fromstring(search["arch"]))
        close_group()
        return [leaf for filter_domain in domains for leaf in filter_domain], groupby

    @staticmethod
    def _group_by(context):
        groupby = context.get("group_by") or []
        return [groupby] if isinstance(groupby, str) else list(groupby)

    @staticmethod
    def _spec(arch, fields_info):
        """The fields the view reads, as the web client's specification."""
        spec = {}
        for node in arch.iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue  # a sub-view of an x2many: read with the parent's display names
            name = node.get("name")
            relational = fields_info[name]["type"] in ("many2one", "many2many", "one2many")
            spec[name] = {"fields": {"display_name": {}}} if relational else {}
        return spec

    @staticmethod
    def _measures(fields_info, names):
        return [f"{name}:{fields_info[name].get('aggregator') or 'sum'}" for name in names]

    def _load_first_page(self, model, view_type, arch, fields_info, domain, groupby, action):
        """What each view type asks first (web/static/src/views/*/..._model.js)."""
        arch = etree.fromstring(arch)
        nodes = [node for node in arch.iter("field")]
        if view_type in ("list", "kanban", "hierarchy"):
            if groupby:
                aggregated = [node.get("name") for node in nodes if node.get("sum") or node.get("avg")]
                model.web_read_group(domain, self._measures(fields_info, aggregated), groupby[:1], limit=PAGE)
            else:
                model.web_search_read(
                    domain,
                    self._spec(arch, fields_info),
                    limit=action.get("limit") or PAGE,
                    order=arch.get("default_order") or None,
                    count_limit=10001,
                )
        elif view_type == "form":
            if action.get("res_id"):
                model.browse(action["res_id"]).web_read(self._spec(arch, fields_info))
            else:
                model.onchange({}, [], self._spec(arch, fields_info))
        elif view_type == "pivot":
            rows = [self._grouping(node) for node in nodes if node.get("type") == "row"]
            cols = [self._grouping(node) for node in nodes if node.get("type") == "col"]
            rows = groupby or rows
            measures = [node.get("name") for node in nodes if node.get("type") == "measure"]
            specs = [*self._measures(fields_info, measures), "__count"]
            for row in range(len(rows) + 1):
                for col in range(len(cols) + 1):
                    model.read_group(domain, specs, rows[:row] + cols[:col], lazy=False)
        elif view_type == "graph":
            groups = groupby or [self._grouping(node) for node in nodes if node.get("type") != "measure"]
            measures = [node.get("name") for node in nodes if node.get("type") == "measure"]
            model.with_context(fill_temporal=True).web_read_group(
                domain, self._measures(fields_info, measures[:1]), groups, lazy=False
            )
        else:
            self.test.fail(f"Tell the menus' test how the web client loads a {view_type} view first.")

    @staticmethod
    def _grouping(node):
        return f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")


class MenusCase(TransactionCase):
    """One user per role, and the checks every menu must pass for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {"administrator": cls.env.ref("base.user_admin")}
        for role, groups in ROLES.items():
            cls.roles[role] = new_test_user(cls.env, f"bm_menu_{role}", groups=groups)
        # load_menus is cached per user id: forget what other tests' users saw
        cls.env.registry.clear_cache()

    def _open_every_menu(self):
        """Every role opens every menu of the addon it sees; returns {role: xml ids seen}."""
        seen = {}
        for role, user in self.roles.items():
            client = MenuClient(self, user)
            seen[role] = menus = client.menus()
            for xmlid, menu in menus.items():
                with self.subTest(role=role, menu=xmlid):
                    client.click(menu)
        return seen


@tagged("post_install", "-at_install")
class TestMenus(MenusCase):
    """The menus on a database without any plan yet."""

    def test_every_menu_opens_for_every_role_that_sees_it(self):
        """No menu of the addon errors, for any role, on an empty plan."""
        seen = self._open_every_menu()
        addon_menus = self.env["ir.model.data"].search(
            [("module", "=like", f"{MODULE_PREFIX}%"), ("model", "=", "ir.ui.menu")]
        )
        self.assertEqual(
            set(seen["administrator"]),
            {f"{data.module}.{data.name}" for data in addon_menus},
            "the administrator sees every menu of the addon: each one is opened at least once",
        )
        self.assertEqual(
            {xmlid.split(".")[0] for xmlid in seen["administrator"]},
            {"backward_plan", "backward_capacity", "backward_watch", "backward_review", "backward_timeline"},
            "every layer's menus are opened",
        )
        self.assertIn("backward_capacity.backward_capacity_load_mrp_menu", seen["production"])

    def test_configuration_and_capacity_re_plan_are_for_managers_only(self):
        """Managers see Configuration and Re-plan Capacity, other users neither; a user
        without a Backward Management group sees none of the addon's menus."""
        for role, user in self.roles.items():
            seen = set(MenuClient(self, user).menus())
            for name in MANAGER_MENUS:
                with self.subTest(role=role, menu=name):
                    self.assertEqual(name in seen, role in MANAGERS)
        self.assertFalse(MenuClient(self, self.roles["outsider"]).menus())

    def test_work_center_load_is_refused_to_who_may_not_read_it(self):
        """An employee without the addon's or Manufacturing's groups cannot run the report."""
        employee = new_test_user(self.env, "bm_menu_employee", groups="base.group_user")
        action = self.env.ref("backward_capacity.backward_capacity_load_action")
        with self.assertRaises(AccessError):
            MenuClient(self, employee).do_action({"type": "ir.actions.server", "id": action.id})


T_PLANNED = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels


@tagged("post_install", "-at_install")
class TestMenusWithAPlan(MenusCase, ReviewCase):
    """The menus with a confirmed order whose chain runs late, watched and reviewed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the parties of the late chain see its links, reviews and penalties
        cls.roles.update(
            {
                "order's salesperson": cls.salesperson,
                "bike's production": cls.planner_user,
                "wheels' buyer": cls.buyer,
                "reviews' manager": cls.manager,
            }
        )

    def test_every_menu_opens_with_a_late_chain(self):
        """No menu of the addon errors, for any role, with a plan, late links and a review."""
        order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            self._open_review(wheels)
            seen = self._open_every_menu()
            buyer = MenuClient(self, self.buyer)
            timeline = buyer.do_action(buyer.load_action(self.env.ref("backward_timeline.backward_timeline_action").id))
        self.assertFalse(self.buyer.has_group("sales_team.group_sale_salesman"))
        self.assertEqual({row["order_id"] for row in timeline["rows"]}, {order.id}, "the buyer sees the plan's chains")
        self.assertIn("backward_capacity.backward_capacity_load_menu", seen["user"])
        load = self.env["backward.capacity.load"].search([("workcenter_id", "=", self.assembly.id)])
        self.assertTrue(load, "the bike's assembly is on the Work Center Load")

    def test_a_plain_user_cannot_re_plan_capacity_from_its_action(self):
        """Re-plan Capacity run by a plain user is refused and re-plans nothing; a manager's
        run gives the urgent order the slot nearest its promise."""
        with Form(self.env["res.config.settings"].with_user(self.roles["administrator"])) as settings:
            settings.backward_capacity = "finite"
        action = {
            "type": "ir.actions.server",
            "id": self.env.ref("backward_capacity.backward_capacity_replan_action").id,
        }
        with freeze_time(T_PLANNED):
            normal = self._order(quantity=8)
            urgent = self._order(quantity=8, confirm=False)
            urgent.with_user(self.salesperson).backward_priority = "1"
            urgent.with_user(self.salesperson).action_confirm()
            workorders = (normal | urgent).sudo().backward_deadline_ids.production_id.workorder_ids
            before = workorders.read(["date_start", "date_finished"])
            self.assertGreater(self._assembly(normal).date_start, self._assembly(urgent).date_start)
            for role in ("user", "production"):
                with self.subTest(role=role), self.assertRaises(AccessError):
                    MenuClient(self, self.roles[role]).do_action(action)
                self.assertEqual(workorders.read(["date_start", "date_finished"]), before)
            result = MenuClient(self, self.roles["manager"]).do_action(action)
        self.assertEqual(result["type"], "success", result["message"])
        self.assertGreater(self._assembly(urgent).date_start, self._assembly(normal).date_start)

    def _assembly(self, order):
        workorders = order.sudo().backward_deadline_ids.production_id.workorder_ids
        return workorders.filtered(lambda workorder: workorder.workcenter_id == self.assembly)

    def test_a_salesperson_re_plans_an_order_from_its_action_menu(self):
        """The Re-plan Backward action of the sale order's Action menu: offered to and run by
        the order's salesperson; not offered to, and refused for, a user without the addon's
        groups."""
        action = self.env.ref("backward_plan.sale_order_action_backward_plan")
        with freeze_time(T_PLANNED):
            order = self._order()
            frame = order.sudo().backward_deadline_ids.filtered(lambda deadline: deadline.product_id == self.frame)
            team = self.env["backward.team"].create({"name": "Welders", "member_ids": [(4, self.planner_user.id)]})
            frame.production_id.user_id = self.planner_user
            active = {"active_model": "sale.order", "active_id": order.id, "active_ids": order.ids}
            for user, offered in ((self.salesperson, True), (self.roles["outsider"], False)):
                views = MenuClient(self, user).env["sale.order"].get_views([[False, "form"]], {"toolbar": True})
                bound = [item["id"] for item in views["views"]["form"]["toolbar"].get("action", [])]
                self.assertEqual(action.id in bound, offered, user.login)
            run = {"type": "ir.actions.server", "id": action.id}
            with self.assertRaises(AccessError):
                MenuClient(self, self.roles["outsider"]).do_action(run, active)
            self.assertFalse(frame.team_id, "refused: nothing re-planned")
            MenuClient(self, self.salesperson).do_action(run, active)
        self.assertEqual(frame.team_id, team, "re-planned: the step went to its owner's team")
