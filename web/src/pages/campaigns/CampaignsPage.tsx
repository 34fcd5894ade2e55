import { Route, Routes } from 'react-router';
import { CampaignDetail } from './detail/CampaignDetail';
import { CampaignList } from './CampaignList';
import { CampaignWizard } from './wizard/CampaignWizard';

/** CampaignsPage is the campaigns area: the list, the create wizard and one campaign. */
export default function CampaignsPage() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<CampaignWizard />} />
      <Route path=":id" element={<CampaignDetail />} />
    </Routes>
  );
}
