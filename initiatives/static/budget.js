/* Live totals of the budget table. Only a help while typing: the server recomputes every
   figure from quantity, unit price and the parts when the draft is saved.
   Figures are written as the server's money filter writes them in the page's language
   ("19 000,00 сом"): the form carries the language's symbols (data-group, data-decimal,
   data-unit, the per cent sign's place), so the two never disagree on one page. A request
   above the maximum grant (data-max) is said at once, as the saved page says it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-budget]");
  if (!form) { return; }
  var symbols = form.dataset;
  var maximum = symbols.max ? parseFloat(symbols.max) : null;
  var warning = document.querySelector("[data-over-max]");
  function num(input) {
    if (!input) { return 0; }
    // As the server reads it: spaces between thousands, a decimal comma or point.
    var v = String(input.value).replace(/[\s\u00a0\u202f\u2009']/g, "");
    if (v.indexOf(",") >= 0 && v.indexOf(".") < 0) { v = v.replace(",", "."); }
    v = parseFloat(v);
    return isFinite(v) ? v : 0;
  }
  function cents(v) { return Math.round(v * 100) / 100; }
  function grouped(digits) {
    var out = "";
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) { out += symbols.group; }
      out += digits.charAt(i);
    }
    return out;
  }
  function figure(v, places, trim) {
    var fixed = Math.abs(v).toFixed(places).split(".");
    var fraction = fixed[1] || "";
    if (trim) { fraction = fraction.replace(/0+$/, ""); }
    return (v < 0 ? "-" : "") + grouped(fixed[0]) + (fraction ? symbols.decimal + fraction : "");
  }
  function money(v) { return figure(cents(v), 2, false) + " " + symbols.unit; }
  function share(v) {
    return (symbols.percentPrefix || "") + figure(cents(v), 2, true) + (symbols.percentSuffix || "%");
  }
  function recompute() {
    var sums = { local: 0, own: 0, partner: 0, all: 0 };
    form.querySelectorAll("[data-row]").forEach(function (row) {
      var removed = row.querySelector("input[type=checkbox]");
      var cost = cents(num(row.querySelector("[data-qty]")) * num(row.querySelector("[data-price]")));
      var parts = 0;
      row.querySelectorAll("[data-part]").forEach(function (input) {
        var v = num(input);
        parts += v;
        if (!(removed && removed.checked)) { sums[input.dataset.part] += v; }
      });
      parts = cents(parts);
      if (!(removed && removed.checked)) { sums.all += cost; }
      row.querySelector("[data-cost]").textContent = money(cost);
      row.querySelector("[data-parts]").textContent = money(parts);
      row.querySelector("[data-mismatch]").hidden = cost === parts;
    });
    ["local", "own", "partner", "all"].forEach(function (k) {
      var out = form.querySelector("[data-total=" + k + "]");
      if (out) { out.textContent = money(sums[k]); }
    });
    var own = form.querySelector("[data-total=share]");
    if (own) { own.textContent = share(sums.all > 0 ? sums.own * 100 / sums.all : 0); }
    if (warning && maximum !== null) { warning.hidden = !(cents(sums.local) > maximum); }
  }
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
