// The contact form's state and the API body it becomes (POST or PATCH /v1/contacts).

/** FieldDecl is a custom field's declaration (GET /v1/contact-fields). */
export interface FieldDecl {
  name: string;
  type: 'text' | 'number' | 'date' | 'boolean';
}

/** ContactFormState holds every input's text; custom values by field name. */
export interface ContactFormState {
  phone: string;
  first_name: string;
  last_name: string;
  email: string;
  language: string;
  time_zone: string;
  tags: string;
  fields: Record<string, string>;
}

const textKeys = ['phone', 'first_name', 'last_name', 'email', 'language', 'time_zone'] as const;

/** emptyForm is a new contact's form. */
export const emptyForm: ContactFormState = {
  phone: '', first_name: '', last_name: '', email: '', language: '', time_zone: '', tags: '', fields: {},
};

/** formFromContact fills the form from a stored contact (its phone shown with '+'). */
export function formFromContact(c: {
  phone: string; first_name: string; last_name: string; email: string; language: string; time_zone: string;
  tags: string[]; fields: Record<string, unknown>;
}): ContactFormState {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.fields ?? {})) {
    if (v !== null && v !== undefined) fields[k] = String(v);
  }
  return {
    phone: c.phone ? `+${c.phone.replace(/^\+/, '')}` : '',
    first_name: c.first_name, last_name: c.last_name, email: c.email, language: c.language,
    time_zone: c.time_zone, tags: c.tags.join(', '), fields,
  };
}

/**
 * contactBody is the API body for the form: a new contact leaves out what is
 * empty; a change sends every member (an empty one clears it) and null for a
 * custom value that was removed. Values are typed as their field declares.
 */
export function contactBody(s: ContactFormState, decls: FieldDecl[], original?: ContactFormState): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of textKeys) {
    const v = s[k].trim();
    if (v !== '' || original) body[k] = v;
  }
  const tags = s.tags.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length > 0 || original) body.tags = tags;
  const fields: Record<string, unknown> = {};
  for (const d of decls) {
    const v = (s.fields[d.name] ?? '').trim();
    if (v === '') {
      if (original && (original.fields[d.name] ?? '') !== '') fields[d.name] = null;
      continue;
    }
    if (d.type === 'number') fields[d.name] = Number.isFinite(Number(v)) ? Number(v) : v;
    else if (d.type === 'boolean') fields[d.name] = v === 'true';
    else fields[d.name] = v;
  }
  if (Object.keys(fields).length > 0) body.fields = fields;
  return body;
}
