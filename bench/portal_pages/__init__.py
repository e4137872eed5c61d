"""The parts of ``bench/bench_portal_pages.py`` (the command and its run).

- ``common``: the names and limits the parts share, and ``run_in_odoo``;
- ``in_odoo``: the records that need the ORM, run inside ``odoo-bin shell``
  (never imported here: the shell is given the file);
- ``copying`` and ``seeding``: the data at size, written with COPY;
- ``measuring``: signed-in sessions, timed requests, load, page weight;
- ``reporting``: the tables, the verdicts against the targets.

Imported with ``bench/`` on ``sys.path`` (the script's own folder).
"""
