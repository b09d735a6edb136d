// The heartbeat pings every connection once an interval, but not all at
// once: pinging every socket together is one write per connection in a
// single stretch of the one thread, on which every price update would wait.
// Connections are dealt in turn into slices and one slice is due at each of
// `slices` even steps of the interval, so a step pings a slice's share and a
// reconnect storm is spread as evenly as a steady trickle.
export class HeartbeatWheel<T> {
  private readonly slices: Set<T>[];
  private readonly sliceOf = new Map<T, Set<T>>();
  private dealt = 0;
  private due = 0;

  constructor(slices: number) {
    if (!Number.isSafeInteger(slices) || slices < 1) {
      throw new RangeError('A heartbeat wheel needs at least one slice');
    }
    this.slices = Array.from({ length: slices }, () => new Set<T>());
  }

  add(member: T): void {
    if (this.sliceOf.has(member)) return;
    const slice = this.slices[this.dealt % this.slices.length] as Set<T>;
    this.dealt += 1;
    slice.add(member);
    this.sliceOf.set(member, slice);
  }

  delete(member: T): void {
    this.sliceOf.get(member)?.delete(member);
    this.sliceOf.delete(member);
  }

  /** The members due at this step: the next slice, as it stands now. */
  turn(): T[] {
    const slice = this.slices[this.due] as Set<T>;
    this.due = (this.due + 1) % this.slices.length;
    return [...slice];
  }
}
