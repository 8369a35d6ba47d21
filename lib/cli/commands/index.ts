/** Every CLI command, in help order. Adding a command: one file in this folder plus its line here. */
import type { Command } from "../command";
import { evaluateCommand } from "./evaluate";

export const COMMANDS: readonly Command[] = [
  evaluateCommand,
];
