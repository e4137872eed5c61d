/** @odoo-module **/
import {registry} from "@web/core/registry";

// An officer applies on a registrant's behalf: the SBI client finds the
// device on the officer's machine, captures, shows the quality, and the
// application is submitted with the verified capture.
registry.category("web_tour.tours").add("g2p_biometric_assist_apply", {
    test: true,
    steps: () => [
        {
            content: "the page says whose application it is",
            trigger: ".o_g2p_assisted_banner",
            isCheck: true,
        },
        {
            content: "discovery found the emulated finger device, Ready",
            trigger: ".o_g2p_sbi_device[data-status='Ready'][data-type='Finger'] input[type='radio']:not(:disabled)",
        },
        {
            content: "the capture options for that device are offered",
            trigger: ".o_g2p_sbi_options .o_g2p_sbi_subtype",
            isCheck: true,
        },
        {
            content: "capture",
            trigger: ".o_g2p_sbi_capture:not(:disabled)",
        },
        {
            content: "the server verified the capture: each quality score is shown",
            trigger: ".o_g2p_sbi_result .o_g2p_sbi_quality[data-meets-threshold='true']",
            isCheck: true,
        },
        {
            content: "the capture is attached to the application form",
            trigger: ".o_g2p_sbi_result",
            run: function () {
                const input = document.querySelector(
                    ".o_g2p_apply_form input[name='capture_ids']"
                );
                if (!/^\d+(,\d+)*$/.test(input.value)) {
                    throw new Error("no capture id in the form: " + input.value);
                }
            },
        },
        {
            content: "formio.js rendered the form, the registrant's name read-only",
            trigger: ".o_g2p_apply_formio input[name='data[full_name]']:disabled",
            isCheck: true,
        },
        {
            content: "household size",
            trigger: ".o_g2p_apply_formio input[name='data[household_size]']",
            run: "text 3",
        },
        {
            content: "bank",
            trigger: ".o_g2p_apply_formio select[name='data[bank]']",
            run: "text first",
        },
        {
            content: "email",
            trigger: ".o_g2p_apply_formio input[name='data[email]']",
            run: "text ana@example.org",
        },
        {
            content: "submit the application",
            trigger: ".o_g2p_apply_submit",
        },
        {
            content: "the application number is shown to the officer",
            trigger: ".o_g2p_application_id",
            isCheck: true,
        },
    ],
});
