/* Miaopu (苗圃): small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  if (document.querySelector("[data-search]")) document.body.classList.add("has-search");

  // "/" focuses the page's search box; Escape leaves it.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !isTyping(document.activeElement)) {
      var box = document.querySelector("[data-search]");
      if (box) {
        ev.preventDefault();
        box.focus();
        if (box.select) box.select();
      }
    } else if (ev.key === "Escape" && document.activeElement && document.activeElement.matches("[data-search]")) {
      document.activeElement.blur();
    }
  });

  // Forms with data-confirm ask before submitting (deletes).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  }, true);

  // Unit tree: expand/collapse all, and filter by name (matching units stay visible with their ancestors).
  document.querySelectorAll("[data-tree-toggle]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var tree = document.querySelector(btn.getAttribute("data-tree-toggle"));
      var open = btn.getAttribute("data-open") === "1";
      if (!tree) return;
      tree.querySelectorAll("details").forEach(function (d) { d.open = open; });
    });
  });

  document.querySelectorAll("[data-tree-filter]").forEach(function (input) {
    var tree = document.querySelector(input.getAttribute("data-tree-filter"));
    if (!tree) return;
    var items = Array.prototype.slice.call(tree.querySelectorAll("li"));
    var initiallyOpen = Array.prototype.map.call(tree.querySelectorAll("details"), function (d) { return [d, d.open]; });
    var timer = null;
    function apply() {
      var q = input.value.trim();
      if (!q) {
        items.forEach(function (li) { li.classList.remove("hidden"); });
        initiallyOpen.forEach(function (pair) { pair[0].open = pair[1]; });
        return;
      }
      items.forEach(function (li) { li.classList.add("hidden"); });
      items.forEach(function (li) {
        var name = li.querySelector(".unit-name");
        if (!name || name.textContent.indexOf(q) === -1) return;
        // the first .unit-name inside li is its own (summary/node comes first)
        if (name.closest("li") !== li) return;
        var node = li;
        while (node && node !== tree) {
          if (node.tagName === "LI") node.classList.remove("hidden");
          if (node.tagName === "DETAILS") node.open = true;
          node = node.parentElement;
        }
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
  });

  // Cadre form: when the unit changes, load that unit's posts into the post select.
  document.querySelectorAll("select[data-posts-url]").forEach(function (unitSelect) {
    var postSelect = document.getElementById(unitSelect.getAttribute("data-post-select"));
    if (!postSelect || !window.fetch) return;
    var template = unitSelect.getAttribute("data-posts-url");
    unitSelect.addEventListener("change", function () {
      var keep = postSelect.options.length ? postSelect.options[0] : null;
      postSelect.length = 0;
      if (keep) postSelect.add(keep);
      if (!unitSelect.value) return;
      var url = template.replace("/0/", "/" + encodeURIComponent(unitSelect.value) + "/");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { posts: [] }; })
        .then(function (data) {
          (data.posts || []).forEach(function (p) {
            postSelect.add(new Option(p.label || p.title, p.id));
          });
        });
    });
  });
})();
