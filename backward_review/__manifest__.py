# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Review",
    "summary": "Review late handovers: shares of responsibility, penalties by policy, a ledger and vendor points",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/backward-management/backward_management",
    "author": "The backward_management authors",
    "maintainers": ["backward-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["backward_watch"],
    "data": [
        "security/backward_review_security.xml",
        "security/ir.model.access.csv",
        "data/backward_review_data.xml",
        "data/backward_penalty_policy_data.xml",
        "views/backward_review_views.xml",
        "views/res_partner_views.xml",
        "views/backward_document_views.xml",
        "views/backward_review_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["backward_review/static/tests/tours/*.js"],
    },
    "application": False,
    "installable": True,
}
