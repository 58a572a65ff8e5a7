// Test harness for the HTML report, injected at the top of a copy of the page by
// check_report.py and run by `chromium --headless --dump-dom`: it records console errors
// and uncaught exceptions, then, once the page has loaded, drives the deal web through
// the DOM (hover a party and an edge, click a party, zoom, pan, find a party, sort a table) and writes
// what it saw as JSON into <pre id="harness-result">, which the dumped DOM carries out.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push("uncaught: " + e.message); });
  var consoleError = console.error;
  console.error = function () {
    errors.push("console.error: " + [].slice.call(arguments).join(" "));
    consoleError.apply(console, arguments);
  };

  function mouse(el, type, x, y) {
    el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: x || 100, clientY: y || 100 }));
  }
  function pointer(el, type, x, y) {
    el.dispatchEvent(new PointerEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0 }));
  }

  function run() {
    var r = { errors: errors, checks: {} };
    function check(name, fn) {
      try {
        r.checks[name] = fn();
      } catch (e) {
        r.checks[name] = "threw: " + e.message;
      }
    }
    var net = document.querySelector(".net");
    var svg = net && net.querySelector("svg");
    var tip = document.getElementById("deal-tip");
    check("ready", function () { return document.documentElement.getAttribute("data-ready") === "1"; });
    check("interactive", function () { return !!(net && net.classList.contains("live") && tip); });
    check("no_graphviz_ids", function () {
      // No <title> or tooltip left that shows a DOT id ("p3", "p1->p4").
      var titles = svg.querySelectorAll("title");
      for (var i = 0; i < titles.length; i++) if (/^p\d+(->p\d+)?$/.test(titles[i].textContent.trim())) return false;
      return svg.querySelectorAll("g.node[data-tip]").length > 0;
    });
    check("party_hover", function () {
      var node = svg.querySelector("g.node.party:not(#party-0)");
      mouse(node, "mouseover", 200, 200);
      var text = tip.textContent, shown = tip.style.display === "block";
      mouse(node, "mouseout");
      r.party_tip = text;
      return shown && /cash \$/.test(text) && /equity/.test(text) && /(default|DEFAULTED)/i.test(text);
    });
    check("defaulted_party_hover", function () {
      var node = svg.querySelector("g.node.party.defaulted");
      if (!node) return "none defaulted";
      mouse(node, "mouseover", 200, 200);
      var text = tip.textContent;
      mouse(node, "mouseout");
      r.defaulted_tip = text;
      return /DEFAULTED \d{4}/.test(text) && / defaulted on /.test(text);
    });
    check("edge_hover", function () {
      var edge = svg.querySelector("g.edge.deal");
      mouse(edge, "mouseover", 300, 300);
      var text = tip.textContent, shown = tip.style.display === "block";
      mouse(edge, "mouseout");
      r.edge_tip = text;
      return shown && /\$\d/.test(text) && !/p\d+->p\d+/.test(text) && /\(\w+\)/.test(text);
    });
    check("click_highlights", function () {
      var edge = svg.querySelector("g.edge.deal");
      var from = /from-p(\d+)/.exec(edge.getAttribute("class"))[1];
      var node = svg.querySelector("#party-" + from);
      mouse(node, "click");
      var ok = svg.classList.contains("focus") && node.classList.contains("sel") && edge.classList.contains("hl") &&
               getComputedStyle(svg.querySelector("g.edge.deal:not(.hl)") || edge).opacity !== "";
      r.highlighted_edges = svg.querySelectorAll("g.edge.hl").length;
      mouse(node, "click");  // a second click clears it
      return ok && !svg.classList.contains("focus");
    });
    check("zoom", function () {
      var before = svg.getAttribute("viewBox").split(" ").map(Number);
      var rect = net.getBoundingClientRect();
      net.dispatchEvent(new WheelEvent("wheel", { bubbles: true, cancelable: true, deltaY: -100,
                                                  clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 }));
      var after = svg.getAttribute("viewBox").split(" ").map(Number);
      document.querySelector('.net-tools button[data-action="zoom in"]').click();
      var after2 = svg.getAttribute("viewBox").split(" ").map(Number);
      r.zoom = net.getAttribute("data-zoom");
      return after[2] < before[2] && after2[2] < after[2] && parseFloat(r.zoom) > 1.5;
    });
    check("pan", function () {
      var before = svg.getAttribute("viewBox").split(" ").map(Number);
      var rect = net.getBoundingClientRect();
      var x = rect.left + 50, y = rect.top + 50;
      pointer(net, "pointerdown", x, y);
      pointer(window, "pointermove", x + 80, y + 40);
      pointer(window, "pointerup", x + 80, y + 40);
      var after = svg.getAttribute("viewBox").split(" ").map(Number);
      document.querySelector('.net-tools button[data-action="fit"]').click();
      return after[0] < before[0] && after[1] < before[1] && after[2] === before[2];
    });
    check("find_party", function () {
      var node = svg.querySelector("g.node.party:not(#party-0)");
      var name = node.getAttribute("data-tip").split("\n")[0].replace(/ \(.*\)$/, "");
      var find = document.querySelector('.net-tools input[type="search"]');
      find.value = name;
      find.dispatchEvent(new Event("change"));
      var ok = net.getAttribute("data-selected") === node.id && parseFloat(net.getAttribute("data-zoom")) > 1;
      document.querySelector('.net-tools button[data-action="fit"]').click();
      return ok && !svg.classList.contains("focus");
    });
    check("sort", function () {
      var tables = document.querySelectorAll("table.sortable");
      var parties = null;
      [].forEach.call(tables, function (t) {
        if (!parties && /equity/.test(t.rows[0].textContent) && /kind/.test(t.rows[0].textContent)) parties = t;
      });
      if (!parties) return "no sortable party table";
      var col = [].findIndex.call(parties.rows[0].cells, function (c) { return c.textContent.trim() === "equity"; });
      parties.rows[0].cells[col].click();  // ascending
      parties.rows[0].cells[col].click();  // descending
      var vals = [].slice.call(parties.rows, 1).map(function (row) { return row.cells[col].textContent.trim(); });
      var num = function (t) {
        var m = /^(-?)\$?(-?[\d.]+)\s*([KMBT]?)/.exec(t.replace(/−/g, "-"));
        return m ? (m[1] ? -1 : 1) * parseFloat(m[2]) * { "": 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[m[3]] : NaN;
      };
      for (var i = 1; i < vals.length; i++) if (num(vals[i - 1]) < num(vals[i])) return "not sorted: " + vals.join(",");
      r.sortable_tables = tables.length;
      return parties.rows[0].cells[col].getAttribute("aria-sort") === "descending";
    });
    check("mc_charts", function () {
      var pd = document.getElementById("mc-pd");
      if (!pd) return "not a Monte Carlo page";
      var mark = pd.querySelector("[data-tip]");
      mouse(mark, "mouseover", 100, 100);
      var text = tip.textContent;
      mouse(mark, "mouseout");
      r.mc_tip = text;
      return /95% CI/.test(text) && !!document.getElementById("mc-loss");
    });
    // Anything the page fetched (images, styles, scripts, fonts): there must be nothing.
    r.resources = performance.getEntriesByType("resource").map(function (e) { return e.name; });
    var out = document.createElement("pre");
    out.id = "harness-result";
    out.textContent = JSON.stringify(r);
    document.body.appendChild(out);
  }
  window.addEventListener("load", function () { setTimeout(run, 0); });
})();
