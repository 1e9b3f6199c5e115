# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Planning: Finite Capacity",
    "summary": "Place the work orders of each backward plan on their work centers' real load",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/backward-management/backward_management",
    "author": "The backward_management authors",
    "maintainers": ["backward-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["backward_plan"],
    "data": [
        "security/backward_capacity_security.xml",
        "security/ir.model.access.csv",
        "data/backward_capacity_data.xml",
        "views/backward_capacity_views.xml",
        "views/backward_deadline_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_order_views.xml",
        "views/backward_capacity_menus.xml",
    ],
    "installable": True,
}
