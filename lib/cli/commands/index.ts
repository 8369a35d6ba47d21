/** Every CLI command, in help order. Adding a command: one file in this folder plus its line here. */
import type { Command } from "../command";
import { backtestCommand } from "./backtest";
import { dataCommand } from "./data";
import { checkpointsCommand } from "./checkpoints";
import { costsCommand } from "./costs";
import { evaluateCommand } from "./evaluate";
import { mainCommand } from "./main";
import { operationsCommand } from "./operations";
import { optimizeCommand } from "./optimize";
import { reportCommand } from "./report";
import { serveCommand } from "./serve";
import { setupCommand } from "./setup";
import { workerCommand } from "./worker";
import { trainCommand } from "./train";

export const COMMANDS: readonly Command[] = [
  mainCommand,
  evaluateCommand,
  optimizeCommand,
  backtestCommand,
  trainCommand,
  checkpointsCommand,
  operationsCommand,
  dataCommand,
  costsCommand,
  reportCommand,
  workerCommand,
  serveCommand,
  setupCommand,
];
