// Passkeys (WebAuthn): the browser half. The server makes the options and checks the answers
// (the `webauthn` library); this file only carries them between the server and the browser.
//
// Markup: <button type="button" data-passkey="authenticate|register" data-purpose="..."
//   data-options="URL" data-verify="URL" data-next="URL" data-status="ID-of-an-alert">.
// Other pages (the cockpit's locked view) call SolacePasskeys.authenticate(options) directly.
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { if (fields[k] != null) body.append(k, fields[k]); });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server refused the passkey.");
        return data;
      });
    });
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return JSON.stringify(credential.toJSON());
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults()
    });
  }

  function authenticate(o) {
    return post(o.options, { purpose: o.purpose }).then(function (options) {
      options.challenge = toBuffer(options.challenge);
      (options.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      return post(o.verify, { purpose: o.purpose, credential: credentialJSON(credential), next: o.next });
    });
  }

  function register(o) {
    return post(o.options, {}).then(function (options) {
      options.challenge = toBuffer(options.challenge);
      options.user.id = toBuffer(options.user.id);
      (options.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      return post(o.verify, { credential: credentialJSON(credential) });
    });
  }

  function show(button, message) {
    var status = document.getElementById(button.dataset.status);
    if (status) { status.textContent = message; status.hidden = !message; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-passkey]");
    if (!button) return;
    event.preventDefault();
    if (!window.PublicKeyCredential) {
      show(button, "This browser cannot use passkeys.");
      return;
    }
    var o = button.dataset;
    var run = o.passkey === "register" ? register : authenticate;
    button.disabled = true;
    show(button, "");
    run(o).then(function (data) {
      if (data.redirect) window.location.assign(data.redirect);
      else button.disabled = false;
    }).catch(function (error) {
      button.disabled = false;
      var cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
      show(button, cancelled ? "The passkey was not used. Try again." : error.message);
    });
  });

  window.SolacePasskeys = { authenticate: authenticate, register: register };
})();
