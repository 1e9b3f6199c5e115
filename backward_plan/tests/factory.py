"""A small factory built from scratch, shared by the tests and the benchmark.

Bike (MTO, manufactured, 2 h of assembly on two shifts)
  ├─ Frame (MTO, manufactured, 1 h of welding on the office calendar)
  │    └─ Tube (MTO, bought from Acme, 3 days)
  └─ 2 × Wheel (MTO, bought from Acme, 5 days)
"""

from types import SimpleNamespace

from odoo import Command

COMPANY_SETTINGS = {
    "security_lead": 1.0,
    "po_lead": 0.0,
    "days_to_purchase": 0.0,
    "manufacturing_lead": 0.0,
    "backward_granularity": "hour",
    "backward_buffer_purchase_percent": 0.0,
    "backward_buffer_purchase_hours": 8.0,
    "backward_buffer_production_percent": 0.0,
    "backward_buffer_production_hours": 2.0,
    "backward_buffer_transfer_percent": 0.0,
    "backward_buffer_transfer_hours": 0.0,
    "backward_buffer_delivery_percent": 0.0,
    "backward_buffer_delivery_hours": 0.0,
}


def attendances(slots):
    """Monday to Friday, the given (start, end, period) slots."""
    return [
        Command.create(
            {
                "name": f"{day} {period}",
                "dayofweek": str(day),
                "hour_from": start,
                "hour_to": end,
                "day_period": period,
            }
        )
        for day in range(5)
        for start, end, period in slots
    ]


TWO_SHIFTS = ((6, 14, "morning"), (14, 22, "afternoon"))
OFFICE = ((8, 12, "morning"), (13, 17, "afternoon"))


def create_factory(env, company=None, tz="Europe/Brussels", settings=None):
    """Calendars, work centers, vendor and the bike's structure, in ``company``.

    ``settings`` are written on the company: by default no buffers and an hourly grid, which
    keeps the dates of the planning tests easy to read; ``{}`` leaves the addon's defaults
    (the buffers of Settings, deadlines at the end of a shift), as a new user has them.
    """
    company = company or env.company
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    f = SimpleNamespace(company=company)
    calendars = env["resource.calendar"]
    f.shifts = calendars.create(
        {
            "name": "Two shifts",
            "tz": tz,
            "attendance_ids": attendances(TWO_SHIFTS),
            "hours_per_day": 16,
            "company_id": company.id,
        }
    )
    f.office = calendars.create(
        {
            "name": "Office",
            "tz": tz,
            "attendance_ids": attendances(OFFICE),
            "hours_per_day": 8,
            "company_id": company.id,
        }
    )
    # the benchmark builds the same factory in a database without the addon
    settings = COMPANY_SETTINGS if settings is None else settings
    settings = {key: value for key, value in settings.items() if key in company._fields}
    company.write(dict(settings, resource_calendar_id=f.office.id))
    f.warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    f.mto = env.ref("stock.route_warehouse0_mto")
    f.mto.active = True
    f.manufacture = env.ref("mrp.route_warehouse0_manufacture")
    f.buy = env.ref("purchase_stock.route_warehouse0_buy")
    workcenters = env["mrp.workcenter"]
    f.assembly = workcenters.create({"name": "Assembly", "resource_calendar_id": f.shifts.id, "company_id": company.id})
    f.welding = workcenters.create({"name": "Welding", "resource_calendar_id": f.office.id, "company_id": company.id})
    f.vendor = env["res.partner"].create({"name": "Acme Parts"})
    f.tube_vendor = env["res.partner"].create({"name": "Steel Tubes Inc."})
    f.customer = env["res.partner"].create({"name": "Velo Shop"})

    def product(name, routes, vendor_days=None, vendor=None):
        vals = {
            "name": name,
            "type": "consu",
            "is_storable": True,
            "route_ids": [Command.set([route.id for route in routes])],
            "company_id": company.id,
        }
        if vendor_days is not None:
            vals["seller_ids"] = [
                Command.create(
                    {
                        "partner_id": (vendor or f.vendor).id,
                        "delay": vendor_days,
                        "price": 10,
                        "company_id": company.id,
                    }
                )
            ]
        return env["product.product"].create(vals)

    def bom(finished, components, workcenter, minutes):
        return env["mrp.bom"].create(
            {
                "product_tmpl_id": finished.product_tmpl_id.id,
                "product_qty": 1,
                "company_id": company.id,
                "bom_line_ids": [Command.create({"product_id": c.id, "product_qty": qty}) for c, qty in components],
                "operation_ids": [
                    Command.create(
                        {
                            "name": f"Make {finished.name}",
                            "workcenter_id": workcenter.id,
                            "time_cycle_manual": minutes,
                        }
                    )
                ],
            }
        )

    f.tube = product("Tube", [f.mto, f.buy], vendor_days=3, vendor=f.tube_vendor)
    f.wheel = product("Wheel", [f.mto, f.buy], vendor_days=5)
    f.frame = product("Frame", [f.mto, f.manufacture])
    f.bike = product("Bike", [f.mto, f.manufacture])
    f.frame_bom = bom(f.frame, [(f.tube, 1)], f.welding, 60)
    f.bike_bom = bom(f.bike, [(f.frame, 1), (f.wheel, 2)], f.assembly, 120)
    return f
