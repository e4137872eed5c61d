# Odoo's command line imports an addon having a cli/ folder to find the
# odoo.cli.Command subclasses it defines (odoo/cli/command.py).
from . import formiojs
