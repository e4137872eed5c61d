from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.g2p_portal_forms.apply_core import refusal
from odoo.addons.g2p_portal_forms.models.g2p_program_registrant_info import (
    BLOCKING_STATES,
    OPEN_STATES,
)

# What the dashboard shows at most, whatever the person's history: the
# page and its query count stay the same size.
DASHBOARD_PROGRAMS = 10
LATEST_APPLICATIONS = 5
ATTENTION_ITEMS = 5
CLOSING_SOON_DAYS = 7
# A program's line of the dashboard statement (kind "g"), in order.
PROGRAM_LINE = (
    "program_id",
    "count",
    "latest_id",
    "blocking",
    "open",
    "membership_state",
    "membership_id",
)


class ResPartner(models.Model):
    """What the registrant's dashboard (/my) shows: their programs, latest
    applications and to-dos, read for the user of the environment."""

    # One concern of res.partner per file (res_partner.py has the forms'
    # locked fields): each file stays readable.
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _portal_dashboard(self):
        """The dashboard's values for the environment's user (a portal
        user: the record rules decide what they see).

        The registrant's programs, latest applications and to-dos. One SQL
        statement, whatever the person's history
        (``_portal_dashboard_rows``): its parts are the queries the ORM
        builds as the portal user (record rules included) for the
        applications, the programs whose window closes soon, the document
        requirements and the documents given; the person's own memberships
        and the names of the programs of their own records are read as the
        record rules would. Only the programs shown are named.
        """
        env = self.env
        Application = env["g2p.program.registrant_info"]
        if not Application.check_access_rights("read", raise_exception=False):
            return {"g2p_dashboard": False}
        today = fields.Date.context_today(Application)
        rows = self._portal_dashboard_rows(today)
        per_program = {}
        for line in rows["g"]:
            entry = dict(zip(PROGRAM_LINE, line, strict=True), name="")
            entry["membership_state"] = entry["membership_state"] or False
            per_program[entry["program_id"]] = entry
        shown = [per_program[program_id] for _rank, program_id in sorted(rows["s"])]
        names = dict(rows["n"])
        applications = {}
        for app_id, number, state, program_id, program_name, created in rows["a"]:
            applications[app_id] = {
                "id": app_id,
                "application_id": number,
                "state": state,
                "program_id": program_id and (program_id, program_name or ""),
                "create_date": fields.Datetime.to_datetime(created),
            }
        for entry in shown:
            entry["name"] = names.get(entry["program_id"], "")
            entry["application"] = applications.get(entry["latest_id"])
        latest = sorted(
            (app for app_id, app in applications.items() if app_id in rows["l"]),
            key=lambda app: app["id"],
            reverse=True,
        )
        attention = self._portal_closing_soon(per_program, today, rows["c"])
        attention += self._portal_documents_requested(
            applications, sorted(rows["d"], reverse=True), rows["r"], rows["f"]
        )
        return {
            "g2p_dashboard": True,
            "g2p_programs": shown,
            "g2p_program_total": rows["t"][0] if rows["t"] else 0,
            "g2p_applications": latest,
            "g2p_attention": attention[:ATTENTION_ITEMS],
            "g2p_state_labels": dict(
                Application._fields["state"]._description_selection(env)
            ),
            "g2p_membership_labels": dict(
                env["g2p.program_membership"]
                ._fields["state"]
                ._description_selection(env)
            ),
        }

    @api.model
    def _portal_dashboard_rows(self, today):
        """Everything the dashboard shows, in one statement: {kind: [row]}.

        g: a program's line (``PROGRAM_LINE``: applications, the latest
        one's id, how many block or are open, the latest membership's state
        and id) for the programs shown and those closing soon; s: the
        programs shown, (rank, program); t: how many programs the person has; n:
        (program, name) of the programs shown; a: the applications shown
        (latest per program shown, latest overall, those considered for
        missing documents) with their program's name; l: ids of the latest
        applications; d: ids of the applications still being considered
        (candidates for a missing document); r: (requirement, program,
        name, sequence) mandatory for those; f: (application, requirement)
        documents given; c: (program, name, its terms of applying, when the
        person last applied to it) of the programs open to applications
        whose window closes soon.

        SQL: the ORM would take a query for each kind (and more to name the
        programs); this is one statement whatever the person's history.
        """
        env = self.env
        partner_id = env.user.partner_id.id
        Application = env["g2p.program.registrant_info"]
        Program = env["g2p.program"]
        Requirement = env["g2p.program.document.requirement"]
        File = env["storage.file"]
        for model in (Application, Program, Requirement, File):
            model.flush_model()
        env["g2p.program_membership"].flush_model(["partner_id", "program_id", "state"])
        # The parts the record rules restrict, as the portal user.
        apps = Application._search([("registrant_id", "=", partner_id)])
        apps_table = SQL.identifier(apps.table)
        closing = Program._search(
            [
                *Program._portal_open_domain(today),
                ("portal_open_until", "<=", today + timedelta(days=CLOSING_SOON_DAYS)),
            ],
            order="portal_open_until, id",
            limit=ATTENTION_ITEMS * 4,
        )
        closing_table = SQL.identifier(closing.table)
        if Requirement.check_access_rights("read", raise_exception=False):
            requirements = Requirement._search([("mandatory", "=", True)]).subselect()
        else:
            requirements = SQL("(SELECT NULL::int WHERE FALSE)")
        if File.check_access_rights("read", raise_exception=False):
            files = File._search([("portal_requirement_id", "!=", False)]).subselect()
        else:
            files = SQL("(SELECT NULL::int WHERE FALSE)")
        lang = env.lang or "en_US"
        env.cr.execute(
            SQL(
                """
WITH apps AS (%(apps)s),
grouped AS (
    SELECT program_id, state, COUNT(*) AS n, MAX(id) AS latest
    FROM apps WHERE program_id IS NOT NULL GROUP BY 1, 2
),
members AS (
    -- The person's own memberships, which the record rule allows (as
    -- superuser would): its household branch would only add a scan of
    -- every membership.
    SELECT program_id, state, MAX(id) AS latest FROM g2p_program_membership
    WHERE partner_id = %(partner)s GROUP BY 1, 2
),
-- One line per program of the person: their applications grouped, and
-- their latest membership.
lines AS (
    SELECT COALESCE(g.program_id, m.program_id) AS program_id,
        COALESCE(g.n, 0) AS n, COALESCE(g.latest, 0) AS latest,
        COALESCE(g.blocking, 0) AS blocking, COALESCE(g.open, 0) AS open,
        m.state AS member_state, COALESCE(m.latest, 0) AS member
    FROM (
        SELECT program_id, SUM(n) AS n, MAX(latest) AS latest,
            COALESCE(SUM(n) FILTER (WHERE state IN %(blocking)s), 0) AS blocking,
            COALESCE(SUM(n) FILTER (WHERE state IN %(open)s), 0) AS open
        FROM grouped GROUP BY program_id
    ) AS g FULL JOIN (
        SELECT DISTINCT ON (program_id) program_id, state, latest FROM members
        ORDER BY program_id, latest DESC
    ) AS m ON m.program_id = g.program_id
),
shown AS (
    SELECT program_id, latest AS app, member FROM lines
    ORDER BY latest DESC, member DESC LIMIT %(programs)s
),
latest AS (SELECT id FROM apps ORDER BY id DESC LIMIT %(latest)s),
candidates AS (
    SELECT id, program_id FROM apps WHERE state = 'active'
    ORDER BY id DESC LIMIT %(candidates)s
),
closing AS (%(closing)s)
SELECT 'g', json_build_array(program_id, n, latest, blocking, open, member_state,
        member)
    FROM lines
    WHERE program_id IN (SELECT program_id FROM shown UNION SELECT id FROM closing)
UNION ALL SELECT 's', json_build_array(
        ROW_NUMBER() OVER (ORDER BY app DESC, member DESC), program_id)
    FROM shown
UNION ALL SELECT 't', to_json(COUNT(*)) FROM lines
UNION ALL SELECT 'n', json_build_array(p.id, p.name)
    FROM g2p_program p WHERE p.id IN (SELECT program_id FROM shown)
UNION ALL SELECT 'a', json_build_array(
        a.id, a.application_id, a.state, a.program_id, p.name,
        to_char(a.create_date, 'YYYY-MM-DD HH24:MI:SS'))
    FROM apps a LEFT JOIN g2p_program p ON p.id = a.program_id
    WHERE a.id IN (
        SELECT id FROM latest UNION SELECT app FROM shown
        UNION SELECT id FROM candidates)
UNION ALL SELECT 'l', to_json(id) FROM latest
UNION ALL SELECT 'd', to_json(id) FROM candidates
UNION ALL SELECT 'r', json_build_array(
        r.id, r.program_id, COALESCE(r.name->>%(lang)s, r.name->>'en_US'),
        r.sequence)
    FROM g2p_program_document_requirement r
    WHERE r.id IN %(requirements)s
    AND r.program_id IN (SELECT program_id FROM candidates)
UNION ALL SELECT 'f', json_build_array(
        f.program_registrant_info_id, f.portal_requirement_id)
    FROM storage_file f
    WHERE f.id IN %(files)s
    AND f.program_registrant_info_id IN (SELECT id FROM candidates)
UNION ALL SELECT 'c', json_build_array(
        c.id, c.name, json_build_array(%(terms)s),
        -- When the person last applied (as _portal_check_can_apply reads it).
        (SELECT to_char(COALESCE(a.portal_submitted_at, a.create_date),
                        'YYYY-MM-DD HH24:MI:SS')
         FROM apps a WHERE a.program_id = c.id AND a.state IN %(blocking)s
         ORDER BY a.id DESC LIMIT 1))
    FROM closing c
""",
                apps=apps.select(
                    SQL("%s.id", apps_table),
                    SQL("%s.program_id", apps_table),
                    SQL("%s.state", apps_table),
                    SQL("%s.application_id", apps_table),
                    SQL("%s.create_date", apps_table),
                    SQL("%s.portal_submitted_at", apps_table),
                ),
                partner=partner_id,
                programs=DASHBOARD_PROGRAMS,
                latest=LATEST_APPLICATIONS,
                candidates=ATTENTION_ITEMS * 4,
                closing=closing.select(
                    SQL("%s.id", closing_table),
                    SQL("%s.name", closing_table),
                    *(
                        SQL.identifier(closing.table, name)
                        for name in Program._portal_terms_fields
                    ),
                ),
                terms=SQL(", ").join(
                    SQL.identifier("c", name) for name in Program._portal_terms_fields
                ),
                blocking=tuple(BLOCKING_STATES),
                open=tuple(OPEN_STATES),
                lang=lang,
                requirements=requirements,
                files=files,
            )
        )
        rows = {kind: [] for kind in "gstnaldrfc"}
        for kind, value in env.cr.fetchall():
            rows[kind].append(value)
        rows["l"] = set(rows["l"])
        return rows

    @api.model
    def _portal_closing_soon(self, per_program, today, programs):
        """Programs the person can apply to whose window closes soon.

        ``programs``: (id, name, the program's terms as the values of
        ``_portal_terms_fields``, when the person last applied) of the
        programs open to applications that close within CLOSING_SOON_DAYS.
        The apply page's own decision (``apply_core.refusal``) says which.
        """
        Program = self.env["g2p.program"]
        partner = self.env.user.partner_id
        items = []
        candidates = []
        for program_id, name, values, last in programs:
            terms = Program._portal_terms_of(
                dict(zip(Program._portal_terms_fields, values, strict=True))
            )
            candidates.append((terms.open_until, program_id, name, terms, last))
        for until, program_id, name, terms, last in sorted(candidates):
            entry = per_program.get(program_id) or {}
            applicant = Program._portal_applicant(
                partner,
                entry.get("blocking", 0),
                entry.get("open", 0),
                fields.Datetime.to_datetime(last),
            )
            if refusal(terms, applicant, today):
                continue
            items.append(
                {
                    "kind": "closing",
                    "name": name,
                    "date": until,
                    "days": (until - today).days,
                    "url": f"/my/programs/{program_id}/apply",
                }
            )
            if len(items) >= ATTENTION_ITEMS:
                break
        return items

    @api.model
    def _portal_documents_requested(self, applications, candidate_ids, required, given):
        """Applied-for applications still lacking a mandatory document.

        ``candidate_ids``: the latest applications still being considered,
        newest first; ``required``: (id, program, name, sequence) of their
        programs' mandatory documents; ``given``: (application, requirement)
        pairs of the documents they have.
        """
        given_pairs = {tuple(pair) for pair in given}
        requirements = sorted(required, key=lambda r: (r[3] or 0, r[0]))
        items = []
        for app_id in candidate_ids:
            application = applications.get(app_id)
            if not application or not application["program_id"]:
                continue
            missing = [
                name
                for req_id, program_id, name, _sequence in requirements
                if program_id == application["program_id"][0]
                and (app_id, req_id) not in given_pairs
            ]
            if missing:
                items.append(
                    {
                        "kind": "documents",
                        "application": application,
                        "documents": missing,
                        "url": f"/my/applications/{app_id}",
                    }
                )
            if len(items) >= ATTENTION_ITEMS:
                break
        return items
