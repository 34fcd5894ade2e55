import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Box, Button, Paper, Stack, Step as MuiStep, StepLabel, Stepper, useMediaQuery, useTheme } from '@mui/material';
import { api, type Schemas } from '../../../api/client';
import { unwrap } from '../../../api/problem';
import { PageHeader } from '../../../components/PageHeader';
import { AudienceStep } from './AudienceStep';
import { newDraft, toInput, validate, type Draft, type Problems, type Step } from './draft';
import { MessageStep } from './MessageStep';
import { LaunchError, ReviewStep } from './ReviewStep';
import { ScheduleStep } from './ScheduleStep';

const steps: { key: Step; label: string }[] = [
  { key: 'audience', label: 'Audience' },
  { key: 'message', label: 'Message' },
  { key: 'schedule', label: 'Schedule' },
  { key: 'review', label: 'Review and launch' },
];

interface Prepared {
  campaign: Schemas['Campaign'];
  estimate: Schemas['CampaignEstimate'];
}

/**
 * CampaignWizard creates a campaign step by step. Entering the review
 * stores the draft (POST /v1/campaigns; a changed draft replaces the
 * previous one) and asks the API for its estimate; launching starts it.
 */
export function CampaignWizard() {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(newDraft);
  const [active, setActive] = useState(0);
  const [problems, setProblems] = useState<Problems>({});
  const saved = useRef<{ id: number; body: string } | null>(null);

  const set = (patch: Partial<Draft>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    // Problems shown go away as they are fixed (new ones wait for Next).
    if (Object.keys(problems).length) {
      const now = validate(next, steps[active].key);
      setProblems(Object.fromEntries(Object.entries(now).filter(([k]) => k in problems)));
    }
  };

  const prepare = useMutation({
    mutationFn: async (d: Draft): Promise<Prepared> => {
      const input = toInput(d);
      const body = JSON.stringify(input);
      let campaign: Schemas['Campaign'] | undefined;
      if (saved.current && saved.current.body === body) {
        campaign = unwrap(await api.GET('/v1/campaigns/{id}', { params: { path: { id: saved.current.id } } }));
      } else {
        if (saved.current) {
          // The draft changed: replace it (a draft's A/B or drip settings cannot be removed by PATCH).
          await api.DELETE('/v1/campaigns/{id}', { params: { path: { id: saved.current.id } } });
          saved.current = null;
        }
        campaign = unwrap(await api.POST('/v1/campaigns', { body: input }));
        saved.current = { id: campaign.id, body };
      }
      const estimate = unwrap(await api.POST('/v1/campaigns/{id}/estimate', { params: { path: { id: campaign.id } } }));
      return { campaign, estimate };
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['campaigns'] }),
  });

  const launch = useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/v1/campaigns/{id}/launch', { params: { path: { id } } })),
    onSuccess: (c) => {
      qc.setQueryData(['campaign', c.id], c);
      qc.removeQueries({ queryKey: ['campaign-stats', c.id] });
      qc.removeQueries({ queryKey: ['campaign-recipients', c.id] });
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      navigate(`/campaigns/${c.id}`);
    },
  });

  const goTo = (i: number) => {
    // Moving forward checks every step on the way.
    for (let s = 0; s < Math.min(i, 3); s++) {
      const p = validate(draft, steps[s].key);
      if (Object.keys(p).length) {
        setProblems(p);
        setActive(s);
        return;
      }
    }
    setProblems({});
    setActive(i);
    launch.reset();
    if (steps[i].key === 'review') prepare.mutate(draft);
  };

  const key = steps[active].key;
  const props = { draft, set, problems };
  const prepared = prepare.data;
  return (
    <>
      <PageHeader title="New campaign" subtitle="Audience, message, schedule, then the estimate before you launch" />
      <Stepper activeStep={active} orientation={narrow ? 'vertical' : 'horizontal'} sx={{ mb: 3 }} aria-label="Campaign steps">
        {steps.map((s, i) => (
          <MuiStep key={s.key} completed={i < active}>
            <StepLabel>{s.label}</StepLabel>
          </MuiStep>
        ))}
      </Stepper>
      <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }} component="section" aria-label={steps[active].label}>
        {key === 'audience' && <AudienceStep {...props} />}
        {key === 'message' && <MessageStep {...props} />}
        {key === 'schedule' && <ScheduleStep {...props} />}
        {key === 'review' && (
          <>
            <LaunchError error={launch.error} estimate={prepared?.estimate} />
            <ReviewStep
              draft={draft}
              estimate={prepared?.estimate}
              loading={prepare.isPending}
              error={prepare.error}
              onFix={(s) => goTo(steps.findIndex((x) => x.key === s))}
            />
          </>
        )}
        <Stack direction="row" spacing={1} sx={{ mt: 3 }}>
          <Button onClick={() => (active === 0 ? navigate('/campaigns') : goTo(active - 1))}>{active === 0 ? 'Cancel' : 'Back'}</Button>
          <Box sx={{ flexGrow: 1 }} />
          {key !== 'review' ? (
            <Button variant="contained" onClick={() => goTo(active + 1)}>
              Next
            </Button>
          ) : (
            <>
              {prepared && (
                <Button onClick={() => navigate(`/campaigns/${prepared.campaign.id}`)} disabled={launch.isPending}>
                  Keep as draft
                </Button>
              )}
              <Button
                variant="contained"
                disabled={!prepared || prepare.isPending || launch.isPending}
                onClick={() => prepared && launch.mutate(prepared.campaign.id)}
              >
                Launch
              </Button>
            </>
          )}
        </Stack>
      </Paper>
    </>
  );
}
