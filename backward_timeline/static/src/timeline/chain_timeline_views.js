/** @odoo-module **/
/* Where the timeline lives: a client action (from a document, or every open order from
 * the deadlines menu) and a widget in the "Backward Plan" tab of the sale order. */

import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { ControlPanel } from "@web/search/control_panel/control_panel";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { ChainTimeline } from "./chain_timeline";

export class ChainTimelineAction extends Component {
    static template = "backward_timeline.ChainTimelineAction";
    static components = { ControlPanel, ChainTimeline };
    static props = { ...standardActionServiceProps };

    get resModel() {
        return this.props.action.params?.res_model || "";
    }

    get resIds() {
        return this.props.action.params?.res_ids || [];
    }
}

export class ChainTimelineWidget extends Component {
    static template = "backward_timeline.ChainTimelineWidget";
    static components = { ChainTimeline };
    static props = { ...standardWidgetProps };
}

registry.category("actions").add("backward_timeline.chain_timeline", ChainTimelineAction);
registry.category("view_widgets").add("backward_chain_timeline", { component: ChainTimelineWidget });
