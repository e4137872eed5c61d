/* The apply page: renders the program's form with formio.js (served by this
 * Odoo, and so are the libraries it loads on demand), prefilled and with locked fields read-only, shows the
 * server's errors next to their fields, saves drafts, and submits the
 * answers together with the documents as one ordinary form post (CSRF
 * token included). The server validates everything again. */
(function () {
    "use strict";

    function isSubmitButton(component) {
        return component.type === "button" && (component.action || "submit") === "submit";
    }

    /* The page has its own submit button, after the documents. */
    function withoutSubmitButtons(components) {
        return (components || []).filter(function (component) {
            if (isSubmitButton(component)) {
                return false;
            }
            ["components", "columns", "rows"].forEach(function (name) {
                if (Array.isArray(component[name])) {
                    component[name] = withoutSubmitButtons(component[name]);
                }
            });
            return true;
        });
    }

    /* formio.js loads some libraries only when a form needs them (flatpickr
     * for dates, CKEditor for rich text, Ace…), from cdn.form.io unless told
     * otherwise. cdn.baseUrl is this server's copy (formiojs-install), laid
     * out as cdnjs; cdn.layout renames folders and versions and serves one
     * library for another (see formiojs/cdn.py browser_layout). */
    function useServerLibraries(Formio, cdn) {
        if (!cdn || !cdn.baseUrl || !Formio.cdn) {
            return;
        }
        var layout = cdn.layout || {};
        var folders = layout.folders || {};
        var versions = layout.versions || {};
        var aliases = layout.aliases || {};
        Formio.cdn.updateUrls = function () {
            for (var lib in this.libs) {
                var name = aliases[lib] || lib;
                var version = this.libs[name];
                version = (versions[name] || {})[version] || version;
                var base = (this.overrides && this.overrides[lib]) || this.baseUrl;
                var url = base + "/" + (folders[name] || name);
                this[lib] = version === "latest" || version === "" ? url : url + "/" + version;
            }
        };
        Formio.cdn.setBaseUrl(cdn.baseUrl);
        // formio.js asks for flatpickr's locales as l10n/flatpickr-<locale>.js
        // and waits for window["flatpickr-<locale>"]: flatpickr's own files
        // are l10n/<language>.min.js and define window[<language>].
        var requireLibrary = Formio.requireLibrary;
        Formio.requireLibrary = function (name, property, src, polling, onload) {
            var locale = /^flatpickr-([a-z]{2})/i.exec(name);
            if (locale && typeof src === "string" && src.indexOf("/l10n/") !== -1) {
                var language = locale[1].toLowerCase();
                return requireLibrary.call(
                    this,
                    "flatpickr-l10n-" + language,
                    language,
                    src.replace(/\/l10n\/[^/]*$/, "/l10n/" + language + ".min.js"),
                    polling,
                    onload
                );
            }
            return requireLibrary.apply(this, arguments);
        };
    }

    function componentAt(form, path) {
        var found = null;
        form.everyComponent(function (component) {
            if (!found && (component.path === path || component.key === path)) {
                found = component;
            }
        });
        return found;
    }

    /* Answers kept on this device while the person signs in again (the
     * session expired before they submitted). Never sent anywhere but back
     * into this form, and removed as soon as they are restored. */
    function stashKey(root) {
        return "g2p_apply_answers_" + root.dataset.programId;
    }

    function takeStash(root) {
        var key = stashKey(root);
        var text = window.sessionStorage.getItem(key);
        window.sessionStorage.removeItem(key);
        try {
            return text ? JSON.parse(text) : null;
        } catch (error) {
            return null;
        }
    }

    function sessionAlive() {
        return fetch("/web/session/check", {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({jsonrpc: "2.0", method: "call", params: {}}),
        }).then(function (response) {
            return response.json();
        }).then(function (answer) {
            return !answer.error;
        }).catch(function () {
            return true; // offline: let the post itself say what happened
        });
    }

    function start() {
        var root = document.querySelector(".o_g2p_apply_form");
        if (!root) {
            return;
        }
        var submitButton = root.querySelector(".o_g2p_apply_submit");
        if (!window.Formio) {
            submitButton.disabled = true;
            return;
        }
        var config = JSON.parse(root.querySelector(".o_g2p_apply_config").textContent);
        useServerLibraries(window.Formio, config.cdn);
        var schema = config.schema;
        schema.components = withoutSubmitButtons(schema.components);
        var options = {buttonSettings: {showSubmit: false}, noAlerts: false};
        var lang = document.documentElement.getAttribute("lang");
        if (lang) {
            options.language = lang.split("-")[0];
        }
        var data = config.data || {};
        var restored = takeStash(root);
        if (restored) {
            // The person's answers, the registrant's locked values over them.
            var locked = {};
            (config.locked || []).forEach(function (key) {
                locked[key] = true;
            });
            Object.keys(restored).forEach(function (key) {
                if (!locked[key]) {
                    data[key] = restored[key];
                }
            });
            document.querySelector(".o_g2p_apply_restored").classList.remove("d-none");
        }
        window.Formio.createForm(
            root.querySelector(".o_g2p_apply_formio"), schema, options
        ).then(function (form) {
            form.submission = {data: data};
            form.ready.then(function () {
                (config.locked || []).forEach(function (key) {
                    var component = componentAt(form, key);
                    if (component) {
                        component.component.disabled = true;
                        component.disabled = true;
                        component.redraw();
                    }
                });
                Object.keys(config.errors || {}).forEach(function (path) {
                    var component = componentAt(form, path);
                    if (component) {
                        component.setCustomValidity(config.errors[path].join(" "), true);
                    }
                });
            });
            var sending = false;
            root.addEventListener("submit", function (event) {
                if (sending) {
                    return;
                }
                event.preventDefault();
                submitButton.disabled = true;
                form.submit().then(function (submission) {
                    return sessionAlive().then(function (alive) {
                        if (!alive) {
                            window.sessionStorage.setItem(
                                stashKey(root), JSON.stringify(submission.data)
                            );
                            window.location.assign(
                                "/web/login?redirect=" +
                                    encodeURIComponent(window.location.pathname)
                            );
                            return;
                        }
                        sending = true;
                        root.querySelector(".o_g2p_apply_submission").value =
                            JSON.stringify(submission.data);
                        root.submit();
                    });
                }).catch(function () {
                    submitButton.disabled = false;
                });
            });
            var saveButton = root.querySelector(".o_g2p_apply_save");
            var saved = root.querySelector(".o_g2p_apply_saved");
            var notSaved = root.querySelector(".o_g2p_apply_not_saved");
            if (!root.dataset.draftUrl) {
                // No drafts on this page (an officer applying on someone's behalf).
                return;
            }
            saveButton.classList.remove("d-none");
            saveButton.addEventListener("click", function () {
                saveButton.disabled = true;
                fetch(root.dataset.draftUrl, {
                    method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({
                        jsonrpc: "2.0",
                        method: "call",
                        params: {data: form.submission.data},
                    }),
                }).then(function (response) {
                    return response.json();
                }).then(function (answer) {
                    var result = answer.result || {};
                    saved.classList.toggle("d-none", !result.saved);
                    // The server says why the answers were not kept.
                    notSaved.textContent = result.saved ? "" : result.message || "";
                    notSaved.classList.toggle("d-none", !notSaved.textContent);
                }).finally(function () {
                    saveButton.disabled = false;
                });
            });
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
