import csv

from odoo.modules.module import get_module_path


def declared_access_rows(module):
    """Rows of ``module``'s security/ir.model.access.csv, as dicts."""
    path = f"{get_module_path(module)}/security/ir.model.access.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_access_as_declared(case, module):
    """Each declared access row exists in the database with its perms."""
    rows = declared_access_rows(module)
    case.assertTrue(rows, f"{module} declares no access rights")
    for row in rows:
        xmlid = row["id"] if "." in row["id"] else f"{module}.{row['id']}"
        access = case.env.ref(xmlid)
        model_xmlid = row["model_id:id"]
        if "." not in model_xmlid:
            model_xmlid = f"{module}.{model_xmlid}"
        case.assertEqual(access.model_id, case.env.ref(model_xmlid), xmlid)
        group_xmlid = row["group_id:id"]
        if group_xmlid:
            if "." not in group_xmlid:
                group_xmlid = f"{module}.{group_xmlid}"
            case.assertEqual(access.group_id, case.env.ref(group_xmlid), xmlid)
        for perm in ("read", "write", "create", "unlink"):
            case.assertEqual(
                access[f"perm_{perm}"], row[f"perm_{perm}"] == "1", f"{xmlid} {perm}"
            )
