import { registry } from "@web/core/registry";

/**
 * A salesperson's round trip on a confirmed order: the plan from the smart button,
 * the chain as a tree, then the sales agreement in the "Backward Plan" tab.
 */
registry.category("web_tour.tours").add("backward_management_plan_tour", {
    steps: () => [
        {
            content: "The order shows its backward plan",
            trigger: ".o_form_view .oe_stat_button:contains('Backward Plan')",
            run: "click",
        },
        {
            content: "The plan lists the manufacturing orders, grouped by level",
            trigger: ".o_list_view .o_group_header:contains('2')",
            run: "click",
        },
        {
            content: "The bike's manufacturing order is in it",
            trigger: ".o_list_view .o_data_row:contains('WH/MO/')",
        },
        {
            content: "Back to the order",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Open the Backward Plan tab",
            trigger: ".o_notebook .nav-link:contains('Backward Plan')",
            run: "click",
        },
        {
            content: "The plan waits for agreement",
            trigger: ".o_field_widget[name='backward_plan_state']:contains('Proposed')",
        },
        {
            content: "Show the chain as a tree",
            trigger: "button[name='action_view_backward_chain']",
            run: "click",
        },
        {
            content: "The customer promise heads the tree",
            trigger: ".o_hierarchy_view .o_hierarchy_node:contains('Customer Promise')",
        },
        {
            content: "Back to the order again",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Open the Backward Plan tab again",
            trigger: ".o_notebook .nav-link:contains('Backward Plan')",
            run: "click",
        },
        {
            content: "Agree the plan for sales",
            trigger: "button[name='action_backward_agree_sales']",
            run: "click",
        },
        {
            content: "Sales' agreement is recorded with the user",
            trigger: ".o_field_widget[name='backward_sales_agreed_uid'] .o_m2o_avatar",
        },
    ],
});
