"""The watch's side of a link: its expectation, verdict, alerts, cause and on-time rate."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index

# A link whose owners have not been told its state or expectation yet. The telling selects
# with it, and a partial index holds just those rows: a factory's links are nearly all told,
# and a pass that scanned them all for each chunk would grow with the factory, not the news.
PENDING = (
    "(state != COALESCE(notified_state, 'open')"
    " OR (state IN ('at_risk', 'late') AND date_expected IS DISTINCT FROM notified_expected))"
)


class BackwardLink(models.Model):
    _inherit = "backward.link"

    date_handover = fields.Datetime("Handed Over On", readonly=True)
    # -- early warning (written by backward.watch)
    date_expected = fields.Datetime(
        "Expected Handover",
        readonly=True,
        help="When the upstream is now expected to hand over: its own expectation or, when later, "
        "the projection through the delays of what feeds it.",
    )
    delay_hours = fields.Float(
        "Expected Delay (hours)",
        readonly=True,
        help="Expected handover minus the deadline: positive when late, negative when early.",
    )
    is_absorbed = fields.Boolean(
        "Absorbed by the Buffer",
        readonly=True,
        help="Expected after the handover deadline but before the need: the slack absorbs it, "
        "the customer is not threatened.",
    )
    endangers_promise = fields.Boolean(
        "Endangers the Customer",
        readonly=True,
        help="The order this link serves is projected to be delivered after its promise.",
    )
    notified_state = fields.Char(readonly=True, copy=False, help="The state its owners were last told about.")
    notified_expected = fields.Datetime(
        readonly=True, copy=False, help="The expectation its upstream owner's activity last quoted."
    )
    alert_error_date = fields.Datetime(readonly=True, copy=False)
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False, ondelete="set null")
    reason_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null", help="The open request for a delay reason."
    )
    # -- why it was late
    reason_id = fields.Many2one("backward.delay.reason", string="Delay Reason", readonly=True, tracking=True)
    reason_note = fields.Text("Delay Explanation", readonly=True)
    caused_upstream = fields.Boolean(
        readonly=True, help="An earlier link of the chain was late: this delay was caused upstream."
    )
    root_cause_id = fields.Many2one(
        "backward.link",
        readonly=True,
        help="The first late link of the chain.",
    )
    repromise_ids = fields.One2many("backward.repromise", "link_id", string="Re-promises")
    repromise_pending = fields.Boolean(
        "Re-promise Pending",
        readonly=True,
        copy=False,
        help="The upstream re-promised past the slack: the downstream owner has yet to accept or refuse.",
    )
    date_repromise_agreed = fields.Datetime(
        "Re-promise Agreed For",
        readonly=True,
        copy=False,
        help="The handover the downstream side accepted after a re-promise: the plan hands over then.",
    )
    is_on_time = fields.Boolean("On Time", readonly=True)
    on_time_rate = fields.Float(
        "On-time Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for a handover on time, 0 when late.",
    )
    lateness_hours = fields.Float(
        "Lateness (hours)",
        readonly=True,
        help="How late the handover was, or is now when still open.",
    )

    _sql_constraints = [
        ("one_activity", "unique(activity_id)", "An activity warns about one link only."),
    ]

    def init(self):
        result = super().init()
        create_index(self.env.cr, "backward_link_pending_told_index", self._table, ["id"], where=PENDING)
        return result

    def _backward_set_cause(self):
        """A late link caused by an earlier late link says so, and names the first one."""
        caused = self.env.ref("backward_watch.delay_reason_caused_upstream", raise_if_not_found=False)
        for link in self:
            self.env.cr.execute(
                SQL(
                    """
                    WITH RECURSIVE late_up(id, upstream_id, date_deadline, depth) AS (
                        SELECT l.id, l.upstream_id, l.date_deadline, 1
                          FROM backward_link l
                         WHERE l.downstream_id = %(step)s AND l.state IN ('late', 'done_late')
                        UNION
                        SELECT l.id, l.upstream_id, l.date_deadline, late_up.depth + 1
                          FROM backward_link l
                          JOIN late_up ON l.downstream_id = late_up.upstream_id
                         WHERE l.state IN ('late', 'done_late') AND late_up.depth < 100
                    )
                    SELECT id FROM late_up
                     WHERE NOT EXISTS (SELECT 1 FROM backward_link l
                                        WHERE l.downstream_id = late_up.upstream_id
                                          AND l.state IN ('late', 'done_late'))
                     ORDER BY date_deadline, id
                     LIMIT 1
                    """,
                    step=link.upstream_id.id,
                )
            )
            row = self.env.cr.fetchone()
            vals = {"caused_upstream": bool(row), "root_cause_id": row[0] if row else link.id}
            if row and caused and not link.reason_id:
                vals["reason_id"] = caused.id
            link.write(vals)

    def _backward_stake(self):
        """The step that really waits for this handover (through transfers): an MO or the customer."""
        self.ensure_one()
        return self.downstream_id._stake()

    def action_request_status(self):
        """The downstream owner asks the upstream owner where the handover stands."""
        self.ensure_one()
        user = self.env.user
        manager = user.has_group("backward_plan.backward_management_group_manager")
        if user not in (self.downstream_user_id | self.downstream_team_id.manager_id) and not manager:
            raise AccessError(
                self.env._(
                    "Only the downstream owner of %(link)s or their team manager asks for its status.", link=self.name
                )
            )
        if self.state not in ("open", "absorbed", "at_risk", "late"):
            raise UserError(self.env._("%(link)s is no longer open: there is no status to ask.", link=self.name))
        # sudo: the downstream side may not read nor post on the upstream's document, nor post on links
        link = self.sudo()
        notifier = self.env["backward.notifier"]
        document = link.upstream_id._document()
        owner = notifier._owner(link, document) if document else self.env["res.users"]
        reader = notifier._reader(owner)
        body = reader.env._(
            "%(user)s asks where %(upstream)s stands: it must hand over by %(deadline)s to %(downstream)s. "
            "Please answer here.",
            user=user.name,
            upstream=link.upstream_id.name,
            deadline=reader._format(link.date_deadline),
            downstream=link.downstream_id.name,
        )
        target = document or link
        target.message_subscribe(partner_ids=user.partner_id.ids)
        target.message_post(
            body=body, partner_ids=owner.partner_id.ids, author_id=user.partner_id.id, message_type="comment"
        )
        if owner:
            target.activity_schedule("backward_watch.mail_activity_type_status_request", user_id=owner.id, note=body)
        link.message_post(body=body, author_id=user.partner_id.id)
        return True

    def action_give_reason(self):
        """Open the form in which the upstream owner explains the delay."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Give the Delay Reason"),
            "res_model": "backward.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_link_id": self.id,
                "active_model": "backward.link",
                "active_id": self.id,
            },
        }
