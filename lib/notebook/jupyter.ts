/**
 * Where the project's Jupyter lives and how to run a notebook headlessly with the tslab
 * kernel. Jupyter is Debian's, run by the system Python (not a pyenv/venv one first on
 * PATH); the kernel is registered project-locally under <root>/.jupyter, so every
 * Jupyter command gets JUPYTER_PATH=<root>/.jupyter/share/jupyter.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PACKAGE_ROOT } from "../paths";

/** The kernel name tslab registers for TypeScript (it also registers "jslab"). */
export const KERNEL_NAME = "tslab";

/** Debian packages that give the system Python nbconvert, nbclient, jupyter_client and ipykernel. */
export const JUPYTER_APT_PACKAGES = ["jupyter-nbconvert", "python3-nbclient", "jupyter-client", "python3-ipykernel"] as const;

/** The Debian package of the notebook server `npm run notebook` starts (interactive use). */
export const NOTEBOOK_APT_PACKAGE = "jupyter-notebook";

/** Python modules a headless run and the kernel registration need. */
const JUPYTER_MODULES = ["nbconvert", "nbclient", "jupyter_client", "ipykernel"] as const;

/** Debian's Python, the one its Jupyter packages install into. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** The Python whose Jupyter is used: Debian's, unless STRATLAB_PYTHON names another. */
export function jupyterPython(): string {
  return process.env.STRATLAB_PYTHON || SYSTEM_PYTHON;
}

/** <root>/.jupyter: the prefix the kernel is installed under (gitignored). */
export function jupyterPrefix(root = PACKAGE_ROOT): string {
  return join(root, ".jupyter");
}

/** The folder JUPYTER_PATH must name for Jupyter to find the project's kernel. */
export function jupyterDataDir(root = PACKAGE_ROOT): string {
  return join(jupyterPrefix(root), "share", "jupyter");
}

export function kernelSpecFile(root = PACKAGE_ROOT): string {
  return join(jupyterDataDir(root), "kernels", KERNEL_NAME, "kernel.json");
}

export function kernelRegistered(root = PACKAGE_ROOT): boolean {
  return existsSync(kernelSpecFile(root));
}

/** `base` with the project's Jupyter data folder first on JUPYTER_PATH. */
export function jupyterEnv(root = PACKAGE_ROOT, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const mine = jupyterDataDir(root);
  const rest = (base.JUPYTER_PATH ?? "").split(delimiter).filter((p) => p !== "" && p !== mine);
  return { ...base, JUPYTER_PATH: [mine, ...rest].join(delimiter) };
}

export interface JupyterStatus {
  /** nbconvert, nbclient, jupyter_client and ipykernel all import. */
  ok: boolean;
  python: string;
  /** The Python itself could not be run. */
  pythonMissing: boolean;
  /** Modules that failed to import. */
  missing: string[];
  nbconvertVersion?: string;
  /** A notebook server for interactive use (Debian's jupyter-notebook, or JupyterLab) is there. */
  interactive: boolean;
}

/** Whether the Jupyter Python can import what a headless run needs (about 0.3 s). */
export function checkJupyter(python = jupyterPython()): JupyterStatus {
  const probe = [
    "import importlib, json",
    "missing, version = [], None",
    `for m in ${JSON.stringify(JUPYTER_MODULES)}:`,
    "    try:",
    "        mod = importlib.import_module(m)",
    "        if m == 'nbconvert': version = mod.__version__",
    "    except Exception:",
    "        missing.append(m)",
    "import importlib.util as u",
    "interactive = any(u.find_spec(m) is not None for m in ('notebook', 'jupyterlab'))",
    "print(json.dumps({'missing': missing, 'version': version, 'interactive': interactive}))",
  ].join("\n");
  const r = spawnSync(python, ["-c", probe], { encoding: "utf8", timeout: 60_000 });
  if (r.error || r.status !== 0) {
    return { ok: false, python, pythonMissing: true, missing: [...JUPYTER_MODULES], interactive: false };
  }
  try {
    const { missing, version, interactive } = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { missing: string[]; version: string | null; interactive: boolean };
    return { ok: missing.length === 0, python, pythonMissing: false, missing, nbconvertVersion: version ?? undefined, interactive };
  } catch {
    return { ok: false, python, pythonMissing: false, missing: [...JUPYTER_MODULES], interactive: false };
  }
}

/** One line telling a person what to install when Jupyter is missing. */
export function jupyterInstallHint(status: JupyterStatus): string {
  const what = status.pythonMissing ? `${status.python} is not there` : `${status.python} lacks ${status.missing.join(", ")}`;
  const how =
    status.python === SYSTEM_PYTHON
      ? `sudo apt-get install -y --no-install-recommends ${JUPYTER_APT_PACKAGES.join(" ")}`
      : `${status.python} -m pip install ${JUPYTER_MODULES.join(" ")}`;
  return `Jupyter is not installed (${what}); install it: ${how} (then run: npx stratlab setup)`;
}

export interface NbconvertOptions {
  /** Seconds one cell may run (nbconvert's ExecutePreprocessor.timeout). */
  cellTimeoutSec?: number;
  /** Keep executing after a failing cell, so the output notebook shows every error. */
  allowErrors?: boolean;
  root?: string;
}

export interface CommandLine {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The same, as one shell line a person can paste (from the package root). */
  display: string;
}

/**
 * `jupyter nbconvert --to notebook --execute` for one notebook, writing the executed copy
 * to `outDir` under the same file name. The kernel starts in the notebook's own folder.
 */
export function nbconvertCommand(notebook: string, outDir: string, opts: NbconvertOptions = {}): CommandLine {
  const python = jupyterPython();
  const args = [
    "-m",
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${opts.cellTimeoutSec ?? 600}`,
    ...(opts.allowErrors ? ["--allow-errors"] : []),
    "--output-dir",
    outDir,
    notebook,
  ];
  const display = `JUPYTER_PATH=.jupyter/share/jupyter ${python} ${args.map(shellQuote).join(" ")}`;
  return { command: python, args, env: jupyterEnv(opts.root), display };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
