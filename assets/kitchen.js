// The kitchen screen: ages and colours of the tickets, late tickets, a flash (and an optional
// sound) when a ticket arrives, undo buttons that leave when their minute is up, and recipe
// cards that stay open when the board is replaced.
(function () {
  var seen = null;
  var open = {};

  function board() { return document.getElementById("board"); }

  function minutes(ms) {
    var m = Math.max(0, Math.floor(ms / 60000));
    var s = Math.max(0, Math.floor((ms % 60000) / 1000));
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var kds = document.querySelector(".kds");
    if (!kds) { return; }
    var amber = Number(kds.dataset.amberMs), red = Number(kds.dataset.redMs), now = Date.now();
    kds.querySelectorAll(".ticket[data-since]").forEach(function (t) {
      var age = now - Number(t.dataset.since);
      var label = t.querySelector("[data-age]");
      if (label) { label.textContent = minutes(age); }
      t.classList.toggle("ticket--amber", age >= amber && age < red);
      t.classList.toggle("ticket--red", age >= red);
      t.classList.toggle("ticket--fresh", age < amber);
      if (!t.classList.contains("ticket--cancelled") && t.dataset.status !== "READY") {
        t.classList.toggle("ticket--late", now > Number(t.dataset.readyBy));
      }
    });
    kds.querySelectorAll("form[data-undo-until]").forEach(function (f) {
      if (now > Number(f.dataset.undoUntil)) { f.remove(); }
    });
  }

  function beep() {
    var box = document.getElementById("kitchen-sound");
    if (!box || !box.checked) { return; }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; o.connect(g); g.connect(ctx.destination);
      g.gain.setValueAtTime(0.2, ctx.currentTime);
      o.start(); o.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound on this device */ }
  }

  function arrived() {
    var ids = {};
    var fresh = false;
    document.querySelectorAll(".kds .ticket[data-ticket]").forEach(function (t) {
      ids[t.dataset.ticket] = true;
      if (seen && !seen[t.dataset.ticket]) { t.classList.add("ticket--new"); fresh = true; }
    });
    document.querySelectorAll(".kds [data-keep]").forEach(function (d) {
      if (open[d.dataset.keep]) { d.open = true; }
    });
    if (fresh) { beep(); }
    seen = ids;
    tick();
  }

  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d.dataset && d.dataset.keep) { open[d.dataset.keep] = d.open; }
  }, true);
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.detail.target === board() || (e.detail.elt && e.detail.elt === board())) { arrived(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("kitchen-sound");
    if (box) {
      box.checked = localStorage.getItem("kitchen-sound") === "1";
      box.addEventListener("change", function () {
        localStorage.setItem("kitchen-sound", box.checked ? "1" : "0");
        if (box.checked) { beep(); }
      });
    }
    arrived();
    setInterval(tick, 1000);
  });
})();
