"""The bridge: a change, a full capacity re-plan and the watch's telling become jobs.

Through Odoo's flow at the addon's default settings (the salesperson confirms, a manager
saves a public holiday, the watch runs); jobs trapped with queue_job's ``trap_jobs`` and
then performed, as a worker would.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.backward_plan.tests.common import DefaultsCase
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from ..models.backward_jobs import LOCKS, REPLAN_BUCKET

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)


@tagged("post_install", "-at_install")
class TestJobs(DefaultsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "bm_jobs_manager",
            groups="base.group_system,mrp.group_mrp_manager,backward_plan.backward_management_group_manager",
        )

    def _holiday(self, order, name="Holiday"):
        """A public holiday on the day the order's bike is assembled: every plan crosses it."""
        bike = self._step(order, "production", self.bike)
        day = datetime.combine(bike.date_start_deadline.date(), datetime.min.time())
        self.env["resource.calendar.leaves"].with_user(self.manager).create(
            {"name": name, "date_from": day, "date_to": day + timedelta(days=1)}
        )

    def _two_buckets(self):
        """Two confirmed orders in two buckets of the re-plan jobs (50 quotations between)."""
        with freeze_time(T0):
            first = self._order(commitment=PROMISE)
            self.env["sale.order"].create([{"partner_id": self.customer.id} for _ in range(REPLAN_BUCKET)])
            second = self._order(commitment=PROMISE)
        self.assertNotEqual(first.id // REPLAN_BUCKET, second.id // REPLAN_BUCKET)
        return first, second

    @staticmethod
    def _jobs(trap, method):
        return len([job for job in trap.enqueued_jobs if job.method_name == method])

    @staticmethod
    def _dispatch(trap):
        """Run the jobs that queue the re-plans, as a worker would: they queue the buckets' jobs."""
        for job in [job for job in trap.enqueued_jobs if job.method_name == "_backward_dispatch_replans"]:
            trap.enqueued_jobs.remove(job)
            job.perform()

    def _marked(self, orders):
        orders.invalidate_recordset(["backward_replan_reason"])
        return orders.filtered("backward_replan_reason")

    def test_a_calendar_change_enqueues_one_job_per_batch_none_twice(self):
        first, second = self._two_buckets()
        with freeze_time(T0), trap_jobs() as trap:
            self._holiday(first)
            self.assertEqual(self._jobs(trap, "_backward_dispatch_replans"), 1, "the saver waits for no queueing")
            self._dispatch(trap)
            self.assertEqual(self._jobs(trap, "_backward_replan_job"), 2)
            self._holiday(first, "Second holiday")  # the same orders again, still queued
            self._dispatch(trap)
            self.assertEqual(self._jobs(trap, "_backward_replan_job"), 2)
            trap.assert_jobs_count(2)
            queued = [order_id for job in trap.enqueued_jobs for order_id in job.recordset.ids]
            self.assertEqual(sorted(queued), sorted((first | second).ids), "each order in one job")
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {"root.backward_management"})
            trap.perform_enqueued_jobs()
        self.assertFalse(self._marked(first | second))
        batches = self.env["backward.replan.batch"].search([("name", "ilike", "holiday")])
        self.assertEqual(batches.mapped("done_count"), [2, 2], "each change re-planned both orders")

    def test_a_job_re_plans_exactly_its_orders(self):
        first, second = self._two_buckets()
        with freeze_time(T0), trap_jobs() as trap:
            self._holiday(first)
            self._dispatch(trap)
            job = next(job for job in trap.enqueued_jobs if second.id in job.recordset.ids)
            job.perform()
        self.assertEqual(self._marked(first | second), first, "the other bucket waits for its own job")

    def test_a_job_that_meets_a_conflict_is_retried_and_nothing_is_lost_nor_doubled(self):
        """Another worker holds the orders (a real lock of another transaction): the job is
        retried; nothing was re-planned; the retry re-plans each order once."""
        first, second = self._two_buckets()
        with freeze_time(T0), trap_jobs() as trap:
            self._holiday(first)
            self._dispatch(trap)
            job = next(job for job in trap.enqueued_jobs if first.id in job.recordset.ids)
            other = sql_db.db_connect(self.env.cr.dbname).cursor()
            try:
                other.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCKS["replan"], first.id // REPLAN_BUCKET))
                with self.assertRaises(RetryableJobError):
                    job.perform()
            finally:
                other.rollback()
                other.close()
            self.assertEqual(self._marked(first | second), first | second, "nothing lost")
            self.assertEqual(job.perform(), 1)
            self.assertEqual(job.perform(), 0, "nothing done twice")
        batch = self.env["backward.replan.batch"].search([("name", "ilike", "holiday")])
        self.assertEqual(sum(batch.mapped("done_count")), 1)

    def test_the_full_capacity_re_plan_is_a_chain_of_jobs(self):
        with Form(self.env["res.config.settings"].with_user(self.manager)) as settings:
            settings.backward_capacity = "finite"
        with freeze_time(T0):
            orders = self._order(commitment=PROMISE) | self._order(commitment=PROMISE)
            with trap_jobs() as trap:
                self.env["backward.capacity"].with_user(self.manager).action_replan_capacity()
                self.assertEqual(self._jobs(trap, "_backward_capacity_job"), 1)
                self.assertEqual(trap.enqueued_jobs[0].recordset, orders)
                productions = orders.sudo().backward_deadline_ids.production_id
                self.assertTrue(all(productions.mapped("backward_capacity_waiting")))
                trap.perform_enqueued_jobs()
        self.assertFalse(any(productions.mapped("backward_capacity_waiting")))
        self.assertTrue(all(productions.workorder_ids.mapped("backward_capacity_start")))

    def test_the_watch_tells_the_owners_through_jobs(self):
        """A wheel purchase late: the watch's telling is a job; performed, the buyer has
        their activity."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
        wheels = self._step(order, "purchase", self.wheel)
        with freeze_time(wheels.date_deadline + timedelta(hours=2)), trap_jobs() as trap:
            self.env["backward.watch"]._cron_backward_watch()
            self.assertEqual(self._jobs(trap, "_backward_tell_job"), 1)
            trap.perform_enqueued_jobs()
        purchase = wheels.purchase_line_id.order_id
        self.assertTrue(purchase.activity_ids, "the buyer was told")

    def test_the_person_who_saved_the_change_is_told_when_its_jobs_are_done(self):
        """The jobs run as the person who saved the holiday: the message still reaches their inbox."""
        self.manager.notification_type = "inbox"
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            with trap_jobs() as trap:
                self._holiday(order)
                self._dispatch(trap)
                trap.perform_enqueued_jobs()
        batch = self.env["backward.replan.batch"].search([("user_id", "=", self.manager.id)])
        self.assertEqual(batch.state, "done")
        told = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.manager.partner_id.id),
                ("notification_type", "=", "inbox"),
                ("mail_message_id.model", "=", batch._name),
                ("mail_message_id.res_id", "=", batch.id),
            ]
        )
        self.assertEqual(len(told), 1)
        self.assertEqual(told.mail_message_id.author_id, self.env.ref("base.partner_root"))

    def test_a_salesperson_who_saved_the_change_is_told_of_the_broken_promise(self):
        """The job runs as the saver, here the order's own salesperson: the warning still reaches them."""
        self.manager.notification_type = "inbox"
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            order.user_id = self.manager
            spare = order.commitment_date - order.backward_earliest_date
            with trap_jobs() as trap:
                # closed from tomorrow for longer than the order's spare time: it cannot fit any more
                for day in range(1, spare.days + 8):
                    start = datetime.combine((T0 + timedelta(days=day)).date(), datetime.min.time())
                    self.env["resource.calendar.leaves"].with_user(self.manager).create(
                        {"name": "Closed", "date_from": start, "date_to": start + timedelta(days=1)}
                    )
                self._dispatch(trap)
                trap.perform_enqueued_jobs()
        self.assertFalse(order.backward_is_feasible)
        told = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.manager.partner_id.id),
                ("mail_message_id.model", "=", "sale.order"),
                ("mail_message_id.res_id", "=", order.id),
                ("mail_message_id.body", "ilike", "can no longer be kept"),
            ]
        )
        self.assertEqual(len(told), 1)

    def test_a_job_opens_its_orders(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._holiday(order)
        dispatch = self.env["queue.job"].search([("method_name", "=", "_backward_dispatch_replans")])
        self.assertEqual(len(dispatch), 1)
        with self.assertRaises(UserError):
            dispatch.open_related_action()  # its orders are in the jobs it queues
        Job.load(self.env, dispatch.uuid).perform()
        job = self.env["queue.job"].search([("method_name", "=", "_backward_replan_job")])
        self.assertEqual(len(job), 1)
        self.assertEqual(job.channel, "root.backward_management")
        action = job.open_related_action()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), order)

    def test_a_change_s_jobs_keep_its_elevation_and_refuse_a_client(self):
        """queue_job keeps the environment a job was queued in: the dispatch, queued as the
        holiday's saver under the re-plan's one elevation, runs as superuser; a client's
        call of it is refused."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._holiday(order)
        dispatch = self.env["queue.job"].search([("method_name", "=", "_backward_dispatch_replans")])
        job = Job.load(self.env, dispatch.uuid)
        self.assertEqual((job.recordset.env.uid, job.recordset.env.su), (self.manager.id, True))
        with self.assertRaises(AccessError):
            self.env["backward.replanner"].with_user(self.manager)._backward_dispatch_replans()
        self.assertFalse(self.env["queue.job"].search([("method_name", "=", "_backward_replan_job")]))
