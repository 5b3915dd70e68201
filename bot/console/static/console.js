// Documents page: poll the background reindex progress (no third-party code).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-text");
  var busy = { queued: 1, running: 1 };
  var wasBusy = box.getAttribute("data-state") in busy;
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        box.setAttribute("data-state", p.state);
        bar.value = p.percent;
        var line = p.action ? p.action + "：" : "";
        if (p.state === "running") { line += p.stage + (p.total ? "（" + p.done + "/" + p.total + "）" : ""); }
        else if (p.state === "queued") { line += "排队中"; }
        else if (p.state === "done" || p.state === "failed") { line += p.message; }
        else { line = "空闲"; }
        text.textContent = line;
        if (p.state in busy) { wasBusy = true; setTimeout(tick, 1000); }
        else if (wasBusy) { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  tick();
})();
