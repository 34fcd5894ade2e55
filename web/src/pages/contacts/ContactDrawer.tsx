import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Box, Button, Chip, Divider, Drawer, IconButton, Skeleton, Stack, Table, TableBody, TableCell, TableRow, Typography,
} from '@mui/material';
import CloseIcon from '@mui/icons-material/Close';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';
import { ContactForm } from './ContactForm';
import { plusPhone } from './phones';
import { useListChoices } from './queries';

/** ContactDrawer shows one contact (its lists, last message, opt-out) with edit and erase. */
export function ContactDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [erasing, setErasing] = useState(false);
  const lists = useListChoices();
  const q = useQuery({
    queryKey: ['contact', id],
    queryFn: async () => unwrap(await api.GET('/v1/contacts/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
  const erase = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/contacts/{id}', { params: { path: { id: id! } } })),
    onSuccess: () => {
      setErasing(false);
      qc.invalidateQueries({ queryKey: ['contacts'] });
      qc.removeQueries({ queryKey: ['contact', id] });
      onClose();
    },
  });
  const c = q.data;
  const listName = (lid: number) => lists.data?.find((l) => l.id === lid)?.name ?? `List ${lid}`;
  const row = (k: string, v: React.ReactNode) => (
    <TableRow key={k}>
      <TableCell component="th" scope="row" sx={{ color: 'text.secondary', width: '40%' }}>
        {k}
      </TableCell>
      <TableCell>{v || '–'}</TableCell>
    </TableRow>
  );
  return (
    <Drawer anchor="right" open={id !== null} onClose={onClose} slotProps={{ paper: { sx: { width: { xs: '100%', sm: 440 } } } }}>
      <Box sx={{ p: 2 }} role="region" aria-label="Contact details">
        <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
            {c ? `${c.first_name} ${c.last_name}`.trim() || plusPhone(c.phone) : 'Contact'}
          </Typography>
          <IconButton aria-label="Close details" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Stack>
        <ProblemAlert error={q.error} />
        {q.isLoading && <Skeleton variant="rectangular" height={200} />}
        {c && (
          <Stack spacing={2}>
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
              {c.opted_out ? <Chip color="error" label="Opted out: not messaged" /> : <Chip color="success" variant="outlined" label="Can be messaged" />}
              {c.tags.map((t) => (
                <Chip key={t} label={t} size="small" />
              ))}
            </Stack>
            <Table size="small" aria-label="Contact attributes">
              <TableBody>
                {row('Id', String(c.id))}
                {row('Phone', plusPhone(c.phone))}
                {row('Email', c.email)}
                {row('Language', c.language)}
                {row('Time zone', c.time_zone)}
                {row('Last message', c.last_message_at ? formatTime(c.last_message_at) : 'never')}
                {row('Lists', c.lists.length ? c.lists.map(listName).join(', ') : 'none')}
                {Object.entries(c.fields ?? {}).map(([k, v]) => row(k, String(v)))}
                {row('Created', formatTime(c.created_at))}
                {row('Changed', formatTime(c.updated_at))}
              </TableBody>
            </Table>
            <Divider />
            <Stack direction="row" spacing={1}>
              <Button variant="contained" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button color="error" onClick={() => setErasing(true)}>
                Erase
              </Button>
            </Stack>
            <ContactForm open={editing} contact={c} onClose={() => setEditing(false)} />
          </Stack>
        )}
        <ConfirmDialog
          open={erasing}
          title="Erase this contact?"
          confirm="Erase"
          busy={erase.isPending}
          onConfirm={() => erase.mutate()}
          onClose={() => setErasing(false)}
        >
          <ProblemAlert error={erase.error} />
          Erasure deletes the contact and every personal detail kept on it (names, email, language, time zone, custom values,
          tags) and takes it out of every list. Messages already sent to it, and their billing records, keep the number as
          it was sent. This cannot be undone.
        </ConfirmDialog>
      </Box>
    </Drawer>
  );
}
