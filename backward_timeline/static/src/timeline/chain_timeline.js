/** @odoo-module **/
/* The chain timeline: draws what backward.timeline.get_timeline returns, nothing more.
 * Every date, slack and state is computed on the server, so the picture and the lists
 * never disagree; this file only turns moments into pixels. */

import { Component, onWillStart, onWillUpdateProps, useEffect, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { useService } from "@web/core/utils/hooks";

const HOUR = 3600 * 1000;
const ROW = 28;
const HEADER = 34;
// pixels per hour and the hours between two ticks, from weeks down to hours
export const ZOOMS = {
    week: { label: _t("Weeks"), px: 1.2, tick: 24 * 7, format: "dd MMM" },
    day: { label: _t("Days"), px: 4, tick: 24, format: "ccc dd MMM" },
    shift: { label: _t("Shifts"), px: 14, tick: 8, format: "dd MMM HH:mm" },
    hour: { label: _t("Hours"), px: 44, tick: 1, format: "HH:mm" },
};
const KIND_ICONS = {
    purchase: "fa-shopping-cart",
    receipt: "fa-truck fa-flip-horizontal",
    production: "fa-industry",
    transfer: "fa-exchange",
    delivery: "fa-truck",
    customer: "fa-user",
};

export class ChainTimeline extends Component {
    static template = "backward_timeline.ChainTimeline";
    static props = {
        resModel: { type: String, optional: true },
        resIds: { type: Array, optional: true },
        filters: { type: Boolean, optional: true },
    };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.zooms = ZOOMS;
        this.icons = KIND_ICONS;
        this.ROW_HEIGHT = ROW;
        this.state = useState({ data: null, zoom: "day", states: [], userId: false, error: false, hover: null });
        this.bodyRef = useRef("body");
        this.scrollRef = useRef("scroll");
        onWillStart(() => this.load(this.props));
        // open on today, or on the first bar when the chain starts later
        useEffect(
            (data) => {
                const scroll = this.scrollRef.el;
                if (scroll && data && data.rows.length) {
                    const first = Math.min(...data.rows.map((row) => row.x1));
                    scroll.scrollLeft = Math.max(0, Math.min(data.nowX ?? first, first) - 40);
                }
            },
            () => [this.state.data]
        );
        onWillUpdateProps((next) => {
            if (JSON.stringify(next.resIds) !== JSON.stringify(this.props.resIds)) {
                return this.load(next);
            }
        });
    }

    async load(props = this.props) {
        if (props.resModel && !(props.resIds || []).length) {
            this.state.data = null;
            return;
        }
        try {
            const data = await this.orm.call("backward.timeline", "get_timeline", [], {
                res_model: props.resModel || null,
                res_ids: props.resIds || null,
                states: this.state.states.length ? this.state.states : null,
                user_id: this.state.userId || null,
            });
            this.state.error = false;
            if (!this.zoomChosen) {
                this.state.zoom = this.fittingZoom(data);
            }
            this.raw = data;
            this.state.data = this.layout(data);
        } catch (error) {
            // the server says why (no plan yet, no access): show it in place of the picture
            this.state.data = null;
            this.state.error = error.data?.message || error.message || String(error);
        }
    }

    /** The finest zoom that shows the whole chain in the width at hand (weeks at worst). */
    fittingZoom(data) {
        const hours = (deserializeDateTime(data.end).ts - deserializeDateTime(data.start).ts) / HOUR;
        const width = (this.scrollRef.el?.clientWidth || window.innerWidth - 380) - 20;
        const fitting = ["hour", "shift", "day"].find((zoom) => hours * ZOOMS[zoom].px <= width);
        return fitting || "week";
    }

    /** Pixels of every moment, rows and arrows, for the current zoom. */
    layout(data) {
        const zoom = ZOOMS[this.state.zoom];
        const origin = deserializeDateTime(data.start).ts;
        const x = (moment) => (moment ? ((deserializeDateTime(moment).ts - origin) / HOUR) * zoom.px : null);
        const width = x(data.end);
        const rows = [];
        const groups = [];
        let y = HEADER;
        let currentOrder = null;
        for (const row of data.rows) {
            if (row.order_id !== currentOrder) {
                currentOrder = row.order_id;
                groups.push({ key: `g${row.order_id}`, y, label: `${row.order} · ${row.customer}` });
                y += ROW;
            }
            const start = x(row.start);
            const end = x(row.deadline);
            rows.push({
                ...row,
                key: `${row.order_id}-${row.id}`,
                y,
                mid: y + ROW / 2,
                x1: start,
                x2: Math.max(end, start + 2),
                needX: row.need ? x(row.need) : null,
                baseX1: row.baseline_start ? x(row.baseline_start) : null,
                baseX2: row.baseline_deadline ? x(row.baseline_deadline) : null,
                expectedX: row.expected ? x(row.expected) : null,
                tooltip: this.tooltip(row, data.states),
            });
            y += ROW;
        }
        const byKey = Object.fromEntries(rows.map((row) => [`${row.order_id}-${row.id}`, row]));
        const arrows = [];
        for (const link of data.links) {
            for (const group of groups) {
                const orderId = group.key.slice(1);
                const from = byKey[`${orderId}-${link.from}`];
                const to = byKey[`${orderId}-${link.to}`];
                if (from && to) {
                    const bend = Math.max(from.x2, to.x1) === from.x2 ? from.x2 + 6 : to.x1 - 6;
                    arrows.push({
                        key: `${orderId}-${link.from}-${link.to}`,
                        from: link.from,
                        to: link.to,
                        state: link.state,
                        d: `M ${from.x2} ${from.mid} L ${bend} ${from.mid} L ${bend} ${to.mid} L ${to.x1 - 1} ${to.mid}`,
                    });
                }
            }
        }
        const ticks = [];
        const tickMs = zoom.tick * HOUR;
        const first = deserializeDateTime(data.start).startOf(zoom.tick >= 24 ? "day" : "hour");
        for (let moment = first; moment.ts <= deserializeDateTime(data.end).ts; moment = moment.plus({ milliseconds: tickMs })) {
            const tx = ((moment.ts - origin) / HOUR) * zoom.px;
            if (tx >= 0) {
                ticks.push({ key: moment.ts, x: tx, label: moment.toFormat(zoom.format) });
            }
        }
        return {
            ...data,
            rows,
            groups,
            arrows,
            ticks,
            width: Math.max(width, 200),
            height: y + 4,
            nowX: x(data.now),
            idle: data.idle.map(([from, to], index) => ({ key: index, x: x(from), w: x(to) - x(from) })),
            owners: data.owners,
            maxLevel: Math.max(0, ...rows.map((row) => row.level)),
        };
    }

    hover(row, ev) {
        const body = this.bodyRef.el;
        if (!row || !body) {
            this.state.hover = null;
            return;
        }
        const box = body.getBoundingClientRect();
        this.state.hover = {
            lines: row.tooltip.split("\n"),
            left: Math.min(ev.clientX - box.left + 12, body.clientWidth - 260),
            top: ev.clientY - box.top + body.scrollTop + 12,
        };
    }

    tooltip(row, states) {
        const lines = [
            row.document ? `${row.document} · ${row.product}` : row.name,
            _t("Owner: %s", row.owner || _t("nobody")),
            _t("Start by: %s", this.format(row.start)),
            _t("Hand over by: %s", this.format(row.deadline)),
        ];
        if (row.need) {
            lines.push(_t("Needed by: %s", this.format(row.need)));
        }
        if (row.expected) {
            lines.push(_t("Expected: %s", this.format(row.expected)));
        }
        if (row.baseline_deadline) {
            lines.push(_t("Agreed: %s", this.format(row.baseline_deadline)));
        }
        if (row.delay) {
            lines.push(
                row.delay > 0
                    ? _t("Delay: %s h after the deadline", row.delay)
                    : _t("Ahead: %s h before the deadline", -row.delay)
            );
        }
        if (row.slack !== false) {
            lines.push(_t("Slack to the promise: %s h", row.slack));
        }
        lines.push(_t("State: %s", states[row.state] || row.state));
        if (row.capacity === "moved") {
            lines.push(_t("Moved earlier by capacity: its work centers are busy closer to the deadline"));
        } else if (row.capacity === "late") {
            lines.push(_t("Late by capacity: its work orders cannot finish by the deadline"));
        }
        if (row.repromise_pending) {
            lines.push(_t("Re-promise pending: the downstream owner has yet to accept or refuse it"));
        }
        return lines.join("\n");
    }

    format(moment) {
        return moment ? formatDateTime(deserializeDateTime(moment)) : "";
    }

    setZoom(zoom) {
        this.zoomChosen = true;
        this.state.zoom = zoom;
        if (this.raw) {
            this.state.data = this.layout(this.raw);
        }
    }

    async setOwner(ev) {
        this.state.userId = parseInt(ev.target.value) || false;
        await this.load();
    }

    async toggleState(state) {
        const states = this.state.states;
        const index = states.indexOf(state);
        if (index >= 0) {
            states.splice(index, 1);
        } else {
            states.push(state);
        }
        await this.load();
    }

    async openRow(row) {
        if (row.res_model && row.res_id) {
            await this.action.doAction({
                type: "ir.actions.act_window",
                res_model: row.res_model,
                res_id: row.res_id,
                views: [[false, "form"]],
            });
        }
    }
}
