import { Route, Routes } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { TemplateEditor } from './TemplateEditor';
import { TemplatesList } from './TemplatesList';

/** TemplatesPage holds the account's message templates, their editor with a live preview, and the opt-out text. */
export default function TemplatesPage() {
  return (
    <>
      <PageHeader title="Templates" subtitle="Reusable message texts with personal fields, previewed as recipients will get them" />
      <Routes>
        <Route index element={<TemplatesList />} />
        <Route path="new" element={<TemplateEditor />} />
        <Route path=":id" element={<TemplateEditor />} />
      </Routes>
    </>
  );
}
