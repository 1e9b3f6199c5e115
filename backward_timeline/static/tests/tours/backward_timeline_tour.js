import { registry } from "@web/core/registry";

function count(selector, expected) {
    const found = document.querySelectorAll(selector).length;
    if (found !== expected) {
        throw new Error(`${selector}: ${found} found, ${expected} expected`);
    }
}

/**
 * A planner opens the chain timeline of an order whose wheels slip past every buffer
 * (see test_tour.py: 8 steps, 7 handovers, 5 on the critical path), zooms and clicks
 * through to the bike's manufacturing order.
 */
registry.category("web_tour.tours").add("backward_management_timeline_tour", {
    steps: () => [
        {
            content: "Open the Backward Plan tab",
            trigger: ".o_notebook .nav-link:contains('Backward Plan')",
            run: "click",
        },
        {
            content: "The timeline draws one bar per step",
            trigger: ".o_bm_timeline .o_bm_bar_group",
            run: () => {
                count(".o_bm_timeline .o_bm_bar_group", 8);
                count(".o_bm_timeline .o_bm_row_label", 8);
            },
        },
        {
            content: "An arrow per handover, the late ones in red",
            trigger: ".o_bm_timeline .o_bm_arrow",
            run: () => {
                count(".o_bm_timeline .o_bm_arrow", 7);
                count(".o_bm_timeline .o_bm_bar_group[data-critical='1']", 5);
                count(".o_bm_timeline .o_bm_bar.o_bm_critical", 5);
            },
        },
        {
            content: "The frame's branch keeps its slack",
            trigger: ".o_bm_timeline .o_bm_kind_production[data-critical='0'] .o_bm_slack",
        },
        {
            content: "Today and the weekends are drawn",
            trigger: ".o_bm_timeline .o_bm_now",
            run: () => {
                count(".o_bm_timeline .o_bm_now", 1);
                if (!document.querySelector(".o_bm_timeline .o_bm_idle")) {
                    throw new Error("no non-working time shaded");
                }
            },
        },
        {
            content: "Zoom to hours",
            trigger: ".o_bm_timeline .o_bm_zoom_hour",
            run: "click",
        },
        {
            content: "Hour ticks are drawn",
            trigger: ".o_bm_timeline .o_bm_zoom_hour.active",
        },
        {
            content: "Hover the late wheels",
            trigger: ".o_bm_timeline .o_bm_kind_purchase[data-critical='1'] .o_bm_bar",
            run: "hover",
        },
        {
            content: "The card tells the owner, the deadline, the expectation and the delay",
            trigger: ".o_bm_hover_card:contains('Owner'):contains('Hand over by'):contains('Expected'):contains('Delay')",
        },
        {
            content: "Click the late bike's bar",
            trigger: ".o_bm_timeline .o_bm_kind_production[data-critical='1'] .o_bm_bar",
            run: "click",
        },
        {
            content: "Its manufacturing order opens",
            trigger: ".o_form_view .o_breadcrumb:contains('WH/MO/')",
        },
        {
            content: "It leads back to the whole chain",
            trigger: ".o_form_view .oe_stat_button:contains('Chain Timeline')",
            run: "click",
        },
        {
            content: "The same eight steps, full screen",
            trigger: ".o_bm_timeline_action .o_bm_bar_group",
            run: () => count(".o_bm_timeline_action .o_bm_bar_group", 8),
        },
    ],
});
