# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Management",
    "summary": "Back-schedule every sale order into owned deadlines and handover links",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/backward-management/backward_management",
    "author": "The backward_management authors",
    "maintainers": ["backward-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["sale_stock", "purchase_stock", "mrp", "sale_mrp", "web_hierarchy"],
    "data": [
        "security/backward_management_security.xml",
        "security/ir.model.access.csv",
        "views/backward_deadline_views.xml",
        "views/backward_link_views.xml",
        "views/backward_team_views.xml",
        "views/sale_order_views.xml",
        "views/mrp_production_views.xml",
        "views/purchase_order_views.xml",
        "views/stock_picking_views.xml",
        "views/res_config_settings_views.xml",
        "views/backward_management_menus.xml",
    ],
    "demo": ["demo/backward_management_demo.xml"],
    "assets": {
        "web.assets_tests": ["backward_management/static/tests/tours/*.js"],
    },
    "application": True,
    "installable": True,
}
