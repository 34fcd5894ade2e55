import { Route, Routes, useParams } from 'react-router';
import { Box, Paper, Typography, useMediaQuery, useTheme } from '@mui/material';
import { PageHeader } from '../../components/PageHeader';
import { ConversationList } from './ConversationList';
import { Thread } from './Thread';

function Inbox() {
  const selected = useParams().number;
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const header = <PageHeader title="Inbox" subtitle="Messages people sent to the account's numbers, and your replies" />;
  if (!wide) {
    // Phones: the list and the thread are separate views.
    return (
      <>
        {header}
        {selected ? <Thread counterpart={selected} showBack /> : <ConversationList />}
      </>
    );
  }
  return (
    <>
      {header}
      <Box sx={{ display: 'grid', gridTemplateColumns: '340px 1fr', gap: 2, alignItems: 'start' }}>
        <Paper variant="outlined" sx={{ maxHeight: '75vh', overflowY: 'auto' }}>
          <ConversationList selected={selected} />
        </Paper>
        <Paper variant="outlined" sx={{ p: 2, minHeight: 300 }}>
          {selected ? (
            <Thread counterpart={selected} showBack={false} />
          ) : (
            <Typography color="text.secondary">Pick a conversation to read it and reply.</Typography>
          )}
        </Paper>
      </Box>
    </>
  );
}

/** InboxPage is the two-way inbox: conversations per counterpart and their threads. */
export default function InboxPage() {
  return (
    <Routes>
      <Route index element={<Inbox />} />
      <Route path=":number" element={<Inbox />} />
    </Routes>
  );
}
