/** Time as milliseconds since the epoch; injected so policies and ages can be tested without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
