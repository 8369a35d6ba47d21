/**
 * Verbs that stop cleanly on SIGINT, started one turn of the event loop later so that a
 * notebook interrupt reaches them instead of killing the kernel.
 *
 * tslab runs a cell's synchronous part with vm's `breakOnSigint`, which takes every SIGINT
 * listener away for that time and puts them back after. A SIGINT listener added in that
 * window (lab's optimize and the backtest's cancellation token add theirs synchronously
 * when they start) leaves Node's signal-exit handler installed when the window closes:
 * the next interrupt, during the run or any time after it, kills the kernel (exit 130;
 * Node 20). Added one turn later, the listener goes in normally.
 * test/notebook/optimize-interrupt.test.ts pins it.
 */
import { backtest as backtestNow, resumeBacktest as resumeBacktestNow } from "../backtest/index";
import { resumeTraining as resumeTrainingNow, train as trainNow } from "../train/run";

/** Resolves on the next turn of the event loop: out of the cell's synchronous part. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

/** `fn`, started on the next turn of the event loop. */
export function afterCellStart<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    await nextTurn();
    return fn(...args);
  };
}

/** lib/backtest's `backtest`, safe to interrupt in a notebook. */
export const backtest = afterCellStart(backtestNow);
/** lib/backtest's `resumeBacktest`, safe to interrupt in a notebook. */
export const resumeBacktest = afterCellStart(resumeBacktestNow);
/** lib/train's `train`, safe to interrupt in a notebook (the interrupt saves a cancellation checkpoint). */
export const train = afterCellStart(trainNow);
/** lib/train's `resumeTraining`, safe to interrupt in a notebook. */
export const resumeTraining = afterCellStart(resumeTrainingNow);
