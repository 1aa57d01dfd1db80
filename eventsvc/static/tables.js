// The dashboard's tables on a narrow screen (dashboard.css, table.stack): a table wider than
// its box is shown one block per row, each cell after its column's name, rather than scrolling
// sideways. Without JavaScript it scrolls inside its own box; the page never does.
(function () {
  "use strict";

  function label(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return false;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) names.push(cell.textContent.trim());
    });
    var bodies = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) bodies.push(table.tFoot);
    bodies.forEach(function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && names[column]) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    return true;
  }

  function tooWide(table) {
    var box = table.parentElement;
    return Math.max(table.scrollWidth, table.offsetWidth) > box.clientWidth + 1;
  }

  function fit() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.hasAttribute("data-stack-server")) return;
      table.classList.remove("stack");
      if (tooWide(table) && label(table)) table.classList.add("stack");
    });
  }

  var waiting = null;
  window.addEventListener("resize", function () {
    clearTimeout(waiting);
    waiting = setTimeout(fit, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
})();
