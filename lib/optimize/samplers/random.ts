/** Random search: every parameter independently uniform (log-uniform on a log scale). */
import type { Params } from "../../strategies/types";
import { fillBatch, pastTrials, SeenKeys, type ProposeContext, type Sampler } from "./base";
import { sampleParams } from "./space";

export class RandomSampler implements Sampler {
  readonly name = "random";
  private readonly seen = new SeenKeys();

  propose(ctx: ProposeContext): Params[] {
    const seen = this.seen.of(ctx.strategy, pastTrials(ctx));
    return fillBatch(ctx, seen, () => [sampleParams(ctx.strategy, ctx.rng)]);
  }
}
