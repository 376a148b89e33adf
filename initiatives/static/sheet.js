/* Saves a score sheet as the member types: each change is sent as "Save the draft" in the
   background, and the page learns the sheet's new version so the next save is not taken for
   a stale window. Without JavaScript the "Save the draft" button does the same.
   A button pressed while a background save is pending or in flight must not race it: the
   pending save is dropped (the form carries everything anyway) and one in flight is awaited,
   so the press goes out with the version that save returned. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var busy = false;
  var waiting = null;
  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "field-error" : "hint";
  }
  function save() {
    if (busy) { timer = setTimeout(save, 500); return; }
    busy = true;
    var data = new FormData(form);
    data.set("action", "save");
    data.delete("confirm");
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action") || window.location.href,
      { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) { return { ok: response.ok, html: html }; });
      })
      .then(function (r) {
        var page = new DOMParser().parseFromString(r.html, "text/html");
        if (r.ok) {
          var fresh = page.querySelector("form[data-autosave] input[name=version]");
          if (fresh) { version.value = fresh.value; }
          say(form.dataset.saved + " " + new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit", hour12: false }));
        } else {
          var why = page.querySelector(".flash.warning, .field-error, .error ul li");
          say(why ? why.textContent.trim() : form.dataset.failed, true);
        }
      })
      .catch(function () { say(form.dataset.failed, true); })
      .then(function () {
        busy = false;
        if (waiting) {
          var button = waiting;
          waiting = null;
          form.requestSubmit(button);
        }
      });
  }
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    timer = null;
    if (busy) {
      event.preventDefault();
      waiting = event.submitter || form.querySelector("button[name=action][value=submit]");
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "confirm") { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });
}());
