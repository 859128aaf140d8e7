/** Milliseconds since the epoch. Injected everywhere time matters, so tests move time instead of sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock moved by hand (tests, the benchmark); it starts at the real time and moves only forward with it. */
export class AdjustableClock {
  private offset = 0;
  readonly now: Clock = () => Date.now() + this.offset;
  advance(seconds: number): void {
    this.offset += seconds * 1000;
  }
}
