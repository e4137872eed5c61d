from . import formio_version
from . import g2p_portal_application_draft
from . import g2p_program
from . import g2p_program_document_requirement
from . import g2p_program_form_field
from . import g2p_program_registrant_info
from . import res_partner
from . import storage_file
