import { useMutation } from '@tanstack/react-query';
import { Button } from '@mui/material';
import DownloadIcon from '@mui/icons-material/DownloadOutlined';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { saveBlob } from '../../lib/download';
import { exportName, type ListQuery } from './filters';

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
