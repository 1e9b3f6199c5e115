# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Timeline",
    "summary": "Draw the backward plan's chains on a timeline: slack, baseline, expectation, critical path",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/backward-management/backward_management",
    "author": "The backward_management authors",
    "maintainers": ["backward-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["backward_watch", "backward_capacity"],
    "data": [
        "views/backward_timeline_views.xml",
    ],
    "assets": {
        "web.assets_backend": ["backward_timeline/static/src/timeline/*"],
        "web.assets_tests": ["backward_timeline/static/tests/tours/*.js"],
    },
    "application": False,
    "installable": True,
}
