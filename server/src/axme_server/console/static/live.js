// Live timeline (REQ-CONSOLE-008): the page is complete without this; it only appends events
// from the console's SSE stream as they happen. Everything is written with textContent.
(function () {
  "use strict";
  var list = document.getElementById("timeline");
  if (!list || !window.EventSource || list.dataset.terminal) return;
  var status = document.getElementById("status");
  var live = document.getElementById("live");
  var terminal = { COMPLETED: 1, FAILED: 1, CANCELED: 1, TIMED_OUT: 1 };
  var source = new EventSource(list.dataset.stream + "?since=" + encodeURIComponent(list.dataset.since));
  function span(cls, text) {
    var el = document.createElement(cls === "strong" ? "strong" : "span");
    if (cls !== "strong") el.className = cls;
    el.textContent = text;
    return el;
  }
  function add(message) {
    var ev = JSON.parse(message.data);
    if (document.getElementById("ev-" + ev.seq)) return;
    var item = document.createElement("li");
    item.id = "ev-" + ev.seq;
    var actor = ev.actor || {};
    var when = document.createElement("time");
    when.dateTime = ev.at;
    when.textContent = ev.at;
    var parts = [span("seq", "#" + ev.seq), when, span("strong", ev.event_type),
      span("badge s-" + String(ev.status).toLowerCase(), ev.status),
      span("sub", (actor.display_name || actor.id || "") + " · " + ev.channel)];
    parts.forEach(function (part, i) { if (i) item.appendChild(document.createTextNode(" ")); item.appendChild(part); });
    list.appendChild(item);
    status.textContent = ev.status;
    status.className = "badge s-" + String(ev.status).toLowerCase();
    if (terminal[ev.status]) { source.close(); if (live) live.hidden = true; }
  }
  // A decision from this page is posted in the background, so the outcome arrives on the live
  // timeline; a refused one (422) is posted again normally to show the page with the reason.
  var form = document.querySelector("form[action$='/decision']");
  if (form && window.fetch) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.plain) return;
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form, event.submitter));
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (resp) {
        if (!resp.ok) throw new Error(String(resp.status));
        var note = document.createElement("p");
        note.setAttribute("role", "status");
        note.className = "card ok";
        note.textContent = "Your decision (" + event.submitter.value.replace(/_/g, " ") + ") was recorded.";
        form.replaceWith(note);
      }).catch(function () { form.dataset.plain = "1"; form.requestSubmit(event.submitter); });
    });
  }
  list.dataset.types.split(" ").forEach(function (type) { source.addEventListener(type, add); });
  source.onopen = function () { if (live) live.hidden = false; };
})();
