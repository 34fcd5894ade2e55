import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ProblemAlert } from '../../components/ProblemAlert';
import { type EraseResult, subjectQuery } from './privacy';

/** privacyRequestsKey prefixes the requests' listing. */
export const privacyRequestsKey = ['privacy', 'requests'] as const;

/**
 * EraseDialog asks before erasing a number, saying what goes and what
 * stays, then erases it (POST /v1/privacy/erase) and hands the result back.
 */
export function EraseDialog(props: {
  open: boolean;
  phone: string;
  accountId: string;
  /** Whether the erasure covers every account (a platform admin naming none). */
  platform: boolean;
  onDone: (r: EraseResult) => void;
  onClose: () => void;
}) {
  const { open, phone, accountId, platform, onDone, onClose } = props;
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/privacy/erase', { body: subjectQuery(phone, accountId) })),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: privacyRequestsKey });
      void qc.invalidateQueries({ queryKey: ['messages'] });
      onDone(r);
    },
  });
  const where = accountId.trim() ? `account ${accountId.trim()}` : platform ? 'every account' : 'your account';
  return (
    <ConfirmDialog
      open={open}
      title={`Erase ${phone.trim()}?`}
      confirm="Erase"
      busy={m.isPending}
      onConfirm={() => m.mutate()}
      onClose={() => {
        m.reset();
        onClose();
      }}
    >
      <ProblemAlert error={m.error} />
      <p>
        From {where}: its scheduled messages are cancelled and refunded; the number becomes a token in messages, inbound messages,
        campaign recipients and audit entries, and the message texts are removed; its contact, held receipts and short links are
        deleted.
      </p>
      <p>
        Kept: amounts charged, segment counts, statuses and times (so billing and reports stay right), and its opt-outs, so the
        number stays blocked. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
