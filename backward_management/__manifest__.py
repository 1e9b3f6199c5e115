# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Management",
    "summary": "The whole backward-management method: plan backward, watch the clock, review late handovers",
    "version": "18.0.2.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/backward-management/backward_management",
    "author": "The backward_management authors",
    "maintainers": ["backward-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["backward_plan", "backward_capacity", "backward_watch", "backward_review", "backward_timeline"],
    "demo": [
        "demo/backward_management_demo.xml",
        "demo/backward_management_history.xml",
        "demo/backward_management_orders.xml",
    ],
    "application": True,
    "installable": True,
}
