import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Autocomplete, Button, Divider, MenuItem, Paper, Stack, TextField, Typography,
} from '@mui/material';
import SendIcon from '@mui/icons-material/SendOutlined';
import { ProblemAlert } from '../../components/ProblemAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatCount } from '../../lib/format';
import { countText, gsm7Septets, MAX_SEGMENTS } from '../../lib/sms';
import { useCurrency, useDefaultCountry, useSenderNumbers, type ContactList, type Segment, type Template } from './data';
import { MessageComposer } from './MessageComposer';
import { parseNumbers, senderProblem } from './numbers';
import { CampaignPrice, NumbersPrice } from './Price';
import { Recipients } from './Recipients';
import { browserZone, rfc3339, scheduledInstant, scheduleProblem, type ScheduleValue } from './schedule';
import { Schedule } from './Schedule';
import { CampaignDrafts, CAMPAIGN_NUMBERS_LIMIT, needsCampaign, sendDirect, type Draft, type Outcome } from './send';
import { SendResult } from './SendResult';
import { problemOn } from './problemOn';

/**
 * SendPage sends a text to numbers typed, pasted or uploaded, or to lists
 * and segments, now or at a time in a chosen zone, with the live counter
 * and the price before sending.
 */
export default function SendPage() {
  const country = useDefaultCountry();
  const senders = useSenderNumbers();
  const qc = useQueryClient();
  const currency = useCurrency();

  const [pasted, setPasted] = useState('');
  const [lists, setLists] = useState<ContactList[]>([]);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [text, setText] = useState('');
  const [template, setTemplate] = useState<Template | null>(null);
  const [from, setFrom] = useState('');
  const [kind, setKind] = useState<Draft['kind']>('marketing');
  const [schedule, setSchedule] = useState<ScheduleValue>({ later: false, when: null, zone: browserZone() });
  const drafts = useRef(new CampaignDrafts());

  const deferred = useDeferredValue(pasted);
  const parsed = useMemo(() => parseNumbers(deferred, country), [deferred, country]);
  const count = countText(text);
  const instant = scheduledInstant(schedule);

  const draft: Draft = {
    numbers: parsed.valid,
    listIds: lists.map((l) => l.id),
    segmentIds: segments.flatMap((s) => (s.id === undefined ? [] : [s.id])),
    text,
    templateId: template && template.body === text ? template.id : undefined,
    from: from.trim(),
    sendAt: instant ? rfc3339(instant) : undefined,
    kind,
  };
  const viaCampaign = needsCampaign(draft);
  const draftKey = JSON.stringify(draft);

  const estimate = useMutation({ mutationFn: (d: Draft) => drafts.current.estimate(d) });
  const [estimatedFor, setEstimatedFor] = useState('');
  const [sentFor, setSentFor] = useState('');
  const send = useMutation({
    mutationFn: (d: Draft): Promise<Outcome> => (needsCampaign(d) ? drafts.current.launch(d) : sendDirect(d)),
    onSuccess: (_, d) => {
      setSentFor(JSON.stringify(d));
      qc.invalidateQueries({ queryKey: ['messages'] });
      qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });

  const fromProblem = senderProblem(from.trim(), gsm7Septets) ?? problemOn(send.error, 'from');
  const noRecipients = parsed.valid.length === 0 && lists.length === 0 && segments.length === 0;
  const tooMany = viaCampaign && parsed.valid.length > CAMPAIGN_NUMBERS_LIMIT;
  const blockers = [
    noRecipients && 'Add a number, a list or a segment.',
    text.trim() === '' && 'Write the message.',
    !viaCampaign && count.segments > MAX_SEGMENTS && `The text is longer than ${MAX_SEGMENTS} segments.`,
    tooMany && `A campaign takes at most ${formatCount(CAMPAIGN_NUMBERS_LIMIT)} typed numbers: put more in a list.`,
    senderProblem(from.trim(), gsm7Septets) && 'Fix the sender.',
    scheduleProblem(schedule) && 'Fix the schedule.',
  ].filter(Boolean) as string[];

  const recipientsLabel = [
    parsed.valid.length ? `${formatCount(parsed.valid.length)} number${parsed.valid.length === 1 ? '' : 's'}` : '',
    lists.length ? `${lists.length} list${lists.length === 1 ? '' : 's'}` : '',
    segments.length ? `${segments.length} segment${segments.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean).join(' + ');

  // A problem about a field shows on it; the rest above the send button.
  const onField =
    problemOn(send.error, 'to', 'messages', 'audience', 'text', 'template_id', 'from', 'send_at') !== undefined;

  return (
    <>
      <PageHeader title="Send" subtitle="A text to one number or many, to lists or segments, now or later" />
      <Stack spacing={3} component="form" onSubmit={(e) => e.preventDefault()} aria-label="Send a message" noValidate>
        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h6" component="h2" gutterBottom>
            Recipients
          </Typography>
          <Recipients
            pasted={pasted}
            onPasted={setPasted}
            parsed={parsed}
            country={country}
            lists={lists}
            onLists={setLists}
            segments={segments}
            onSegments={setSegments}
            error={problemOn(send.error, 'to', 'messages', 'audience')}
          />
        </Paper>

        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h6" component="h2" gutterBottom>
            Message
          </Typography>
          <Stack spacing={2}>
            <Autocomplete
              freeSolo
              size="small"
              options={senders.data ?? []}
              inputValue={from}
              onInputChange={(_, v) => setFrom(v)}
              renderInput={(p) => (
                <TextField
                  {...p}
                  label="Sender (optional)"
                  error={!!fromProblem}
                  helperText={fromProblem ?? 'A number of yours, a short code or a name of up to 11 characters; empty: the account default.'}
                />
              )}
            />
            <MessageComposer
              text={text}
              onText={setText}
              template={template}
              onTemplate={setTemplate}
              error={problemOn(send.error, 'text', 'template_id')}
              samplePhone={parsed.valid[0]}
            />
          </Stack>
        </Paper>

        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h6" component="h2" gutterBottom>
            When
          </Typography>
          <Schedule value={schedule} onChange={setSchedule} error={problemOn(send.error, 'send_at')} />
        </Paper>

        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
          <Stack spacing={2}>
            <Typography variant="h6" component="h2">
              Review and send
            </Typography>
            {viaCampaign ? (
              <>
                <Typography variant="body2" color="text.secondary">
                  Lists, segments, templates and personal fields are sent as a campaign, rendered for each contact; it
                  starts {instant ? 'at the scheduled time' : 'at once'}.
                </Typography>
                <TextField select size="small" label="Kind" value={kind} onChange={(e) => setKind(e.target.value as Draft['kind'])} sx={{ maxWidth: 320 }}
                  helperText={kind === 'marketing' ? 'Quiet hours apply in each recipient’s country.' : 'Sent at any hour.'}>
                  <MenuItem value="transactional">Transactional</MenuItem>
                  <MenuItem value="marketing">Marketing</MenuItem>
                </TextField>
                <CampaignPrice
                  estimate={estimate.data}
                  error={estimate.error}
                  pending={estimate.isPending || blockers.length > 0}
                  stale={estimatedFor !== draftKey}
                  onEstimate={() => {
                    setEstimatedFor(draftKey);
                    estimate.mutate(draft);
                  }}
                />
              </>
            ) : (
              <NumbersPrice numbers={parsed.valid} segments={count.segments} />
            )}
            <Divider />
            {blockers.length > 0 && (
              <Typography variant="body2" color="text.secondary">
                {blockers.join(' ')}
              </Typography>
            )}
            {!onField && <ProblemAlert error={send.error} />}
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Button
                type="submit"
                variant="contained"
                startIcon={<SendIcon />}
                disabled={blockers.length > 0 || send.isPending}
                onClick={() => send.mutate(draft)}
              >
                {send.isPending ? 'Sending…' : `${instant ? 'Schedule' : 'Send'}${sentFor === draftKey ? ' again' : ''}`}
              </Button>
              {recipientsLabel && (
                <Typography variant="body2" color="text.secondary">
                  to {recipientsLabel}
                </Typography>
              )}
            </Stack>
            {send.data && <SendResult outcome={send.data} currency={currency} />}
          </Stack>
        </Paper>
      </Stack>
    </>
  );
}
