// PageExt report: renders the aggregated JSON embedded in this page. No request of any kind.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var names = D.names;
  var MIB = 1048576;
  var measure = 0; // 0 = pages, 1 = records
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function mib(pages) { return (pages * D.pageBytes / MIB).toFixed(1); }
  function signed(n, s) { return (n > 0 ? "+" : "") + (s === undefined ? fmt(n) : s); }
  function pct(part, whole) { return whole ? (100 * part / whole).toFixed(1) + "%" : "-"; }

  // Summary
  var summary = fmt(D.records) + " records, " + fmt(D.pages) + " pages = " + mib(D.pages) + " MiB at " + D.pageBytes + "-byte pages";
  if (D.diff) summary += "; before: " + fmt(D.oldRecords) + " records, " + fmt(D.oldPages) + " pages = " + mib(D.oldPages) +
    " MiB; change " + signed(D.pages - D.oldPages) + " pages (" + signed(D.pages - D.oldPages, mib(D.pages - D.oldPages)) + " MiB)";
  if (D.live) summary += "; from a live machine";
  $("summary").textContent = summary;

  // ---- Flame graph ----------------------------------------------------------------------------
  function node(a, parent, depth) {
    var n = { name: a[0] < 0 ? "all" : names[a[0]], v: [a[1], a[2]], o: [a[3], a[4]], parent: parent, depth: depth, kids: [] };
    for (var i = 0; i < a[5].length; i++) n.kids.push(node(a[5][i], n, depth + 1));
    return n;
  }
  var root = node(D.flame, null, 0);
  var zoomed = root, focused = root, rows = 0;
  var flame = $("flame"), tip = $("tip");
  var ROW = 18, maxChange = 1;
  (function walk(n) {
    maxChange = Math.max(maxChange, Math.abs(n.v[0] - n.o[0]));
    rows = Math.max(rows, n.depth + 1);
    n.kids.forEach(walk);
  })(root);

  function hue(name) {
    var h = 2166136261;
    for (var i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
    return "rgb(" + (205 + h % 50) + "," + ((h >>> 8) % 200 + 30) + "," + ((h >>> 16) % 55) + ")";
  }
  function colour(n) {
    if (!D.diff) return hue(n.name);
    var change = n.v[0] - n.o[0];
    var fade = Math.round(215 - 215 * Math.min(1, Math.abs(change) / maxChange));
    return change > 0 ? "rgb(255," + fade + "," + fade + ")" : change < 0 ? "rgb(" + fade + "," + fade + ",255)" : "rgb(235,235,235)";
  }
  function describe(n) {
    var total = root.v[measure] || 1;
    var lines = [n.name,
      fmt(n.v[0]) + " pages, " + mib(n.v[0]) + " MiB, " + fmt(n.v[1]) + " records",
      pct(n.v[measure], total) + " of all" + (zoomed !== root ? ", " + pct(n.v[measure], zoomed.v[measure]) + " of " + zoomed.name : "")];
    if (D.diff) lines.push("before: " + fmt(n.o[0]) + " pages, " + fmt(n.o[1]) + " records; change " +
      signed(n.v[0] - n.o[0]) + " pages (" + signed(n.v[0] - n.o[0], mib(n.v[0] - n.o[0])) + " MiB)");
    return lines.join("\n");
  }

  var drawn = [];
  function drawFlame() {
    flame.textContent = "";
    drawn = [];
    var width = flame.clientWidth - 2;
    var chain = [];
    for (var a = zoomed; a; a = a.parent) chain.unshift(a);
    chain.forEach(function (a) { if (a !== zoomed) place(a, 0, width, true); });
    var frag = document.createDocumentFragment();
    (function lay(n, x, w) {
      place(n, x, w, false, frag);
      var scale = n.v[measure] ? w / n.v[measure] : 0, cx = x;
      n.kids.forEach(function (k) {
        var kw = k.v[measure] * scale;
        if (kw >= 1) lay(k, cx, kw);
        cx += kw;
      });
    })(zoomed, 0, width);
    flame.appendChild(frag);
    flame.style.height = Math.min(Math.max(rows * ROW + 4, 120), 380) + "px";
    $("reset").disabled = zoomed === root;
    applySearch();
    flame.setAttribute("data-frames", String(drawn.length));
  }
  function place(n, x, w, ancestor, parentEl) {
    var d = el("div", { "class": "fr" + (ancestor ? " anc" : ""), role: "treeitem", tabindex: n === focused ? "0" : "-1",
      "data-name": n.name, "data-pages": String(n.v[0]), "data-records": String(n.v[1]), "aria-label": describe(n).replace(/\n/g, "; ") });
    d.style.left = x + "px"; d.style.width = Math.max(w - 1, 1) + "px"; d.style.top = n.depth * ROW + "px";
    d.style.background = colour(n);
    d.textContent = n.name;
    d._node = n;
    (parentEl || flame).appendChild(d);
    drawn.push(d);
    return d;
  }
  function zoom(n) { zoomed = n; focused = n; drawFlame(); focusNode(n); }
  function focusNode(n) {
    focused = n;
    for (var i = 0; i < drawn.length; i++) {
      var d = drawn[i];
      d.setAttribute("tabindex", d._node === n ? "0" : "-1");
      if (d._node === n && document.activeElement && flame.contains(document.activeElement)) d.focus();
    }
    $("flame-status").textContent = describe(n).replace(/\n/g, " | ");
  }
  flame.addEventListener("click", function (e) { if (e.target._node) zoom(e.target._node); });
  flame.addEventListener("mousemove", function (e) {
    if (!e.target._node) { tip.hidden = true; return; }
    tip.textContent = describe(e.target._node);
    tip.hidden = false;
    var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 8 : e.clientY + 16;
    tip.style.left = x + "px"; tip.style.top = y + "px";
  });
  flame.addEventListener("mouseleave", function () { tip.hidden = true; });
  flame.addEventListener("focus", function (e) {
    if (e.target === flame) {
      var d = drawn.filter(function (x) { return x._node === focused; })[0] || drawn[0];
      if (d) { d.focus(); focusNode(d._node); }
    }
  });
  flame.addEventListener("keydown", function (e) {
    var n = focused, next = null;
    var visible = function (k) { return drawn.some(function (d) { return d._node === k; }); };
    var sibs = n.parent ? n.parent.kids.filter(visible) : [n];
    var i = sibs.indexOf(n);
    if (e.key === "ArrowDown") next = n.kids.filter(visible)[0];
    else if (e.key === "ArrowUp") next = n.parent;
    else if (e.key === "ArrowRight") next = sibs[i + 1];
    else if (e.key === "ArrowLeft") next = sibs[i - 1];
    else if (e.key === "Enter" || e.key === " ") { zoom(n); e.preventDefault(); return; }
    else if (e.key === "Escape") { zoom(root); e.preventDefault(); return; }
    else return;
    e.preventDefault();
    if (next) {
      focusNode(next);
      var d = drawn.filter(function (x) { return x._node === next; })[0];
      if (d) d.focus();
    }
  });
  $("reset").addEventListener("click", function () { zoom(root); });
  Array.prototype.forEach.call(document.querySelectorAll("input[name=measure]"), function (r) {
    r.addEventListener("change", function () { measure = r.value === "records" ? 1 : 0; drawFlame(); });
  });

  function searchRegex() {
    var term = $("search").value;
    if (!term) return null;
    try { return new RegExp(term, "i"); } catch (e) { return new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i"); }
  }
  function applySearch() {
    var re = searchRegex(), status = $("matched");
    drawn.forEach(function (d) { d.classList.toggle("match", !!re && re.test(d._node.name)); });
    if (!re) { status.textContent = ""; flame.removeAttribute("data-matched"); return; }
    // Sum the outermost matching frames under the zoomed frame, so nested matches count once.
    var sum = 0, frames = 0;
    (function walk(n) {
      if (re.test(n.name)) { sum += n.v[measure]; frames++; countInner(n); return; }
      n.kids.forEach(walk);
    })(zoomed);
    function countInner(n) { n.kids.forEach(function (k) { if (re.test(k.name)) frames++; countInner(k); }); }
    var unit = measure ? " records" : " pages";
    status.textContent = "Matched " + frames + " frame" + (frames === 1 ? "" : "s") + ": " + fmt(sum) + unit +
      (measure ? "" : " (" + mib(sum) + " MiB)") + ", " + pct(sum, zoomed.v[measure]);
    flame.setAttribute("data-matched", String(sum));
  }
  var searchTimer = 0;
  $("search").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(applySearch, 120); });
  $("search").addEventListener("keydown", function (e) { if (e.key === "Enter") { clearTimeout(searchTimer); applySearch(); } });
  window.addEventListener("resize", function () { drawFlame(); drawMap(); });

  // ---- Tables ---------------------------------------------------------------------------------
  var tables = [
    { id: "stacks", title: "Stacks", label: "stack (caller, then frames)" },
    { id: "processes", title: "Processes", label: D.diff ? "process name [tgids before -> after]" : "tgid comm" },
    { id: "allocators", title: "Allocators", label: "allocator (page_owner_sort's class)" },
    { id: "orders", title: "Orders", label: "order" },
    { id: "types", title: "Migrate types", label: "page migrate type" }
  ];
  function rowsOf(t) {
    return D[t.id].rows.map(function (r) {
      return t.id === "stacks" ? { label: names[r[0]], frames: r[1].map(function (i) { return names[i]; }), p: r[2], r: r[3], op: r[4], or: r[5] }
        : { label: r[0], p: r[1], r: r[2], op: r[3], or: r[4] };
    });
  }
  var columns = [
    { key: "label", title: null, left: true },
    { key: "p", title: "pages" }, { key: "mib", title: "MiB", get: function (r) { return r.p; } },
    { key: "r", title: "records" }, { key: "share", title: "share", get: function (r) { return r.p; } }
  ];
  if (D.diff) columns.push({ key: "op", title: "pages before" }, { key: "dp", title: "change", get: function (r) { return r.p - r.op; } },
    { key: "dmib", title: "change MiB", get: function (r) { return r.p - r.op; } });
  var tableState = { id: "stacks", key: D.diff ? "dp" : "p", dir: -1 };
  function drawTable() {
    var t = tables.filter(function (x) { return x.id === tableState.id; })[0];
    var data = rowsOf(t);
    var col = columns.filter(function (c) { return c.key === tableState.key; })[0];
    var get = col.get || function (r) { return r[col.key]; };
    data.sort(function (a, b) {
      var x = get(a), y = get(b);
      return (typeof x === "string" ? x.localeCompare(y) : x - y) * tableState.dir;
    });
    var table = el("table", { id: "table-" + t.id });
    table.appendChild(el("caption", { "class": "sr" }, t.title + ": " + data.length + " of " + D[t.id].count));
    var head = el("tr");
    columns.forEach(function (c) {
      var th = el("th", { scope: "col", "class": c.left ? "l" : "" });
      if (c.key === tableState.key) th.setAttribute("aria-sort", tableState.dir < 0 ? "descending" : "ascending");
      var b = el("button", { type: "button" }, c.title || t.label);
      b.addEventListener("click", function () {
        tableState.dir = tableState.key === c.key ? -tableState.dir : (c.key === "label" ? 1 : -1);
        tableState.key = c.key;
        drawTable();
        var again = document.querySelector("#table-panel th[aria-sort] button");
        if (again) again.focus();
      });
      th.appendChild(b);
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    data.forEach(function (r) {
      var tr = el("tr");
      var first = el("td", { "class": "l" });
      if (r.frames) {
        // A stack's frames are built when it is opened: 200 stacks of 30 frames are thousands of elements nobody sees.
        var det = el("details");
        det.appendChild(el("summary", {}, r.label));
        det.addEventListener("toggle", function () {
          if (!det.open || det.querySelector("ol")) return;
          var ol = el("ol");
          r.frames.forEach(function (f) { ol.appendChild(el("li", {}, f)); });
          det.appendChild(ol);
        });
        first.appendChild(det);
      } else first.textContent = r.label;
      tr.appendChild(first);
      tr.appendChild(el("td", {}, fmt(r.p)));
      tr.appendChild(el("td", {}, mib(r.p)));
      tr.appendChild(el("td", {}, fmt(r.r)));
      tr.appendChild(el("td", {}, pct(r.p, D.pages)));
      if (D.diff) {
        var d = r.p - r.op, cls = d > 0 ? "grow" : d < 0 ? "shrink" : "";
        tr.appendChild(el("td", {}, fmt(r.op)));
        tr.appendChild(el("td", { "class": cls }, signed(d)));
        tr.appendChild(el("td", { "class": cls }, signed(d, mib(d))));
      }
      body.appendChild(tr);
    });
    table.appendChild(body);
    var panel = $("table-panel");
    panel.textContent = "";
    if (D[t.id].count > data.length) panel.appendChild(el("p", { "class": "hint" }, "The " + data.length + " biggest of " + fmt(D[t.id].count) + "."));
    panel.appendChild(table);
    panel.setAttribute("aria-labelledby", "tab-" + t.id);
  }
  var tabs = $("table-tabs");
  tables.forEach(function (t, i) {
    var b = el("button", { type: "button", role: "tab", id: "tab-" + t.id, "aria-selected": i === 0 ? "true" : "false", tabindex: i === 0 ? "0" : "-1" }, t.title);
    b.addEventListener("click", function () { select(t.id); });
    b.addEventListener("keydown", function (e) {
      var j = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : -1;
      if (j >= 0 && j < tables.length) { select(tables[j].id); $("tab-" + tables[j].id).focus(); }
    });
    tabs.appendChild(b);
  });
  function select(id) {
    tableState.id = id;
    tables.forEach(function (t) {
      var b = $("tab-" + t.id);
      b.setAttribute("aria-selected", t.id === id ? "true" : "false");
      b.setAttribute("tabindex", t.id === id ? "0" : "-1");
    });
    drawTable();
  }

  // ---- Memory map -----------------------------------------------------------------------------
  // Cells live in typed arrays, not objects: a 1 GiB dump's map has hundreds of thousands of them.
  // The map is below the fold, so it is decoded and drawn after the first paint (when it scrolls
  // into view, or when the page is idle), never while the page loads.
  var M = D.map, TYPE_COLOURS = { Unmovable: "#d1495b", Movable: "#3d7dd8", Reclaimable: "#3a9d5d", HighAtomic: "#8e5cc4",
    CMA: "#e0a100", Isolate: "#8c6d46", Reserve: "#4aa8a0" };
  var blockPages = Math.pow(2, M.pageblockOrder), mapCanvas = $("map"), mapReady = false;
  var count = 0, CELL = 4, cols = 1, selected = -1;
  var cBlock, cType, cUsed, cSize, cMixed, cZone, cOwners, cNone, ownerAt, ownerIdx, ownerPages;

  // A packed column (PackedColumn.cs): base64 of zigzag LEB128 varints of each value's difference from the one before.
  function unpack(b64, n, out) {
    var bin = atob(b64), p = 0, prev = 0;
    out = out || new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var v = 0, mul = 1, c;
      do { c = bin.charCodeAt(p++); v += (c & 127) * mul; mul *= 128; } while (c & 128);
      prev += v % 2 ? -(v + 1) / 2 : v / 2;
      out[i] = prev;
    }
    return out;
  }
  function decodeMap() {
    var nb = M.count, bBlock = unpack(M.block, nb), bType = unpack(M.type, nb), bUsed = unpack(M.used, nb), bSize = unpack(M.size, nb),
      bMixed = unpack(M.mixed, nb), bZone = unpack(M.zone, nb), bOwners = unpack(M.ownerCount, nb);
    ownerIdx = unpack(M.owner, M.ownerEntries); ownerPages = unpack(M.ownerPages, M.ownerEntries);
    ownerAt = new Int32Array(nb + 1);
    for (var q = 0; q < nb; q++) ownerAt[q + 1] = ownerAt[q] + bOwners[q];
    // A dump names only blocks holding allocated pages: show the whole range, gaps as blocks with no record.
    var lo = nb ? bBlock[0] : 0, hi = nb ? bBlock[nb - 1] : -1;
    var ranged = M.source === "dump" && nb > 0 && hi - lo + 1 <= 262144;
    count = ranged ? hi - lo + 1 : nb;
    cBlock = new Float64Array(count); cType = new Int16Array(count).fill(-1); cUsed = new Float64Array(count);
    cSize = new Float64Array(count).fill(blockPages); cMixed = new Int8Array(count); cZone = new Int16Array(count).fill(-1);
    cOwners = new Int32Array(count).fill(-1); cNone = new Uint8Array(count);
    if (ranged) { for (var g = 0; g < count; g++) { cBlock[g] = lo + g; cNone[g] = 1; } }
    for (var b = 0; b < nb; b++) {
      var i0 = ranged ? bBlock[b] - lo : b;
      cBlock[i0] = bBlock[b]; cType[i0] = bType[b]; cUsed[i0] = bUsed[b]; cSize[i0] = bSize[b]; cMixed[i0] = bMixed[b]; cZone[i0] = bZone[b];
      cOwners[i0] = b; cNone[i0] = 0;
    }
    CELL = count <= 4096 ? 14 : count <= 16384 ? 9 : count <= 65536 ? 6 : 4;
  }
  function showMap() {
    if (mapReady) return;
    mapReady = true;
    decodeMap();
    legend();
    drawMap();
    mixedTable();
  }
  function typeName(i) { return cType[i] < 0 ? (cNone[i] ? "no record" : "unknown") : M.types[cType[i]]; }
  function typeColour(name) { return TYPE_COLOURS[name] || "#888888"; }
  function shade(hex, f) {
    return [1, 3, 5].map(function (j) { return Math.round(255 - (255 - parseInt(hex.slice(j, j + 2), 16)) * f); });
  }
  var rgbCache = {};
  function rgbOf(i) {
    if (cNone[i]) return [238, 238, 238];
    var level = Math.round(32 * (cSize[i] ? Math.min(1, cUsed[i] / cSize[i]) : 0)), key = cType[i] * 64 + level;
    return rgbCache[key] || (rgbCache[key] = shade(typeColour(typeName(i)), 0.22 + 0.78 * level / 32));
  }
  function sample(ctx, rgb, cross, x, y, s) {
    ctx.fillStyle = "rgb(" + rgb.join(",") + ")";
    ctx.fillRect(x, y, s - 1, s - 1);
    if (cross) {
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + s - 1, y + s - 1); ctx.moveTo(x + s - 1, y); ctx.lineTo(x, y + s - 1); ctx.stroke();
    }
  }
  function drawMap() {
    if (!mapReady) return;
    var wrap = $("map-wrap"), width = Math.max(wrap.clientWidth - 10, CELL * 16);
    cols = Math.max(1, Math.floor(width / CELL));
    var rowsN = Math.max(1, Math.ceil(count / cols)), W = cols * CELL, H = rowsN * CELL;
    mapCanvas.width = W; mapCanvas.height = H;
    mapCanvas.style.width = W + "px"; mapCanvas.style.height = H + "px";
    // One 32-bit store per pixel (RGBA bytes, little-endian) rather than four byte stores.
    var ctx = mapCanvas.getContext("2d"), img = ctx.createImageData(W, H), px = new Uint32Array(img.data.buffer);
    var mixed = 0, s = CELL - 1, ink = 0xff000000;
    for (var i = 0; i < count; i++) {
      var rgb = rgbOf(i), x0 = (i % cols) * CELL, y0 = Math.floor(i / cols) * CELL, cross = cMixed[i] === 1;
      var fill = (0xff000000 | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0;
      if (cross) mixed++;
      for (var y = 0; y < s; y++) {
        var o = (y0 + y) * W + x0;
        px.fill(fill, o, o + s);
        // Mixed blocks carry a cross, so they read without colour too.
        if (cross) { px[o + y] = ink; px[o + s - 1 - y] = ink; }
      }
    }
    ctx.putImageData(img, 0, 0);
    selected = -1;
    mapCanvas.setAttribute("data-cells", String(count));
    mapCanvas.setAttribute("data-mixed", String(mixed));
    mapCanvas.setAttribute("data-drawn-at", String(Math.round(performance.now())));
  }
  function hex(n) { return "0x" + n.toString(16); }
  function describeCell(i) {
    var first = cBlock[i] * blockPages, last = first + blockPages - 1;
    var lines = ["Block " + cBlock[i] + ": PFN " + hex(first) + "-" + hex(last) + (cZone[i] >= 0 ? " (" + M.zones[cZone[i]] + ")" : "")];
    if (cNone[i]) { lines.push("no allocated page in the dump"); return lines.join("\n"); }
    lines.push(typeName(i) + (cMixed[i] === 1 ? ", MIXED (holds pages of another type)" : cMixed[i] === 0 ? ", not mixed" : ""));
    lines.push(fmt(cUsed[i]) + " of " + fmt(cSize[i]) + " pages " + (M.source === "live" ? "in use" : "in dumped records") + " (" + pct(cUsed[i], cSize[i]) + ")");
    var b = cOwners[i];
    if (b >= 0 && ownerAt[b + 1] > ownerAt[b]) {
      var o = [];
      for (var j = ownerAt[b]; j < ownerAt[b + 1]; j++) o.push(M.ownerNames[ownerIdx[j]] + " " + fmt(ownerPages[j]) + " pages");
      lines.push("biggest owners: " + o.join(", "));
    }
    return lines.join("\n");
  }
  function cellAt(e) {
    if (!mapReady) return -1;
    var r = mapCanvas.getBoundingClientRect();
    var col = Math.floor((e.clientX - r.left) / CELL), row = Math.floor((e.clientY - r.top) / CELL);
    var i = row * cols + col;
    return col < cols && i >= 0 && i < count ? i : -1;
  }
  mapCanvas.addEventListener("mousemove", function (e) {
    var i = cellAt(e);
    if (i < 0) { tip.hidden = true; return; }
    tip.textContent = describeCell(i);
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = (e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 8 : e.clientY + 16) + "px";
  });
  mapCanvas.addEventListener("mouseleave", function () { tip.hidden = true; });
  mapCanvas.addEventListener("click", function (e) { var i = cellAt(e); if (i >= 0) selectCell(i); });
  mapCanvas.addEventListener("keydown", function (e) {
    var step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, PageDown: cols * 8, PageUp: -cols * 8 }[e.key];
    if (step === undefined || !mapReady) return;
    e.preventDefault();
    selectCell(Math.max(0, Math.min(count - 1, (selected < 0 ? 0 : selected + step))));
  });
  mapCanvas.addEventListener("focus", function () { showMap(); if (selected < 0 && count) selectCell(0); });
  function selectCell(i) {
    var ctx = mapCanvas.getContext("2d");
    if (selected >= 0) sample(ctx, rgbOf(selected), cMixed[selected] === 1, (selected % cols) * CELL, Math.floor(selected / cols) * CELL, CELL);
    selected = i;
    ctx.strokeStyle = "#f0a000"; ctx.lineWidth = 2;
    ctx.strokeRect((i % cols) * CELL + 1, Math.floor(i / cols) * CELL + 1, CELL - 3, CELL - 3);
    $("map-status").textContent = describeCell(i).replace(/\n/g, " | ");
  }

  function legend() {
    var box = $("map-legend"), used = {};
    for (var i = 0; i < count; i++) used[typeName(i)] = true;
    Object.keys(used).forEach(function (name) {
      var s = el("span"), c = el("canvas", { width: "14", height: "14", "aria-hidden": "true" });
      sample(c.getContext("2d"), name === "no record" ? [238, 238, 238] : shade(typeColour(name), 1), false, 0, 0, 15);
      s.appendChild(c); s.appendChild(document.createTextNode(name)); box.appendChild(s);
    });
    var sm = el("span"), cm = el("canvas", { width: "14", height: "14", "aria-hidden": "true" });
    sample(cm.getContext("2d"), [238, 238, 238], true, 0, 0, 15);
    sm.appendChild(cm); sm.appendChild(document.createTextNode("mixed (cross)")); box.appendChild(sm);
    box.appendChild(el("span", {}, "pale = empty, deep = full"));
    $("map-caption").textContent = fmt(count) + " pageblocks of " + fmt(blockPages) + " pages, " +
      (M.source === "live" ? "from the live machine" : "from the dump's PFN and Block lines") + ", in PFN order.";
  }
  function mixedTable() {
    // pagetypeinfo's "Number of mixed blocks": per block type, with CMA blocks counted under Movable.
    var zones = {}, known = false;
    for (var i = 0; i < count; i++) {
      if (!cNone[i] && cMixed[i] !== -1) known = true;
      if (cMixed[i] !== 1) continue;
      var t = typeName(i) === "CMA" ? "Movable" : typeName(i), z = cZone[i] >= 0 ? M.zones[cZone[i]] : "all";
      zones[z] = zones[z] || {};
      zones[z][t] = (zones[z][t] || 0) + 1;
    }
    var box = $("mixed");
    if (!known) { box.appendChild(el("p", { "class": "hint" }, "Mixed blocks are unknown: page_owner was off.")); return; }
    var types = M.types.filter(function (t) { return t !== "CMA"; });
    var table = el("table", { id: "mixed-table" });
    table.appendChild(el("caption", { "class": "l" }, "Number of mixed blocks (as /proc/pagetypeinfo counts them; CMA under Movable)"));
    var head = el("tr");
    head.appendChild(el("th", { "class": "l", scope: "col" }, "zone"));
    types.forEach(function (t) { head.appendChild(el("th", { scope: "col" }, t)); });
    head.appendChild(el("th", { scope: "col" }, "total"));
    table.appendChild(head);
    if (!Object.keys(zones).length) zones.all = {};
    Object.keys(zones).forEach(function (z) {
      var tr = el("tr"), sum = 0;
      tr.appendChild(el("td", { "class": "l" }, z));
      types.forEach(function (t) { var v = zones[z][t] || 0; sum += v; tr.appendChild(el("td", { "data-type": t }, String(v))); });
      tr.appendChild(el("td", {}, String(sum)));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  // ---- buddyinfo --------------------------------------------------------------------------------
  function buddy() {
    if (!D.buddy || !D.buddy.length) return;
    $("buddy-section").hidden = false;
    $("buddy-link").hidden = false;
    var box = $("buddy"), NS = "http://www.w3.org/2000/svg";
    var max = 1;
    D.buddy.forEach(function (z) { z.free.forEach(function (v) { max = Math.max(max, v); }); });
    D.buddy.forEach(function (z) {
      var fig = el("figure");
      fig.appendChild(el("figcaption", {}, "Node " + z.node + ", zone " + z.zone));
      var W = 28, H = 120, svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", String(z.free.length * W + 10)); svg.setAttribute("height", String(H + 36));
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "Free blocks per order in node " + z.node + " zone " + z.zone + ": " + z.free.join(", "));
      z.free.forEach(function (v, order) {
        // Log scale: order-0 counts are thousands of times the order-10 ones.
        var h = v ? Math.max(2, H * Math.log(1 + v) / Math.log(1 + max)) : 0;
        var r = document.createElementNS(NS, "rect");
        r.setAttribute("x", String(5 + order * W)); r.setAttribute("y", String(12 + H - h));
        r.setAttribute("width", String(W - 6)); r.setAttribute("height", String(h)); r.setAttribute("fill", "#3d7dd8");
        var title = document.createElementNS(NS, "title");
        title.textContent = "order " + order + ": " + fmt(v) + " free blocks of " + fmt(Math.pow(2, order)) + " pages";
        r.appendChild(title);
        svg.appendChild(r);
        var value = document.createElementNS(NS, "text");
        value.setAttribute("x", String(5 + order * W)); value.setAttribute("y", String(10 + H - h));
        value.textContent = String(v);
        svg.appendChild(value);
        var label = document.createElementNS(NS, "text");
        label.setAttribute("x", String(10 + order * W)); label.setAttribute("y", String(H + 26));
        label.textContent = String(order);
        svg.appendChild(label);
      });
      fig.appendChild(svg);
      fig.appendChild(el("p", { "class": "hint" }, "order (log scale)"));
      box.appendChild(fig);
    });
  }

  // ---- zoneinfo -------------------------------------------------------------------------------
  function zoneState(z) {
    if (z.present === 0) return "unpopulated";
    if (z.free === null || z.min === null || z.low === null || z.high === null) return "unknown";
    return z.free < z.min ? "below min" : z.free < z.low ? "below low" : z.free < z.high ? "below high" : "above high";
  }
  function zoneinfo() {
    if (!D.zoneinfo || !D.zoneinfo.length) return;
    $("zoneinfo-section").hidden = false;
    $("zoneinfo-link").hidden = false;
    var box = $("zoneinfo"), NS = "http://www.w3.org/2000/svg";
    var colours = { "below min": "#c0392b", "below low": "#e67e22", "below high": "#d4ac0d", "above high": "#3d7dd8", "unknown": "#999", "unpopulated": "#999" };
    D.zoneinfo.forEach(function (z) {
      var fig = el("figure", { "data-zone": "Node " + z.node + ", zone " + z.zone });
      fig.appendChild(el("figcaption", {}, "Node " + z.node + ", zone " + z.zone));
      var W = 320, H = 22, state = zoneState(z);
      // The axis runs to half again the highest mark, so the marks stay apart; more free pages than that run off the end.
      var top = Math.max(1, Math.round(Math.max(z.high || 0, z.promo || 0) * 1.5));
      if (!z.high && !z.promo) top = Math.max(top, z.free || 0);
      var clipped = (z.free || 0) > top;
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", String(W + 10)); svg.setAttribute("height", String(H + 50));
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "Node " + z.node + " zone " + z.zone + ": " + (z.free === null ? "free pages unknown" :
        fmt(z.free) + " free pages, " + state) + "; min " + z.min + ", low " + z.low + ", high " + z.high);
      var bar = document.createElementNS(NS, "rect");
      bar.setAttribute("x", "5"); bar.setAttribute("y", "4"); bar.setAttribute("height", String(H));
      bar.setAttribute("width", String(Math.max(z.free ? 1 : 0, W * Math.min(z.free || 0, top) / top))); bar.setAttribute("fill", colours[state]);
      var title = document.createElementNS(NS, "title");
      title.textContent = fmt(z.free || 0) + " free pages (" + mib(z.free || 0) + " MiB): " + state;
      bar.appendChild(title);
      svg.appendChild(bar);
      if (state === "unpopulated") {
        fig.appendChild(el("p", { "class": "hint" }, "unpopulated: no present pages"));
        box.appendChild(fig);
        return;
      }
      if (clipped) {
        var more = document.createElementNS(NS, "text");
        more.setAttribute("x", String(W - 60)); more.setAttribute("y", String(H - 3)); more.setAttribute("fill", "#fff");
        more.textContent = "\u2192 " + fmt(z.free);
        svg.appendChild(more);
      }
      [["min", z.min], ["low", z.low], ["high", z.high], ["promo", z.promo]].forEach(function (m, i) {
        if (m[1] === null) return;
        var x = 5 + W * m[1] / top;
        var line = document.createElementNS(NS, "line");
        line.setAttribute("x1", String(x)); line.setAttribute("x2", String(x)); line.setAttribute("y1", "1"); line.setAttribute("y2", String(H + 8 + i * 9));
        line.setAttribute("stroke", "#222"); line.setAttribute("stroke-dasharray", i === 3 ? "2,2" : "");
        line.setAttribute("data-mark", m[0]);
        svg.appendChild(line);
        var label = document.createElementNS(NS, "text");
        label.setAttribute("x", String(x - 6)); label.setAttribute("y", String(H + 16 + i * 9));
        label.textContent = m[0];
        svg.appendChild(label);
      });
      fig.appendChild(svg);
      fig.appendChild(el("p", { "class": "hint" }, z.free === null ? "free pages not printed" : fmt(z.free) + " free pages, " + state));
      box.appendChild(fig);
    });
    function pcp(z, field) {
      if (!z.pagesets.length) return "-";
      if (field === 2) return fmt(z.pagesets.reduce(function (s, p) { return s + p[2]; }, 0));
      var seen = [];
      z.pagesets.forEach(function (p) { if (seen.indexOf(p[field]) < 0) seen.push(p[field]); });
      return seen.join(", ");
    }
    function cell(v) { return v === null || v === undefined ? "-" : fmt(v); }
    var table = el("table", { id: "zoneinfo-rows" });
    table.appendChild(el("caption", { "class": "l" }, "Per zone, in pages (pagesets: count summed over CPUs; the high and batch values printed)"));
    var head = el("tr");
    ["zone", "free", "state", "min", "low", "high", "promo", "boost", "managed", "present", "spanned", "cma", "protection", "pcp count", "pcp high", "pcp batch", "CPUs", "start_pfn"]
      .forEach(function (h, i) { head.appendChild(el("th", { scope: "col", "class": i < 3 || i === 12 ? "l" : "" }, h)); });
    table.appendChild(head);
    D.zoneinfo.forEach(function (z) {
      var tr = el("tr", { "data-zone": "Node " + z.node + ", zone " + z.zone });
      var cpus = [];
      z.pagesets.forEach(function (p) { if (cpus.indexOf(p[0]) < 0) cpus.push(p[0]); });
      [["Node " + z.node + ", zone " + z.zone, "l"], [cell(z.free), "", "free"], [zoneState(z), "l", "state"], [cell(z.min), "", "min"], [cell(z.low), "", "low"],
        [cell(z.high), "", "high"], [cell(z.promo)], [cell(z.boost)], [cell(z.managed), "", "managed"], [cell(z.present), "", "present"], [cell(z.spanned), "", "spanned"],
        [cell(z.cma)], ["(" + z.protection.join(", ") + ")", "l"], [pcp(z, 2), "", "pcp-count"], [pcp(z, 3), "", "pcp-high"], [pcp(z, 4), "", "pcp-batch"],
        [String(cpus.length)], [cell(z.startPfn)]]
        .forEach(function (c) {
          var attrs = {};
          if (c[1]) attrs["class"] = c[1];
          if (c[2]) attrs["data-field"] = c[2];
          tr.appendChild(el("td", attrs, c[0]));
        });
      table.appendChild(tr);
    });
    $("zoneinfo-table").appendChild(table);
  }

  drawFlame();
  select("stacks");
  buddy();
  zoneinfo();
  document.body.setAttribute("data-ready", "1");
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries, observer) {
      if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); showMap(); }
    }, { rootMargin: "300px" }).observe($("map-section"));
  }
  // Not scrolled to: draw it once the page has loaded and painted, so it is ready when wanted.
  window.addEventListener("load", function () {
    (window.requestIdleCallback || function (f) { setTimeout(f, 50); })(showMap, { timeout: 500 });
  });
})();
