"""The bench program, its form and applicants, made inside ``odoo-bin shell``.

Not imported by the benchmarks: ``odoo_bench.run_in_odoo`` hands this file
to Odoo's shell (where ``env`` is the superuser's environment) with a call
of ``set_up``, which commits and returns what the benchmark reads (JSON).
Used by ``bench_portal_apply.py`` and ``bench_cluster_failover.py``.
"""

import json


def _form(env, params):
    """The documents' store, a formio.js version and the bench form."""
    Store = env["storage.backend"]
    store = Store.search([("name", "=", params["store"])], limit=1) or Store.create(
        {"name": params["store"], "backend_type": "filesystem"}
    )

    # A formio.js version already in the database gives the page real assets.
    version = env["formio.version"].search([], limit=1) or env["formio.version"].create(
        {"name": "4.99.0-bench"}
    )
    Builder = env["formio.builder"]
    named = [("name", "=", params["builder"])]
    builder = Builder.search(named + [("state", "=", "CURRENT")], limit=1) or (
        Builder.search(named, order="id desc", limit=1)
    )
    schema_text = json.dumps(params["schema"])
    if not builder:
        builder = Builder.create(
            {
                "name": params["builder"],
                "title": "Social assistance application",
                "formio_version_id": version.id,
                "schema": schema_text,
            }
        )
    elif json.loads(builder.schema or "{}") != params["schema"]:
        builder.schema = schema_text
    if builder.state != "CURRENT":
        builder.state = "CURRENT"
    return store, version, builder


def _program(env, params, store, builder):
    """The published bench program, its one document, its prefilled field."""
    Program = env["g2p.program"]
    program = Program.search([("name", "=", params["program"])], limit=1)
    program_values = {
        "portal_published": True,
        "self_service_portal_form": builder.id,
        "supporting_documents_store": store.id,
        "state": "active",
        "is_multiple_form_submission": False,
        "portal_open_from": False,
        "portal_open_until": False,
    }
    if program:
        program.write(program_values)
    else:
        program = Program.create(dict(program_values, name=params["program"]))
    requirements = program.portal_document_requirement_ids
    requirement = requirements[:1]
    (requirements - requirement).unlink()
    requirement_values = {
        "name": "Proof of income",
        "allowed_types": "pdf",
        "max_size_mb": 1,
        "mandatory": True,
    }
    if requirement:
        requirement.write(requirement_values)
    else:
        requirement = env["g2p.program.document.requirement"].create(
            dict(requirement_values, program_id=program.id)
        )
    # The e-mail answer prefilled from, and written back to, the registrant.
    program.portal_form_field_ids.unlink()
    env["g2p.program.form.field"].create(
        {
            "program_id": program.id,
            "form_key": "email",
            "partner_field_id": env["ir.model.fields"]._get("res.partner", "email").id,
            "prefill": True,
            "update_registrant": True,
        }
    )
    return program, requirement


def _clean(env, program):
    """A clean start: no application, membership, document or draft of the
    program; how many applications were removed."""
    applications = (
        env["g2p.program.registrant_info"]
        .with_context(active_test=False)
        .search([("program_id", "=", program.id)])
    )
    Files = env["storage.file"].with_context(active_test=False)
    Files.search(
        [
            "|",
            ("program_registrant_info_id", "in", applications.ids),
            ("program_membership_id.program_id", "=", program.id),
        ]
    ).unlink()
    Files._clean_storage_file()
    removed = len(applications)
    applications.unlink()
    env["g2p.program_membership"].with_context(active_test=False).search(
        [("program_id", "=", program.id)]
    ).unlink()
    env["g2p.portal.application.draft"].search(
        [("program_id", "=", program.id)]
    ).unlink()
    return removed


def _applicants(env, params):
    """Portal users on registrants, created in one batch when new; (all of
    them, how many were created)."""
    logins = [params["prefix"] + str(n) for n in range(1, params["applicants"] + 1)]
    Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    users = Users.search([("login", "in", logins)])
    known = set(users.mapped("login"))
    missing = [login for login in logins if login not in known]
    portal = env.ref("base.group_portal")
    if missing:
        partners = env["res.partner"].create(
            [
                {
                    "name": "Bench Applicant " + login[len(params["prefix"]) :],
                    "is_registrant": True,
                    "is_group": False,
                    "email": login + "@example.org",
                }
                for login in missing
            ]
        )
        users |= Users.create(
            [
                {
                    "login": login,
                    "partner_id": partner.id,
                    "groups_id": [(6, 0, [portal.id])],
                }
                for login, partner in zip(missing, partners, strict=True)
            ]
        )
    users.filtered(lambda user: not user.active).write({"active": True})
    # One hash for all (hashing costs ~0.7 s each); stored the way Odoo does.
    hashed = Users._crypt_context().hash(params["password"])
    for user in users:
        user._set_encrypted_password(user.id, hashed)
    return users, len(missing)


def set_up(env, params):
    """The bench program and its applicants; their ids."""
    store, version, builder = _form(env, params)
    program, requirement = _program(env, params, store, builder)
    removed = _clean(env, program)
    users, created = _applicants(env, params)
    env.cr.commit()
    return {
        "program_id": program.id,
        "requirement_id": requirement.id,
        "formio_version": version.name,
        "created_users": created,
        "removed_applications": removed,
        "applicants": {user.login: user.partner_id.id for user in users},
    }
