// PageExt flame graph (SVG): click a frame to zoom, click "Reset Zoom" or press Escape to undo,
// "Search" or Ctrl+F to highlight frames matching a regular expression and sum their pages.
(function () {
  "use strict";
  var svg = document.documentElement;
  var total, pad = 10, width, frames = [], zoomed = null;

  function name(g) {
    var m = /^([\s\S]*) \(\d+ pages/.exec(g.querySelector("title").textContent);
    return m ? m[1] : "";
  }

  function fit(g, w) {
    var chars = Math.floor((w - 6) / 7);
    var n = name(g);
    g.querySelector("text").textContent = chars < 3 ? "" : n.length <= chars ? n : n.slice(0, chars - 2) + "..";
  }

  function layout(x0, w0, level) {
    var scale = (width - 2 * pad) / w0;
    frames.forEach(function (g) {
      var x = +g.getAttribute("data-x"), w = +g.getAttribute("data-w"), l = +g.getAttribute("data-l");
      var rect = g.querySelector("rect"), text = g.querySelector("text");
      var inside = x >= x0 && x + w <= x0 + w0;
      var ancestor = l < level && x <= x0 && x + w >= x0 + w0;
      if (!inside && !ancestor) {
        g.style.display = "none";
        return;
      }
      g.style.display = "";
      g.style.opacity = ancestor && l < level ? "0.5" : "";
      var nx = ancestor ? pad : pad + (x - x0) * scale;
      var nw = ancestor ? width - 2 * pad : w * scale;
      rect.setAttribute("x", nx.toFixed(1));
      rect.setAttribute("width", nw.toFixed(1));
      text.setAttribute("x", (nx + 3).toFixed(1));
      fit(g, nw);
    });
  }

  function zoom(g) {
    zoomed = g;
    layout(+g.getAttribute("data-x"), Math.max(1, +g.getAttribute("data-w")), +g.getAttribute("data-l"));
    document.getElementById("unzoom").classList.remove("hide");
  }

  function unzoom() {
    zoomed = null;
    layout(0, total, 0);
    document.getElementById("unzoom").classList.add("hide");
  }

  function search(term) {
    var matched = document.getElementById("matched");
    frames.forEach(function (g) { g.classList.remove("match"); });
    if (!term) {
      matched.textContent = " ";
      return;
    }
    var re;
    try { re = new RegExp(term); } catch (e) { matched.textContent = "bad expression"; return; }
    // Sum only the outermost match of each path, so nested matches are not counted twice.
    var sum = 0, covered = [];
    frames.forEach(function (g) {
      if (!re.test(name(g))) return;
      g.classList.add("match");
      var x = +g.getAttribute("data-x"), w = +g.getAttribute("data-w");
      for (var i = 0; i < covered.length; i++) {
        if (x >= covered[i][0] && x + w <= covered[i][1]) return;
      }
      covered.push([x, x + w]);
      sum += w;
    });
    matched.textContent = "Matched: " + sum + " pages, " + (100 * sum / total).toFixed(1) + "%";
  }

  window.addEventListener("load", function () {
    total = +svg.getAttribute("data-total") || 1;
    width = +svg.getAttribute("width");
    frames = Array.prototype.slice.call(document.querySelectorAll("g.f"));
    var details = document.getElementById("details");
    frames.forEach(function (g) {
      g.addEventListener("click", function () { zoom(g); });
      g.addEventListener("mouseover", function () { details.textContent = g.querySelector("title").textContent; });
      g.addEventListener("mouseout", function () { details.textContent = " "; });
    });
    document.getElementById("unzoom").addEventListener("click", unzoom);
    document.getElementById("search").addEventListener("click", function () {
      search(window.prompt("Search for (regular expression):", ""));
    });
    window.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "f") {
        e.preventDefault();
        search(window.prompt("Search for (regular expression):", ""));
      } else if (e.key === "Escape") {
        unzoom();
      }
    });
  });
})();
