import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { DataGrid, type GridColDef, type GridPaginationModel, type GridValidRowModel } from '@mui/x-data-grid';
import { Box, Button, Paper, Stack, Typography, useMediaQuery, useTheme } from '@mui/material';
import { ProblemAlert } from './ProblemAlert';

/** CursorPage is one page of a cursor-paginated API answer. */
export interface CursorPage<T> {
  items: T[];
  next_cursor?: string;
}

export interface CursorGridProps<T extends GridValidRowModel> {
  /** Identifies the listing and its filters; a new key starts again at page 1. */
  queryKey: readonly unknown[];
  /** Fetches one page after cursor (undefined: the first). */
  fetchPage: (cursor: string | undefined, limit: number) => Promise<CursorPage<T>>;
  columns: GridColDef<T>[];
  getRowId?: (row: T) => string | number;
  onRowClick?: (row: T) => void;
  /** On phones each row is drawn as a card by this function instead of a grid row. */
  renderCard?: (row: T) => ReactNode;
  empty?: ReactNode;
  /** Refetch every so many ms (live pages). */
  refetchInterval?: number;
  label: string;
}

/**
 * CursorGrid shows a server-paginated listing: it asks the API for one page
 * at a time by cursor, so it works the same at ten rows or a million.
 */
export function CursorGrid<T extends GridValidRowModel>(props: CursorGridProps<T>) {
  const { queryKey, fetchPage, columns, getRowId, onRowClick, renderCard, empty, refetchInterval, label } = props;
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const [model, setModel] = useState<GridPaginationModel>({ page: 0, pageSize: 25 });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const keyJSON = JSON.stringify(queryKey);

  useEffect(() => {
    setModel((m) => ({ ...m, page: 0 }));
    setCursors([undefined]);
  }, [keyJSON]);

  const cursor = cursors[model.page];
  const q = useQuery({
    queryKey: [...queryKey, 'page', cursor ?? '', model.pageSize],
    queryFn: () => fetchPage(cursor, model.pageSize),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
  const next = q.data?.next_cursor;
  useEffect(() => {
    if (next === undefined) return;
    setCursors((cs) => {
      if (cs[model.page + 1] === next) return cs;
      const out = cs.slice(0, model.page + 1);
      out[model.page + 1] = next;
      return out;
    });
  }, [next, model.page]);

  const rows = useMemo(() => q.data?.items ?? [], [q.data]);
  const hasNextPage = next !== undefined;
  const rowCount = hasNextPage ? -1 : model.page * model.pageSize + rows.length;

  if (!q.isLoading && !q.error && rows.length === 0 && model.page === 0 && empty) {
    return <>{empty}</>;
  }
  if (narrow && renderCard) {
    return (
      <Box>
        <ProblemAlert error={q.error} />
        <Stack spacing={1} aria-label={label} role="list">
          {rows.map((r, i) => (
            <Paper
              key={getRowId ? getRowId(r) : (r as { id?: string }).id ?? i}
              variant="outlined"
              role="listitem"
              sx={{ p: 1.5, cursor: onRowClick ? 'pointer' : undefined }}
              onClick={onRowClick ? () => onRowClick(r) : undefined}
            >
              {renderCard(r)}
            </Paper>
          ))}
        </Stack>
        <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
          <Button disabled={model.page === 0} onClick={() => setModel((m) => ({ ...m, page: m.page - 1 }))}>
            Previous
          </Button>
          <Typography variant="body2">Page {model.page + 1}</Typography>
          <Button disabled={!hasNextPage} onClick={() => setModel((m) => ({ ...m, page: m.page + 1 }))}>
            Next
          </Button>
        </Stack>
      </Box>
    );
  }
  return (
    <Box>
      <ProblemAlert error={q.error} />
      <DataGrid<T>
        aria-label={label}
        rows={rows}
        columns={columns}
        getRowId={getRowId}
        loading={q.isFetching && !q.data}
        paginationMode="server"
        sortingMode="server"
        filterMode="server"
        disableColumnFilter
        disableColumnSorting
        pageSizeOptions={[25, 50, 100]}
        paginationModel={model}
        onPaginationModelChange={(m) => {
          if (m.pageSize !== model.pageSize) {
            setCursors([undefined]);
            setModel({ page: 0, pageSize: m.pageSize });
          } else if (m.page <= cursors.length - 1) {
            setModel(m);
          }
        }}
        rowCount={rowCount}
        paginationMeta={{ hasNextPage }}
        onRowClick={onRowClick ? (p) => onRowClick(p.row) : undefined}
        autoHeight
        disableRowSelectionOnClick
        sx={{ '& .MuiDataGrid-row': { cursor: onRowClick ? 'pointer' : undefined } }}
      />
    </Box>
  );
}
