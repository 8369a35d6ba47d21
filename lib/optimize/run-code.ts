/** The user code a run depends on, as the manifest records it (run-code = RunCode). */
import type { StrategyCode } from "../strategies/define";
import { getObjective } from "./objectives";
import type { CodeRef, RunCode } from "./storage/manifest";
import { MULTI_SEPARATOR } from "./study";

export function runCode(strategies: readonly StrategyCode[], objectives: readonly string[]): RunCode {
  const objs: Record<string, CodeRef> = {};
  for (const name of objectives.flatMap((o) => o.split(MULTI_SEPARATOR))) {
    const code = getObjective(name).code;
    if (code !== null) objs[name] = code;
  }
  return {
    strategies: Object.fromEntries(strategies.map((c) => [c.name, c.kind === "file" ? { sha256: c.sha256, file: c.file } : { sha256: c.sha256 }])),
    objectives: objs,
  };
}
