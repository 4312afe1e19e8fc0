/* A job's live progress: polls the job's status.json every second (slower after a while) until it has
   finished, then offers the result. No page reload is needed; closing the page does not stop the job. */
(function () {
  "use strict";
  function poll(box) {
    var url = box.dataset.statusUrl;
    var bar = box.querySelector("[data-job-bar]");
    var status = box.querySelector("[data-job-status]");
    var stage = box.querySelector("[data-job-stage]");
    var count = box.querySelector("[data-job-count]");
    var message = box.querySelector("[data-job-message]");
    var download = box.querySelector("[data-job-download]");
    var reload = box.querySelector("[data-job-reload]");
    var delay = 1000;
    function fmt(n) { return Number(n).toLocaleString(); }
    function show(d) {
      status.textContent = d.status_label;
      status.className = "badge job-" + d.status;
      stage.textContent = d.stage || "—";
      if (d.percent === null || d.percent === undefined) { bar.removeAttribute("value"); }
      else { bar.value = d.percent; }
      count.textContent = d.total ? fmt(d.done) + " / " + fmt(d.total) : "";
      if (d.message) { message.textContent = d.message; }
      message.className = "msg " + (d.status === "failed" ? "msg-error" : d.status === "succeeded" ? "msg-success" : "msg-info");
      if (d.download_url) { download.hidden = false; download.querySelector("a").href = d.download_url; }
    }
    function tick() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status !== 200) { window.setTimeout(tick, delay * 2); return; }
        var d = JSON.parse(xhr.responseText);
        show(d);
        if (d.finished) { reload.hidden = false; box.dataset.finished = "1"; return; }
        delay = Math.min(delay + 250, 3000);
        window.setTimeout(tick, delay);
      };
      xhr.onerror = function () { window.setTimeout(tick, 5000); };
      xhr.send();
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job]").forEach(function (box) {
      if (box.dataset.finished !== "1") { poll(box); }
    });
  });
})();
