import { useDeferredValue, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Chip,
  InputAdornment,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import SearchIcon from '@mui/icons-material/Search';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { buildReference, filterReference, type RefOperation } from './reference';

const methodColor: Record<string, 'success' | 'primary' | 'warning' | 'error' | 'default'> = {
  GET: 'success',
  POST: 'primary',
  PUT: 'warning',
  PATCH: 'warning',
  DELETE: 'error',
};

/** ReferenceTab renders the gateway's own OpenAPI document: operations by group, searchable. */
export default function ReferenceTab() {
  const doc = useQuery({
    queryKey: ['openapi'],
    queryFn: async () => unwrap(await api.GET('/openapi.json')) as unknown,
    staleTime: Infinity,
  });
  const groups = useMemo(() => buildReference(doc.data), [doc.data]);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => filterReference(groups, deferred), [groups, deferred]);
  const count = shown.reduce((n, g) => n + g.operations.length, 0);

  return (
    <Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2, alignItems: { sm: 'center' } }}>
        <TextField
          label="Search the API"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="messages, POST, Balance…"
          size="small"
          sx={{ minWidth: { sm: 320 } }}
          slotProps={{ input: { startAdornment: <InputAdornment position="start"><SearchIcon /></InputAdornment> } }}
        />
        <Typography variant="body2" color="text.secondary" aria-live="polite">
          {doc.isSuccess ? `${count} operations` : ''}
        </Typography>
        <Box sx={{ flexGrow: 1 }} />
        <Typography variant="body2">
          The document itself: <a href="/openapi.json">/openapi.json</a>
        </Typography>
      </Stack>
      <ProblemAlert error={doc.error} />
      {doc.isSuccess && shown.length === 0 && <EmptyState title="No operation matches">Try fewer or other words.</EmptyState>}
      <Stack spacing={3}>
        {shown.map((g) => (
          <Box key={g.name} component="section" aria-labelledby={`ref-${g.name}`}>
            <Typography id={`ref-${g.name}`} variant="h6" component="h2" sx={{ mb: 1, textTransform: 'capitalize' }}>
              {g.name}
            </Typography>
            {g.operations.map((o) => (
              <Operation key={`${o.method} ${o.path}`} op={o} />
            ))}
          </Box>
        ))}
      </Stack>
    </Box>
  );
}

function Operation({ op }: { op: RefOperation }) {
  const id = `op-${op.method}-${op.path}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return (
    <Accordion disableGutters variant="outlined" slotProps={{ transition: { unmountOnExit: true } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls={`${id}-body`} id={`${id}-head`}>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={{ xs: 0.5, sm: 1.5 }} sx={{ alignItems: { sm: 'center' }, minWidth: 0 }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
            <Chip size="small" label={op.method} color={methodColor[op.method] ?? 'default'} sx={{ fontFamily: 'monospace', minWidth: 64 }} />
            <Typography component="code" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {op.path}
            </Typography>
          </Stack>
          <Typography variant="body2" color="text.secondary">
            {op.summary}
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id={`${id}-body`}>
        <Stack spacing={2}>
          {op.description && <Typography variant="body2">{op.description}</Typography>}
          <Typography variant="body2">
            Operation <code>{op.id}</code>
            {op.public ? ' · no credentials' : ' · Authorization: Bearer'}
          </Typography>
          {op.params.length > 0 && (
            <Box sx={{ overflowX: 'auto' }}>
              <Table size="small" aria-label={`Parameters of ${op.method} ${op.path}`}>
                <TableHead>
                  <TableRow>
                    <TableCell>Parameter</TableCell>
                    <TableCell>In</TableCell>
                    <TableCell>Type</TableCell>
                    <TableCell>Description</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {op.params.map((p) => (
                    <TableRow key={`${p.in}-${p.name}`}>
                      <TableCell>
                        <code>{p.name}</code>
                        {p.required ? ' *' : ''}
                      </TableCell>
                      <TableCell>{p.in}</TableCell>
                      <TableCell>{p.type}</TableCell>
                      <TableCell>{p.description}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
          {op.request && (
            <Typography variant="body2">
              Request body: <code>{op.request}</code>
            </Typography>
          )}
          <Box>
            <Typography variant="body2" sx={{ mb: 0.5 }}>
              Responses
            </Typography>
            <Stack component="ul" spacing={0.25} sx={{ m: 0, pl: 2.5 }}>
              {op.responses.map((r) => (
                <Typography component="li" variant="body2" key={r.status}>
                  <code>{r.status}</code> {r.schema}
                </Typography>
              ))}
            </Stack>
          </Box>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
