/* Live totals of the budget table. Only a help while typing: the server recomputes every
   figure from quantity, unit price and the parts when the draft is saved. */
(function () {
  "use strict";
  var form = document.querySelector("[data-budget]");
  if (!form) { return; }
  function num(input) {
    if (!input) { return 0; }
    var v = parseFloat(String(input.value).replace(/\s/g, "").replace(",", "."));
    return isFinite(v) ? v : 0;
  }
  function cents(v) { return Math.round(v * 100) / 100; }
  function show(v) {
    return cents(v).toLocaleString(document.documentElement.lang || undefined,
      { minimumFractionDigits: 2, maximumFractionDigits: 2 });
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
      row.querySelector("[data-cost]").textContent = show(cost);
      row.querySelector("[data-parts]").textContent = show(parts);
      row.querySelector("[data-mismatch]").hidden = cost === parts;
    });
    ["local", "own", "partner", "all"].forEach(function (k) {
      var out = form.querySelector("[data-total=" + k + "]");
      if (out) { out.textContent = show(sums[k]); }
    });
    var share = form.querySelector("[data-total=share]");
    if (share) {  // as the page writes it: "2,5%" in Kyrgyz, "2,5 %" in Russian
      share.textContent = (sums.all > 0 ? cents(sums.own * 100 / sums.all) / 100 : 0).toLocaleString(
        document.documentElement.lang || undefined, { style: "percent", maximumFractionDigits: 2 });
    }
  }
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
