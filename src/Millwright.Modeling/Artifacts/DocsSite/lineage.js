"use strict";
/* Lineage on a canvas, shared by the dbt docs site and the web app's asset graph: a layered layout (longest path from
   the roots, then barycentre ordering) and a painter with viewport culling, so thousands of nodes pan and zoom
   smoothly. A node is { id, label, color, outline? (a second colour drawn as a border: a failed check, stale data) }. */
window.MillwrightLineage = (() => {
  function layout(nodes, parentsOf) {
    const ids = nodes.map(n => n.id), set = new Set(ids), parents = new Map(), children = new Map();
    for (const id of ids) { parents.set(id, (parentsOf(id) || []).filter(p => set.has(p))); children.set(id, []); }
    for (const [id, ps] of parents) for (const p of ps) children.get(p).push(id);
    const layer = new Map(), indeg = new Map(ids.map(id => [id, parents.get(id).length])), queue = ids.filter(id => indeg.get(id) === 0);
    for (const id of queue) layer.set(id, 0);
    for (let i = 0; i < queue.length; i++) { const id = queue[i]; for (const c of children.get(id)) { layer.set(c, Math.max(layer.get(c) ?? 0, layer.get(id) + 1)); if (indeg.set(c, indeg.get(c) - 1).get(c) === 0) queue.push(c); } }
    const layers = []; for (const id of ids) { const l = layer.get(id) ?? 0; (layers[l] ||= []).push(id); }
    const pos = new Map(); layers.forEach(l => { l.sort(); l.forEach((id, i) => pos.set(id, i)); });
    const bary = (id, nbrs) => { const ns = nbrs.get(id); return ns.length ? ns.reduce((s, x) => s + pos.get(x), 0) / ns.length : pos.get(id); };
    for (let sweep = 0; sweep < 4; sweep++) {
      const order = sweep % 2 === 0 ? layers.slice(1) : layers.slice(0, -1).reverse();
      for (const l of order) { const b = new Map(l.map(id => [id, bary(id, sweep % 2 === 0 ? parents : children)])); l.sort((x, y) => b.get(x) - b.get(y)); l.forEach((id, i) => pos.set(id, i)); }
    }
    const W = 230, H = 34, boxes = new Map();
    layers.forEach((l, li) => l.forEach((id, i) => boxes.set(id, { id, x: li * W, y: (i - l.length / 2) * H, w: 190, h: 24 })));
    return { boxes, parents, children };
  }

  /* Draws `nodes` on `canvas`; click highlights a node's lineage, double-click calls options.onOpen(id), drag pans,
     the wheel zooms. Returns { fit, select, laidOutMs, redrawMs(frames) }. */
  function render(canvas, nodes, parentsOf, options = {}) {
    const started = performance.now();
    const byId = new Map(nodes.map(n => [n.id, n]));
    const g = layout(nodes, parentsOf);
    const laidOutMs = performance.now() - started;
    const ctx = canvas.getContext("2d");
    const view = { x: 0, y: 0, k: 1, selected: null };
    const related = new Set();
    function select(id) {
      view.selected = id || null; related.clear();
      if (id) { related.add(id); const walk = (s, m) => { const st = [s]; while (st.length) for (const x of m.get(st.pop()) || []) if (!related.has(x)) { related.add(x); st.push(x); } }; walk(id, g.parents); walk(id, g.children); }
      draw();
    }
    function fit() {
      const bs = [...g.boxes.values()]; if (!bs.length) return;
      const minX = Math.min(...bs.map(b => b.x)), maxX = Math.max(...bs.map(b => b.x + b.w)), minY = Math.min(...bs.map(b => b.y)), maxY = Math.max(...bs.map(b => b.y + b.h));
      view.k = Math.min(2, Math.min(canvas.clientWidth / (maxX - minX + 80), canvas.clientHeight / (maxY - minY + 80)));
      view.x = canvas.clientWidth / 2 - (minX + maxX) / 2 * view.k; view.y = canvas.clientHeight / 2 - (minY + maxY) / 2 * view.k; draw();
    }
    let frame = 0;
    function draw() { if (!frame) frame = requestAnimationFrame(paint); }
    function paint() {
      frame = 0;
      const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
      if (canvas.width !== w * dpr || canvas.height !== h * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.clearRect(0, 0, w, h);
      ctx.translate(view.x, view.y); ctx.scale(view.k, view.k);
      const x0 = -view.x / view.k - 200, y0 = -view.y / view.k - 50, x1 = (w - view.x) / view.k + 200, y1 = (h - view.y) / view.k + 50;
      const visible = b => b.x + b.w >= x0 && b.x <= x1 && b.y + b.h >= y0 && b.y <= y1;
      for (const pass of [false, true]) {
        // Edges stay visible at any zoom: a mid grey at 1.5 screen pixels, the selected lineage blue and thicker.
        ctx.beginPath(); ctx.strokeStyle = pass ? "#2457c5" : (view.selected ? "#b3bac6" : "#7b8494"); ctx.lineWidth = pass ? 2.5 / view.k : 1.5 / view.k;
        for (const [id, ps] of g.parents) { const b = g.boxes.get(id); for (const p of ps) { const a = g.boxes.get(p);
          const hot = Boolean(view.selected && related.has(id) && related.has(p)); if (hot !== pass) continue;
          if (!visible(a) && !visible(b)) continue;
          const sx = a.x + a.w, sy = a.y + a.h / 2, tx = b.x, ty = b.y + b.h / 2, mx = (sx + tx) / 2;
          ctx.moveTo(sx, sy); ctx.bezierCurveTo(mx, sy, mx, ty, tx, ty); } }
        ctx.stroke();
      }
      const labels = view.k > 0.35;
      ctx.font = "12px system-ui, sans-serif"; ctx.textBaseline = "middle";
      for (const b of g.boxes.values()) {
        if (!visible(b)) continue;
        const n = byId.get(b.id), dim = view.selected && !related.has(b.id);
        ctx.globalAlpha = dim ? 0.25 : 1;
        ctx.fillStyle = b.id === view.selected ? "#111827" : n.color || "#444";
        ctx.fillRect(b.x, b.y, b.w, b.h);
        if (n.outline) { ctx.strokeStyle = n.outline; ctx.lineWidth = Math.max(3, 3 / view.k); ctx.strokeRect(b.x, b.y, b.w, b.h); }
        if (labels) { ctx.fillStyle = "#fff"; const t = n.label; ctx.fillText(t.length > 26 ? t.slice(0, 25) + "…" : t, b.x + 7, b.y + b.h / 2); }
      }
      ctx.globalAlpha = 1;
    }
    function at(ev) { const r = canvas.getBoundingClientRect(), x = (ev.clientX - r.left - view.x) / view.k, y = (ev.clientY - r.top - view.y) / view.k;
      for (const b of g.boxes.values()) if (x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) return b.id; return null; }
    let drag = null, moved = false;
    canvas.addEventListener("mousedown", e => { drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y }; moved = false; canvas.style.cursor = "grabbing"; });
    window.addEventListener("mousemove", e => { if (!drag) return; const dx = e.clientX - drag.x, dy = e.clientY - drag.y; if (Math.abs(dx) + Math.abs(dy) > 3) moved = true; view.x = drag.vx + dx; view.y = drag.vy + dy; draw(); });
    window.addEventListener("mouseup", e => { if (drag && !moved && e.target === canvas) select(at(e)); drag = null; canvas.style.cursor = "grab"; });
    canvas.addEventListener("dblclick", e => { const id = at(e); if (id && options.onOpen) options.onOpen(id); });
    canvas.addEventListener("wheel", e => { e.preventDefault(); const r = canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top, f = Math.exp(-e.deltaY * 0.0015);
      const k = Math.min(4, Math.max(0.02, view.k * f)); view.x = mx - (mx - view.x) * (k / view.k); view.y = my - (my - view.y) * (k / view.k); view.k = k; draw(); }, { passive: false });
    window.addEventListener("resize", draw);
    fit(); select(options.focus);
    // A redraw of the whole graph at a few zoom levels: the cost of every pan and zoom step (for benchmarks).
    function redrawMs(frames) { const t0 = performance.now(); for (let i = 0; i < frames; i++) { view.k *= i % 2 ? 1.25 : 0.8; paint(); } return (performance.now() - t0) / frames; }
    return { fit, select, laidOutMs, redrawMs };
  }

  return { layout, render };
})();
