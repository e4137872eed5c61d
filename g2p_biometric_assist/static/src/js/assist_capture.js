/* Biometric capture widget of the officer-assisted application page.
 *
 * Plain script (no framework, no Odoo import); needs sbi_client.js loaded
 * before it (window.G2pSbiClient). Wires every `section.o_g2p_sbi` rendered
 * by the QWeb template g2p_biometric_assist.sbi_capture_widget (see that
 * template for the DOM contract and the message keys).
 *
 * Flow: find the SBI devices on this computer (MOSIPDISC on 127.0.0.1), the
 * officer picks a Ready one and what to capture; the server builds the
 * capture request (data-start-url), this page sends it to the device as is,
 * shows the device's preview stream meanwhile, and hands the device's raw
 * answer to the server (data-submit-url), which verifies it. Accepted
 * captures add their id to a hidden `capture_ids` input of the form.
 *
 * Every word shown comes from the page (translated by the server); nothing
 * from a device or the server is ever parsed as HTML.
 */
(function () {
    "use strict";

    const STATUS_KEYS = {
        "Ready": "status_ready",
        "Busy": "status_busy",
        "Not Ready": "status_not_ready",
        "Not Registered": "status_not_registered",
    };
    // Device error code explaining a status that cannot capture.
    const STATUS_ERROR_CODES = {"Busy": "111", "Not Ready": "110", "Not Registered": "100"};
    const TYPE_KEYS = {Finger: "type_finger", Iris: "type_iris", Face: "type_face"};
    const DEVICE_SUB_TYPE_KEYS = {
        "Slap": "dst_slap",
        "Single": "dst_single",
        "Touchless": "dst_touchless",
        "Double": "dst_double",
        "Full face": "dst_full_face",
    };
    const PURPOSE_KEYS = {Registration: "purpose_registration", Auth: "purpose_auth"};
    const PART_KEYS = {
        Finger: {1: "part_finger_1", 2: "part_finger_2", 3: "part_finger_3"},
        Iris: {1: "part_iris_1", 2: "part_iris_2", 3: "part_iris_3"},
    };
    const BIO_KEYS = {
        Finger: {
            "Left IndexFinger": "bio_finger_left_index",
            "Left MiddleFinger": "bio_finger_left_middle",
            "Left RingFinger": "bio_finger_left_ring",
            "Left LittleFinger": "bio_finger_left_little",
            "Left Thumb": "bio_finger_left_thumb",
            "Right IndexFinger": "bio_finger_right_index",
            "Right MiddleFinger": "bio_finger_right_middle",
            "Right RingFinger": "bio_finger_right_ring",
            "Right LittleFinger": "bio_finger_right_little",
            "Right Thumb": "bio_finger_right_thumb",
            "UNKNOWN": "bio_finger_unknown",
        },
        Iris: {Left: "bio_iris_left", Right: "bio_iris_right", UNKNOWN: "bio_iris_unknown"},
        Face: {"": "bio_face", UNKNOWN: "bio_face"},
    };
    const ALL_FINGERS = [
        "Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger", "Left Thumb",
        "Right IndexFinger", "Right MiddleFinger", "Right RingFinger", "Right LittleFinger", "Right Thumb",
    ];
    const EYES = ["Left", "Right"];
    const CAPTURE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

    /* Every message key this script (and sbi_client.describeError) reads:
     * the template defines exactly these. */
    const MESSAGE_KEYS = [
        // progress, in the polite status line
        "searching", "found_one", "found_many", "none_found", "none_ready",
        "capture_preparing", "capturing", "checking", "capture_accepted",
        // problems, in the alert
        "capture_refused", "server_unreachable", "server_error", "choose_device",
        "choose_sub_types",
        // device list
        "device_name", "device_details", "serial_unknown", "device_not_selectable",
        "device_reported",
        "status_ready", "status_busy", "status_not_ready", "status_not_registered",
        "status_unknown",
        "type_finger", "type_iris", "type_face", "type_unknown",
        "dst_slap", "dst_single", "dst_touchless", "dst_double", "dst_full_face",
        "purpose_registration", "purpose_auth", "purpose_none",
        // capture options
        "label_part", "part_finger_1", "part_finger_2", "part_finger_3",
        "part_iris_1", "part_iris_2", "part_iris_3",
        "legend_fingers", "legend_eyes", "legend_missing_fingers", "legend_missing_eyes",
        "face_note",
        "bio_finger_left_index", "bio_finger_left_middle", "bio_finger_left_ring",
        "bio_finger_left_little", "bio_finger_left_thumb", "bio_finger_right_index",
        "bio_finger_right_middle", "bio_finger_right_ring", "bio_finger_right_little",
        "bio_finger_right_thumb", "bio_finger_unknown", "bio_iris_left", "bio_iris_right",
        "bio_iris_unknown", "bio_face",
        // results
        "quality_line", "quality_line_plain", "quality_ok", "quality_low", "retry",
        // sbi_client.describeError keys
        "error_device_gone", "error_timeout", "error_too_large", "error_malformed",
        "error_aborted", "error_unknown",
        "device_error_0", "device_error_100", "device_error_101", "device_error_102",
        "device_error_103", "device_error_104", "device_error_105", "device_error_106",
        "device_error_107", "device_error_108", "device_error_109", "device_error_110",
        "device_error_111", "device_error_112", "device_error_202",
        "device_error_vendor", "device_error_unknown",
    ];

    let widgetCount = 0;
    let rpcId = 0;

    // ----------------------------------------------------------- helpers
    function h(tag, attributes, children) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes || {})) {
            if (value === null || value === undefined || value === false) {
                continue;
            }
            if (name === "class") {
                node.className = value;
            } else {
                node.setAttribute(name, value === true ? "" : String(value));
            }
        }
        for (const child of [].concat(children === undefined ? [] : children)) {
            if (child === null || child === undefined || child === "") {
                continue;
            }
            node.append(typeof child === "string" ? document.createTextNode(child) : child);
        }
        return node;
    }

    function format(template, values) {
        return String(template).replace(/\{(\w+)\}/g, function (match, name) {
            return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
        });
    }

    function readMessages(section) {
        const messages = {};
        section.querySelectorAll(".o_g2p_sbi_messages [data-key]").forEach(function (item) {
            messages[item.dataset.key] = item.textContent.replace(/\s+/g, " ").trim();
        });
        return messages;
    }

    function integer(value, fallback) {
        const number = Number(value);
        return value !== undefined && value !== "" && Number.isInteger(number) ? number : fallback;
    }

    async function rpc(url, params) {
        rpcId += 1;
        const response = await fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "Accept": "application/json"},
            body: JSON.stringify({jsonrpc: "2.0", method: "call", id: rpcId, params: params}),
        });
        if (!response.ok) {
            const error = new Error("HTTP " + response.status);
            error.kind = "server";
            throw error;
        }
        const answer = await response.json();
        if (answer && answer.error) {
            const error = new Error("JSON-RPC error");
            error.kind = "server";
            error.rpc = answer.error;
            throw error;
        }
        return answer ? answer.result : undefined;
    }

    // ------------------------------------------------------------ widget
    function createWidget(section, client) {
        widgetCount += 1;
        const uid = "o_g2p_sbi_" + widgetCount;
        const noForm = uid + "_no_form"; // our inputs never join the officer's form
        const messages = readMessages(section);
        const host = section.dataset.host || client.limits.DEFAULT_HOST;
        const firstPort = integer(section.dataset.portFirst, client.limits.FIRST_PORT);
        const lastPort = integer(section.dataset.portLast, client.limits.LAST_PORT);
        const threshold = section.dataset.threshold === undefined || section.dataset.threshold === "" ? NaN : Number(section.dataset.threshold);
        const startUrl = section.dataset.startUrl;
        const submitUrl = section.dataset.submitUrl;

        function q(selector) {
            return section.querySelector(selector);
        }

        const el = {
            title: q(".o_g2p_sbi_title"),
            controls: q(".o_g2p_sbi_controls"),
            discover: q(".o_g2p_sbi_discover"),
            status: q(".o_g2p_sbi_status"),
            alerts: q(".o_g2p_sbi_alerts"),
            devices: q(".o_g2p_sbi_devices"),
            deviceList: q(".o_g2p_sbi_device_list"),
            options: q(".o_g2p_sbi_options"),
            capture: q(".o_g2p_sbi_capture"),
            preview: q(".o_g2p_sbi_preview"),
            previewImage: q(".o_g2p_sbi_preview img"),
            results: q(".o_g2p_sbi_results"),
        };
        const missing = Object.keys(el).filter(function (name) {
            return !el[name];
        });
        if (missing.length || !startUrl || !submitUrl) {
            console.error("o_g2p_sbi: incomplete widget markup", missing);
            return;
        }
        if (el.title && !el.title.id) {
            el.title.id = uid + "_title";
            section.setAttribute("aria-labelledby", el.title.id);
        }

        const state = {
            devices: [],
            selectedKey: null,
            subId: 0,
            busy: false,
            preview: null,
            resultCount: 0,
        };

        let numberFormat = null;
        try {
            numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, {maximumFractionDigits: 2});
        } catch (error) {
            numberFormat = new Intl.NumberFormat(undefined, {maximumFractionDigits: 2});
        }

        function t(key, values) {
            if (!Object.prototype.hasOwnProperty.call(messages, key)) {
                console.warn("o_g2p_sbi: message missing from the page:", key);
                return format(key, values);
            }
            return format(messages[key], values);
        }

        function say(message) {
            el.status.textContent = message || "";
        }

        function clearError() {
            el.alerts.replaceChildren();
        }

        function showError(message) {
            clearError();
            el.alerts.append(h("div", {class: "alert alert-danger o_g2p_sbi_error mb-2", role: "alert"}, message));
        }

        function setBusy(busy) {
            state.busy = busy;
            el.controls.disabled = busy;
            section.setAttribute("aria-busy", busy ? "true" : "false");
            section.querySelectorAll(".o_g2p_sbi_retry").forEach(function (button) {
                button.disabled = busy;
            });
            if (!busy) {
                el.capture.disabled = !selectedDevice();
            }
        }

        // ---------------------------------------------------- devices
        function keyOf(device) {
            return device.port + ":" + device.deviceId;
        }

        function selectable(device) {
            return device.deviceStatus === "Ready" && Object.prototype.hasOwnProperty.call(TYPE_KEYS, device.type);
        }

        function selectedDevice() {
            return state.devices.find(function (device) {
                return keyOf(device) === state.selectedKey && selectable(device);
            }) || null;
        }

        function typeLabel(type) {
            return t(TYPE_KEYS[type] || "type_unknown");
        }

        function bioLabel(type, subType) {
            const keys = BIO_KEYS[type] || {};
            const key = keys[subType || ""];
            return key ? t(key) : subType || typeLabel(type);
        }

        function renderDevices() {
            el.deviceList.replaceChildren();
            el.devices.hidden = state.devices.length === 0;
            state.devices.forEach(function (device, index) {
                const id = uid + "_device_" + index;
                const noteId = id + "_note";
                const canPick = selectable(device);
                const radio = h("input", {
                    type: "radio",
                    class: "form-check-input",
                    id: id,
                    name: uid + "_device",
                    form: noForm,
                    value: keyOf(device),
                    disabled: !canPick,
                    "aria-describedby": noteId,
                });
                radio.checked = canPick && keyOf(device) === state.selectedKey;
                radio.addEventListener("change", function () {
                    if (radio.checked) {
                        state.selectedKey = keyOf(device);
                        state.subId = null; // the new device's first part
                        clearError();
                        renderOptions();
                    }
                });
                let type = typeLabel(device.type);
                if (DEVICE_SUB_TYPE_KEYS[device.subType]) {
                    type += " (" + t(DEVICE_SUB_TYPE_KEYS[device.subType]) + ")";
                }
                const model = [device.make, device.model].filter(Boolean).join(" ");
                const name = model ? t("device_name", {type: type, model: model}) : type;
                const statusKey = STATUS_KEYS[device.deviceStatus] || "status_unknown";
                const notes = [
                    t("device_details", {
                        serial: device.serialNo || device.deviceCode || t("serial_unknown"),
                        port: String(device.port),
                        purpose: t(PURPOSE_KEYS[device.purpose] || "purpose_none"),
                    }),
                ];
                const errorCode = device.errorCode && device.errorCode !== "0" ? device.errorCode : STATUS_ERROR_CODES[device.deviceStatus];
                if (errorCode) {
                    notes.push(t("device_reported", {error: t(client.describeError(errorCode), {code: errorCode})}));
                }
                if (!canPick) {
                    notes.push(t("device_not_selectable"));
                }
                el.deviceList.append(h("div", {
                    class: "form-check o_g2p_sbi_device py-1",
                    "data-port": String(device.port),
                    "data-device-id": device.deviceId,
                    "data-status": device.deviceStatus,
                    "data-type": device.type,
                }, [
                    radio,
                    h("label", {class: "form-check-label", for: id}, [
                        h("span", {class: "fw-bold me-1"}, name),
                        " ",
                        h("span", {class: "badge rounded-pill bg-white text-dark border border-dark o_g2p_sbi_device_status"}, t(statusKey)),
                    ]),
                    h("div", {class: "small", id: noteId}, notes.join(" ")),
                ]));
            });
        }

        // ---------------------------------------------------- options
        function subIdsOf(device) {
            const parts = PART_KEYS[device.type] || {};
            return device.deviceSubId.filter(function (subId) {
                return Object.prototype.hasOwnProperty.call(parts, subId);
            });
        }

        function candidates(device, subId) {
            const bySubId = (client.SUB_ID_SUB_TYPES[device.type] || {})[subId];
            if (device.type === "Finger") {
                return bySubId ? bySubId.slice() : ALL_FINGERS.slice();
            }
            if (device.type === "Iris") {
                return EYES.slice();
            }
            return [];
        }

        function defaults(device, subId) {
            const bySubId = (client.SUB_ID_SUB_TYPES[device.type] || {})[subId];
            if (bySubId) {
                return bySubId.slice();
            }
            if (device.type === "Finger") {
                return ["Right IndexFinger"];
            }
            if (device.type === "Iris") {
                return device.subType === "Double" ? EYES.slice() : ["Left"];
            }
            return [];
        }

        function checkboxGroup(legend, className, subTypes, checked, type) {
            const items = subTypes.map(function (subType, index) {
                const id = uid + "_" + className + "_" + index;
                const box = h("input", {
                    type: "checkbox",
                    class: "form-check-input " + className,
                    id: id,
                    form: noForm,
                    value: subType,
                });
                box.checked = checked.includes(subType);
                return h("div", {class: "form-check"}, [
                    box,
                    h("label", {class: "form-check-label", for: id}, bioLabel(type, subType)),
                ]);
            });
            return h("fieldset", {class: "mb-3"}, [h("legend", {class: "h6"}, legend)].concat(items));
        }

        function renderChoices(container, device) {
            container.replaceChildren();
            if (device.type === "Face") {
                container.append(h("p", {class: "mb-2"}, t("face_note")));
                return;
            }
            const finger = device.type === "Finger";
            const subTypes = candidates(device, state.subId);
            const chosen = defaults(device, state.subId);
            const captureGroup = checkboxGroup(t(finger ? "legend_fingers" : "legend_eyes"), "o_g2p_sbi_subtype", subTypes, chosen, device.type);
            const exceptionGroup = checkboxGroup(t(finger ? "legend_missing_fingers" : "legend_missing_eyes"), "o_g2p_sbi_exception", subTypes, [], device.type);
            /* One image of each finger or eye chosen: the server accepts a
             * capture holding exactly those, each once. */
            function sync() {
                const captureBoxes = captureGroup.querySelectorAll("input");
                exceptionGroup.querySelectorAll("input").forEach(function (exception, index) {
                    const box = captureBoxes[index];
                    box.disabled = exception.checked;
                    if (exception.checked) {
                        box.checked = false;
                    }
                });
            }
            captureGroup.addEventListener("change", sync);
            exceptionGroup.addEventListener("change", sync);
            container.append(captureGroup, exceptionGroup);
        }

        function renderOptions() {
            const device = selectedDevice();
            el.options.replaceChildren();
            el.options.hidden = !device;
            el.capture.disabled = !device || state.busy;
            if (!device) {
                return;
            }
            const subIds = subIdsOf(device);
            if (!subIds.includes(state.subId)) {
                state.subId = subIds.length ? subIds[0] : device.deviceSubId.includes(0) || !device.deviceSubId.length ? 0 : device.deviceSubId[0];
            }
            const choices = h("div", {class: "o_g2p_sbi_choices"});
            if (subIds.length) {
                const partId = uid + "_part";
                const select = h("select", {class: "form-select o_g2p_sbi_part", id: partId, form: noForm}, subIds.map(function (subId) {
                    const option = h("option", {value: String(subId)}, t(PART_KEYS[device.type][subId]));
                    option.selected = subId === state.subId;
                    return option;
                }));
                select.addEventListener("change", function () {
                    state.subId = Number(select.value);
                    renderChoices(choices, device);
                });
                el.options.append(h("div", {class: "mb-3"}, [
                    h("label", {class: "form-label", for: partId}, t("label_part")),
                    select,
                ]));
            }
            el.options.append(choices);
            renderChoices(choices, device);
        }

        /* What to capture, from the options; {error} when incomplete. */
        function readSettings() {
            const device = selectedDevice();
            if (!device) {
                return {error: t("choose_device")};
            }
            const settings = {device: device, subId: state.subId, type: device.type, subTypes: [], exceptions: [], count: 1};
            if (device.type === "Face") {
                return settings;
            }
            el.options.querySelectorAll("input.o_g2p_sbi_subtype").forEach(function (box) {
                if (box.checked && !box.disabled) {
                    settings.subTypes.push(box.value);
                }
            });
            el.options.querySelectorAll("input.o_g2p_sbi_exception").forEach(function (box) {
                if (box.checked) {
                    settings.exceptions.push(box.value);
                }
            });
            if (!settings.subTypes.length) {
                return {error: t("choose_sub_types")};
            }
            settings.count = settings.subTypes.length;
            return settings;
        }

        function partLabel(settings) {
            if (settings.type === "Face") {
                return t("bio_face");
            }
            const key = (PART_KEYS[settings.type] || {})[settings.subId];
            if (key) {
                return t(key);
            }
            return settings.subTypes.map(function (subType) {
                return bioLabel(settings.type, subType);
            }).join(", ");
        }

        // ---------------------------------------------------- preview
        function startPreview(device, subId, timeoutMs) {
            stopPreview();
            const controller = new AbortController();
            const preview = {controller: controller, url: null};
            state.preview = preview;
            client.stream(device.port, device.deviceId, subId, function (blob) {
                if (controller.signal.aborted) {
                    return;
                }
                const url = URL.createObjectURL(blob);
                el.previewImage.src = url;
                if (preview.url) {
                    URL.revokeObjectURL(preview.url);
                }
                preview.url = url;
                el.preview.hidden = false;
            }, {host: host, signal: controller.signal, timeoutMs: timeoutMs}).catch(function () {
                // No preview (not supported, device error): the capture goes on.
            });
        }

        function stopPreview() {
            const preview = state.preview;
            state.preview = null;
            el.preview.hidden = true;
            el.previewImage.removeAttribute("src");
            if (preview) {
                preview.controller.abort();
                if (preview.url) {
                    URL.revokeObjectURL(preview.url);
                }
            }
        }

        // ---------------------------------------------------- results
        function targetForm() {
            const selector = section.dataset.form;
            let form = null;
            if (selector) {
                try {
                    form = document.querySelector(selector);
                } catch (error) {
                    form = null;
                }
            } else {
                form = section.closest("form");
            }
            return form && form.tagName === "FORM" ? form : null;
        }

        function updateCaptureIds(addId, removeId) {
            const form = targetForm();
            if (!form) {
                console.warn("o_g2p_sbi: no form to receive capture_ids");
                return;
            }
            let input = form.querySelector('input[type="hidden"][name="capture_ids"]');
            if (!input) {
                input = h("input", {type: "hidden", name: "capture_ids", value: ""});
                form.append(input);
            }
            let ids = input.value.split(",").map(function (id) {
                return id.trim();
            }).filter(Boolean);
            if (removeId) {
                ids = ids.filter(function (id) {
                    return id !== removeId;
                });
            }
            if (addId && !ids.includes(addId)) {
                ids.push(addId);
            }
            input.value = ids.join(",");
        }

        function renderResult(result, settings, replacing) {
            state.resultCount += 1;
            const headingId = uid + "_result_" + state.resultCount;
            const captureId = result.capture_id === undefined || result.capture_id === null ? "" : String(result.capture_id);
            const list = h("ul", {class: "list-unstyled mb-2"});
            (Array.isArray(result.biometrics) ? result.biometrics : []).forEach(function (bio) {
                const score = Number(bio && bio.quality_score);
                const name = bioLabel((bio && bio.bio_type) || settings.type, bio && bio.bio_sub_type);
                const shown = Number.isFinite(score) ? numberFormat.format(score) : "?";
                let line;
                let meets = null;
                if (Number.isFinite(threshold)) {
                    meets = Number.isFinite(score) && score >= threshold;
                    line = t("quality_line", {name: name, score: shown, threshold: numberFormat.format(threshold)}) + " " + t(meets ? "quality_ok" : "quality_low");
                } else {
                    line = t("quality_line_plain", {name: name, score: shown});
                }
                list.append(h("li", {
                    class: "o_g2p_sbi_quality" + (meets === false ? " fw-bold" : ""),
                    "data-bio-type": (bio && bio.bio_type) || settings.type,
                    "data-bio-sub-type": (bio && bio.bio_sub_type) || "",
                    "data-quality-score": Number.isFinite(score) ? String(score) : "",
                    "data-meets-threshold": meets === null ? null : String(meets),
                }, line));
            });
            const heading = h("h3", {class: "h6 mb-1", id: headingId, tabindex: "-1"}, partLabel(settings));
            const retry = h("button", {
                type: "button",
                class: "btn btn-outline-dark btn-sm o_g2p_sbi_retry",
                "aria-describedby": headingId,
            }, t("retry"));
            const box = h("div", {
                class: "o_g2p_sbi_result border rounded p-3 mb-2",
                "data-capture-id": captureId,
            }, [heading, h("p", {class: "mb-2"}, result.message || t("capture_accepted")), list, retry]);
            retry.addEventListener("click", function () {
                runCapture(settings, box);
            });
            if (replacing && replacing.isConnected) {
                replacing.replaceWith(box);
            } else {
                el.results.append(box);
            }
            heading.focus();
            return captureId;
        }

        // ---------------------------------------------------- capture
        async function runCapture(given, replacing) {
            if (state.busy) {
                return;
            }
            const settings = given || readSettings();
            clearError();
            if (settings.error) {
                showError(settings.error);
                return;
            }
            const device = settings.device;
            setBusy(true);
            say(t("capture_preparing"));
            let focusTarget = replacing ? replacing.querySelector(".o_g2p_sbi_retry") : el.capture;
            try {
                let start;
                try {
                    start = await rpc(startUrl, {
                        device: {
                            deviceId: device.deviceId,
                            deviceSubId: settings.subId,
                            type: device.type,
                            subType: device.subType,
                            port: device.port,
                            digitalId: device.digitalId,
                        },
                        bio_type: settings.type,
                        bio_sub_types: settings.subTypes,
                        count: settings.count,
                        exceptions: settings.exceptions,
                    });
                } catch (error) {
                    showError(t(error.kind === "server" ? "server_error" : "server_unreachable"));
                    say("");
                    return;
                }
                if (!start || !start.ok || !start.body || typeof start.body !== "object" || !start.transaction_id) {
                    showError((start && start.message) || t("capture_refused"));
                    say("");
                    return;
                }
                say(t("capturing"));
                const deviceTimeout = Number(start.timeout_ms) > 0 ? Number(start.timeout_ms) : undefined;
                if (device.purpose === "Registration") {
                    startPreview(device, settings.subId, (deviceTimeout || Number(start.body.timeout) || 10000) + client.limits.CAPTURE_GRACE_MS);
                }
                let raw = "";
                let deviceError = null;
                try {
                    raw = await client.capture(device.port, start.body, {
                        host: host,
                        method: start.method || "RCAPTURE",
                        timeoutMs: deviceTimeout,
                    });
                } catch (error) {
                    deviceError = {kind: error.kind || "device_gone"};
                } finally {
                    stopPreview();
                }
                say(t("checking"));
                let result;
                try {
                    result = await rpc(submitUrl, {
                        transaction_id: start.transaction_id,
                        response: raw,
                        device_error: deviceError,
                    });
                } catch (error) {
                    showError(deviceError ? t(client.describeError(deviceError)) : t(error.kind === "server" ? "server_error" : "server_unreachable"));
                    say("");
                    return;
                }
                if (result && result.ok) {
                    const replacedId = replacing ? replacing.dataset.captureId : "";
                    const captureId = renderResult(result, settings, replacing);
                    focusTarget = null; // renderResult focused the new result
                    if (CAPTURE_ID_RE.test(captureId)) {
                        updateCaptureIds(captureId, replacedId);
                    }
                    section.dispatchEvent(new CustomEvent("g2p-sbi-captured", {
                        bubbles: true,
                        detail: {captureId: captureId, replacedCaptureId: replacedId || null, biometrics: result.biometrics || []},
                    }));
                    say(result.message || t("capture_accepted"));
                } else {
                    showError((result && result.message) || t(deviceError ? client.describeError(deviceError) : "capture_refused"));
                    say("");
                }
            } finally {
                stopPreview();
                setBusy(false);
                if (focusTarget && focusTarget.isConnected && !focusTarget.disabled) {
                    focusTarget.focus();
                }
            }
        }

        // -------------------------------------------------- discovery
        async function runDiscovery() {
            if (state.busy) {
                return;
            }
            setBusy(true);
            clearError();
            say(t("searching"));
            let devices = [];
            try {
                devices = await client.discover({host: host, first: firstPort, last: lastPort});
            } catch (error) {
                devices = [];
            }
            state.devices = devices;
            if (!selectedDevice()) {
                const ready = devices.filter(selectable);
                state.selectedKey = ready.length === 1 ? keyOf(ready[0]) : null;
            }
            renderDevices();
            renderOptions();
            setBusy(false);
            if (!devices.length) {
                say(t("none_found"));
                return;
            }
            let message = devices.length === 1 ? t("found_one") : t("found_many", {count: String(devices.length)});
            if (!devices.some(selectable)) {
                message += " " + t("none_ready");
            }
            say(message);
        }

        el.discover.addEventListener("click", runDiscovery);
        el.capture.addEventListener("click", function () {
            runCapture(null, null);
        });
        el.preview.hidden = true;
        el.options.hidden = true;
        el.devices.hidden = true;
        el.capture.disabled = true;
        runDiscovery();
    }

    function boot() {
        const client = window.G2pSbiClient;
        if (!client) {
            console.error("o_g2p_sbi: sbi_client.js is not loaded");
            return;
        }
        document.querySelectorAll("section.o_g2p_sbi").forEach(function (section) {
            if (section.dataset.sbiReady) {
                return; // the template was rendered (and this script loaded) twice
            }
            section.dataset.sbiReady = "1";
            createWidget(section, client);
        });
    }

    if (typeof module === "object" && module && module.exports) {
        module.exports = {
            MESSAGE_KEYS: MESSAGE_KEYS,
            STATUS_KEYS: STATUS_KEYS,
            TYPE_KEYS: TYPE_KEYS,
            DEVICE_SUB_TYPE_KEYS: DEVICE_SUB_TYPE_KEYS,
            PURPOSE_KEYS: PURPOSE_KEYS,
            PART_KEYS: PART_KEYS,
            BIO_KEYS: BIO_KEYS,
            format: format,
        };
    }
    if (typeof document !== "undefined") {
        if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", boot);
        } else {
            boot();
        }
    }
})();
