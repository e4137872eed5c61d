"""The checks in the database after the burst: one application per applicant."""

from collections import Counter

from odoo_bench import connect

# -- checks ------------------------------------------------------------------------


def database_state(config, database, program_id):
    conn = connect(config, database)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT id, registrant_id, application_id "
                "FROM g2p_program_registrant_info WHERE program_id = %s",
                (program_id,),
            )
            applications = cr.fetchall()
            cr.execute(
                "SELECT partner_id, count(*) FROM g2p_program_membership "
                "WHERE program_id = %s GROUP BY partner_id",
                (program_id,),
            )
            memberships = dict(cr.fetchall())
            cr.execute(
                "SELECT f.program_registrant_info_id, count(*) FROM storage_file f "
                "JOIN g2p_program_registrant_info a "
                "ON a.id = f.program_registrant_info_id "
                "WHERE a.program_id = %s AND f.active GROUP BY 1",
                (program_id,),
            )
            documents = dict(cr.fetchall())
    finally:
        conn.close()
    return applications, memberships, documents


def check(shots, applicants, state):
    """The failed checks, as sentences; and the figures to print."""
    applications, memberships, documents = state
    failures = []
    by_partner = Counter(partner for _id, partner, _app in applications)
    own = {partner: app_id for app_id, partner, _app in applications}
    repeated_ids = sum(
        count - 1
        for count in Counter(a for _i, _p, a in applications if a).values()
        if count > 1
    )
    without_id = sum(1 for _i, _p, a in applications if not a)
    partners = {a.partner_id for a in applicants}
    twice = sum(1 for count in by_partner.values() if count > 1)
    missing = len(partners - set(by_partner))
    strangers = len(set(by_partner) - partners)
    if len(applications) != len(applicants):
        failures.append(
            f"{len(applications)} applications for {len(applicants)} applicants"
        )
    if twice or missing or strangers:
        failures.append(
            f"applicants with several applications: {twice}, with none: "
            f"{missing}; applications of others: {strangers}"
        )
    if repeated_ids or without_id:
        failures.append(
            f"repeated application IDs: {repeated_ids}, without one: {without_id}"
        )
    bad_memberships = sum(1 for p in partners if memberships.get(p) != 1)
    bad_documents = sum(1 for app_id in own.values() if documents.get(app_id) != 1)
    if bad_memberships or bad_documents:
        failures.append(
            f"applicants without exactly one membership: {bad_memberships}; "
            f"applications without exactly one document: {bad_documents}"
        )
    wrong_target = [
        s
        for s in shots
        if s.status == 303 and s.application_id != own.get(s.applicant.partner_id)
    ]
    if wrong_target:
        failures.append(
            f"{len(wrong_target)} POST(s) redirected to another application "
            f"than the applicant's (e.g. {wrong_target[0].location})"
        )
    not_303 = [s for s in shots if s.status != 303]
    if not_303:
        failures.append(f"{len(not_303)} POST(s) not answered 303")
    double_split = 0
    for login in {s.applicant.login for s in shots if s.kind == "double"}:
        targets = {
            s.application_id
            for s in shots
            if s.applicant.login == login and s.kind != "replay" and s.status == 303
        }
        double_split += len(targets) > 1
    if double_split:
        failures.append(f"{double_split} double click(s) gave two applications")
    figures = {
        "applications": len(applications),
        "memberships": sum(memberships.values()),
        "documents": sum(documents.values()),
        "duplicates": twice + repeated_ids + double_split,
        "twice": twice,
        "repeated_ids": repeated_ids,
        "double_split": double_split,
    }
    return failures, figures
