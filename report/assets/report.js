// The HTML report's script (embedded into the page at build time): zoom and pan of the
// deal web, tooltips on its parties and deals, highlighting a party's deals, sortable
// tables. It loads nothing; without it the page still reads (and prints) as a document.
(function () {
  "use strict";

  // ---- tooltips -------------------------------------------------------------------------
  var tip = document.createElement("div");
  tip.id = "deal-tip";
  tip.setAttribute("role", "tooltip");
  document.body.appendChild(tip);

  function showTip(text, x, y) {
    var lines = text.split("\n");
    tip.textContent = "";
    var head = document.createElement("b");
    head.textContent = lines[0];
    tip.appendChild(head);
    if (lines.length > 1) tip.appendChild(document.createTextNode("\n" + lines.slice(1).join("\n")));
    tip.style.display = "block";
    moveTip(x, y);
  }
  function moveTip(x, y) {
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = x + 14, top = y + 14;
    if (left + w > window.innerWidth - 4) left = Math.max(4, x - w - 14);
    if (top + h > window.innerHeight - 4) top = Math.max(4, y - h - 14);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hideTip() {
    tip.style.display = "none";
  }

  // Graphviz writes a node's or an edge's DOT id ("p3", "p1->p4") as its <title> and the
  // DOT tooltip as xlink:title on an <a> inside: the readable text moves to data-tip and
  // both go, so the browser shows neither its own tooltip nor a Graphviz id.
  function takeTip(g) {
    var text = g.getAttribute("data-tip") || "";
    var anchors = g.querySelectorAll("a");
    for (var i = 0; i < anchors.length; i++) {
      // By qualified name: the page holds no URL, not even the XLink namespace's.
      var t = anchors[i].getAttribute("xlink:title");
      if (t && !text) text = t;
      anchors[i].removeAttribute("xlink:title");
    }
    var titles = g.querySelectorAll("title");
    for (var k = 0; k < titles.length; k++) titles[k].parentNode.removeChild(titles[k]);
    if (text) g.setAttribute("data-tip", text);
    return text;
  }

  // ---- the deal web -----------------------------------------------------------------------
  function setUpWeb(net) {
    var svg = net.querySelector("svg");
    if (!svg) return;
    var nodes = svg.querySelectorAll("g.node"), edges = svg.querySelectorAll("g.edge");
    var all = [].slice.call(nodes).concat([].slice.call(edges));
    all.forEach(takeTip);
    var graphTitle = svg.querySelector("g.graph > title");
    if (graphTitle) graphTitle.parentNode.removeChild(graphTitle);

    all.forEach(function (g) {
      g.addEventListener("mouseover", function (ev) {
        var text = g.getAttribute("data-tip");
        if (text) showTip(text, ev.clientX, ev.clientY);
      });
      g.addEventListener("mousemove", function (ev) {
        if (tip.style.display === "block") moveTip(ev.clientX, ev.clientY);
      });
      g.addEventListener("mouseout", hideTip);
    });

    // A party's deals: edges carry the classes from-pN and to-pN.
    var selected = null;
    function select(node) {
      [].forEach.call(svg.querySelectorAll(".sel, .near, .hl"), function (el) {
        el.classList.remove("sel", "near", "hl");
      });
      if (!node || node === selected) {
        selected = null;
        svg.classList.remove("focus");
        net.removeAttribute("data-selected");
        return;
      }
      selected = node;
      var id = node.id.replace(/^party-/, "p");
      node.classList.add("sel");
      [].forEach.call(edges, function (e) {
        var from = e.classList.contains("from-" + id), to = e.classList.contains("to-" + id);
        if (!from && !to) return;
        e.classList.add("hl");
        e.classList.forEach(function (c) {
          var m = /^(?:from|to)-p(\d+)$/.exec(c);
          var other = m && svg.querySelector("#party-" + m[1]);
          if (other && other !== node) other.classList.add("near");
        });
      });
      svg.classList.add("focus");
      net.setAttribute("data-selected", node.id);
    }
    [].forEach.call(nodes, function (n) {
      n.addEventListener("click", function (ev) {
        if (net.getAttribute("data-dragged") === "1") return;
        ev.stopPropagation();
        select(n);
      });
    });
    svg.addEventListener("click", function (ev) {
      if (net.getAttribute("data-dragged") !== "1" && !ev.target.closest("g.node")) select(null);
    });

    // Zoom and pan by rewriting the viewBox (so text stays sharp at every zoom).
    var base = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
                   ? [svg.viewBox.baseVal.x, svg.viewBox.baseVal.y, svg.viewBox.baseVal.width, svg.viewBox.baseVal.height]
                   : [0, 0, svg.getBBox().width || 1, svg.getBBox().height || 1];
    var view = base.slice();
    function apply() {
      svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(2); }).join(" "));
      net.setAttribute("data-zoom", (base[2] / view[2]).toFixed(3));
    }
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    net.classList.add("live");
    // As tall as the drawing's shape asks at the page's width, within reason: a wide
    // web is not letterboxed into a tall frame, a tall one does not run off the screen.
    function fitHeight() {
      var h = net.clientWidth * base[3] / base[2];
      svg.style.height = Math.round(Math.max(320, Math.min(window.innerHeight * 0.8, h))) + "px";
    }
    fitHeight();
    window.addEventListener("resize", fitHeight);
    apply();

    // The point of the drawing under a client position.
    function toView(cx, cy) {
      var r = svg.getBoundingClientRect();
      var s = Math.max(view[2] / (r.width || 1), view[3] / (r.height || 1));
      var ox = (r.width * s - view[2]) / 2, oy = (r.height * s - view[3]) / 2;
      return [view[0] - ox + (cx - r.left) * s, view[1] - oy + (cy - r.top) * s, s];
    }
    function zoom(factor, cx, cy) {
      var r = svg.getBoundingClientRect();
      if (cx === undefined) (cx = r.left + r.width / 2), (cy = r.top + r.height / 2);
      var p = toView(cx, cy);
      var w = Math.min(base[2] * 4, Math.max(base[2] / 40, view[2] / factor));
      var f = view[2] / w;
      view = [p[0] - (p[0] - view[0]) / f, p[1] - (p[1] - view[1]) / f, w, view[3] / f];
      apply();
    }
    function reset() {
      view = base.slice();
      apply();
    }
    net.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, ev.clientX, ev.clientY);
    }, { passive: false });

    var drag = null;
    net.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, view: view.slice(), moved: false };
      net.setAttribute("data-dragged", "0");
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      net.classList.add("dragging");
      var s = toView(0, 0)[2];
      view = [drag.view[0] - dx * s, drag.view[1] - dy * s, view[2], view[3]];
      apply();
    });
    window.addEventListener("pointerup", function () {
      if (!drag) return;
      net.setAttribute("data-dragged", drag.moved ? "1" : "0");
      net.classList.remove("dragging");
      drag = null;
      // A click right after a drag is the end of the drag, not a selection.
      setTimeout(function () { net.setAttribute("data-dragged", "0"); }, 0);
    });

    // The controls above the picture: zoom buttons and a party finder.
    var tools = document.createElement("div");
    tools.className = "net-tools";
    function button(label, title, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.title = title;
      b.setAttribute("data-action", title);
      b.addEventListener("click", action);
      tools.appendChild(b);
      return b;
    }
    button("+", "zoom in", function () { zoom(1.5); });
    button("−", "zoom out", function () { zoom(1 / 1.5); });
    button("fit", "fit", function () { reset(); select(null); });
    var find = document.createElement("input");
    find.type = "search";
    find.placeholder = "find a party…";
    find.setAttribute("aria-label", "find a party");
    var list = document.createElement("datalist");
    list.id = "deal-parties";
    var byName = {};
    [].forEach.call(nodes, function (n) {
      var name = (n.getAttribute("data-tip") || "").split("\n")[0].replace(/ \(.*\)$/, "");
      if (!/^party-/.test(n.id) || !name) return;
      byName[name.toLowerCase()] = n;
      var o = document.createElement("option");
      o.value = name;
      list.appendChild(o);
    });
    find.setAttribute("list", list.id);
    find.addEventListener("change", function () {
      var n = byName[find.value.trim().toLowerCase()];
      if (!n) return;
      select(n);
      // Centre it at a zoom where its neighbourhood is legible.
      var b = n.getBBox(), ctm = n.getCTM(), root = svg.getCTM();
      if (ctm && root) {
        var m = root.inverse().multiply(ctm);
        var cx = m.a * (b.x + b.width / 2) + m.c * (b.y + b.height / 2) + m.e;
        var cy = m.b * (b.x + b.width / 2) + m.d * (b.y + b.height / 2) + m.f;
        var w = Math.min(view[2], base[2] / 3), h = w * view[3] / view[2];
        view = [cx - w / 2, cy - h / 2, w, h];
        apply();
      }
    });
    tools.appendChild(find);
    tools.appendChild(list);
    var hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = "scroll to zoom · drag to pan · hover for figures · click a party for its deals";
    tools.appendChild(hint);
    net.parentNode.insertBefore(tools, net);

    // Printed: the whole web, nothing dimmed.
    window.addEventListener("beforeprint", function () { reset(); select(null); });
  }

  // ---- sortable tables --------------------------------------------------------------------
  var scale = { "": 1, K: 1e3, k: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  // A cell's sort key: its data-v, else a number read from "$1.5B", "-40%", "2027Q3", …
  function key(td) {
    if (!td) return null;
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "") return parseFloat(v);
    var t = td.textContent.trim().replace(/,/g, "").replace(/−/g, "-");
    var m = /^(-?)\$?(-?\d+(?:\.\d+)?)\s*([kKMBT]?)\b/.exec(t);
    if (m && /^-?\$?-?\d/.test(t) && !/^\d{4}(?:Q\d|-\d\d)/.test(t)) return (m[1] ? -1 : 1) * parseFloat(m[2]) * scale[m[3]];
    if (t === "—" || t === "" || t === "none") return null;
    return t.toLowerCase();
  }
  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1;  // blanks last, whichever the direction
    if (b === null) return -1;
    if (typeof a === typeof b) return a < b ? -1 : 1;
    return typeof a === "number" ? -1 : 1;
  }
  function setUpTable(table) {
    var rows = [].slice.call(table.rows);
    var head = rows.filter(function (r) { return r.querySelector("th"); })[0];
    if (!head) return;
    var body = rows.filter(function (r) { return r !== head && !r.querySelector("th"); });
    if (body.length < 2) return;
    table.classList.add("sortable");
    [].forEach.call(head.cells, function (th, col) {
      if (!th.textContent.trim()) return;
      th.setAttribute("tabindex", "0");
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        [].forEach.call(head.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
        var parent = body[0].parentNode;
        var keyed = body.map(function (r, i) { return { r: r, k: key(r.cells[col]), i: i }; });
        keyed.sort(function (x, y) {
          if (x.k === null || y.k === null) return compare(x.k, y.k) || x.i - y.i;
          return dir * compare(x.k, y.k) || x.i - y.i;
        });
        keyed.forEach(function (x) { parent.appendChild(x.r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") (ev.preventDefault(), sort());
      });
    });
  }

  function start() {
    [].forEach.call(document.querySelectorAll(".net"), setUpWeb);
    [].forEach.call(document.querySelectorAll("main table:not(.claims)"), setUpTable);
    // Monte Carlo charts: the same tooltips from data-tip.
    [].forEach.call(document.querySelectorAll(".mc-chart [data-tip]"), function (g) {
      g.addEventListener("mouseover", function (ev) { showTip(g.getAttribute("data-tip"), ev.clientX, ev.clientY); });
      g.addEventListener("mousemove", function (ev) { moveTip(ev.clientX, ev.clientY); });
      g.addEventListener("mouseout", hideTip);
    });
    document.documentElement.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
