/* The apply page: the terms and methods follow the chosen product, and every change asks
   the borrower's preview API for the exact schedule the draw would get today. Continuing
   opens the contract of that draw; the button cannot be pressed twice. */
(function () {
  "use strict";
  const form = document.getElementById("apply");
  if (!form) return;
  const M = window.Microlend;
  const T = window.MicrolendMessages;
  const _ = window.gettext;
  const errors = T.errors({});
  const rules = JSON.parse(document.getElementById("product-rules").textContent);
  const statusBox = document.getElementById("status");
  const result = document.getElementById("result");
  const terms = document.getElementById("terms");
  const submit = document.getElementById("submit");
  let timer = null;

  function showStatus(message, kind) {
    M.status(statusBox, result, message, kind);
  }

  function syncProduct() {
    const product = rules[form.elements.product.value];
    if (!product) return;
    const checked = form.querySelector("input[name=term]:checked");
    const current = checked ? checked.value : terms.dataset.initial;
    const legend = terms.querySelector("legend");
    const errorsShown = Array.from(terms.querySelectorAll(".field-error"));
    const chips = product.terms.map(function (t) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "term";
      input.value = String(t);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + t));
      return label;
    });
    terms.replaceChildren.apply(terms, [legend].concat(chips, errorsShown));
    const wanted = terms.querySelector("input[value='" + current + "']") || terms.querySelector("input[name=term]");
    if (wanted) wanted.checked = true;
    form.querySelectorAll("input[name=method]").forEach(function (input) {
      const allowed = product.methods.indexOf(input.value) >= 0;
      input.disabled = !allowed;
      input.closest("label").hidden = !allowed;
      if (!allowed && input.checked) input.checked = false;
    });
    if (!form.querySelector("input[name=method]:checked")) {
      const preferred = form.querySelector("input[name=method][value='" + product.default_method + "']:not(:disabled)");
      const first = preferred || form.querySelector("input[name=method]:not(:disabled)");
      if (first) first.checked = true;
    }
    document.getElementById("amount-hint").textContent = window.interpolate(
      _("From %(min)s to %(max)s, in steps of %(step)s."),
      { min: M.yuan(product.min), max: M.yuan(product.max), step: M.yuan(product.step) },
      true
    );
  }

  async function update() {
    const data = new FormData(form);
    const body = {
      product: data.get("product"),
      amount: String(data.get("amount") || "").replace(/,/g, "").trim(),
      term: Number.parseInt(String(data.get("term") || ""), 10),
      method: data.get("method"),
    };
    if (!body.amount) { showStatus(T.principalRequired, "error"); return; }
    showStatus(T.calculating, "busy");
    try {
      const answer = await M.postJSON("apply", form.dataset.preview, body);
      if (!answer.ok) { showStatus(answer.data.detail || errors[answer.data.code] || T.failed, "error"); return; }
      const plan = answer.data;
      document.getElementById("apr-irr").textContent = M.fractionToPercent(plan.annualized_rate_irr, 2);
      document.getElementById("apr-simple").textContent = M.fractionToPercent(plan.annualized_rate_simple, 2);
      document.getElementById("first-payment").textContent = M.yuan(plan.installments[0].total);
      document.getElementById("first-due").textContent = plan.installments[0].due_date;
      document.getElementById("total-interest").textContent = M.yuan(plan.total_interest);
      M.renderRows(document.querySelector("#schedule tbody"), plan.installments);
      showStatus("", "");
    } catch (err) {
      if (err.name !== "AbortError") showStatus(T.failed, "error");
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(update, 250); }
  form.elements.product.addEventListener("change", function () { syncProduct(); schedule(); });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    submit.disabled = true;
    submit.textContent = _("One moment…");
  });
  syncProduct();
  update();
})();
