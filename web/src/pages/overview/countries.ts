// Country names for E.164 calling codes, as the usage report groups
// destinations by them ("44", "1", "353").

// The region (ISO 3166 alpha-2) of common calling codes. Codes shared by
// several countries name them together.
const regions: Record<string, string> = {
  '20': 'EG', '27': 'ZA', '30': 'GR', '31': 'NL', '32': 'BE', '33': 'FR', '34': 'ES', '36': 'HU', '39': 'IT',
  '40': 'RO', '41': 'CH', '43': 'AT', '44': 'GB', '45': 'DK', '46': 'SE', '47': 'NO', '48': 'PL', '49': 'DE',
  '51': 'PE', '52': 'MX', '54': 'AR', '55': 'BR', '56': 'CL', '57': 'CO', '58': 'VE', '60': 'MY', '61': 'AU',
  '62': 'ID', '63': 'PH', '64': 'NZ', '65': 'SG', '66': 'TH', '81': 'JP', '82': 'KR', '84': 'VN', '86': 'CN',
  '90': 'TR', '91': 'IN', '92': 'PK', '93': 'AF', '94': 'LK', '95': 'MM', '98': 'IR',
  '212': 'MA', '213': 'DZ', '216': 'TN', '218': 'LY', '220': 'GM', '221': 'SN', '225': 'CI', '233': 'GH',
  '234': 'NG', '237': 'CM', '251': 'ET', '254': 'KE', '255': 'TZ', '256': 'UG', '260': 'ZM', '263': 'ZW',
  '351': 'PT', '352': 'LU', '353': 'IE', '354': 'IS', '356': 'MT', '357': 'CY', '358': 'FI', '359': 'BG',
  '370': 'LT', '371': 'LV', '372': 'EE', '380': 'UA', '381': 'RS', '385': 'HR', '386': 'SI', '420': 'CZ',
  '421': 'SK', '852': 'HK', '853': 'MO', '880': 'BD', '886': 'TW', '960': 'MV', '966': 'SA', '971': 'AE',
  '972': 'IL', '974': 'QA', '965': 'KW', '973': 'BH', '968': 'OM', '962': 'JO', '961': 'LB', '977': 'NP',
};

const shared: Record<string, string> = {
  '1': 'United States, Canada and the Caribbean',
  '7': 'Russia and Kazakhstan',
};

let names: Intl.DisplayNames | null | undefined;

function regionName(region: string): string {
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch {
      names = null;
    }
  }
  return names?.of(region) ?? region;
}

/** countryName names the country of a calling code ("44" → "United Kingdom"), or "+code" when unknown. */
export function countryName(code: string): string {
  if (shared[code]) return shared[code];
  const r = regions[code];
  return r ? regionName(r) : `+${code}`;
}
