/**
 * User strategies on the worker pool: which code the workers need for a run's strategies,
 * and how a worker turns that code back into a registered strategy.
 */
import { RunError } from "../errors";
import { registerFromSource, strategyCode, type StrategyCode } from "../strategies/define";
import { getStrategy } from "../strategies/registry";
import { loadCodeFile } from "./code-file";

/** The code of every user base strategy among `names` ("my_sma+regime" needs my_sma's). */
export function codeOfStrategies(names: readonly string[]): StrategyCode[] {
  const out = new Map<string, StrategyCode>();
  for (const name of names) {
    const base = name.split("+")[0].trim();
    const code = strategyCode(base, getStrategy(base));
    if (code !== null) out.set(base, code);
  }
  return [...out.values()];
}

/** On a worker: register a user strategy from its code (a file is loaded once, and must still be the file the run was started with). */
export function loadStrategyCode(code: StrategyCode): void {
  if (code.kind === "source") return registerFromSource(code);
  const file = loadCodeFile(code.file);
  if (file.sha256 !== code.sha256) throw new RunError(`${code.file} changed while the run was starting (sha256 ${file.sha256.slice(0, 12)}, expected ${code.sha256.slice(0, 12)}); run again`);
  if (!file.strategies.includes(code.name)) throw new RunError(`${code.file} no longer exports strategy "${code.name}"`);
}
