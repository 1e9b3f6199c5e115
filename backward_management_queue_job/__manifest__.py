# Copyright 2026 The backward_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backward Management: Job Queue",
    "summary": "Re-plans and alerts of Backward Management as queue_job jobs, spread over workers",
    "version": "18.0.2.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "The backward_management authors",
    "website": "https://github.com/backward-management/backward_management",
    "depends": ["backward_plan", "backward_capacity", "backward_watch", "queue_job"],
    "data": [
        "data/queue_job_channel_data.xml",
        "data/queue_job_function_data.xml",
    ],
    "auto_install": True,
    "installable": True,
}
