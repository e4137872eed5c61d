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

// The session ends while the person fills the form: their answers are kept
// on the device, they sign in again and find them in the form.
registry.category("web_tour.tours").add("g2p_portal_forms_apply_after_sign_out", {
    test: true,
    steps: () => [
        {
            content: "the form is rendered",
            trigger: ".o_g2p_apply_formio input[name='data[household_size]']",
            run: "text 6",
        },
        {
            content: "email",
            trigger: ".o_g2p_apply_formio input[name='data[email]']",
            run: "text ana@example.org",
        },
        {
            content: "the session ends (signed out elsewhere)",
            trigger: "body",
            run: () => fetch("/web/session/logout", {redirect: "manual"}),
        },
        {
            content: "submit",
            trigger: ".o_g2p_apply_submit",
        },
        {
            content: "sign in again",
            trigger: ".oe_login_form input[name='login']",
            run: "text ana.portal",
        },
        {
            content: "password",
            trigger: ".oe_login_form input[name='password']",
            run: "text ana.portal",
        },
        {
            content: "log in",
            trigger: ".oe_login_form button[type='submit']",
        },
        {
            content: "the answers were kept",
            trigger: ".o_g2p_apply_restored:not(.d-none)",
            isCheck: true,
        },
        {
            content: "household size restored",
            trigger: ".o_g2p_apply_formio input[name='data[household_size]']",
            run: () => {
                const input = document.querySelector(
                    ".o_g2p_apply_formio input[name='data[household_size]']"
                );
                if (input.value !== "6") {
                    throw new Error(`answers not restored: ${input.value}`);
                }
            },
        },
        {
            content: "submit",
            trigger: ".o_g2p_apply_submit",
        },
        {
            content: "the application number is shown",
            trigger: ".o_g2p_application_id",
            isCheck: true,
        },
    ],
});
