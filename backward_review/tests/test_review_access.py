"""The penalty ledger cannot be forged: every role tries every act, as a client would.

Each cell of the matrix (role x act x review state) is run through the ORM as the real
user, the way an RPC client calls it. An allowed act must go through; a forbidden one must
raise AccessError or UserError and leave every row of the review and its lines as it was.
Every cell is rolled back afterwards, so that the next starts from the same fixture.
"""

import logging

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ReviewCase

_logger = logging.getLogger(__name__)


class NotSeen(Exception):
    """A search that leaves the record out: the read is refused without an error."""


ROLES = (
    "user",
    "reviewer",
    "reviewed",
    "team_manager",
    "manager",
    "named_manager",
    "other_company",
    "portal",
    "public",
    "employee",
)
# Who may do what; everything not listed here is forbidden.
READERS = {"reviewer", "reviewed", "team_manager", "manager", "named_manager"}
PROPOSERS = {"reviewer", "team_manager", "manager"}
ANSWERERS = {"reviewed", "manager"}
DECIDERS = {"manager"}
REVIEW_GUARDED = (
    "state",
    "name",
    "link_id",
    "party_key",
    "date_deadline",
    "date_handover",
    "lateness_hours",
    "dispute_explanation",
    "decision_reason",
    "decided_by_id",
    "date_decided",
    "submitted_by_id",
    "upstream_user_id",
    "downstream_user_id",
    "company_id",
)
PENALTY_GUARDED = ("state", "approved_by_id", "date_approved", "reversed_id", "reversal_reason", "lateness_hours")


@tagged("post_install", "-at_install")
class TestReviewAccess(ReviewCase):
    """Role x act x state: allowed acts go through, forbidden ones change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.plain_user = new_test_user(env, "bm_plain_user", groups="backward_plan.backward_management_group_user")
        cls.team_manager = new_test_user(
            env, "bm_team_manager", groups="mrp.group_mrp_user,backward_plan.backward_management_group_user"
        )
        cls.named_manager = new_test_user(
            env, "bm_named_manager", groups="backward_plan.backward_management_group_manager"
        )
        other = env["res.company"].create({"name": "Elsewhere Bikes"})
        cls.other_company_user = new_test_user(
            env,
            "bm_other_company",
            groups="backward_plan.backward_management_group_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        cls.portal = new_test_user(env, "bm_access_portal", groups="base.group_portal")
        cls.employee = new_test_user(env, "bm_access_employee", groups="base.group_user")
        # production's team: its manager is on the downstream side of the wheels
        cls.assembly_team = env["backward.team"].create(
            {"name": "Assembly", "manager_id": cls.team_manager.id, "member_ids": [(6, 0, cls.planner_user.ids)]}
        )
        cls.users = {
            "user": cls.plain_user,
            "reviewer": cls.planner_user,
            "reviewed": cls.buyer,
            "team_manager": cls.team_manager,
            "manager": cls.manager,
            "named_manager": cls.named_manager,
            "other_company": cls.other_company_user,
            "portal": cls.portal,
            "public": env.ref("base.public_user"),
            "employee": cls.employee,
        }

    # ------------------------------------------------------------------ fixture

    def _review_in(self, state):
        """A review of the late wheels in ``state``: a vendor line (60%) and one naming a manager (40%)."""
        _order, wheels, output, moment = self._late_chain()
        self.frozen = freeze_time(moment)
        self.frozen.start()
        self.addCleanup(self.frozen.stop)
        self._watch()
        self.assertEqual(wheels.downstream_team_id, self.assembly_team)
        review = self._open_review(wheels)
        review.penalty_ids.with_user(self.planner_user).write({"share": 60})
        self.env["backward.penalty"].with_user(self.planner_user).create(
            {
                "review_id": review.id,
                "link_id": wheels.id,
                "party_type": "user",
                "user_id": self.named_manager.id,
                "share": 40,
                "points": 2,
            }
        )
        review.with_user(self.planner_user).statement = "The assembly line waited half a shift."
        if state != "draft":
            review.with_user(self.planner_user).action_submit()
        if state in ("acknowledged", "upheld"):
            review.with_user(self.buyer).action_acknowledge()
        if state == "disputed":
            review.with_user(self.buyer).action_dispute("Not all ours.")
        if state == "upheld":
            review.with_user(self.manager).action_uphold()
        self.assertEqual(review.state, state)
        self.review, self.wheels, self.output = review, wheels, output
        self.vendor_line = review.penalty_ids.filtered(lambda line: line.party_type == "vendor")
        self.named_line = review.penalty_ids - self.vendor_line
        return review

    def _snapshot(self):
        """Every row of reviews and penalties, as PostgreSQL has them."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT 'review', row_to_json(r)::text FROM backward_review r "
            "UNION ALL SELECT 'penalty', row_to_json(p)::text FROM backward_penalty p ORDER BY 1, 2"
        )
        return self.env.cr.fetchall()

    # ------------------------------------------------------------------ the acts

    def _acts(self, state):
        """[(name, callable(env of the role), roles allowed in this state)]."""
        review, vendor_line, named_line = self.review, self.vendor_line, self.named_line
        draft = state == "draft"
        deciding = state in ("acknowledged", "disputed")

        def found(records, model_env):
            if records.id not in model_env.search([("id", "=", records.id)]).ids:
                raise NotSeen("not found")

        def grouped(model_env, record):
            groups = model_env.read_group([("id", "=", record.id)], [], [])
            if not groups or not groups[0]["__count"]:
                raise NotSeen("not counted")

        def named(model_env, record):
            if record.id not in [row[0] for row in model_env.name_search(record.name, limit=100)]:
                raise NotSeen("not found by name")

        acts = [
            ("read review", lambda env: review.with_env(env).read(["state", "statement"]), READERS),
            ("read penalties", lambda env: vendor_line.with_env(env).read(["points", "state"]), READERS),
            ("search reviews", lambda env: found(review, env["backward.review"]), READERS),
            ("search penalties", lambda env: found(vendor_line, env["backward.penalty"]), READERS),
            ("read_group reviews", lambda env: grouped(env["backward.review"], review), READERS),
            ("read_group penalties", lambda env: grouped(env["backward.penalty"], vendor_line), READERS),
            ("name_search penalties", lambda env: named(env["backward.penalty"], vendor_line), READERS),
            (
                "create a review of the bike's late output",
                lambda env: env["backward.review"].create({"link_id": self.output.id}),
                {"manager", "named_manager"},
            ),
            (
                "create a review already open",
                lambda env: env["backward.review"].create({"link_id": self.wheels.id}),
                set(),
            ),
            (
                "create a penalty line",
                lambda env: env["backward.penalty"].create(
                    {
                        "review_id": review.id,
                        "link_id": self.wheels.id,
                        "party_type": "vendor",
                        "vendor_id": self.vendor.id,
                        "share": 0,
                        "points": 1,
                    }
                ),
                PROPOSERS if draft else set(),
            ),
            (
                "create an approved penalty line",
                lambda env: env["backward.penalty"].create(
                    {
                        "review_id": review.id,
                        "link_id": self.wheels.id,
                        "party_type": "vendor",
                        "vendor_id": self.vendor.id,
                        "share": 0,
                        "state": "approved",
                    }
                ),
                set(),
            ),
            (
                "write the statement",
                lambda env: review.with_env(env).write({"statement": "Something else"}),
                PROPOSERS if draft else set(),
            ),
            ("unlink the review", lambda env: review.with_env(env).unlink(), DECIDERS if draft else set()),
            ("write points", lambda env: vendor_line.with_env(env).write({"points": 0}), PROPOSERS if draft else set()),
            ("write share", lambda env: vendor_line.with_env(env).write({"share": 100}), PROPOSERS if draft else set()),
            (
                "move a line to another party",
                lambda env: vendor_line.with_env(env).write(
                    {"party_type": "user", "user_id": self.salesperson.id, "vendor_id": False}
                ),
                PROPOSERS if draft else set(),
            ),
            (
                "move a manager's own line away",
                lambda env: named_line.with_env(env).write({"user_id": self.salesperson.id}),
                PROPOSERS if draft else set(),
            ),
            ("unlink a line", lambda env: vendor_line.with_env(env).unlink(), PROPOSERS if draft else set()),
            (
                "propose penalties",
                lambda env: review.with_env(env).action_propose_penalties(),
                PROPOSERS if draft else set(),
            ),
            ("submit", lambda env: review.with_env(env).action_submit(), PROPOSERS if draft else set()),
            (
                "acknowledge",
                lambda env: review.with_env(env).action_acknowledge(),
                ANSWERERS if state == "submitted" else set(),
            ),
            (
                "dispute",
                lambda env: review.with_env(env).action_dispute("Not ours."),
                ANSWERERS if state == "submitted" else set(),
            ),
            (
                "uphold",
                lambda env: review.with_env(env).action_uphold(),
                DECIDERS if deciding else set(),
            ),
            (
                "waive",
                lambda env: review.with_env(env).action_waive("Force majeure."),
                DECIDERS if deciding else set(),
            ),
            (
                "amend the shares",
                lambda env: review.with_env(env).action_amend_shares(
                    {vendor_line.id: 40, named_line.id: 60}, "The dispute showed who was late."
                ),
                DECIDERS if state == "disputed" else set(),
            ),
            (
                "amend the shares through the form",
                lambda env: (
                    env["backward.review.amend.wizard"]
                    .create(
                        {
                            "review_id": review.id,
                            "reason": "The dispute showed who was late.",
                            "line_ids": [
                                Command.create({"penalty_id": vendor_line.id, "share": 40}),
                                Command.create({"penalty_id": named_line.id, "share": 60}),
                            ],
                        }
                    )
                    .action_confirm()
                ),
                DECIDERS if state == "disputed" else set(),
            ),
            ("close", lambda env: review.with_env(env).action_close(), DECIDERS if state == "upheld" else set()),
            (
                "reverse a penalty",
                lambda env: vendor_line.with_env(env).action_reverse("Wrong party."),
                DECIDERS if state == "upheld" else set(),
            ),
            (
                "reverse one's own penalty",
                lambda env: named_line.with_env(env).action_reverse("Not me."),
                DECIDERS if state == "upheld" else set(),
            ),
        ]

        def sneak_penalty(env):
            """Propose a line with the ledger's fields sent as context defaults."""
            line = (
                env["backward.penalty"]
                .with_context(
                    default_state="approved",
                    default_approved_by_id=self.manager.id,
                    default_date_approved=fields.Datetime.now(),
                    default_reversed_id=named_line.id,
                    default_reversal_reason="forged",
                )
                .create(
                    {
                        "review_id": review.id,
                        "link_id": self.wheels.id,
                        "party_type": "vendor",
                        "vendor_id": self.vendor.id,
                        "share": 0,
                        "points": 1,
                    }
                )
            )
            line = line.sudo()
            self.assertEqual(line.state, "proposed", "a default state is no approval")
            self.assertFalse(line.approved_by_id or line.date_approved or line.reversed_id or line.reversal_reason)

        def sneak_review(env):
            """Open a review with its decision sent as context defaults."""
            opened = (
                env["backward.review"]
                .with_context(
                    default_state="upheld",
                    default_decided_by_id=self.manager.id,
                    default_decision_reason="forged",
                    default_submitted_by_id=self.manager.id,
                )
                .create({"link_id": self.output.id})
                .sudo()
            )
            self.assertEqual(opened.state, "draft", "a default state is no decision")
            self.assertFalse(opened.decided_by_id or opened.decision_reason or opened.submitted_by_id)

        acts += [
            (
                "create a penalty line with forged context defaults",
                sneak_penalty,
                PROPOSERS if draft else set(),
            ),
            ("create a review with forged context defaults", sneak_review, {"manager", "named_manager"}),
        ]
        forged_review = {
            "state": "upheld",
            "name": "FORGED",
            "link_id": self.output.id,
            "party_key": "user:0",
            "date_deadline": fields.Datetime.now(),
            "date_handover": fields.Datetime.now(),
            "lateness_hours": 0.0,
            "dispute_explanation": "forged",
            "decision_reason": "forged",
            "decided_by_id": self.manager.id,
            "date_decided": fields.Datetime.now(),
            "submitted_by_id": self.manager.id,
            "upstream_user_id": self.manager.id,
            "downstream_user_id": self.manager.id,
            "company_id": self.other_company_user.company_id.id,
        }
        for name in REVIEW_GUARDED:
            acts.append(
                (
                    f"write review.{name}",
                    lambda env, name=name: review.with_env(env).write({name: forged_review[name]}),
                    set(),
                )
            )
        forged_penalty = {
            "state": "approved" if state != "upheld" else "proposed",
            "approved_by_id": self.manager.id,
            "date_approved": fields.Datetime.now(),
            "reversed_id": named_line.id,
            "reversal_reason": "forged",
            "lateness_hours": 0.0,
        }
        for name in PENALTY_GUARDED:
            acts.append(
                (
                    f"write penalty.{name}",
                    lambda env, name=name: vendor_line.with_env(env).write({name: forged_penalty[name]}),
                    set(),
                )
            )
        return acts

    # ------------------------------------------------------------------ the matrix

    def _run_matrix(self, state):
        self._review_in(state)
        cells = 0
        for act, call, allowed in self._acts(state):
            for role in ROLES:
                user = self.users[role]
                cells += 1
                with self.subTest(state=state, role=role, act=act):
                    before = self._snapshot()
                    savepoint = self.env.cr.savepoint()
                    # nothing cached: every read of the act goes through the access checks
                    self.env.invalidate_all()
                    env = self.env(user=user, su=False)
                    try:
                        if role in allowed:
                            call(env)
                            self.env.flush_all()
                            continue
                        # not Odoo's assertRaises: its savepoint would undo what we compare
                        try:
                            call(env)
                        except (AccessError, UserError, NotSeen) as error:
                            refusal = error
                        else:
                            self.fail(f"{role} may not {act} on a {state} review, yet it went through")
                        self.assertTrue(str(refusal).strip(), "the refusal says why")
                        self.assertEqual(self._snapshot(), before, f"{role} changed something trying to {act}")
                    finally:
                        savepoint.close(rollback=True)
                        self.env.invalidate_all()
        _logger.info("review access matrix, %s review: %s cells (roles x acts)", state, cells)
        return cells

    def test_matrix_on_a_draft_review(self):
        """A draft: the downstream side and uninvolved managers propose; nobody forges anything."""
        self._run_matrix("draft")

    def test_matrix_on_a_submitted_review(self):
        """Submitted: only the upstream side or an uninvolved manager answers."""
        self._run_matrix("submitted")

    def test_matrix_on_a_disputed_review(self):
        """Disputed: only an uninvolved manager named on no line amends the shares, upholds or waives."""
        self._run_matrix("disputed")

    def test_matrix_on_an_acknowledged_review(self):
        """Acknowledged: only an uninvolved manager decides."""
        self._run_matrix("acknowledged")

    def test_matrix_on_an_upheld_review(self):
        """Upheld: the lines are frozen for everyone; only an uninvolved manager reverses or closes."""
        self._run_matrix("upheld")


@tagged("post_install", "-at_install")
class TestReviewRoles(ReviewCase):
    """Each role does its part of the legitimate workflow and sees what it should."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.team_manager = new_test_user(
            env, "bm_roles_team_manager", groups="mrp.group_mrp_user,backward_plan.backward_management_group_user"
        )
        cls.welder = new_test_user(env, "bm_roles_welder", groups="backward_plan.backward_management_group_user")
        cls.assembly_team = env["backward.team"].create(
            {
                "name": "Assembly",
                "manager_id": cls.team_manager.id,
                "member_ids": [(6, 0, (cls.planner_user | cls.welder).ids)],
            }
        )
        cls.purchase_only = new_test_user(env, "bm_roles_purchase_only", groups="purchase.group_purchase_user")
        cls.bm_purchase = new_test_user(
            env,
            "bm_roles_bm_purchase",
            groups="purchase.group_purchase_user,backward_plan.backward_management_group_user",
        )

    def test_the_team_manager_runs_the_review_for_the_team(self):
        """The downstream team's manager opens, proposes, submits; the buyer disputes; a manager waives."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            self.assertEqual(wheels.downstream_team_id, self.assembly_team)
            review = self._open_review(wheels, user=self.team_manager)
            self.assertEqual(review.party_key, f"team:{self.assembly_team.id}")
            review.with_user(self.team_manager).action_propose_penalties()
            self._submit(review, "The line stood still.", user=self.team_manager)
            self.assertEqual(review.submitted_by_id, self.team_manager)
            review.with_user(self.buyer).action_dispute("The vendor's truck broke down.")
            with self.assertRaisesText(AccessError, "Only a Backward Management manager"):
                review.with_user(self.team_manager).action_waive("reason")
            review.with_user(self.manager).action_waive("Nobody could foresee it.")
            self.assertEqual((review.state, review.decided_by_id), ("waived", self.manager))
            review.with_user(self.manager).action_close()
            self.assertEqual(review.state, "closed")

    def test_a_manager_who_reviewed_does_not_decide(self):
        """A manager who opened and submitted a review on behalf of the downstream side is involved."""
        other_manager = new_test_user(
            self.env, "bm_roles_other_manager", groups="backward_plan.backward_management_group_manager"
        )
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels, user=self.manager)
            self._submit(review, "Half a shift lost.", user=self.manager)
            review.with_user(self.buyer).action_acknowledge()
            with self.assertRaisesText(AccessError, "another manager must decide"):
                review.with_user(self.manager).action_uphold()
            self.assertEqual(review.state, "acknowledged")
            review.with_user(other_manager).action_uphold()
            self.assertEqual(review.penalty_ids.approved_by_id, other_manager)

    def test_a_manager_who_answered_does_not_decide(self):
        """A manager who acknowledged for the upstream side is involved too: another decides."""
        other_manager = new_test_user(
            self.env, "bm_roles_answering_manager", groups="backward_plan.backward_management_group_manager"
        )
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            self._submit(review, "Half a shift lost.")
            review.with_user(self.manager).action_acknowledge()
            self.assertEqual(review.answered_by_id, self.manager)
            self.assertIn(self.manager, review.involved_user_ids)
            for decide in (lambda r: r.action_uphold(), lambda r: r.action_waive("Mine to forgive.")):
                with self.assertRaisesText(AccessError, "another manager must decide"):
                    decide(review.with_user(self.manager))
                self.assertEqual(review.state, "acknowledged")
                self.assertFalse(review.decided_by_id)
            review.with_user(other_manager).action_uphold()
            self.assertEqual((review.state, review.decided_by_id), ("upheld", other_manager))

    def test_who_sees_which_review_and_line(self):
        """Parties see their reviews, team managers their team's, purchase users the vendors' lines."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            # a second line penalises the welder, a member of the team
            self.env["backward.penalty"].create(
                {
                    "review_id": review.id,
                    "link_id": wheels.id,
                    "party_type": "user",
                    "user_id": self.welder.id,
                    "share": 0,
                }
            )
            vendor_line = review.penalty_ids.filtered(lambda line: line.party_type == "vendor")
            welder_line = review.penalty_ids - vendor_line

            def seen(user, model):
                records = review if model == "backward.review" else review.penalty_ids
                return self.env[model].with_user(user).search([("id", "in", records.ids)])

            self.assertEqual(seen(self.welder, "backward.penalty"), welder_line, "one's own line only")
            self.assertEqual(seen(self.welder, "backward.review"), review, "the review that penalises them")
            self.assertEqual(seen(self.team_manager, "backward.penalty"), vendor_line | welder_line)
            self.assertEqual(seen(self.bm_purchase, "backward.penalty"), vendor_line, "the vendors' lines")
            self.assertFalse(seen(self.bm_purchase, "backward.review"))
            self.assertEqual(seen(self.buyer, "backward.review"), review, "the reviewed party")
            for outsider in (self.purchase_only, self.employee_without_group()):
                for model in ("backward.review", "backward.penalty"):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(outsider).search([])
            # the vendor's points are shown to the addon's purchase users on the vendor
            review.sudo().write({"state": "submitted"})
            review.sudo().write({"state": "acknowledged"})
            review.with_user(self.manager).action_uphold()
            self.assertEqual(self.vendor.with_user(self.bm_purchase).backward_penalty_points, vendor_line.points)
            self.assertTrue(vendor_line.points)

    def employee_without_group(self):
        return new_test_user(self.env, "bm_roles_employee", groups="base.group_user")

    def test_a_penalty_line_is_found_by_its_name(self):
        """A line is named after its review, party and points."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            line = review.penalty_ids
            self.assertEqual(line.name, f"{review.name} · {self.vendor.name} · {line.points} points")
            found = self.env["backward.penalty"].with_user(self.planner_user).name_search(self.vendor.name)
            self.assertEqual([row[0] for row in found], line.ids)

    def test_forged_creation_and_workflow_values_are_refused(self):
        """Creating a review already decided, or a line already approved, is refused and creates nothing."""
        _order, wheels, output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            reviews = self.env["backward.review"].search_count([])
            with self.assertRaisesText(AccessError, "opens as a draft"):
                self.env["backward.review"].with_user(self.manager).create({"link_id": output.id, "state": "upheld"})
            with self.assertRaisesText(AccessError, "Decided By"):
                self.env["backward.review"].with_user(self.manager).create(
                    {"link_id": output.id, "decided_by_id": self.manager.id}
                )
            self.assertEqual(self.env["backward.review"].search_count([]), reviews)
            review = self._open_review(wheels)
            with self.assertRaisesText(AccessError, "never by hand"):
                self.env["backward.penalty"].with_user(self.planner_user).create(
                    {
                        "review_id": review.id,
                        "link_id": wheels.id,
                        "party_type": "vendor",
                        "vendor_id": self.vendor.id,
                        "state": "approved",
                        "approved_by_id": self.manager.id,
                    }
                )
            self.assertEqual(len(review.penalty_ids), 1)
            with self.assertRaisesText(UserError, "proposed on a review"):
                self.env["backward.penalty"].with_user(self.planner_user).create(
                    {"link_id": wheels.id, "party_type": "vendor", "vendor_id": self.vendor.id}
                )

    def test_even_the_superuser_never_changes_an_approved_line(self):
        """Approved lines are immutable in every field, state included, for everyone."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            self._submit(review, "Waited.")
            review.with_user(self.buyer).action_acknowledge()
            review.with_user(self.manager).action_uphold()
            line = review.penalty_ids
            for vals in ({"state": "proposed"}, {"state": "dropped"}, {"points": 0}, {"user_id": self.buyer.id}):
                with self.assertRaisesText(UserError, "never changed"):
                    line.sudo().write(vals)
            with self.assertRaisesText(UserError, "never deleted"):
                line.sudo().unlink()
            with self.assertRaisesText(AccessError, "cannot go from Upheld to Draft"):
                review.sudo().write({"state": "draft"})
            self.assertEqual((line.state, review.state), ("approved", "upheld"))

    def test_dispute_and_waive_through_their_forms(self):
        """The buyer disputes, a manager waives, each in the small form; the vendor's ledger opens."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            self._submit(review, "Half a shift lost.")
            action = review.with_user(self.buyer).with_context(review_action="dispute").action_open_wizard()
            form = Form(self.env[action["res_model"]].with_user(self.buyer).with_context(**action["context"]))
            form.explanation = "The vendor's truck broke down."
            form.save().action_confirm()
            self.assertEqual(review.state, "disputed")
            action = review.with_user(self.manager).with_context(review_action="waive").action_open_wizard()
            form = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
            form.explanation = "Nobody could foresee it."
            form.save().action_confirm()
            self.assertEqual((review.state, review.decision_reason), ("waived", "Nobody could foresee it."))
            ledger = self.vendor.with_user(self.bm_purchase).action_view_backward_penalties()
            self.assertEqual(ledger["domain"], [("vendor_id", "=", self.vendor.id)])
