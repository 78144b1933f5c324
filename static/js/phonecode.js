/* The "Send code" button of the sign-up and password-reset pages: asks the API for a code
   without reloading the page (what was typed stays), then counts down until another may
   be asked for. Without scripts the button posts the form, which does the same. */
(function () {
  "use strict";
  const button = document.getElementById("send-code");
  if (!button) return;
  const _ = window.gettext;
  const status = document.getElementById("code-status");
  const form = button.form;
  let timer = null;

  function countdown(seconds) {
    clearInterval(timer);
    let left = seconds;
    const label = _("Send code");
    button.disabled = true;
    function tick() {
      if (left <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; return; }
      button.textContent = window.interpolate(_("Again in %(n)s s"), { n: left }, true);
      left -= 1;
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  function isPhone(value) { return /^(\+86)?1\d{10}$/.test(value.replace(/[\s-]/g, "")); }

  button.addEventListener("click", async function (event) {
    const phone = form.elements[button.dataset.phoneField].value.trim();
    if (phone.indexOf("@") >= 0) {
      event.preventDefault();
      status.textContent = _("E-mail sign-ups need no code.");
      return;
    }
    if (!isPhone(phone)) return; // let the server say what is wrong, next to the field
    event.preventDefault();
    button.disabled = true;
    status.textContent = _("Sending…");
    try {
      const response = await fetch(button.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": window.MicrolendCommon.csrfToken() },
        body: JSON.stringify({ phone: phone, purpose: button.dataset.purpose }),
      });
      const data = await response.json();
      status.textContent = data.detail || "";
      if (response.ok) {
        countdown(Math.max(1, Math.round((Date.parse(data.resend_after) - Date.now()) / 1000)));
        const code = form.elements.code;
        if (code) code.focus();
      } else {
        const wait = Number.parseInt(response.headers.get("Retry-After") || "0", 10);
        if (response.status === 429 && wait > 0 && wait < 3600) countdown(wait);
        else button.disabled = false;
      }
    } catch (err) {
      status.textContent = _("The connection was lost. Please try again.");
      button.disabled = false;
    }
  });
})();
