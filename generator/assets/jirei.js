// jirei: sort tables with class "jirei-sortable" in the browser (no server needed).
// Each header becomes a button; cells may carry data-sort for the value to sort by.
(function () {
  "use strict";
  function value(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
    return numeric ? parseFloat(raw.replace(/,/g, "")) || 0 : raw;
  }
  function sortBy(table, header, index) {
    var numeric = header.getAttribute("data-type") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator("ja");
    rows.sort(function (a, b) {
      var x = value(a, index, numeric), y = value(b, index, numeric);
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function init() {
    document.querySelectorAll("table.jirei-sortable").forEach(function (table) {
      if (!table.tHead || table.dataset.sortReady) return;
      table.dataset.sortReady = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "jirei-sort";
        button.textContent = header.textContent;
        button.setAttribute("aria-label", header.textContent + "で並べ替え");
        button.addEventListener("click", function () { sortBy(table, header, index); });
        header.textContent = "";
        header.appendChild(button);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// jirei: a table frame that scrolls sideways (wider table than the window) can be reached and
// scrolled with the keyboard: it becomes a focusable region named after the table's caption.
(function () {
  "use strict";
  function update() {
    document.querySelectorAll(".jirei-table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption ? caption.textContent.trim() : "表") + "（横にスクロールできます）");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  var pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();

// jirei: the case page's 「印刷用に表示」 button opens the browser's print dialog (one A4 sheet,
// assets/print.css). Without JavaScript it stays hidden: the browser's own print command remains.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll(".jirei-print-action").forEach(function (action) {
      var button = action.querySelector("button");
      if (!button || action.dataset.printReady) return;
      action.dataset.printReady = "1";
      button.addEventListener("click", function () { window.print(); });
      action.hidden = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
