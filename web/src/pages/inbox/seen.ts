// Which conversations this browser has read: the API keeps no read state,
// so the inbox remembers, per counterpart, the last inbound time it showed.

const key = 'gallant.inbox.seen';

function load(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** isUnread says whether counterpart wrote after it was last read here. */
export function isUnread(counterpart: string, lastInboundAt: string): boolean {
  const seen = load()[counterpart];
  return !seen || Date.parse(lastInboundAt) > Date.parse(seen);
}

/** markSeen records that counterpart's messages up to at have been read. */
export function markSeen(counterpart: string, at: string): void {
  const all = load();
  if (all[counterpart] && Date.parse(all[counterpart]) >= Date.parse(at)) return;
  all[counterpart] = at;
  // Keep the most recent 500 counterparts.
  const entries = Object.entries(all).sort((a, b) => Date.parse(b[1]) - Date.parse(a[1])).slice(0, 500);
  try {
    localStorage.setItem(key, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Storage full or off: the state is a convenience.
  }
}
