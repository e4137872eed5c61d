"""The records that need the ORM, made inside ``odoo-bin shell`` as superuser.

Not imported by the benchmark: ``common.run_in_odoo`` hands this file to
Odoo's shell (where ``env`` is the superuser's environment) followed by a
call of one of its public functions with the benchmark's parameters; the
function commits what it keeps and returns what the benchmark reads (JSON).
"""

import json
from datetime import timedelta

from odoo import fields


def _journals(env, params):
    """The programs' journals, each in its currency."""
    Currency = env["res.currency"].with_context(active_test=False)
    Journal = env["account.journal"]
    journal_ids = []
    for name, code, currency_name in params["journals"]:
        currency = Currency.search([("name", "=", currency_name)], limit=1)
        if not currency.active:
            currency.active = True
        journal = Journal.search(
            [("code", "=", code), ("company_id", "=", env.company.id)], limit=1
        ) or Journal.create(
            {
                "name": name,
                "code": code,
                "type": "bank",
                "beneficiary_disb": True,
                "currency_id": currency.id,
            }
        )
        journal_ids.append(journal.id)
    return journal_ids


def _form(env, params):
    """The documents' store and the application form (formio builder)."""
    Store = env["storage.backend"]
    store = Store.search([("name", "=", params["store"])], limit=1) or Store.create(
        {"name": params["store"], "backend_type": "filesystem"}
    )
    version = env["formio.version"].search([], limit=1) or env["formio.version"].create(
        {"name": "4.99.0-bench"}
    )
    Builder = env["formio.builder"]
    named = [("name", "=", params["builder"])]
    builder = Builder.search(named + [("state", "=", "CURRENT")], limit=1) or (
        Builder.search(named, order="id desc", limit=1)
    )
    if not builder:
        builder = Builder.create(
            {
                "name": params["builder"],
                "title": "Bench application",
                "formio_version_id": version.id,
                "schema": json.dumps(params["schema"]),
            }
        )
    if builder.state != "CURRENT":
        builder.state = "CURRENT"
    return store, builder


def _template_program(env, params, journal_ids, store, builder):
    """The template program (number 1 of the bench programs), its document."""
    Program = env["g2p.program"].with_context(active_test=False)
    program = Program.search([("name", "=", params["program"])], limit=1)
    program_values = {
        "description": "Support number 1",
        "journal_id": journal_ids[0],
        "portal_published": True,
        "self_service_portal_form": builder.id,
        "supporting_documents_store": store.id,
        "portal_open_until": "2999-12-31",
        "active": True,
    }
    if program:
        program.write(program_values)
    else:
        program = Program.create(dict(program_values, name=params["program"]))
    requirement = program.portal_document_requirement_ids[:1]
    if not requirement:
        requirement = env["g2p.program.document.requirement"].create(
            {
                "program_id": program.id,
                "name": "Proof of income",
                "allowed_types": "pdf",
                "max_size_mb": 1,
                "mandatory": True,
            }
        )
    return program, requirement


def _portal_users(env, params):
    """The bench's portal users (two registrants, one customer)."""
    Partner = env["res.partner"].with_context(active_test=False)
    Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    portal = env.ref("base.group_portal")

    def portal_user(login, name, registrant):
        user = Users.search([("login", "=", login)], limit=1)
        if not user:
            partner = Partner.create(
                {
                    "name": name,
                    "is_registrant": registrant,
                    "is_group": False,
                    "email": login + "@example.org",
                }
            )
            user = Users.create(
                {
                    "login": login,
                    "partner_id": partner.id,
                    "groups_id": [(6, 0, [portal.id])],
                }
            )
        if not user.active:
            user.active = True
        return user

    user = portal_user(params["user_login"], params["user_name"], True)
    small = portal_user(params["small_login"], params["small_name"], True)
    customer = portal_user(params["customer_login"], params["customer_name"], False)
    hashed = Users._crypt_context().hash(params["password"])
    for each in user | small | customer:
        each._set_encrypted_password(each.id, hashed)
    return user, small, customer


def _template_records(env, params, program, builder, template):
    """Templates of the rows COPY writes: the template registrant's own."""
    today = fields.Date.today()
    Application = env["g2p.program.registrant_info"]
    application = Application.search(
        [("registrant_id", "=", template.id), ("program_id", "=", program.id)], limit=1
    ) or Application.create(
        {
            "registrant_id": template.id,
            "program_id": program.id,
            "state": "active",
            "program_registrant_info": params["answers"],
            "portal_form_id": builder.id,
            "portal_form_schema": params["schema"],
            "portal_submitted_at": fields.Datetime.now(),
        }
    )
    Membership = env["g2p.program_membership"]
    membership = Membership.search(
        [("partner_id", "=", template.id), ("program_id", "=", program.id)], limit=1
    ) or Membership.create(
        {"partner_id": template.id, "program_id": program.id, "state": "enrolled"}
    )
    Cycle = env["g2p.cycle"]
    cycle = Cycle.search(
        [("program_id", "=", program.id), ("name", "=", params["cycle"])], limit=1
    ) or Cycle.create(
        {
            "program_id": program.id,
            "name": params["cycle"],
            "start_date": today - timedelta(days=30),
            "end_date": today - timedelta(days=1),
            "sequence": 1,
        }
    )
    Entitlement = env["g2p.entitlement"]
    entitlement = Entitlement.search(
        [("partner_id", "=", template.id), ("cycle_id", "=", cycle.id)], limit=1
    ) or Entitlement.create(
        {
            "partner_id": template.id,
            "cycle_id": cycle.id,
            "initial_amount": 100.0,
            "state": "approved",
            "valid_from": today - timedelta(days=30),
        }
    )
    Payment = env["g2p.payment"]
    payment = Payment.search([("entitlement_id", "=", entitlement.id)], limit=1) or (
        Payment.create(
            {
                "name": "BENCH-P-TEMPLATE",
                "entitlement_id": entitlement.id,
                "cycle_id": cycle.id,
                "amount_issued": 100.0,
                "state": "issued",
            }
        )
    )
    Notification = env["g2p.portal.notification"]
    notification = Notification.search([("key", "=", "bench-template")], limit=1) or (
        Notification.create(
            {
                "partner_id": template.id,
                "key": "bench-template",
                "kind": "entitlement",
                "event": "entitlement_approved",
                "res_model": "g2p.entitlement",
                "res_id": entitlement.id,
                "state_reached": "approved",
                "status": "sent",
                "channels": "email",
                "subject": "Your benefit was approved",
                "body": "Your benefit was approved.",
                "sent_at": fields.Datetime.now(),
            }
        )
    )
    return application, membership, cycle, entitlement, payment, notification


def set_up(env, params):
    """Everything the seeding copies from or points to; their ids."""
    journal_ids = _journals(env, params)
    store, builder = _form(env, params)
    program, requirement = _template_program(env, params, journal_ids, store, builder)
    Partner = env["res.partner"].with_context(active_test=False)
    template = Partner.search(
        [("name", "=", params["registrant"]), ("is_registrant", "=", True)], limit=1
    ) or Partner.create(
        {"name": params["registrant"], "is_registrant": True, "is_group": False}
    )
    user, small, customer = _portal_users(env, params)
    application, membership, cycle, entitlement, payment, notification = (
        _template_records(env, params, program, builder, template)
    )
    english = env(context=dict(env.context, lang="en_US"))
    state_labels = dict(
        english["g2p.entitlement"]._fields["state"]._description_selection(english)
    )
    env.cr.commit()
    return {
        "builder_id": builder.id,
        "program_id": program.id,
        "requirement_id": requirement.id,
        "registrant_id": template.id,
        "user_id": user.id,
        "user_partner_id": user.partner_id.id,
        "small_id": small.id,
        "small_partner_id": small.partner_id.id,
        "customer_partner_id": customer.partner_id.id,
        "application_id": application.id,
        "membership_id": membership.id,
        "cycle_id": cycle.id,
        "entitlement_id": entitlement.id,
        "payment_id": payment.id,
        "notification_id": notification.id,
        "journal_ids": journal_ids,
        "state_field_id": env["ir.model.fields"]._get("g2p.entitlement", "state").id,
        "note_subtype_id": env.ref("mail.mt_note").id,
        "author_id": env.ref("base.partner_root").id,
        "state_labels": state_labels,
    }


def use_formiojs(env, params):
    """formio.js from the npm tarball on the bench form; the version's name."""
    Version = env["formio.version"]
    version = Version.search([("name", "=", params["version"])], limit=1)
    if not version or not version._g2p_renderer_attachments():
        version = Version._g2p_install_from_npm_tarball(
            params["tarball"], make_default=False
        )
    builder = env["formio.builder"].search([("name", "=", params["builder"])])
    builder.write({"formio_version_id": version.id})
    env.cr.commit()
    return {"version": version.name}
