from . import g2p_program_map_form_wizard
