/** @odoo-module **/
import {registry} from "@web/core/registry";

// A registrant fills a program's Formio form in the browser and submits it.
registry.category("web_tour.tours").add("g2p_portal_forms_apply", {
    test: true,
    steps: () => [
        {
            content: "formio.js rendered the form, the verified name read-only",
            trigger: ".o_g2p_apply_formio input[name='data[full_name]']:disabled",
            isCheck: true,
        },
        {
            content: "household size",
            trigger: ".o_g2p_apply_formio input[name='data[household_size]']",
            run: "text 4",
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
            content: "the application number is shown",
            trigger: ".o_g2p_application_id",
            isCheck: true,
        },
    ],
});
