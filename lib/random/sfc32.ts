/**
 * sfc32, Chris Doty-Humphrey's Small Fast Counting generator (128-bit state, passes
 * PractRand): the one PRNG core of the project. Seeding and distributions differ by use
 * (Rng for samplers and training, the bar generator's own seeding), the step does not.
 */
export class Sfc32Core {
  protected a: number;
  protected b: number;
  protected c: number;
  protected d: number;

  protected constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
  }

  /** The next 32 random bits as an unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** The four state words (plain numbers: a checkpoint can carry them). */
  words(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }
}
