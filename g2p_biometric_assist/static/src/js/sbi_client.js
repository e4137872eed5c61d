/* G2P SBI client: talks, from the officer's browser, to a MOSIP SBI 0.9.5
 * device service running on the officer's computer (HTTP on 127.0.0.1,
 * ports 4501-4600, custom methods MOSIPDISC, MOSIPDINFO, RCAPTURE, CAPTURE,
 * STREAM).
 *
 * Plain script, no framework, no Odoo import: defines window.G2pSbiClient,
 * and module.exports when loaded by node (the tests).
 *
 * Trust: nothing a device says is trusted here. Discovery data is for
 * display only (the digitalId is decoded, never verified); a capture answer
 * is returned as the raw text the device sent, for the server to verify.
 * Every URL is built from a port number on a 127.x.x.x address: never from
 * a device's callbackId or any URL a server or device supplies. Requests
 * never carry cookies (credentials "omit") and never follow redirects.
 * Every answer is read with a size cap.
 *
 * Errors are SbiClientError with a `kind`:
 *   device_gone       network failure, refused connection, connection cut
 *   timeout           no (complete) answer in time
 *   too_large         answer (or stream frame) over the size cap
 *   malformed         unreadable answer (stream: not M-JPEG, bad framing)
 *   device_error      the device answered an SBI error (deviceErrorCode)
 *   aborted           the caller's AbortSignal fired
 *   invalid_argument  a programming error (bad port, host, method ...)
 */
(function (root, factory) {
    "use strict";
    const api = factory();
    if (typeof module === "object" && module && module.exports) {
        module.exports = api;
    }
    if (root && typeof root.document !== "undefined") {
        root.G2pSbiClient = api;
    }
})(typeof window !== "undefined" ? window : null, function () {
    "use strict";

    const DEFAULT_HOST = "127.0.0.1"; // the spec: "127.0.0.1 and not localhost"
    const FIRST_PORT = 4501;
    const LAST_PORT = 4600;
    const MAX_PORTS = 200;
    const DISCOVER_TIMEOUT_MS = 800;
    const INFO_TIMEOUT_MS = 3000;
    const MIB = 1024 * 1024;
    const MAX_DISCOVERY_BYTES = MIB;
    const MAX_INFO_BYTES = MIB;
    const MAX_CAPTURE_BYTES = 16 * MIB;
    const MAX_STREAM_ERROR_BYTES = 64 * 1024;
    const MAX_FRAME_BYTES = 2 * MIB;
    const MAX_PART_HEADER_BYTES = 8 * 1024;
    const MAX_DIGITAL_ID_CHARS = 64 * 1024;
    const DEFAULT_CAPTURE_TIMEOUT_MS = 10000;
    const MAX_CAPTURE_TIMEOUT_MS = 10 * 60 * 1000;
    const CAPTURE_GRACE_MS = 5000;
    const DEFAULT_STREAM_TIMEOUT_MS = 5 * 60 * 1000; // the spec's default
    const STREAM_CONNECT_TIMEOUT_MS = 5000;

    const ANY_DEVICE = "Biometric Device";
    const BIO_TYPES = ["Finger", "Iris", "Face"];
    const CAPTURE_METHODS = ["RCAPTURE", "CAPTURE"];
    const DEVICE_STATUSES = ["Ready", "Busy", "Not Ready", "Not Registered"];
    // g2p_biometric_assist/sbi/errors.py DEVICE_ERROR_CODES (MDS spec).
    const DEVICE_ERROR_CODES = [
        "0", "100", "101", "102", "103", "104", "105", "106", "107", "108",
        "109", "110", "111", "112", "202",
    ];
    const ERROR_KINDS = ["device_gone", "timeout", "too_large", "malformed", "aborted"];
    const LEFT_FINGERS = [
        "Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger",
    ];
    const RIGHT_FINGERS = [
        "Right IndexFinger", "Right MiddleFinger", "Right RingFinger", "Right LittleFinger",
    ];
    const THUMBS = ["Left Thumb", "Right Thumb"];
    // The spec's bioSubType vocabulary (protocol.BIO_SUB_TYPES).
    const BIO_SUB_TYPES = {
        Finger: [
            "Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger",
            "Left Thumb", "Right IndexFinger", "Right MiddleFinger", "Right RingFinger",
            "Right LittleFinger", "Right Thumb", "UNKNOWN",
        ],
        Iris: ["Left", "Right", "UNKNOWN"],
        Face: [],
    };
    // deviceSubId: "1 for left slap/iris, 2 for right slap/iris and 3 for two
    // thumbs/irises" (spec); 0 when not specific.
    const SUB_ID_SUB_TYPES = {
        Finger: {1: LEFT_FINGERS, 2: RIGHT_FINGERS, 3: THUMBS},
        Iris: {1: ["Left"], 2: ["Right"], 3: ["Left", "Right"]},
    };

    class SbiClientError extends Error {
        constructor(kind, message, details) {
            super(message || kind);
            this.name = "SbiClientError";
            this.kind = kind;
            if (details) {
                Object.assign(this, details);
            }
        }

        /* What the page sends to the server: the kind only. */
        toJSON() {
            return {kind: this.kind};
        }
    }

    function invalid(message) {
        return new SbiClientError("invalid_argument", message);
    }

    // ------------------------------------------------------------ checks
    const LOOPBACK_RE = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

    function checkHost(host) {
        const value = host === undefined || host === null || host === "" ? DEFAULT_HOST : String(host);
        if (!LOOPBACK_RE.test(value)) {
            throw invalid("host must be a 127.x.x.x loopback address");
        }
        return value;
    }

    function checkPort(port) {
        const value = typeof port === "string" && /^\d{1,5}$/.test(port) ? Number(port) : port;
        if (!Number.isInteger(value) || value < 1 || value > 65535) {
            throw invalid("port must be an integer from 1 to 65535");
        }
        return value;
    }

    function portList(options) {
        let ports;
        if (Array.isArray(options.ports)) {
            ports = options.ports.map(checkPort);
        } else {
            const first = checkPort(options.first === undefined ? FIRST_PORT : options.first);
            const last = checkPort(options.last === undefined ? LAST_PORT : options.last);
            if (last < first) {
                throw invalid("last port before first port");
            }
            ports = [];
            for (let port = first; port <= last && ports.length <= MAX_PORTS; port += 1) {
                ports.push(port);
            }
        }
        ports = Array.from(new Set(ports));
        if (ports.length > MAX_PORTS) {
            throw invalid("at most " + MAX_PORTS + " ports");
        }
        return ports;
    }

    function boundedMs(value, fallback, max) {
        const number = Number(value);
        if (value === undefined || value === null || value === "" || !Number.isFinite(number) || number <= 0) {
            return fallback;
        }
        return Math.min(Math.round(number), max);
    }

    function pickFetch(fetchImpl) {
        if (typeof fetchImpl === "function") {
            return fetchImpl;
        }
        if (typeof globalThis.fetch !== "function") {
            throw invalid("no fetch in this environment");
        }
        return globalThis.fetch.bind(globalThis);
    }

    function deviceUrl(host, port, path) {
        return "http://" + host + ":" + port + path;
    }

    // ------------------------------------------------- timeouts, aborts
    function deadline(timeoutMs, outerSignal) {
        const controller = new AbortController();
        const state = {timedOut: false, aborted: false};
        let timer = null;
        let onAbort = null;
        if (timeoutMs > 0) {
            timer = setTimeout(function () {
                state.timedOut = true;
                controller.abort();
            }, timeoutMs);
        }
        if (outerSignal) {
            onAbort = function () {
                state.aborted = true;
                controller.abort();
            };
            if (outerSignal.aborted) {
                onAbort();
            } else {
                outerSignal.addEventListener("abort", onAbort, {once: true});
            }
        }
        return {
            signal: controller.signal,
            state: state,
            stopTimer: function () {
                clearTimeout(timer);
                timer = null;
            },
            /* Release everything; aborting also closes a body left unread. */
            close: function () {
                clearTimeout(timer);
                if (onAbort) {
                    outerSignal.removeEventListener("abort", onAbort);
                }
                controller.abort();
            },
        };
    }

    function failure(error, state) {
        if (error instanceof SbiClientError) {
            return error;
        }
        if (state.timedOut) {
            return new SbiClientError("timeout", "the device did not answer in time");
        }
        if (state.aborted) {
            return new SbiClientError("aborted", "cancelled");
        }
        const detail = error && error.message ? ": " + error.message : "";
        return new SbiClientError("device_gone", "the device could not be reached" + detail);
    }

    // ------------------------------------------------------------ bodies
    function concat(chunks, total) {
        const out = new Uint8Array(total);
        let offset = 0;
        for (const chunk of chunks) {
            out.set(chunk, offset);
            offset += chunk.byteLength;
        }
        return out;
    }

    function tooLarge(maxBytes) {
        return new SbiClientError("too_large", "answer larger than " + maxBytes + " bytes");
    }

    async function readBytes(response, maxBytes) {
        const declared = (response.headers.get("Content-Length") || "").trim();
        if (/^\d+$/.test(declared) && Number(declared) > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (!response.body) {
            return new Uint8Array(0);
        }
        const reader = response.body.getReader();
        const chunks = [];
        let total = 0;
        for (;;) {
            const step = await reader.read();
            if (step.done) {
                break;
            }
            total += step.value.byteLength;
            if (total > maxBytes) {
                reader.cancel().catch(function () {});
                throw tooLarge(maxBytes);
            }
            chunks.push(step.value);
        }
        return concat(chunks, total);
    }

    function decodeText(bytes) {
        return new TextDecoder("utf-8").decode(bytes);
    }

    const JSON_HEADERS = {"Content-Type": "application/json"};

    function requestInit(method, body, signal) {
        const init = {
            method: method,
            headers: body === undefined ? {} : JSON_HEADERS,
            signal: signal,
            mode: "cors",
            credentials: "omit", // never send the portal's cookies to a device
            redirect: "error", // a device cannot send us elsewhere
            referrerPolicy: "no-referrer",
            cache: "no-store",
        };
        if (body !== undefined) {
            init.body = body;
        }
        return init;
    }

    /* One request, its answer read as text under maxBytes, all within
     * timeoutMs; returns {status, text}. */
    async function fetchText(fetchImpl, url, method, body, options) {
        const limit = deadline(options.timeoutMs, options.signal);
        try {
            const response = await fetchImpl(url, requestInit(method, body, limit.signal));
            const bytes = await readBytes(response, options.maxBytes);
            return {status: response.status, text: decodeText(bytes)};
        } catch (error) {
            throw failure(error, limit.state);
        } finally {
            limit.close();
        }
    }

    // --------------------------------------------------------- discovery
    function base64UrlToBytes(text) {
        const clean = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
        if (!/^[A-Za-z0-9+/]*$/.test(clean)) {
            throw new Error("not base64url");
        }
        const padded = clean + "===".slice((clean.length + 3) % 4);
        const binary = atob(padded);
        const bytes = new Uint8Array(binary.length);
        for (let index = 0; index < binary.length; index += 1) {
            bytes[index] = binary.charCodeAt(index);
        }
        return bytes;
    }

    function isObject(value) {
        return value !== null && typeof value === "object" && !Array.isArray(value);
    }

    /* digitalId of a discovery answer: base64url JSON, or a JWS whose
     * payload is taken WITHOUT verifying it (display only). */
    function decodeDigitalId(value) {
        if (typeof value !== "string" || !value || value.length > MAX_DIGITAL_ID_CHARS) {
            return null;
        }
        const parts = value.split(".");
        const payload = parts.length === 3 ? parts[1] : value;
        try {
            const decoded = JSON.parse(decodeText(base64UrlToBytes(payload)));
            return isObject(decoded) ? decoded : null;
        } catch (error) {
            return null;
        }
    }

    function text(value) {
        return typeof value === "string" || typeof value === "number" ? String(value) : "";
    }

    function textList(value) {
        return Array.isArray(value) ? value.map(text).filter(Boolean) : [];
    }

    function subIdList(value) {
        const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
        const ids = [];
        for (const item of list) {
            const number = typeof item === "string" && /^\d+$/.test(item.trim()) ? Number(item) : item;
            if (Number.isInteger(number) && number >= 0 && number <= 99 && !ids.includes(number)) {
                ids.push(number);
            }
        }
        return ids;
    }

    function errorOf(entry) {
        const error = isObject(entry.error) ? entry.error : {};
        const code = text(error.errorCode).trim() || "0";
        return {code: code, info: text(error.errorInfo)};
    }

    function toDevice(entry, host, port) {
        if (!isObject(entry)) {
            return null;
        }
        const deviceId = text(entry.deviceId);
        if (!deviceId) {
            return null; // an error-only entry: no device to offer
        }
        const digitalId = decodeDigitalId(entry.digitalId) || {};
        const error = errorOf(entry);
        return {
            port: port,
            baseUrl: deviceUrl(host, port, ""),
            deviceId: deviceId,
            deviceSubId: subIdList(entry.deviceSubId),
            deviceStatus: text(entry.deviceStatus),
            purpose: text(entry.purpose),
            specVersion: textList(entry.specVersion),
            certification: text(entry.certification),
            serviceVersion: text(entry.serviceVersion),
            deviceCode: text(entry.deviceCode),
            type: text(digitalId.type),
            subType: text(digitalId.deviceSubType),
            make: text(digitalId.make),
            model: text(digitalId.model),
            serialNo: text(digitalId.serialNo),
            deviceProvider: text(digitalId.deviceProvider),
            deviceProviderId: text(digitalId.deviceProviderId),
            digitalId: typeof entry.digitalId === "string" ? entry.digitalId : "",
            callbackId: text(entry.callbackId), // display only: never called
            errorCode: error.code,
            errorInfo: error.info,
            raw: entry,
        };
    }

    async function probe(fetchImpl, host, port, body, timeoutMs, signal) {
        try {
            const answer = await fetchText(fetchImpl, deviceUrl(host, port, "/device"), "MOSIPDISC", body, {
                timeoutMs: timeoutMs,
                maxBytes: MAX_DISCOVERY_BYTES,
                signal: signal,
            });
            const parsed = JSON.parse(answer.text);
            if (!Array.isArray(parsed)) {
                return [];
            }
            return parsed.map(function (entry) {
                return toDevice(entry, host, port);
            }).filter(Boolean);
        } catch (error) {
            return []; // closed, slow, not an SBI service, not JSON ...
        }
    }

    /* MOSIPDISC on every port at once; the devices found, by port. */
    async function discover(options) {
        const settings = options || {};
        const host = checkHost(settings.host);
        const ports = portList(settings);
        const timeoutMs = boundedMs(settings.timeoutMs, DISCOVER_TIMEOUT_MS, 60000);
        const fetchImpl = pickFetch(settings.fetchImpl);
        const type = settings.type === undefined ? ANY_DEVICE : settings.type;
        if (type !== ANY_DEVICE && !BIO_TYPES.includes(type)) {
            throw invalid("unknown device type");
        }
        const body = JSON.stringify({type: type});
        const found = await Promise.all(ports.map(function (port) {
            return probe(fetchImpl, host, port, body, timeoutMs, settings.signal);
        }));
        return [].concat.apply([], found);
    }

    /* MOSIPDINFO /info: [{deviceInfo (payload, NOT verified), jws, signed,
     * errorCode, errorInfo}]. */
    async function deviceInfo(port, options) {
        const settings = options || {};
        const host = checkHost(settings.host);
        const answer = await fetchText(
            pickFetch(settings.fetchImpl),
            deviceUrl(host, checkPort(port), "/info"),
            "MOSIPDINFO",
            undefined,
            {
                timeoutMs: boundedMs(settings.timeoutMs, INFO_TIMEOUT_MS, 60000),
                maxBytes: MAX_INFO_BYTES,
                signal: settings.signal,
            }
        );
        let parsed;
        try {
            parsed = JSON.parse(answer.text);
        } catch (error) {
            throw new SbiClientError("malformed", "device info is not JSON");
        }
        if (!Array.isArray(parsed)) {
            throw new SbiClientError("malformed", "device info is not a list");
        }
        return parsed.filter(isObject).map(function (entry) {
            const token = typeof entry.deviceInfo === "string" ? entry.deviceInfo : "";
            const error = errorOf(entry);
            return {
                deviceInfo: decodeDigitalId(token),
                jws: token,
                signed: token.split(".").length === 3,
                errorCode: error.code,
                errorInfo: error.info,
            };
        });
    }

    // ----------------------------------------------------------- capture
    /* RCAPTURE (or CAPTURE) /capture with the body exactly as the server
     * built it; resolves to the raw answer text, for the server to verify.
     * Waits for the device's timeout (options.timeoutMs, else body.timeout)
     * plus a grace (options.graceMs, 5 s). */
    async function capture(port, requestBody, options) {
        const settings = options || {};
        const host = checkHost(settings.host);
        const checkedPort = checkPort(port);
        const method = String(settings.method || "RCAPTURE").toUpperCase();
        if (!CAPTURE_METHODS.includes(method)) {
            throw invalid("method must be RCAPTURE or CAPTURE");
        }
        let body;
        let deviceTimeout;
        if (typeof requestBody === "string") {
            body = requestBody;
            try {
                deviceTimeout = JSON.parse(requestBody).timeout;
            } catch (error) {
                throw invalid("the request body is not JSON");
            }
        } else if (isObject(requestBody)) {
            body = JSON.stringify(requestBody);
            deviceTimeout = requestBody.timeout;
        } else {
            throw invalid("the request body must be an object or its JSON text");
        }
        const waitMs = boundedMs(
            settings.timeoutMs ?? deviceTimeout,
            DEFAULT_CAPTURE_TIMEOUT_MS,
            MAX_CAPTURE_TIMEOUT_MS
        );
        const grace = Number(settings.graceMs ?? CAPTURE_GRACE_MS);
        const graceMs = Number.isFinite(grace) ? Math.max(0, Math.min(grace, 60000)) : CAPTURE_GRACE_MS;
        const maxBytes = Math.min(boundedMs(settings.maxBytes, MAX_CAPTURE_BYTES, MAX_CAPTURE_BYTES), MAX_CAPTURE_BYTES);
        const answer = await fetchText(pickFetch(settings.fetchImpl), deviceUrl(host, checkedPort, "/capture"), method, body, {
            timeoutMs: waitMs + graceMs,
            maxBytes: maxBytes,
            signal: settings.signal,
        });
        // Any HTTP status: MockMDS answers its errors with 405 and a JSON
        // body; the server reads the device's errorCode from the text.
        return answer.text;
    }

    // ------------------------------------------------------------ stream
    const encoder = new TextEncoder();

    function indexOfBytes(haystack, needle, from) {
        const first = needle[0];
        const last = haystack.length - needle.length;
        outer: for (let index = Math.max(0, from || 0); index <= last; index += 1) {
            if (haystack[index] !== first) {
                continue;
            }
            for (let offset = 1; offset < needle.length; offset += 1) {
                if (haystack[index + offset] !== needle[offset]) {
                    continue outer;
                }
            }
            return index;
        }
        return -1;
    }

    function joinBytes(left, right) {
        if (!left.length) {
            return right;
        }
        const out = new Uint8Array(left.length + right.length);
        out.set(left, 0);
        out.set(right, left.length);
        return out;
    }

    function streamBoundary(contentType) {
        if (!/^\s*multipart\//i.test(contentType || "")) {
            return null;
        }
        const match = /boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))/i.exec(contentType);
        const boundary = match ? (match[1] || match[2]).replace(/^-+/, "") : "";
        return boundary && boundary.length <= 70 ? boundary : null;
    }

    /* Splits a multipart/x-mixed-replace body into frames. push(chunk)
     * returns true once the closing boundary is seen. Parts with a
     * Content-Length are cut by it; others at the next boundary. */
    function mjpegParser(boundary, maxFrameBytes, emit) {
        // "--" + boundary; a boundary parameter that already starts with
        // dashes is matched without them (the delimiter line contains it).
        const needle = encoder.encode("--" + boundary);
        const maxBuffer = maxFrameBytes + MAX_PART_HEADER_BYTES + needle.length + 16;
        let buffer = new Uint8Array(0);
        let state = "boundary";
        let partLength = null;
        let headerBytes = 0;
        let searchFrom = 0;

        function malformed(message) {
            return new SbiClientError("malformed", message);
        }

        function step() {
            if (state === "boundary") {
                const at = indexOfBytes(buffer, needle, 0);
                if (at < 0) {
                    if (buffer.length > needle.length) {
                        buffer = buffer.slice(buffer.length - needle.length);
                    }
                    return false;
                }
                const after = at + needle.length;
                if (buffer.length < after + 2) {
                    return false;
                }
                if (buffer[after] === 45 && buffer[after + 1] === 45) {
                    buffer = new Uint8Array(0);
                    return "end";
                }
                const lineEnd = buffer.indexOf(10, after);
                if (lineEnd < 0) {
                    if (buffer.length - after > 256) {
                        throw malformed("bad boundary line");
                    }
                    return false;
                }
                buffer = buffer.slice(lineEnd + 1);
                state = "headers";
                partLength = null;
                headerBytes = 0;
                return true;
            }
            if (state === "headers") {
                const lineEnd = buffer.indexOf(10);
                if (lineEnd < 0) {
                    if (headerBytes + buffer.length > MAX_PART_HEADER_BYTES) {
                        throw malformed("part headers too long");
                    }
                    return false;
                }
                headerBytes += lineEnd + 1;
                if (headerBytes > MAX_PART_HEADER_BYTES) {
                    throw malformed("part headers too long");
                }
                const line = decodeText(buffer.subarray(0, lineEnd)).replace(/\r$/, "");
                buffer = buffer.slice(lineEnd + 1);
                if (!line) {
                    state = "body";
                    searchFrom = 0;
                    return true;
                }
                const colon = line.indexOf(":");
                if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === "content-length") {
                    const value = line.slice(colon + 1).trim();
                    if (!/^\d{1,10}$/.test(value)) {
                        throw malformed("bad part Content-Length");
                    }
                    partLength = Number(value);
                    if (partLength > maxFrameBytes) {
                        throw new SbiClientError("too_large", "stream frame too large");
                    }
                }
                return true;
            }
            // state === "body"
            if (partLength !== null) {
                if (buffer.length < partLength) {
                    return false;
                }
                const frame = buffer.slice(0, partLength);
                buffer = buffer.slice(partLength);
                state = "boundary";
                if (frame.length) {
                    emit(frame);
                }
                return true;
            }
            const at = indexOfBytes(buffer, needle, searchFrom);
            if (at < 0) {
                if (buffer.length > maxFrameBytes + needle.length + 2) {
                    throw new SbiClientError("too_large", "stream frame too large");
                }
                searchFrom = Math.max(0, buffer.length - needle.length);
                return false;
            }
            let end = at;
            if (end >= 2 && buffer[end - 2] === 13 && buffer[end - 1] === 10) {
                end -= 2;
            } else if (end >= 1 && buffer[end - 1] === 10) {
                end -= 1;
            }
            if (end > maxFrameBytes) {
                throw new SbiClientError("too_large", "stream frame too large");
            }
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(at);
            state = "boundary";
            if (frame.length) {
                emit(frame);
            }
            return true;
        }

        return {
            push: function (chunk) {
                buffer = joinBytes(buffer, chunk);
                for (;;) {
                    const progress = step();
                    if (progress === "end") {
                        return true;
                    }
                    if (!progress) {
                        break;
                    }
                }
                if (buffer.length > maxBuffer) {
                    throw new SbiClientError("too_large", "stream frame too large");
                }
                return false;
            },
        };
    }

    function streamError(body) {
        let parsed = null;
        try {
            parsed = JSON.parse(body);
        } catch (error) {
            return new SbiClientError("malformed", "the stream is not M-JPEG");
        }
        const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : parsed;
        const code = isObject(error) ? text(error.errorCode).trim() : "";
        if (code && code !== "0") {
            return new SbiClientError("device_error", "device error " + code, {deviceErrorCode: code});
        }
        return new SbiClientError("malformed", "the stream is not M-JPEG");
    }

    /* STREAM /stream: calls onFrame(Blob image/jpeg) for each frame until
     * the device ends the stream ({frames, reason: "ended"}) or the signal
     * aborts it ({frames, reason: "aborted"}). */
    async function stream(port, deviceId, deviceSubId, onFrame, options) {
        const settings = options || {};
        const host = checkHost(settings.host);
        const checkedPort = checkPort(port);
        if (typeof onFrame !== "function") {
            throw invalid("onFrame must be a function");
        }
        const subId = subIdList(deviceSubId)[0] || 0;
        const body = JSON.stringify({
            deviceId: String(deviceId),
            deviceSubId: subId,
            timeout: boundedMs(settings.timeoutMs, DEFAULT_STREAM_TIMEOUT_MS, 30 * 60 * 1000),
        });
        const maxFrameBytes = Math.min(boundedMs(settings.maxFrameBytes, MAX_FRAME_BYTES, MAX_FRAME_BYTES), MAX_FRAME_BYTES);
        const fetchImpl = pickFetch(settings.fetchImpl);
        const limit = deadline(boundedMs(settings.connectTimeoutMs, STREAM_CONNECT_TIMEOUT_MS, 60000), settings.signal);
        let frames = 0;
        try {
            const response = await fetchImpl(deviceUrl(host, checkedPort, "/stream"), requestInit("STREAM", body, limit.signal));
            limit.stopTimer(); // the stream lasts as long as the device or caller wants
            const contentType = response.headers.get("Content-Type") || "";
            const boundary = streamBoundary(contentType);
            if (!boundary) {
                if (/^\s*multipart\//i.test(contentType)) {
                    throw new SbiClientError("malformed", "stream without boundary");
                }
                throw streamError(decodeText(await readBytes(response, MAX_STREAM_ERROR_BYTES)));
            }
            if (!response.body) {
                return {frames: 0, reason: "ended"};
            }
            const parser = mjpegParser(boundary, maxFrameBytes, function (bytes) {
                frames += 1;
                try {
                    // Always image/jpeg, whatever the part says: the blob's
                    // URL is same-origin with the portal page.
                    onFrame(new Blob([bytes], {type: "image/jpeg"}));
                } catch (error) {
                    // A failing display never stops the stream.
                }
            });
            const reader = response.body.getReader();
            for (;;) {
                const next = await reader.read();
                if (next.done || parser.push(next.value)) {
                    return {frames: frames, reason: "ended"};
                }
            }
        } catch (error) {
            const problem = failure(error, limit.state);
            if (problem.kind === "aborted") {
                return {frames: frames, reason: "aborted"};
            }
            throw problem;
        } finally {
            limit.close();
        }
    }

    // ------------------------------------------------------------ errors
    /* Message key for a device errorCode ("111", 111), an error kind
     * ("timeout") or an SbiClientError; the page holds the words. */
    function describeError(code) {
        if (code && typeof code === "object") {
            if (code.deviceErrorCode !== undefined && code.deviceErrorCode !== null) {
                return describeError(String(code.deviceErrorCode));
            }
            return code.kind === "device_error" ? "device_error_unknown" : describeError(code.kind);
        }
        const value = code === undefined || code === null ? "" : String(code).trim();
        if (DEVICE_ERROR_CODES.includes(value)) {
            return "device_error_" + value;
        }
        if (/^5\d\d$/.test(value)) {
            return "device_error_vendor";
        }
        if (/^\d+$/.test(value)) {
            return "device_error_unknown";
        }
        if (ERROR_KINDS.includes(value)) {
            return "error_" + value;
        }
        return "error_unknown";
    }

    /* Every key describeError may return. */
    function errorMessageKeys() {
        return DEVICE_ERROR_CODES.map(function (code) {
            return "device_error_" + code;
        }).concat(
            ["device_error_vendor", "device_error_unknown"],
            ERROR_KINDS.map(function (kind) {
                return "error_" + kind;
            }),
            ["error_unknown"]
        );
    }

    return {
        discover: discover,
        deviceInfo: deviceInfo,
        capture: capture,
        stream: stream,
        describeError: describeError,
        errorMessageKeys: errorMessageKeys,
        decodeDigitalId: decodeDigitalId,
        SbiClientError: SbiClientError,
        BIO_TYPES: BIO_TYPES,
        BIO_SUB_TYPES: BIO_SUB_TYPES,
        SUB_ID_SUB_TYPES: SUB_ID_SUB_TYPES,
        DEVICE_STATUSES: DEVICE_STATUSES,
        DEVICE_ERROR_CODES: DEVICE_ERROR_CODES,
        ERROR_KINDS: ERROR_KINDS,
        limits: {
            DEFAULT_HOST: DEFAULT_HOST,
            FIRST_PORT: FIRST_PORT,
            LAST_PORT: LAST_PORT,
            DISCOVER_TIMEOUT_MS: DISCOVER_TIMEOUT_MS,
            MAX_DISCOVERY_BYTES: MAX_DISCOVERY_BYTES,
            MAX_CAPTURE_BYTES: MAX_CAPTURE_BYTES,
            MAX_FRAME_BYTES: MAX_FRAME_BYTES,
            CAPTURE_GRACE_MS: CAPTURE_GRACE_MS,
        },
    };
});
