/**
 * @tensorflow/tfjs (pure-JS CPU backend), imported under its own name, loaded on first use
 * (commands that never train do not pay for it) and set up once.
 *
 * PROD mode: tfjs' logger stays quiet in it, so the CPU backend's "looking for tfjs-node /
 * install the node backend" notice (printed on its first tensor in Node) never reaches stdout
 * or a --json document; it also skips debug-only checks. Get tfjs here, not by importing it.
 */
import type * as Tf from "@tensorflow/tfjs";

let tf: typeof Tf | undefined;
let ready: Promise<void> | undefined;

export function tfjs(): typeof Tf {
  if (tf === undefined) {
    tf = require("@tensorflow/tfjs") as typeof Tf;
    tf.env().set("PROD", true);
  }
  return tf;
}

/** Loads tfjs and selects the CPU backend (its initialisation is asynchronous). */
export function tfReady(): Promise<void> {
  return (ready ??= tfjs()
    .setBackend("cpu")
    .then((ok) => {
      if (!ok) throw new Error("tfjs: the cpu backend could not be initialised");
    }));
}
