import { useMemo, type UIEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Autocomplete, CircularProgress, TextField } from '@mui/material';
import { api } from '../../../api/client';
import { unwrap } from '../../../api/problem';
import { formatCount } from '../../../lib/format';

/** Kind is what a picker picks from. */
export type Kind = 'lists' | 'segments' | 'templates';

interface Option {
  id: number;
  label: string;
  detail?: string;
}

interface OptionPage {
  items: Option[];
  next?: string;
}

const pageSize = 100;

async function fetchOptions(kind: Kind, next: string | undefined): Promise<OptionPage> {
  if (kind === 'lists') {
    const r = unwrap(await api.GET('/v1/lists', { params: { query: { cursor: next, limit: pageSize } } }));
    return { items: r.data.map((l) => ({ id: l.id, label: l.name, detail: `${formatCount(l.count)} contacts` })), next: r.next_cursor };
  }
  if (kind === 'segments') {
    const r = unwrap(await api.GET('/v1/segments', { params: { query: { after: next ? Number(next) : undefined, limit: pageSize } } }));
    return {
      items: (r.data ?? []).map((s) => ({ id: s.id ?? 0, label: s.name ?? `Segment ${s.id}` })),
      next: r.next_after !== undefined ? String(r.next_after) : undefined,
    };
  }
  const r = unwrap(await api.GET('/v1/templates', { params: { query: { cursor: next, limit: pageSize } } }));
  return { items: r.data.map((t) => ({ id: Number(t.id), label: t.name, detail: t.body })), next: r.next_cursor };
}

/**
 * useOptions reads a kind's items page by page as the user scrolls the
 * picker (an account may have thousands of lists or templates).
 */
function useOptions(kind: Kind) {
  const q = useInfiniteQuery({
    queryKey: ['campaign-picker', kind],
    queryFn: ({ pageParam }) => fetchOptions(kind, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
  });
  const options = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const onScroll = (e: UIEvent<HTMLElement>) => {
    const el = e.currentTarget;
    if (el.scrollTop + el.clientHeight > el.scrollHeight - 40 && q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  };
  return { q, options, onScroll };
}

const labels: Record<Kind, string> = { lists: 'Lists', segments: 'Segments', templates: 'Template' };

function optionFor(options: Option[], id: number): Option {
  return options.find((o) => o.id === id) ?? { id, label: `#${id}` };
}

/** MultiPicker picks several lists or segments. */
export function MultiPicker(props: { kind: Kind; value: number[]; onChange: (ids: number[]) => void; error?: string; label?: string }) {
  const { kind, value, onChange, error } = props;
  const { q, options, onScroll } = useOptions(kind);
  const label = props.label ?? labels[kind];
  return (
    <Autocomplete
      multiple
      options={options}
      value={value.map((id) => optionFor(options, id))}
      onChange={(_, v) => onChange(v.map((o) => o.id))}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      getOptionLabel={(o) => o.label}
      getOptionKey={(o) => o.id}
      loading={q.isFetching}
      noOptionsText={q.error ? 'Could not load them' : `No ${label.toLowerCase()} yet`}
      slotProps={{ listbox: { onScroll } }}
      renderOption={(p, o) => (
        <li {...p} key={o.id}>
          {o.label}
          {o.detail ? <span style={{ opacity: 0.7, marginLeft: 8 }}>{o.detail}</span> : null}
        </li>
      )}
      renderInput={(params) => (
        <TextField
          {...params}
          label={label}
          error={!!error}
          helperText={error}
          slotProps={{
            ...params.slotProps,
            input: {
              ...params.slotProps.input,
              endAdornment: (
                <>
                  {q.isFetching ? <CircularProgress size={18} aria-label="Loading" /> : null}
                  {params.slotProps.input.endAdornment}
                </>
              ),
            },
          }}
        />
      )}
    />
  );
}

/** SinglePicker picks one list, segment or template. */
export function SinglePicker(props: { kind: Kind; value: number | null; onChange: (id: number | null) => void; error?: string; label?: string }) {
  const { kind, value, onChange, error } = props;
  const { q, options, onScroll } = useOptions(kind);
  const label = props.label ?? labels[kind];
  return (
    <Autocomplete
      options={options}
      value={value === null ? null : optionFor(options, value)}
      onChange={(_, v) => onChange(v ? v.id : null)}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      getOptionLabel={(o) => o.label}
      getOptionKey={(o) => o.id}
      loading={q.isFetching}
      noOptionsText={q.error ? 'Could not load them' : `No ${label.toLowerCase()}s yet`}
      slotProps={{ listbox: { onScroll } }}
      renderOption={(p, o) => (
        <li {...p} key={o.id}>
          <span>
            {o.label}
            {o.detail ? <span style={{ display: 'block', opacity: 0.7, fontSize: '0.85em' }}>{o.detail}</span> : null}
          </span>
        </li>
      )}
      renderInput={(params) => <TextField {...params} label={label} error={!!error} helperText={error} />}
    />
  );
}
