import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';

export type ContactImport = Schemas['ContactImport'];
export type ImportPreview = Schemas['ContactImportPreview'];

/** ImportOptions are the import's query options. */
export interface ImportOptions {
  mapping?: string[];
  default_country?: string;
  list_id?: number;
  tags?: string;
}

function query(o: ImportOptions) {
  return {
    mapping: o.mapping ? JSON.stringify(o.mapping) : undefined,
    default_country: o.default_country || undefined,
    list_id: o.list_id || undefined,
    tags: o.tags || undefined,
  };
}

/** maxImportBytes is the gateway's default import body limit (http.max_import_body, 128 MiB). */
export const maxImportBytes = 128 * 1024 * 1024;

/** Dry-run bodies are the file's first 64 KiB in whole lines: the gateway reads only 20 rows of them. */
export const dryRunHead = 64 * 1024;

/** previewImport sends the head of a CSV with dry_run=true: the mapping used and the first rows, nothing stored. */
export async function previewImport(body: Blob, o: ImportOptions): Promise<ImportPreview> {
  return unwrap(
    await api.POST('/v1/contacts/imports', {
      params: { query: { ...query(o), dry_run: true } },
      body: body as unknown as string,
      bodySerializer: (b) => b as unknown as BodyInit,
      headers: { 'Content-Type': 'text/csv' },
    }),
  ) as ImportPreview;
}

/** startImport uploads the whole file (text/csv, up to 128 MiB) and answers the queued job. */
export async function startImport(file: Blob, o: ImportOptions): Promise<ContactImport> {
  return unwrap(
    await api.POST('/v1/contacts/imports', {
      params: { query: query(o) },
      body: file as unknown as string,
      bodySerializer: (b) => b as unknown as BodyInit,
      headers: { 'Content-Type': 'text/csv' },
    }),
  ) as ContactImport;
}
