// Passkeys (WebAuthn) for the sign-in pages: a button with data-passkey="create" or "get"
// asks the node for options (POST data-options), calls navigator.credentials, posts the
// answer (POST data-finish) and goes where the node says. Without JavaScript, or in a
// browser without passkeys, the buttons stay hidden and passwords work as before.
"use strict";
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function toText(buffer) {
    let raw = "";
    new Uint8Array(buffer).forEach((b) => { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    return o;
  }
  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    return o;
  }
  function created(c) {
    const r = c.response;
    return {
      id: c.id, rawId: toText(c.rawId), type: c.type,
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        attestationObject: toText(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [],
      },
      clientExtensionResults: c.getClientExtensionResults(),
    };
  }
  function asserted(c) {
    const r = c.response;
    return {
      id: c.id, rawId: toText(c.rawId), type: c.type,
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        authenticatorData: toText(r.authenticatorData),
        signature: toText(r.signature),
        userHandle: r.userHandle ? toText(r.userHandle) : null,
      },
      clientExtensionResults: c.getClientExtensionResults(),
    };
  }

  async function post(url, body) {
    const answer = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.error || answer.statusText);
    return data;
  }

  async function run(button, status) {
    // The page's form token: the button's own, or the one of the password form beside it.
    const field = document.querySelector('input[name="csrf"]');
    const csrf = button.dataset.csrf || (field ? field.value : "");
    const labelField = button.dataset.label ? document.getElementById(button.dataset.label) : null;
    const extra = { label: labelField ? labelField.value : "", next: button.dataset.next || "" };
    const options = await post(button.dataset.options, { csrf: csrf });
    let credential;
    if (button.dataset.passkey === "create") {
      const made = await navigator.credentials.create({ publicKey: creationOptions(options) });
      credential = created(made);
    } else {
      const got = await navigator.credentials.get({ publicKey: requestOptions(options) });
      credential = asserted(got);
    }
    const done = await post(button.dataset.finish, Object.assign({ csrf: csrf, credential: credential }, extra));
    status.textContent = button.dataset.done || "";
    window.location.assign(done.to);
  }

  document.querySelectorAll("[data-passkey]").forEach((button) => {
    const status = document.getElementById(button.dataset.status);
    const block = button.closest("[data-passkey-block]");
    if (block) block.hidden = false;
    button.addEventListener("click", () => {
      button.disabled = true;
      status.textContent = button.dataset.waiting || "";
      run(button, status).catch((error) => {
        status.textContent = (button.dataset.failed || "") + " " + error.message;
        button.disabled = false;
      });
    });
  });
})();
