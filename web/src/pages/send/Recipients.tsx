import { useState, type ChangeEvent } from 'react';
import {
  Alert, Autocomplete, Box, Button, Chip, List, ListItem, ListItemText, Stack, TextField, Typography,
} from '@mui/material';
import UploadIcon from '@mui/icons-material/UploadFileOutlined';
import { formatCount } from '../../lib/format';
import { useLists, useSegments, type ContactList, type Segment } from './data';
import { csvNumbers, type Parsed } from './numbers';

export interface RecipientsProps {
  pasted: string;
  onPasted: (text: string) => void;
  parsed: Parsed;
  country: string;
  lists: ContactList[];
  onLists: (l: ContactList[]) => void;
  segments: Segment[];
  onSegments: (s: Segment[]) => void;
  /** The API's complaint about the numbers or the audience, shown on the field. */
  error?: string;
}

const shownInvalid = 20;

/**
 * Recipients is who gets the message: numbers typed, pasted or read from a
 * CSV file (checked and deduplicated as they are typed), and lists and
 * segments of contacts.
 */
export function Recipients(props: RecipientsProps) {
  const { pasted, onPasted, parsed, country, error } = props;
  const [csvNote, setCsvNote] = useState<string | null>(null);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const { column, numbers } = csvNumbers(await file.text());
    setCsvNote(`${file.name}: ${formatCount(numbers.length)} row${numbers.length === 1 ? '' : 's'} read from ${column === 'first column' ? 'the first column' : `column "${column}"`}.`);
    onPasted([pasted.trim(), ...numbers].filter(Boolean).join('\n'));
  };

  return (
    <Stack spacing={2}>
      <TextField
        label="Numbers"
        placeholder={country ? `+447700900123 or a national number of ${country}, one a line or separated by commas` : '+447700900123, one a line or separated by commas'}
        multiline
        minRows={2}
        maxRows={8}
        value={pasted}
        onChange={(e) => onPasted(e.target.value)}
        error={!!error}
        helperText={
          error ??
          (country
            ? `International (+…) numbers, or national ones read with the default country ${country}.`
            : 'International numbers with their country code; set a default country in contact settings to type national ones.')
        }
        slotProps={{ htmlInput: { 'data-testid': 'numbers' } }}
      />
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Button component="label" variant="outlined" size="small" startIcon={<UploadIcon />}>
          Upload a CSV of numbers
          <input hidden type="file" accept=".csv,.txt,text/csv,text/plain" onChange={onFile} aria-label="CSV file of numbers" />
        </Button>
        <Typography variant="body2" color="text.secondary" data-testid="numbers-summary">
          {formatCount(parsed.valid.length)} number{parsed.valid.length === 1 ? '' : 's'}
          {parsed.duplicates ? ` · ${formatCount(parsed.duplicates)} duplicate${parsed.duplicates === 1 ? '' : 's'} removed` : ''}
          {parsed.invalid.length ? ` · ${formatCount(parsed.invalid.length)} not valid` : ''}
        </Typography>
      </Stack>
      {csvNote && (
        <Typography variant="body2" color="text.secondary">
          {csvNote} The column named phone, number or to is used when there is one, else the first.
        </Typography>
      )}
      {parsed.invalid.length > 0 && (
        <Alert severity="warning" role="region" aria-label="Numbers that will not be sent">
          {formatCount(parsed.invalid.length)} entr{parsed.invalid.length === 1 ? 'y is' : 'ies are'} not valid and will not be sent:
          <List dense disablePadding>
            {parsed.invalid.slice(0, shownInvalid).map((i, k) => (
              <ListItem key={k} disableGutters disablePadding>
                <ListItemText primary={<><b>{i.raw}</b>: {i.reason}</>} />
              </ListItem>
            ))}
          </List>
          {parsed.invalid.length > shownInvalid && <>and {formatCount(parsed.invalid.length - shownInvalid)} more.</>}
        </Alert>
      )}
      <AudiencePicker {...props} />
    </Stack>
  );
}

/** AudiencePicker chooses contact lists and segments, a page of each at a time. */
function AudiencePicker({ lists, onLists, segments, onSegments }: RecipientsProps) {
  const l = useLists();
  const s = useSegments();
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
      <Box sx={{ flex: 1 }}>
        <Autocomplete
          multiple
          size="small"
          options={l.data ?? []}
          value={lists}
          loading={l.isLoading}
          onChange={(_, v) => onLists(v)}
          getOptionLabel={(o) => `${o.name} (${formatCount(o.count)})`}
          isOptionEqualToValue={(a, b) => a.id === b.id}
          renderValue={(v, getItemProps) =>
            v.map((o, i) => <Chip size="small" label={o.name} {...getItemProps({ index: i })} key={o.id} />)
          }
          noOptionsText="No lists: import contacts into a list on the Contacts page"
          renderInput={(p) => <TextField {...p} label="Contact lists" />}
        />
        {l.hasNextPage && (
          <Button size="small" onClick={() => l.fetchNextPage()} disabled={l.isFetchingNextPage}>
            Load more lists
          </Button>
        )}
      </Box>
      <Box sx={{ flex: 1 }}>
        <Autocomplete
          multiple
          size="small"
          options={s.data ?? []}
          value={segments}
          loading={s.isLoading}
          onChange={(_, v) => onSegments(v)}
          getOptionLabel={(o) => o.name ?? `Segment ${o.id}`}
          isOptionEqualToValue={(a, b) => a.id === b.id}
          renderValue={(v, getItemProps) =>
            v.map((o, i) => <Chip size="small" label={o.name} {...getItemProps({ index: i })} key={o.id} />)
          }
          noOptionsText="No segments: save a filter of contacts as a segment first"
          renderInput={(p) => <TextField {...p} label="Segments" />}
        />
        {s.hasNextPage && (
          <Button size="small" onClick={() => s.fetchNextPage()} disabled={s.isFetchingNextPage}>
            Load more segments
          </Button>
        )}
      </Box>
    </Stack>
  );
}
