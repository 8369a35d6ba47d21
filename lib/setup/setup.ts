/**
 * `stratlab setup`, run by `npm install` (postinstall) after the build: link the package
 * into node_modules, generate the default data set, make sure Jupyter is there and
 * register the tslab kernel. The build and the link are required (a SetupError fails the
 * install); Jupyter and the kernel are optional (a warning, the install goes on).
 */
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { ensureDefaultData } from "../data/generate";
import { checkJupyter, JUPYTER_APT_PACKAGES, jupyterInstallHint, jupyterPython, kernelSpecFile, NOTEBOOK_APT_PACKAGE, SYSTEM_PYTHON } from "../notebook/jupyter";
import { DEFAULT_DATA, PACKAGE_ROOT } from "../paths";
import { aptInstall, aptUnavailable } from "./apt";
import { registerKernel } from "./kernel";
import { checkResolvable, linkBins, linkPackage } from "./link";

export type StepName = "link" | "data" | "jupyter" | "notebook" | "kernel" | "redis";
export type StepStatus = "ok" | "done" | "skipped" | "warning";

export interface SetupStep {
  name: StepName;
  /** ok: already in place; done: this run did it; skipped/warning: optional step not done. */
  status: StepStatus;
  detail: string;
  seconds: number;
}

export interface SetupReport {
  root: string;
  steps: SetupStep[];
  /** One line each, for the optional steps that did not complete. */
  warnings: string[];
  /** What a person can do next. */
  next: string[];
  seconds: number;
}

export interface SetupOptions {
  root?: string;
  /** Do not run apt-get even as root (also STRATLAB_SKIP_APT=1). */
  skipApt?: boolean;
  /** Progress lines while a slow step runs. */
  log?: (line: string) => void;
}

const REDIS_SERVERS = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

export function runSetup(opts: SetupOptions = {}): SetupReport {
  const root = opts.root ?? PACKAGE_ROOT;
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const steps: SetupStep[] = [];
  const warnings: string[] = [];
  const rel = (p: string) => relative(root, p) || ".";
  const step = (name: StepName, fn: () => { status: StepStatus; detail: string }) => {
    const t0 = Date.now();
    const r = fn();
    steps.push({ name, ...r, seconds: (Date.now() - t0) / 1000 });
    if (r.status === "warning") warnings.push(`${name}: ${r.detail}`);
  };

  step("link", () => {
    const link = linkPackage(root);
    checkResolvable(root);
    linkBins(root);
    return { status: link.action === "exists" ? "ok" : "done", detail: `${rel(link.path)} -> ${link.target} (${link.action})` };
  });

  step("data", () => {
    const existed = existsSync(DEFAULT_DATA);
    if (!existed) log(`  generating ${rel(DEFAULT_DATA)} ...`);
    ensureDefaultData();
    return { status: existed ? "ok" : "done", detail: `${rel(DEFAULT_DATA)} (${existed ? "present" : "generated"})` };
  });

  const python = jupyterPython();
  let jupyterOk = false;
  let interactive = false;
  step("jupyter", () => {
    let status = checkJupyter(python);
    interactive = status.interactive;
    if (status.ok) {
      jupyterOk = true;
      return { status: "ok", detail: `nbconvert ${status.nbconvertVersion} for ${python}` };
    }
    // Debian's packages only help Debian's Python (STRATLAB_PYTHON may name another).
    const why = opts.skipApt ? "--skip-apt" : python !== SYSTEM_PYTHON ? `${python} is not Debian's` : aptUnavailable();
    if (why !== undefined) return { status: "warning", detail: jupyterInstallHint(status) };
    log(`  Jupyter is missing for ${python}; installing Debian packages: ${JUPYTER_APT_PACKAGES.join(" ")} (a minute or two; STRATLAB_SKIP_APT=1 skips this)`);
    const apt = aptInstall(JUPYTER_APT_PACKAGES, log);
    if (!apt.ok) return { status: "warning", detail: `${apt.error}; ${jupyterInstallHint(status)}` };
    status = checkJupyter(python);
    if (!status.ok) return { status: "warning", detail: `installed ${JUPYTER_APT_PACKAGES.join(" ")} but ${jupyterInstallHint(status)}` };
    jupyterOk = true;
    interactive = status.interactive;
    return { status: "done", detail: `installed ${JUPYTER_APT_PACKAGES.join(" ")} in ${apt.seconds.toFixed(0)} s (nbconvert ${status.nbconvertVersion})` };
  });

  // `npm run notebook` needs a notebook server; Debian's classic one, when apt can be used.
  step("notebook", () => {
    if (!jupyterOk) return { status: "skipped", detail: "needs Jupyter (see the warning)" };
    if (interactive) return { status: "ok", detail: "a notebook server is installed (npm run notebook)" };
    const why = opts.skipApt ? "--skip-apt" : python !== SYSTEM_PYTHON ? `${python} is not Debian's` : aptUnavailable();
    if (why !== undefined) return { status: "skipped", detail: `no notebook server (${why}); for npm run notebook: sudo apt-get install -y --no-install-recommends ${NOTEBOOK_APT_PACKAGE}` };
    log(`  installing Debian's ${NOTEBOOK_APT_PACKAGE} for npm run notebook (STRATLAB_SKIP_APT=1 skips this)`);
    const apt = aptInstall([NOTEBOOK_APT_PACKAGE], log);
    if (!apt.ok) return { status: "warning", detail: `${apt.error}; npm run notebook needs: sudo apt-get install -y --no-install-recommends ${NOTEBOOK_APT_PACKAGE}` };
    interactive = checkJupyter(python).interactive;
    return { status: interactive ? "done" : "warning", detail: interactive ? `installed ${NOTEBOOK_APT_PACKAGE} in ${apt.seconds.toFixed(0)} s` : `installed ${NOTEBOOK_APT_PACKAGE} but ${python} cannot import notebook` };
  });

  step("kernel", () => {
    if (!jupyterOk) return { status: "skipped", detail: "needs Jupyter (see the warning)" };
    const k = registerKernel(root, python);
    if (!k.ok) return { status: "warning", detail: `${k.error}; notebooks cannot run until: npx stratlab setup` };
    return { status: k.action === "exists" ? "ok" : "done", detail: `tslab -> ${rel(kernelSpecFile(root))}` };
  });

  // Redis carries trials to other machines (optimize --redis, stratlab worker); a local run
  // never needs it, so a machine without it only gets a warning.
  step("redis", () => {
    const server = REDIS_SERVERS.find((p) => existsSync(p));
    if (server !== undefined) return { status: "ok", detail: server };
    const hint = "redis-server is missing (only optimize --redis, stratlab worker and their tests need it): apt-get install redis-server";
    const why = opts.skipApt ? "--skip-apt" : aptUnavailable();
    if (why !== undefined) return { status: "warning", detail: hint };
    log("  redis-server is missing; installing Debian's redis-server (STRATLAB_SKIP_APT=1 skips this)");
    const apt = aptInstall(["redis-server"], log);
    if (!apt.ok) return { status: "warning", detail: `${apt.error}; ${hint}` };
    return { status: "done", detail: `installed redis-server in ${apt.seconds.toFixed(0)} s` };
  });

  const next = ["npx stratlab evaluate --strategy sma_cross"];
  if (jupyterOk) next.push(`${interactive ? "" : "sudo apt-get install jupyter-notebook, then "}npm run notebook`, "npm run test:notebooks");
  return { root, steps, warnings, next, seconds: (Date.now() - started) / 1000 };
}
