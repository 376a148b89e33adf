/* Saves a section of an application while it is typed: two seconds after the last key, at
   once on a change (a choice, a date, a row removed), and when the page is hidden (a phone
   switching to another app, a link followed). Without scripts the buttons and the step
   list save it: every way out of a section is a button of its form.
   The server answers 204 (all saved), 422 (saved except fields with errors, which the
   buttons will show) or anything else (not saved). A button pressed while a save is in
   flight waits for it, so the two never race for the same draft. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var timer = null;
  var busy = false;
  var dirty = false;
  var leaving = false;
  var waiting = null;
  function say(text, bad) {
    if (!status) { return; }
    status.textContent = text;
    status.className = bad ? "field-error" : "hint";
  }
  function now() {
    return new Date().toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "2-digit", minute: "2-digit", hour12: false });
  }
  function data() {
    var body = new FormData(form);
    body.set("autosave", "1");
    return body;
  }
  function address() { return form.getAttribute("action") || window.location.href; }
  function save() {
    timer = null;
    if (!dirty || leaving) { return; }
    if (busy) { timer = setTimeout(save, 500); return; }
    busy = true;
    dirty = false;
    fetch(address(), { method: "POST", body: data(), credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.status === 204) {
          say(form.dataset.saved + " " + now(), false);
        } else if (response.status === 422) {
          say(form.dataset.partial, true);
        } else {
          dirty = true;
          say(form.dataset.failed, true);
        }
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.failed, true);
      })
      .then(function () {
        busy = false;
        if (waiting) {
          var button = waiting;
          waiting = null;
          form.requestSubmit(button);
        }
      });
  }
  function soon(ms) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, ms);
  }
  form.addEventListener("input", function () { soon(2000); });
  form.addEventListener("change", function () { soon(300); });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    timer = null;
    if (busy) {  // the press goes out once the save in flight has answered
      event.preventDefault();
      waiting = event.submitter || form.querySelector("button[name=save]");
      return;
    }
    leaving = true;
    dirty = false;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || !dirty || busy || leaving) { return; }
    clearTimeout(timer);
    timer = null;
    dirty = false;
    navigator.sendBeacon(address(), data());
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { leaving = false; }  // back to a page kept by the browser
  });
})();
