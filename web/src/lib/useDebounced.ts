import { useEffect, useState } from 'react';

/** useDebounced is value once it has stopped changing for ms (typing in a search or an editor). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
