// What the error code of a message event means. Events carry three kinds:
// the gateway's own words for messages it never sent ("no-route"), a
// carrier's refusal of the submission as an SMPP command_status in hex
// ("0x45"), and the err: field of a carrier's delivery receipt, three
// digits ("001") whose meaning each network chooses: most follow the GSM
// MAP error causes listed here.

/** ErrorExplanation says where a code comes from and what it usually means. */
export interface ErrorExplanation {
  code: string;
  source: 'gateway' | 'smpp' | 'receipt';
  /** A short meaning; absent when the code is not a common one. */
  meaning?: string;
  /** The SMPP name of a command_status ("ESME_RSUBMITFAIL"). */
  name?: string;
}

const gateway: Record<string, string> = {
  'no-route': 'no carrier route for this destination',
  split: 'the text could not be split into segments',
  'insufficient-balance': 'the balance could not pay for it when it was due',
  'opted-out': 'the recipient opted out of messages from this account',
  cancelled: 'cancelled before it was sent',
};

// SMPP 3.4 command_status values a carrier answers submit_sm with.
const smpp: Record<number, [string, string]> = {
  0x01: ['ESME_RINVMSGLEN', 'message length is invalid'],
  0x02: ['ESME_RINVCMDLEN', 'command length is invalid'],
  0x03: ['ESME_RINVCMDID', 'invalid command'],
  0x04: ['ESME_RINVBNDSTS', 'the bind may not submit'],
  0x08: ['ESME_RSYSERR', 'carrier system error'],
  0x0a: ['ESME_RINVSRCADR', 'invalid sender address'],
  0x0b: ['ESME_RINVDSTADR', 'invalid destination address'],
  0x0c: ['ESME_RINVMSGID', 'invalid message id'],
  0x14: ['ESME_RMSGQFUL', 'the carrier\u2019s queue is full'],
  0x15: ['ESME_RINVSERTYP', 'invalid service type'],
  0x33: ['ESME_RINVNUMDESTS', 'invalid number of destinations'],
  0x43: ['ESME_RINVESMCLASS', 'invalid esm_class'],
  0x45: ['ESME_RSUBMITFAIL', 'the carrier refused the submission'],
  0x48: ['ESME_RINVSRCTON', 'invalid sender type of number'],
  0x49: ['ESME_RINVSRCNPI', 'invalid sender numbering plan'],
  0x50: ['ESME_RINVDSTTON', 'invalid destination type of number'],
  0x51: ['ESME_RINVDSTNPI', 'invalid destination numbering plan'],
  0x58: ['ESME_RTHROTTLED', 'over the carrier\u2019s rate limit'],
  0x61: ['ESME_RINVSCHED', 'invalid scheduled delivery time'],
  0x62: ['ESME_RINVEXPIRY', 'invalid validity period'],
  0x64: ['ESME_RX_T_APPN', 'temporary failure at the carrier'],
  0x65: ['ESME_RX_P_APPN', 'permanent failure at the carrier'],
  0x66: ['ESME_RX_R_APPN', 'the carrier rejected the message'],
  0xc4: ['ESME_RINVOPTPARAMVAL', 'invalid optional parameter value'],
  0xfe: ['ESME_RDELIVERYFAILURE', 'delivery failure'],
  0xff: ['ESME_RUNKNOWNERR', 'unknown error'],
};

// Receipt err: values as most networks use them (GSM MAP error causes).
const receipt: Record<number, string> = {
  0: 'no error',
  1: 'unknown subscriber: the number does not exist',
  5: 'unidentified subscriber',
  6: 'absent subscriber: the phone is off or out of coverage',
  9: 'illegal subscriber',
  11: 'teleservice not provisioned: the line cannot receive SMS',
  12: 'illegal equipment',
  13: 'call barred: the line refuses messages',
  21: 'facility not supported',
  27: 'absent subscriber: the phone is off or out of coverage',
  31: 'subscriber busy',
  32: 'delivery failure: the phone\u2019s memory may be full',
  33: 'message waiting list full',
  34: 'network system failure',
  35: 'data missing',
  36: 'unexpected data value',
};

/** explainErrorCode explains an event's error code. */
export function explainErrorCode(code: string): ErrorExplanation {
  if (gateway[code]) return { code, source: 'gateway', meaning: gateway[code] };
  if (/^0x[0-9a-f]+$/i.test(code)) {
    const e = smpp[parseInt(code.slice(2), 16)];
    return e ? { code, source: 'smpp', name: e[0], meaning: e[1] } : { code, source: 'smpp' };
  }
  if (/^\d{1,4}$/.test(code)) {
    const m = receipt[parseInt(code, 10)];
    return m ? { code, source: 'receipt', meaning: m } : { code, source: 'receipt' };
  }
  return { code, source: 'receipt' };
}

/** describeErrorCode is one line for a code: "0x45 ESME_RSUBMITFAIL: the carrier refused the submission". */
export function describeErrorCode(code: string): string {
  const e = explainErrorCode(code);
  const head = e.name ? `${e.code} ${e.name}` : e.code;
  const what = e.source === 'smpp' ? 'carrier refusal' : e.source === 'receipt' ? 'receipt error' : 'gateway';
  return e.meaning ? `${head}: ${e.meaning}` : `${head} (${what}, not a common code)`;
}
