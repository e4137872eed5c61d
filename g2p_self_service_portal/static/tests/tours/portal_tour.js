/** @odoo-module **/
import {registry} from "@web/core/registry";

// A registrant signs in on the portal's sign-in page, finds their
// application on the dashboard, opens the list and then the application.
registry.category("web_tour.tours").add("g2p_self_service_portal_journey", {
    test: true,
    url: "/selfservice/login",
    steps: () => [
        {
            content: "the national-ID sign-in buttons are offered",
            trigger: "a[href^='/auth_esignet/login/']",
            isCheck: true,
        },
        {
            content: "type the user name",
            trigger: "#g2p_ssp_login",
            run: "text ana.tour",
        },
        {
            content: "type the password",
            trigger: "#g2p_ssp_password",
            run: "text ana.tour",
        },
        {
            content: "sign in",
            trigger: "form[action='/web/login'] button[type='submit']",
        },
        {
            content: "the dashboard lists the person's programs",
            trigger: "h2:contains('My programs')",
            isCheck: true,
        },
        {
            content: "open all applications",
            trigger: "a[href='/my/applications']:contains('See all my applications')",
        },
        {
            content: "open the application",
            trigger: ".o_g2p_applications a[href^='/my/applications/']",
        },
        {
            content: "its status history, answers and documents are shown",
            trigger: ".o_g2p_application .o_g2p_timeline li",
            extra_trigger: ".o_g2p_application h2:contains('Your answers')",
            isCheck: true,
        },
    ],
});
