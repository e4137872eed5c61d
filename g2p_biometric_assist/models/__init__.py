from . import (
    g2p_biometric_audit,
    g2p_biometric_capture,
    g2p_biometric_capture_data,
    g2p_biometric_capture_read,
    g2p_biometric_consent,
    g2p_program,
    g2p_program_registrant_info,
    g2p_sbi_trusted_certificate,
    res_config_settings,
    res_partner,
)
