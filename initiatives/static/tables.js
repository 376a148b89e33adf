/* A wide table says that it scrolls: a line at the top of each .table-wrap that does not
   fit, shown only while it does not (the window turns, a detail opens). Without this script
   the table still scrolls and its edge still shows a shadow (site.css). The words come
   from the page, in its language (base.html, data-scroll-hint). */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = script && script.getAttribute("data-scroll-hint");
  if (!words) return;

  function fits(wrap) {
    return wrap.scrollWidth <= wrap.clientWidth + 1;
  }

  function watch(wrap) {
    var hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.setAttribute("aria-hidden", "true"); // a screen reader reads the whole table anyway
    hint.textContent = words;
    wrap.insertBefore(hint, wrap.firstChild); // inside: the page's structure stays as it was
    var update = function () {
      hint.hidden = fits(wrap);
    };
    update();
    if ("ResizeObserver" in window) {
      var observer = new ResizeObserver(update);
      observer.observe(wrap);
      var table = wrap.querySelector("table");
      if (table) observer.observe(table);
    } else {
      window.addEventListener("resize", update);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), watch);
})();
