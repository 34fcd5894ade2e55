import { useMutation } from '@tanstack/react-query';
import { Button } from '@mui/material';
import DownloadIcon from '@mui/icons-material/DownloadOutlined';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { exportName, type ListQuery } from './filters';

/** saveBlob hands a downloaded file to the browser under name. */
function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download holds its own reference once started.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * useExport downloads the filtered list as CSV: GET /v1/messages/export
 * with the list's filters, every page (not only the one shown), fetched
 * through the typed client and saved from a Blob URL.
 */
export function useExport(query: ListQuery) {
  return useMutation({
    mutationFn: async () => {
      const blob = unwrap(await api.GET('/v1/messages/export', { params: { query }, parseAs: 'blob' })) as Blob;
      saveBlob(blob, exportName());
    },
  });
}

/** ExportButton starts an export (see useExport). */
export function ExportButton({ exporting, onClick }: { exporting: boolean; onClick: () => void }) {
  return (
    <Button variant="outlined" startIcon={<DownloadIcon />} onClick={onClick} loading={exporting}>
      Export CSV
    </Button>
  );
}
