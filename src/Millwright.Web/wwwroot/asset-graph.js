// The asset graph page: the shared lineage canvas (served by the host at /app/lineage.js) fed with the assets'
// statuses; double-click opens an asset's page.
import "/app/lineage.js";

let graph = null;

export function show(canvasId, nodes, parents) {
  const canvas = document.getElementById(canvasId);
  if (!canvas) return null;
  const fresh = canvas.cloneNode(false); // a new canvas drops the listeners of the previous drawing
  canvas.replaceWith(fresh);
  graph = window.MillwrightLineage.render(fresh, nodes, id => parents[id], { onOpen: id => { location.href = "/pipelines/assets/" + id.split("/").map(encodeURIComponent).join("/"); } });
  fresh.dataset.nodes = String(nodes.length);
  return { laidOutMs: Math.round(graph.laidOutMs) };
}

export function fit() { graph?.fit(); }

export function redrawMs(frames) { return graph ? graph.redrawMs(frames) : 0; }
