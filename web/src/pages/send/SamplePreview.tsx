import { useQuery } from '@tanstack/react-query';
import { Alert, Skeleton, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';

/**
 * SamplePreview renders a text with personal fields as the API would for a
 * recipient (POST /v1/templates/preview): the same strict checks as saving
 * a template, so an unknown placeholder shows before sending.
 */
export function SamplePreview({ body, phone }: { body: string; phone?: string }) {
  const b = useDebounced(body);
  const q = useQuery({
    queryKey: ['template-preview', b, phone ?? ''],
    queryFn: async () =>
      unwrap(await api.POST('/v1/templates/preview', { body: { body: b, sample: phone ? { phone } : undefined } })),
    enabled: b.trim() !== '',
  });
  if (q.error) return <ProblemAlert error={q.error} />;
  if (!q.data) return q.isFetching ? <Skeleton height={48} /> : null;
  const p = q.data;
  return (
    <Alert severity={p.skipped ? 'warning' : 'info'} role="region" aria-label="Sample rendering">
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {phone ? `For a recipient with only the number ${phone}` : "For a recipient with empty fields"}:
      </Typography>
      {p.skipped ? (
        <Typography variant="body2">Skipped: {p.skip_reason}</Typography>
      ) : (
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
          {p.text}
        </Typography>
      )}
      <Typography variant="caption">
        {p.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'} · {p.characters} characters · {p.segments} segment{p.segments === 1 ? '' : 's'}
        {p.price ? ` · ${formatMoney(p.price.total, p.price.currency, 4)}` : ''}. Each contact's own fields fill it in when sent.
      </Typography>
    </Alert>
  );
}
