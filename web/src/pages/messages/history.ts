import type { Schemas } from '../../api/client';

/** Event is one entry of a message's status history. */
export type Event = Schemas['Event'];

/** SegmentHistory is the events of one segment (0: of the message as a whole). */
export interface SegmentHistory {
  segment: number;
  events: Event[];
}

/** bySegment groups a history by segment, in segment order, each in its recorded order. */
export function bySegment(history: readonly Event[]): SegmentHistory[] {
  const m = new Map<number, Event[]>();
  for (const e of history) {
    const s = e.segment ?? 0;
    if (!m.has(s)) m.set(s, []);
    m.get(s)!.push(e);
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([segment, events]) => ({ segment, events }));
}
