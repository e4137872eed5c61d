"""The demo's configuration inside Odoo: what cannot be demo XML.

Run by ``setup/demo.py`` (``python3 setup/portal_demo/demo_odoo.py --config=…
--database=… --settings=FILE``), and imported by the end-to-end test
(``g2p_biometric_assist/tests/test_demo_end_to_end.py``) so that the test
runs on the demo's configuration. Every function is idempotent: it writes
only what differs, so a second run changes nothing.

- the eSignet provider, with the settings of the OpenG2P eSignet guide
  (g2p_auth_esignet's CONFIGURE readme), its endpoints filled by Discover,
  and the linking modes the demo data relies on;
- the SBI device provider's CA certificate, trusted;
- the other login buttons (Odoo.com, auth_oidc's demo providers) off;
  formio's daily GitHub check off (formio.js comes from npm); the base URL;
- the message sink as Odoo's outgoing mail server and, with OpenG2P's
  ``g2p_notifications_fast2sms``, as every program's SMS gateway; registrants
  told by email and SMS.
"""

import argparse
import json
import sys

GUIDE_MAPPING = (
    "name:name email:email phone:phone_number birthdate:birthdate "
    "gender:gender address:address"
)
PROVIDER_NAME = "eSignet"
MAIL_SERVER_NAME = "Demo message sink (nothing leaves this machine)"
SMS_MANAGER_NAME = "Demo SMS (message sink)"
SMS_MANAGER_MODEL = "g2p.program.notification.manager.fast2sms"
DEVICE_PROVIDER_NAME = "SBI emulator (demo device provider)"


def esignet_provider_values(env, *, issuer, client_id):
    """The guide's settings (except the key and the discovered endpoints)."""
    return {
        "name": PROVIDER_NAME,
        "body": "Sign in with your national ID",
        "flow": "id_token_code",
        "enabled": True,
        "client_id": client_id,
        "token_map": "sub:user_id",
        "client_authentication_method": "private_key_jwt",
        "client_assertion_type": "jwt_bearer",
        "esignet_issuer": issuer,
        "scope": "openid profile",
        "g2p_use_reg_id": True,
        "g2p_id_type": env.ref("g2p_self_service_portal.demo_id_type_psut").id,
        "partner_creation_call_validate_url": True,
        "partner_creation_validate_response": GUIDE_MAPPING,
        "default_group_user_creation": env.ref("base.group_portal").id,
        "login_attribute_mapping_on_user_creation": "email",
        # Service-provider use case 1.2.3: existing registrants are linked by
        # their national ID (automatic), or from their profile (manual); new
        # people are registered.
        "esignet_link_automatic": True,
        "esignet_link_manual": True,
        "esignet_link_registration": True,
        "esignet_auto_link_id_type": env.ref(
            "g2p_self_service_portal.demo_id_type_national_id"
        ).id,
        "esignet_auto_link_claim": "individual_id",
        "esignet_claims_voluntary": "email phone_number address picture individual_id",
    }


def _differences(record, values):
    changed = {}
    for name, value in values.items():
        current = record[name]
        if hasattr(current, "_name"):
            current = current.id
        if current != value:
            changed[name] = value
    return changed


def configure_esignet(env, *, issuer, client_id, private_key_pem, acr_values=None):
    """The demo's eSignet provider, created or brought to these settings.

    ``acr_values``: the authentication methods the client is registered for;
    login buttons for others are archived (eSignet would refuse them).
    """
    Provider = env["auth.oauth.provider"].sudo()
    values = esignet_provider_values(env, issuer=issuer, client_id=client_id)
    provider = Provider.search([("client_id", "=", client_id)], limit=1)
    if not provider:
        # Discover replaces this placeholder with the issuer's endpoint.
        provider = Provider.create(dict(values, auth_endpoint=issuer + "/authorize"))
    else:
        changed = _differences(provider, values)
        if changed:
            provider.write(changed)
    if (provider.client_private_key or "").strip() != private_key_pem.strip():
        provider.client_private_key = private_key_pem.strip()
    if not (
        provider.token_endpoint
        and provider.jwks_uri
        and (provider.auth_endpoint or "").startswith(issuer)
    ):
        provider.action_esignet_discover()
    if acr_values is not None:
        Method = env["g2p.esignet.login.method"].sudo().with_context(active_test=False)
        for method in Method.search([("provider_id", "=", provider.id)]):
            wanted = set(method.acr_values.split()) <= set(acr_values)
            if method.active != wanted:
                method.active = wanted
    return provider


def trust_device_provider(env, pem, name=DEVICE_PROVIDER_NAME):
    """The device provider's CA certificate, trusted (once)."""
    from odoo.addons.g2p_biometric_assist.sbi import certificate_summaries

    fingerprint = certificate_summaries(pem)[0]["fingerprint"]
    Trusted = env["g2p.sbi.trusted.certificate"].sudo().with_context(active_test=False)
    certificate = Trusted.search([("fingerprint", "=", fingerprint)], limit=1)
    if not certificate:
        return Trusted.create({"name": name, "pem": pem})
    if not certificate.active:
        certificate.active = True
    return certificate


def disable_other_login_providers(env, keep):
    """Every other login provider off: auth_oauth's "Log in with Odoo.com",
    and the demo providers of auth_oidc's demo data (Azure AD, a Keycloak on
    localhost), whose servers the demo does not have. Returns their names."""
    others = (
        env["auth.oauth.provider"]
        .sudo()
        .search([("enabled", "=", True), ("id", "not in", keep.ids)])
    )
    others.write({"enabled": False})
    return others.mapped("name")


def archive_formio_github_check(env):
    """The demo's formio.js comes from npm (formiojs-install): Nova Code's
    daily check of GitHub releases is not needed, and fails offline
    (g2p_portal_forms/readme/INSTALL.md)."""
    cron = env.ref(
        "formio.ir_cron_formio_version_github_tag_check_and_register",
        raise_if_not_found=False,
    )
    if cron and cron.active:
        cron.sudo().active = False


def set_base_url(env, url):
    params = env["ir.config_parameter"].sudo()
    if params.get_param("web.base.url") != url:
        params.set_param("web.base.url", url)


def configure_mail_server(env, port):
    """Odoo's outgoing mail server: the sink's SMTP port on loopback, first
    in line; Odoo's own queue sends through it."""
    Server = env["ir.mail_server"].sudo().with_context(active_test=False)
    values = {
        "name": MAIL_SERVER_NAME,
        "smtp_host": "127.0.0.1",
        "smtp_port": int(port),
        "smtp_encryption": "none",
        "smtp_authentication": "login",
        "smtp_user": False,
        "sequence": 1,
        "active": True,
    }
    server = Server.search([("name", "=", MAIL_SERVER_NAME)], limit=1)
    if not server:
        return Server.create(values)
    changed = _differences(server, values)
    if changed:
        server.write(changed)
    return server


# Odoo apps installed with OpenG2P (g2p_programs depends on event_sms; the
# mail stack brings calendar) whose demo data writes to made-up people.
ODOO_DEMO_APPS = ("event", "calendar")


def quiet_odoo_app_demo(env):
    """Odoo's own demo data of ``ODOO_DEMO_APPS`` would email made-up people
    through the message sink: event confirmations and meeting invitations
    queued at installation, then event and meeting reminders. Their queued
    emails are cancelled, the demo events' mail schedulers removed and the
    demo meetings' alarms cleared, so that the sink shows what the portal
    sends. Returns how many emails were cancelled."""
    from odoo.osv import expression  # the module runs inside Odoo's shell

    Data = env["ir.model.data"].sudo()
    about = {}  # model: ids of Odoo's demo records, and what hangs on them
    for data in Data.search(
        [
            ("module", "in", ODOO_DEMO_APPS),
            ("model", "in", ("event.event", "event.registration", "calendar.event")),
        ]
    ):
        about.setdefault(data.model, set()).add(data.res_id)
    events = sorted(about.get("event.event", ()))
    if events:
        registrations = (
            env["event.registration"].sudo().search([("event_id", "in", events)])
        )
        about.setdefault("event.registration", set()).update(registrations.ids)
        env["event.mail"].sudo().search([("event_id", "in", events)]).unlink()
    meetings = sorted(about.get("calendar.event", ()))
    if meetings:
        env["calendar.event"].sudo().browse(meetings).exists().write(
            {"alarm_ids": [(5, 0, 0)]}
        )
    if not about:
        return 0
    domain = expression.OR(
        [
            [("model", "=", model), ("res_id", "in", sorted(ids))]
            for model, ids in about.items()
        ]
    )
    queued = (
        env["mail.mail"]
        .sudo()
        .search(expression.AND([[("state", "=", "outgoing")], domain]))
    )
    queued.write({"state": "cancel"})
    return len(queued)


def configure_sms_gateway(env, endpoint, key):
    """Every program's SMS go through OpenG2P's Fast2SMS client to the sink
    (one manager per program, as OpenG2P's managers are), and registrants
    are told by email and SMS. Returns the programs so configured; none when
    the addon is not installed."""
    if SMS_MANAGER_MODEL not in env or not endpoint:
        return env["g2p.program"].browse()
    Sms = env[SMS_MANAGER_MODEL].sudo()
    Wrapper = env["g2p.program.notification.manager"].sudo()
    programs = env["g2p.program"].sudo().search([])
    for program in programs:
        values = {"send_api_endpoint": endpoint, "access_token": key}
        manager = Sms.search(
            [("program_id", "=", program.id), ("name", "=", SMS_MANAGER_NAME)], limit=1
        )
        if not manager:
            manager = Sms.create(
                dict(values, name=SMS_MANAGER_NAME, program_id=program.id)
            )
        elif _differences(manager, values):
            manager.write(values)
        reference = f"{SMS_MANAGER_MODEL},{manager.id}"
        # A Reference field is stored as "model,id": searched as it is.
        wrapper = Wrapper.search(
            [("program_id", "=", program.id), ("manager_ref_id", "=", reference)],
            limit=1,
        )
        if not wrapper:
            wrapper = Wrapper.create(
                {"program_id": program.id, "manager_ref_id": reference}
            )
        if wrapper not in program.notification_managers:
            program.notification_managers = [(4, wrapper.id)]
    params = env["ir.config_parameter"].sudo()
    key_name = "g2p_notifications_base.default_notification_preference"
    if params.get_param(key_name) != "both":
        params.set_param(key_name, "both")
    quiet = (
        env["res.partner"]
        .sudo()
        .search(
            [
                ("is_registrant", "=", True),
                ("is_group", "=", False),
                ("notification_preference", "in", [False, "none"]),
            ]
        )
    )
    quiet.write({"notification_preference": "both"})
    return programs


def formiojs_assets(env):
    """How many assets the demo forms' formio.js version has (0: not installed)."""
    version = env.ref("g2p_portal_forms.demo_formio_version", raise_if_not_found=False)
    if not version:
        return 0
    return (
        env["formio.version.asset"]
        .sudo()
        .search_count([("version_id", "=", version.id)])
    )


def configure(env, settings):
    """Everything ``setup/demo.py`` asks for; returns a summary (no secret)."""
    with open(settings["client_key_file"], encoding="ascii") as handle:
        private_key_pem = handle.read()
    provider = configure_esignet(
        env,
        issuer=settings["issuer"],
        client_id=settings["client_id"],
        private_key_pem=private_key_pem,
        acr_values=settings.get("acr_values"),
    )
    certificate = trust_device_provider(env, settings["device_ca_pem"])
    disabled = disable_other_login_providers(env, provider)
    archive_formio_github_check(env)
    set_base_url(env, settings["base_url"])
    mail_server = None
    if settings.get("smtp_port"):
        mail_server = configure_mail_server(env, settings["smtp_port"])
    quieted = quiet_odoo_app_demo(env)
    sms_programs = env["g2p.program"].browse()
    if settings.get("sms_endpoint"):
        with open(settings["sms_key_file"], encoding="ascii") as handle:
            sms_key = handle.read().strip()
        sms_programs = configure_sms_gateway(env, settings["sms_endpoint"], sms_key)
    return {
        "mail_server_id": mail_server.id if mail_server else None,
        "odoo_demo_emails_cancelled": quieted,
        "sms_programs": len(sms_programs),
        "provider_id": provider.id,
        "login_buttons": provider.esignet_login_method_ids.mapped("name"),
        "trusted_certificate": certificate.fingerprint,
        "disabled_providers": disabled,
        "formiojs_assets": formiojs_assets(env),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--settings", required=True, help="JSON file of settings")
    args = parser.parse_args(argv)
    with open(args.settings, encoding="utf-8") as handle:
        settings = json.load(handle)

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([f"--config={args.config}"])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        summary = configure(env, settings)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
