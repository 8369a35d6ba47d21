import { runSetup } from "../../setup/setup";
import type { Command } from "../command";

export const setupCommand: Command = {
  name: "setup",
  summary: "link the package, generate default data, install Jupyter and the tslab kernel (run by npm install)",
  usage: [
    "usage: stratlab setup [--skip-apt] [--json]",
    "",
    "  Idempotent; npm install runs it after the build. Steps:",
    "    link     node_modules/stratlab -> the package root (notebooks import from \"stratlab\")",
    "    data     data/default_5m.csv, generated when absent",
    "    jupyter  nbconvert/nbclient/ipykernel for /usr/bin/python3 (STRATLAB_PYTHON overrides);",
    "             as root with apt-get, installs the Debian packages when missing",
    "    kernel   the tslab kernel under .jupyter/share/jupyter (use JUPYTER_PATH=.jupyter/share/jupyter)",
    "  A broken build or link fails (exit 2); a missing Jupyter only warns.",
    "",
    "  --skip-apt    never run apt-get (same as STRATLAB_SKIP_APT=1)",
  ].join("\n"),
  options: {
    "skip-apt": { type: "boolean" },
  },
  run(ctx) {
    ctx.out("stratlab setup");
    const report = runSetup({ skipApt: ctx.values["skip-apt"] === true, log: ctx.out });
    for (const s of report.steps) ctx.out(`  ${s.name.padEnd(8)} ${s.status.padEnd(8)} ${s.status === "warning" ? "see the warning below" : s.detail}`);
    ctx.out(`setup done in ${report.seconds.toFixed(1)} s${report.warnings.length ? `, ${report.warnings.length} warning(s)` : ""}`);
    for (const w of report.warnings) ctx.err(`warning: ${w}`);
    for (const n of report.next) ctx.out(`  next: ${n}`);
    return report;
  },
};
