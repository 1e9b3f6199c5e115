import { registry } from "@web/core/registry";

/**
 * Production, downstream, files a review of the late wheels from its manufacturing order.
 */
registry.category("web_tour.tours").add("backward_management_review_file_tour", {
    steps: () => [
        {
            content: "Open the links of the manufacturing order",
            trigger: ".o_form_view .oe_stat_button:contains('Backward Links')",
            run: "click",
        },
        {
            content: "Open the late link of the wheels",
            trigger: ".o_list_view .o_data_row:contains('Wheel'):contains('Late') td.o_data_cell",
            run: "click",
        },
        {
            content: "Review the late handover",
            trigger: ".o_form_view button[name='action_open_review']:contains('Review')",
            run: "click",
        },
        {
            content: "The policy proposed a penalty for the vendor",
            trigger: ".o_field_widget[name='penalty_ids'] .o_data_row:contains('Acme Parts')",
        },
        {
            content: "Say what the delay cost",
            trigger: ".o_field_widget[name='statement'] textarea",
            run: "edit The assembly line waited half a shift for the wheels.",
        },
        {
            content: "Submit the review to the upstream owner",
            trigger: ".o_form_view button[name='action_submit']",
            run: "click",
        },
        {
            content: "The review is submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Submitted')",
        },
    ],
});

/**
 * The buyer, upstream, finds the review against them and acknowledges it.
 */
registry.category("web_tour.tours").add("backward_management_review_answer_tour", {
    steps: () => [
        {
            content: "Open the review against me",
            trigger: ".o_list_view .o_data_row:contains('Wheel') td.o_data_cell",
            run: "click",
        },
        {
            content: "The upstream side sees the proposed penalty, but cannot edit the statement",
            trigger: ".o_field_widget[name='penalty_ids'] .o_data_row:contains('Acme Parts')",
        },
        {
            content: "Acknowledge it",
            trigger: ".o_form_view button[name='action_acknowledge']",
            run: "click",
        },
        {
            content: "The review is acknowledged",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Acknowledged')",
        },
    ],
});

/**
 * A manager upholds the acknowledged review and finds the penalty in the ledger.
 */
registry.category("web_tour.tours").add("backward_management_review_decide_tour", {
    steps: () => [
        {
            content: "Open the review to decide",
            trigger: ".o_list_view .o_data_row:contains('Wheel') td.o_data_cell",
            run: "click",
        },
        {
            content: "Uphold it",
            trigger: ".o_form_view button[name='action_uphold']",
            run: "click",
        },
        {
            content: "The review is upheld",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Upheld')",
        },
        {
            content: "Go to the reporting menu",
            trigger: ".o_main_navbar button:contains('Reporting'), .o_main_navbar a:contains('Reporting')",
            run: "click",
        },
        {
            content: "Open the penalty ledger",
            trigger: ".dropdown-item:contains('Penalty Ledger')",
            run: "click",
        },
        {
            content: "The vendor's penalty is in the ledger",
            trigger: ".o_list_view .o_data_row:contains('Acme Parts'):contains('Approved')",
        },
    ],
});
