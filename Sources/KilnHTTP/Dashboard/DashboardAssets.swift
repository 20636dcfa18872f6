/// The dashboard's stylesheet and script, served from memory (no build step, no dependencies).
enum DashboardAssets {
    static let css = """
        :root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #0b57d0;
          --ok: #1a7f37; --fail: #cf222e; --run: #0969da; --wait: #9a6700; --skip: #8c959f; --pend: #d0d7de; --cancel: #57606a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
        header .brand { font-weight: 700; font-size: 18px; color: var(--fg); text-decoration: none; }
        nav a { margin-right: 16px; color: var(--muted); text-decoration: none; padding: 4px 0; }
        nav a.active, nav a:hover { color: var(--fg); border-bottom: 2px solid var(--accent); }
        main { padding: 16px 24px 48px; max-width: 1280px; }
        h1 { font-size: 22px; margin: 8px 0 16px; } h2 { font-size: 16px; margin: 24px 0 8px; } h3 { font-size: 14px; margin: 12px 0 6px; }
        a { color: var(--accent); } code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
        .muted { color: var(--muted); } .error { color: var(--fail); } .problem { color: var(--fail); font-size: 15px; }
        table.list { border-collapse: collapse; width: 100%; }
        table.list th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; }
        table.list td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
        td.outputs code, td.detail { word-break: break-all; }
        .strip { display: flex; gap: 2px; }
        .strip .cell { display: inline-block; width: 12px; height: 22px; border-radius: 2px; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; background: var(--pend); }
        .state-succeeded { background: var(--ok); } .state-failed { background: var(--fail); } .state-running { background: var(--run); }
        .state-waiting { background: var(--wait); } .state-skipped { background: var(--skip); } .state-cancelled { background: var(--cancel); }
        .state-queued, .state-pending { background: var(--pend); color: var(--fg); } .state-retried { background: #e8a0a6; }
        svg .node rect { fill: var(--pend); stroke: rgba(0,0,0,.15); }
        svg .node text { font: 12px ui-monospace, Menlo, monospace; fill: #fff; }
        svg .node.state-pending text, svg .node.state-queued text { fill: var(--fg); }
        svg .node.state-succeeded rect { fill: var(--ok); } svg .node.state-failed rect { fill: var(--fail); }
        svg .node.state-running rect { fill: var(--run); } svg .node.state-waiting rect { fill: var(--wait); }
        svg .node.state-skipped rect { fill: var(--skip); } svg .node.state-cancelled rect { fill: var(--cancel); }
        svg .node.state-pending rect { fill: #eaeef2; }
        svg .edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
        svg .bar.state-succeeded { fill: var(--ok); } svg .bar.state-failed { fill: var(--fail); } svg .bar.state-running { fill: var(--run); }
        svg .bar.state-waiting { fill: var(--wait); } svg .bar.state-retried { fill: #e8a0a6; } svg .bar.state-cancelled { fill: var(--cancel); }
        svg .tick { font: 11px system-ui, sans-serif; fill: var(--muted); }
        svg .axis { stroke: var(--line); } svg .series { fill: none; stroke: var(--accent); stroke-width: 2; }
        svg .point { fill: var(--accent); } svg .point.production { fill: var(--ok); }
        .graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: var(--panel); }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; } figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
        figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 8px; } dl.facts dt { color: var(--muted); }
        .why { background: var(--panel); border-left: 4px solid var(--accent); padding: 4px 12px; }
        .actions { margin: 12px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        .decision { padding: 8px 12px; border: 1px solid var(--wait); border-radius: 6px; background: #fff8c5; }
        button { white-space: nowrap; font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
        button:hover { border-color: var(--accent); } button[data-action=approve] { border-color: var(--ok); color: var(--ok); }
        button[data-action=reject], button[data-action=cancel] { border-color: var(--fail); color: var(--fail); }
        input, select { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; }
        pre.logs { background: #0d1117; color: #e6edf3; padding: 12px; border-radius: 6px; max-height: 420px; overflow: auto; font: 12px ui-monospace, Menlo, monospace; }
        ul.verdicts { margin: 4px 0 0; padding-left: 18px; } .fires { color: var(--ok); font-weight: 600; } li.quiet { color: var(--muted); }
        .status { min-height: 1.4em; color: var(--muted); } .status.bad { color: var(--fail); }
        form.filters { display: flex; gap: 12px; margin-bottom: 12px; align-items: center; }
        """

    static let script = """
        "use strict";
        // Times in the viewer's zone.
        function localTimes(root) {
          for (const node of (root || document).querySelectorAll("time[datetime]")) {
            const date = new Date(node.getAttribute("datetime"));
            if (!isNaN(date)) { node.textContent = date.toLocaleString(); node.title = node.getAttribute("datetime"); }
          }
        }
        localTimes();

        function say(text, bad) {
          const status = document.getElementById("status");
          if (status) { status.textContent = text; status.classList.toggle("bad", !!bad); }
        }

        // API calls: the token (when the server asks for one) is kept for this tab only.
        async function api(method, path, body) {
          for (let attempt = 0; attempt < 2; attempt++) {
            const headers = { "Content-Type": "application/json" };
            const token = sessionStorage.getItem("kilnToken");
            if (token) headers["Authorization"] = "Bearer " + token;
            const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
            if (response.status === 401 && attempt === 0) {
              const entered = prompt("This action needs the API token kiln serve was started with:");
              if (!entered) throw new Error("no token given");
              sessionStorage.setItem("kilnToken", entered.trim());
              continue;
            }
            const data = await response.json().catch(() => ({}));
            if (!response.ok) throw new Error(data.detail || response.statusText);
            return data;
          }
        }

        function reasonNear(button) {
          const box = button.closest(".decision, .actions");
          const input = box && box.querySelector("input.reason");
          return input && input.value ? input.value : undefined;
        }

        document.addEventListener("click", async (event) => {
          const button = event.target.closest("button[data-action]");
          if (!button) return;
          event.preventDefault();
          const action = button.dataset.action;
          button.disabled = true;
          try {
            if (action === "approve" || action === "reject") {
              await api("POST", `/v1/runs/${button.dataset.run}/${action}`, { task: button.dataset.task, reason: reasonNear(button) });
              say(action === "approve" ? "Approved; the run continues." : "Rejected; the run finishes.");
              setTimeout(() => location.reload(), 1200);
            } else if (action === "resume" || action === "cancel") {
              await api("POST", `/v1/runs/${button.dataset.run}/${action}`);
              say(action === "resume" ? "Handed to the daemon to continue." : "Cancelling.");
              setTimeout(() => location.reload(), 1200);
            } else if (action === "start") {
              const run = await api("POST", "/v1/runs", { pipeline: button.dataset.pipeline, reason: "started from the dashboard" });
              location.href = "/runs/" + run.id;
            } else if (action === "promote") {
              const box = button.closest(".actions");
              const version = Number(box.querySelector("select.version").value);
              await api("POST", `/v1/models/${encodeURIComponent(button.dataset.model)}/promote`, { version, reason: reasonNear(button) });
              location.reload();
            } else if (action === "rollback") {
              await api("POST", `/v1/models/${encodeURIComponent(button.dataset.model)}/rollback`, { reason: reasonNear(button) });
              location.reload();
            }
          } catch (error) {
            say(error.message, true);
            button.disabled = false;
          }
        });

        // Backtest forms.
        for (const form of document.querySelectorAll("form.backtest")) {
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            const list = form.querySelector(".backtest-results");
            list.textContent = "";
            try {
              const result = await api("POST", `/v1/pipelines/${encodeURIComponent(form.dataset.pipeline)}/backtest`,
                { from: form.elements.from.value, to: form.elements.to.value });
              if (!result.runs.length) list.innerHTML = "<li class=\\"muted\\">No run would have started.</li>";
              for (const run of result.runs) {
                const item = document.createElement("li");
                item.innerHTML = `<time datetime="${run.at}"></time>: `;
                item.append(run.trigger.evidence || JSON.stringify(run.trigger));
                list.append(item);
              }
              localTimes(list);
            } catch (error) { say(error.message, true); }
          });
        }

        // A live run: task states every second and a half, logs as they come.
        const runBox = document.getElementById("run");
        if (runBox && runBox.dataset.active === "true") {
          const id = runBox.dataset.run;
          const poll = setInterval(async () => {
            try {
              const run = await (await fetch(`/v1/runs/${id}`)).json();
              for (const [task, record] of Object.entries(run.tasks || {})) {
                const node = document.querySelector(`svg .node[data-task="${CSS.escape(task)}"]`);
                if (node && node.dataset.state !== record.state) {
                  node.classList.remove("state-" + node.dataset.state);
                  node.classList.add("state-" + record.state);
                  node.dataset.state = record.state;
                }
                const cell = document.querySelector(`tr[data-task="${CSS.escape(task)}"] .task-state .badge`);
                if (cell) { cell.className = "badge state-" + record.state; cell.textContent = record.state; }
              }
              const badge = document.querySelector("#run-state .badge");
              if (badge) { badge.className = "badge state-" + run.state; badge.textContent = run.state; }
              if (!["queued", "running", "waiting"].includes(run.state)) { clearInterval(poll); setTimeout(() => location.reload(), 800); }
            } catch (error) { /* the server may be restarting; try again */ }
          }, 1500);
          if (window.EventSource) {
            const logs = document.getElementById("logs");
            let skip = Number(runBox.dataset.logs || 0);
            const source = new EventSource(`/v1/runs/${id}/logs?follow=true`);
            source.addEventListener("line", (event) => {
              if (skip > 0) { skip--; return; }
              const line = JSON.parse(event.data);
              const marker = line.stream === "stderr" ? " !" : line.stream === "system" ? " *" : "";
              logs.append((logs.textContent ? "\\n" : "") + `${line.task}#${line.attempt}${marker} | ${line.text}`);
              logs.scrollTop = logs.scrollHeight;
            });
            source.addEventListener("end", () => source.close());
          }
        }
        """
}
