import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Skeleton, TextField } from '@mui/material';
import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import EmojiEventsIcon from '@mui/icons-material/EmojiEvents';
import { api, type Schemas } from '../../../api/client';
import { unwrap } from '../../../api/problem';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ProblemAlert } from '../../../components/ProblemAlert';
import { EstimateView, LaunchError } from '../wizard/ReviewStep';

type Campaign = Schemas['Campaign'];
type Verb = 'pause' | 'resume' | 'cancel';

/** CampaignActions are the buttons a campaign's state allows: launch or delete a draft, pause, resume, cancel, pick the winner. */
export function CampaignActions({ c, onError }: { c: Campaign; onError: (e: unknown) => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState<'cancel' | 'delete' | null>(null);
  const [launching, setLaunching] = useState(false);
  const [winnerOpen, setWinnerOpen] = useState(false);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['campaign', c.id] });
    void qc.invalidateQueries({ queryKey: ['campaign-stats', c.id] });
    void qc.invalidateQueries({ queryKey: ['campaigns'] });
  };
  const act = useMutation({
    mutationFn: async (verb: Verb) => {
      const path = { params: { path: { id: c.id } } };
      if (verb === 'pause') return unwrap(await api.POST('/v1/campaigns/{id}/pause', path));
      if (verb === 'resume') return unwrap(await api.POST('/v1/campaigns/{id}/resume', path));
      return unwrap(await api.POST('/v1/campaigns/{id}/cancel', path));
    },
    onSuccess: () => {
      setConfirm(null);
      refresh();
    },
    onError,
  });
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/campaigns/{id}', { params: { path: { id: c.id } } })),
    onSuccess: () => {
      // A deleted id may be given to a new campaign: forget what it showed.
      qc.removeQueries({ queryKey: ['campaign', c.id] });
      qc.removeQueries({ queryKey: ['campaign-stats', c.id] });
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      navigate('/campaigns');
    },
    onError,
  });
  const s = c.state;
  const ab = c.ab;
  const canPickWinner = !!ab && !ab.winner && (s === 'running' || s === 'paused');
  return (
    <>
      {s === 'draft' && (
        <>
          <Button variant="contained" onClick={() => setLaunching(true)}>
            Estimate and launch
          </Button>
          <Button color="error" onClick={() => setConfirm('delete')}>
            Delete
          </Button>
        </>
      )}
      {(s === 'running' || s === 'scheduled') && (
        <Button startIcon={<PauseIcon />} onClick={() => act.mutate('pause')} disabled={act.isPending}>
          Pause
        </Button>
      )}
      {s === 'paused' && (
        <Button startIcon={<PlayArrowIcon />} onClick={() => act.mutate('resume')} disabled={act.isPending}>
          Resume
        </Button>
      )}
      {canPickWinner && (
        <Button startIcon={<EmojiEventsIcon />} onClick={() => setWinnerOpen(true)}>
          Pick winner
        </Button>
      )}
      {(s === 'running' || s === 'scheduled' || s === 'paused' || s === 'launching') && (
        <Button color="error" onClick={() => setConfirm('cancel')}>
          Cancel campaign
        </Button>
      )}
      <ConfirmDialog
        open={confirm === 'cancel'}
        title="Cancel this campaign?"
        confirm="Cancel campaign"
        busy={act.isPending}
        onConfirm={() => act.mutate('cancel')}
        onClose={() => setConfirm(null)}
      >
        Recipients not sent yet will never be sent. This cannot be undone.
      </ConfirmDialog>
      <ConfirmDialog open={confirm === 'delete'} title="Delete this draft?" confirm="Delete" busy={del.isPending} onConfirm={() => del.mutate()} onClose={() => setConfirm(null)}>
        The draft &quot;{c.name}&quot; is removed.
      </ConfirmDialog>
      {launching && <LaunchDialog c={c} onClose={() => setLaunching(false)} onLaunched={refresh} />}
      {winnerOpen && ab && <WinnerDialog c={c} onClose={() => setWinnerOpen(false)} onDone={refresh} />}
    </>
  );
}

function LaunchDialog({ c, onClose, onLaunched }: { c: Campaign; onClose: () => void; onLaunched: () => void }) {
  const estimate = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/campaigns/{id}/estimate', { params: { path: { id: c.id } } })),
  });
  const launch = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/campaigns/{id}/launch', { params: { path: { id: c.id } } })),
    onSuccess: () => {
      onLaunched();
      onClose();
    },
  });
  const { mutate } = estimate;
  useEffect(() => mutate(), [mutate]);
  return (
    <Dialog open onClose={onClose} aria-labelledby="launch-title" fullWidth maxWidth="sm">
      <DialogTitle id="launch-title">Launch &quot;{c.name}&quot;</DialogTitle>
      <DialogContent>
        <ProblemAlert error={estimate.error} />
        <LaunchError error={launch.error} estimate={estimate.data} />
        {estimate.isPending && <Skeleton variant="rectangular" height={120} />}
        {estimate.data && <EstimateView e={estimate.data} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" disabled={!estimate.data || launch.isPending} onClick={() => launch.mutate()}>
          Launch
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function WinnerDialog({ c, onClose, onDone }: { c: Campaign; onClose: () => void; onDone: () => void }) {
  const [variant, setVariant] = useState(1);
  const pick = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/campaigns/{id}/winner', { params: { path: { id: c.id } }, body: { variant } })),
    onSuccess: () => {
      onDone();
      onClose();
    },
  });
  const variants = c.ab?.variants ?? [];
  return (
    <Dialog open onClose={onClose} aria-labelledby="winner-title">
      <DialogTitle id="winner-title">Pick the winning variant</DialogTitle>
      <DialogContent>
        <ProblemAlert error={pick.error} />
        <TextField select label="Variant" value={variant} onChange={(e) => setVariant(Number(e.target.value))} fullWidth sx={{ mt: 1 }}>
          {variants.map((v, i) => (
            <MenuItem key={i} value={i + 1}>
              Variant {i + 1}
              {c.ab?.rates?.[i] !== undefined ? ` (${(c.ab.rates[i] * 100).toFixed(1)}%)` : ''}: {v.text ?? `template #${v.template_id}`}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" onClick={() => pick.mutate()} disabled={pick.isPending}>
          Send the winner to the rest
        </Button>
      </DialogActions>
    </Dialog>
  );
}
