"""A quarter of factory life for the demo, lived through Odoo's real documents.

Day by day over the past weeks, with the clock set back (freezegun, one of Odoo's own
requirements): the salesperson confirms orders, the three parties agree their plans, the
buyer confirms the purchases at their order-by date, vendors deliver (some late, more at
first, fewer as the factory learns), the receipts are validated, the manufacturing orders
finished, the deliveries shipped, and the two scheduled actions run every evening. The
upstream owners give their delay reasons, late purchases are reviewed and decided, one
approved penalty is reversed. Nothing writes the addon's tables directly: the demo is also
a run of the whole flow.

Only demo data calls it (demo/backward_management_history.xml); it is not reachable over RPC.
"""

import logging
import random
from datetime import datetime, time, timedelta
from functools import partial

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

DEMO = "backward_management.demo_"
CUSTOMERS = tuple(f"{DEMO}customer_{name}" for name in ("velo", "cycles", "fiets", "urban"))
#: share of handovers late in the first week, and from the tenth on: the method at work
LATE_FIRST, LATE_LAST, LEARNT_BY_WEEK = 0.45, 0.04, 9
#: how late a late workshop or shipment is, in hours (some absorbed by the slack, most not)
LATENESS = (2, 6, 20, 30, 52)
#: how late a late vendor is, in hours: the longer ones re-promise past the slack first
VENDOR_LATENESS = (6, 30, 96, 144)
STATEMENTS = (
    "The assembly line waited for the wheels: half a shift lost.",
    "Frames arrived after the start of the shift; overtime was needed.",
    "The customer delivery was rescheduled by a day.",
)


class BackwardDemo(models.AbstractModel):
    _name = "backward.demo"
    _description = "Backward Management Demo History"

    @api.model
    def _build_history(self, weeks=13, seed=2026):
        """Live ``weeks`` weeks up to today; leave open orders in every situation."""
        if not self.env.su:
            raise AccessError(self.env._("Only the installation builds the demo history."))
        from freezegun import freeze_time  # a requirement of Odoo itself, used by this method only

        rng = random.Random(seed)
        orders = self.env["sale.order"]
        today = fields.Date.context_today(self)
        first = today - timedelta(days=7 * weeks + today.weekday())
        lateness = {}
        for offset in range((today - first).days):
            day = first + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            week = offset // 7
            share = LATE_FIRST + (LATE_LAST - LATE_FIRST) * min(week / LEARNT_BY_WEEK, 1.0)
            if day.weekday() in (0, 2):
                with freeze_time(datetime.combine(day, time(6, 0))):
                    orders |= self._sell(day, rng)
            # an act can free another the same day (a bike made in the morning ships in the
            # afternoon): the day is replayed until nothing more is due, the clock only forward
            clock, done = datetime.combine(day, time(6, 30)), set()
            for _round in range(8):
                acts = [act for act in self._due(orders, day, lateness, rng, share) if act[1] not in done]
                if not acts:
                    break
                for moment, key, act in acts:
                    clock = max(clock, moment)
                    with freeze_time(clock):
                        act()
                    done.add(key)
                    if key[0] == "repromise":
                        lateness[key] = True
            with freeze_time(datetime.combine(day, time(18, 0))):
                self._evening(orders, rng, learnt=min(week / LEARNT_BY_WEEK, 1.0))
        with freeze_time(datetime.combine(today, time(5, 0))):
            self._close_reviews(orders, rng)
        self._present(orders)
        self._evening(orders, rng, learnt=0.0)
        self._decide_today(orders)
        _logger.info("Backward Management demo: %s weeks of history, %s orders", weeks, len(orders))
        return orders

    # ------------------------------------------------------------------ the people

    def _user(self, name):
        return self.env.ref(f"{DEMO}user_{name}")

    def _people(self):
        return self.env["res.users"].browse(
            [self._user(name).id for name in ("sales", "planner", "buyer", "warehouse", "manager")]
        )

    # ------------------------------------------------------------------ the days

    def _sell(self, day, rng):
        """The salesperson confirms an order promised in about three weeks; all agree."""
        sales = self._user("sales")
        promise = day + timedelta(days=rng.choice((23, 24, 25)))
        while promise.weekday() >= 5:
            promise += timedelta(days=1)
        order = (
            self.env["sale.order"]
            .with_user(sales)
            .create(
                {
                    "partner_id": self.env.ref(rng.choice(CUSTOMERS)).id,
                    "user_id": sales.id,
                    "commitment_date": datetime.combine(promise, time(14, 0)),
                    "order_line": [
                        Command.create(
                            {"product_id": self.env.ref(f"{DEMO}product_bike").id, "product_uom_qty": rng.randint(1, 4)}
                        )
                    ],
                }
            )
        )
        order.with_user(sales).action_confirm()
        order.with_user(sales).action_backward_agree_sales()
        order.with_user(self._user("planner")).action_backward_agree_production()
        order.with_user(self._user("buyer")).action_backward_agree_purchase()
        return order

    def _due(self, orders, day, lateness, rng, share):
        """(moment, key, act) due by the end of ``day``, in order: purchases ordered,
        received, orders made, shipped. A vendor is late for a whole purchase order."""
        end = datetime.combine(day, time(17, 0))
        acts = []
        steps = orders.backward_deadline_ids.filtered(lambda step: step.state in ("planned", "in_progress"))

        def late(key, choices=LATENESS):
            if key not in lateness:
                lateness[key] = rng.choice(choices) if rng.random() < share else 0
            return timedelta(hours=lateness[key])

        for step in steps.sorted(lambda step: (step.date_deadline, step.id)):
            early = timedelta(minutes=30)
            if step.kind == "purchase":
                purchase = step.purchase_id
                if purchase.state in ("draft", "sent"):
                    # the buyer orders the day the request appears: each sale its own purchases
                    ordered = datetime.combine(day, time(9, 0))
                    acts.append((ordered, ("order", purchase.id), partial(self._order_purchase, purchase)))
                elif purchase.state == "purchase":
                    delay = late(("purchase", purchase.id), VENDOR_LATENESS)
                    # a vendor delivers on its own date: the receive-by it took, that late, or
                    # the date it re-promised (the line's new date, which it keeps)
                    announced = ("repromise", purchase.id) in lateness
                    due = step.purchase_line_id.date_planned + (timedelta(0) if announced else delay) - early
                    # a re-promise moves an expectation the watch has already seen: a day after ordering
                    repromise = max(due - timedelta(days=3), purchase.date_approve + timedelta(days=1))
                    if (
                        delay > timedelta(hours=8)
                        and repromise < min(due, end)
                        and ("repromise", purchase.id) not in lateness
                    ):
                        acts.append((repromise, ("repromise", purchase.id), partial(self._repromise, purchase, delay)))
                    if due <= end:
                        acts.append((due, ("receive", purchase.id), partial(self._receive, purchase)))
            elif step.kind in ("production", "delivery") and self._inputs_done(step):
                due = step.date_deadline + late(step.id) - early
                if due <= end and step.kind == "production":
                    acts.append((due, ("produce", step.id), partial(self._produce, step.production_id)))
                elif due <= end:
                    acts.append((due, ("ship", step.id), partial(self._ship, step.picking_id)))
        return sorted(acts, key=lambda act: act[0])

    def _inputs_done(self, step):
        inputs = step.upstream_link_ids.filtered(lambda link: link.state != "cancel").upstream_id
        return all(upstream.state == "done" for upstream in inputs)

    # ------------------------------------------------------------------ the acts

    def _order_purchase(self, purchase):
        if purchase.state in ("draft", "sent"):
            purchase.with_user(self._user("buyer")).button_confirm()

    def _repromise(self, purchase, delay):
        """The vendor announces the delay a few days ahead: the lines' dates move."""
        for line in purchase.order_line.filtered(lambda line: not line.qty_received):
            line.with_user(self._user("buyer")).date_planned = line.date_planned + delay

    def _receive(self, purchase):
        for receipt in purchase.picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel")):
            receipt.action_assign()
            for move in receipt.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            receipt.with_user(self._user("warehouse")).button_validate()

    def _produce(self, production):
        if production.state in ("done", "cancel"):
            return
        production = production.with_user(self._user("planner"))
        production.action_assign()
        # nothing tracked: Odoo produces the whole quantity and consumes as planned
        production.button_mark_done()

    def _ship(self, delivery):
        if delivery.state in ("done", "cancel"):
            return
        delivery.action_assign()
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        delivery.with_user(self._user("warehouse")).button_validate()

    def _evening(self, orders, rng, learnt=1.0):
        """The scheduled actions run; the owners answer what they were asked and agree the
        plans that moved (confirming a purchase inserts its receipt and re-plans)."""
        for order in orders.filtered(lambda order: order.backward_plan_state == "proposed"):
            for party, user in (("sales", "sales"), ("production", "planner"), ("purchase", "buyer")):
                needed = party == "sales" or order[f"backward_needs_{party}"]
                if needed and not order[f"backward_{party}_agreed_uid"]:
                    getattr(order.with_user(self._user(user)), f"action_backward_agree_{party}")()
        watch = self.env["backward.watch"]
        watch._cron_backward_watch()
        for _chunk in range(50):
            if not watch._cron_backward_tell():
                break
        asked = self.env["backward.link"].search(
            [
                ("sale_order_id", "in", orders.ids),
                ("reason_id", "=", False),
                ("reason_activity_id", "!=", False),
                ("upstream_user_id", "in", self._people().ids),
            ]
        )
        self._decide_repromises(orders, rng, learnt)
        reasons = self.env["backward.delay.reason"].search([("code", "!=", "UPSTREAM")])
        for link in asked:
            if rng.random() < 0.15:
                continue  # not every owner answers the same evening
            reason = rng.choice(reasons)
            wizard = (
                self.env["backward.reason.wizard"]
                .with_user(link.upstream_user_id)
                .create({"link_id": link.id, "reason_id": reason.id, "note": f"{reason.name}: see the chatter."})
            )
            wizard.action_confirm()

    def _decide_repromises(self, orders, rng, learnt):
        """The receiving side answers the vendors' re-promises: most accepted, some refused.
        In the first weeks the factory has not learnt to: most wait until the parts arrive."""
        waiting = self.env["backward.repromise"].search(
            [("sale_order_id", "in", orders.ids), ("state", "=", "pending")]
        )
        for repromise in waiting:
            asked = repromise.activity_ids.user_id[:1]  # whoever the consent activity went to
            draw = rng.random()
            if not asked or draw < 0.15 or rng.random() > learnt:
                continue  # decided another day
            decider = repromise.with_user(asked)
            if draw < 0.8:
                decider.action_accept()
            else:
                decider._refuse("The line would stop: expedite or find the parts elsewhere.")

    def _present(self, orders):
        """Today, among the open purchases: one vendor announces a delay the slack absorbs,
        another one that threatens the customer (the history may have left none)."""
        links = self.env["backward.link"].search(
            [
                ("sale_order_id", "in", orders.ids),
                ("state", "=", "open"),
                ("upstream_kind", "=", "purchase"),
                ("upstream_id.purchase_id.state", "=", "purchase"),
            ],
            order="date_deadline",
        )
        purchases = links.upstream_id.purchase_id
        delays = (timedelta(days=1), timedelta(days=10), timedelta(days=10), timedelta(days=10))
        for purchase, delay in zip(purchases[:4], delays, strict=False):
            self._repromise(purchase, delay)

    def _decide_today(self, orders):
        """Of today's re-promises past the slack, one accepted, one refused, one left waiting."""
        waiting = self.env["backward.repromise"].search(
            [("sale_order_id", "in", orders.ids), ("state", "=", "pending")], order="id desc", limit=3
        )
        for repromise, accept in zip(waiting[1:], (True, False), strict=False):
            decider = repromise.with_user(repromise.activity_ids.user_id[:1] or self.env.ref("base.user_admin"))
            if accept:
                decider.action_accept()
            else:
                decider._refuse("The line would stop: expedite or find the parts elsewhere.")

    # ------------------------------------------------------------------ the reviews

    def _close_reviews(self, orders, rng):
        """The late purchases are reviewed, answered and decided; one penalty is reversed.

        The receiving side's manager reviews (the warehouse answers to them), the buyer
        answers, another manager decides: each review stops at a different state, so
        that every state shows.
        """
        reviewer, decider = self._user("manager"), self.env.ref("base.user_admin")
        late = self.env["backward.link"].search(
            [
                ("sale_order_id", "in", orders.ids),
                ("state", "=", "done_late"),
                ("upstream_kind", "in", ("purchase", "production")),
                ("upstream_user_id", "in", self._people().ids),
            ],
            order="date_handover",
        )
        stops = ("closed", "upheld", "waived", "disputed", "acknowledged", "submitted", "upheld", "closed", "draft")
        approved = self.env["backward.penalty"]
        for index, link in enumerate(late):
            stop = stops[index % len(stops)] if index < len(late) - 1 else "draft"
            review = self.env["backward.review"].with_user(reviewer).create({"link_id": link.id})
            review.action_propose_penalties()
            if stop == "draft":
                continue
            review.statement = rng.choice(STATEMENTS)
            review.action_submit()
            if stop == "submitted":
                continue
            answered = review.with_user(link.upstream_user_id)
            if stop in ("disputed", "waived"):
                answered.action_dispute("The vendor warned us late; we re-planned the same day.")
            else:
                answered.action_acknowledge()
            if stop in ("acknowledged", "disputed") or decider in review._involved_users():
                continue  # a manager never decides a review they take part in
            decided = review.with_user(decider)
            if stop == "waived":
                decided.action_waive("The vendor's warning came after our order-by date.")
                continue
            decided.action_uphold()
            approved |= review.penalty_ids.filtered(lambda line: line.state == "approved")
            if stop == "closed":
                decided.action_close()
        if approved:
            approved[:1].with_user(decider).action_reverse("Counted twice: the receipt was booked a day late.")
