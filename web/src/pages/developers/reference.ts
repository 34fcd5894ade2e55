// The API reference's model: the OpenAPI document reduced to what the
// page shows, grouped and searchable. Pure functions, tested.

/** RefParam is one parameter of an operation. */
export interface RefParam {
  name: string;
  in: string;
  required: boolean;
  type: string;
  description?: string;
}

/** RefOperation is one method on one path. */
export interface RefOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  group: string;
  params: RefParam[];
  /** The request body's schema name (or type), if it takes one. */
  request?: string;
  /** The answers: status and schema name (or description). */
  responses: { status: string; schema: string }[];
  /** true when the operation takes no credentials. */
  public: boolean;
}

/** RefGroup is the operations of one tag (or, without tags, one path family). */
export interface RefGroup {
  name: string;
  operations: RefOperation[];
}

type Json = Record<string, unknown>;
const methods = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** refName is the last part of a $ref ("#/components/schemas/Message" → "Message"). */
export function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i < 0 ? ref : ref.slice(i + 1);
}

/** schemaLabel names a schema: its $ref's name, "X[]" for an array of X, else its type. */
export function schemaLabel(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return '';
  const s = schema as Json;
  if (typeof s.$ref === 'string') return refName(s.$ref);
  if (s.type === 'array') return `${schemaLabel(s.items) || 'any'}[]`;
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (Array.isArray(s[k])) return (s[k] as unknown[]).map(schemaLabel).filter(Boolean).join(k === 'allOf' ? ' & ' : ' | ');
  }
  if (Array.isArray(s.type)) return (s.type as string[]).join(' | ');
  return typeof s.type === 'string' ? s.type : '';
}

/** groupOf is an operation's group: its first tag, else its path's family (/v1/accounts/{id}/keys → "accounts"). */
export function groupOf(path: string, tags?: unknown): string {
  if (Array.isArray(tags) && typeof tags[0] === 'string') return tags[0];
  const parts = path.split('/').filter((p) => p && p !== 'v1');
  return parts[0] ?? 'other';
}

function resolve(doc: Json, v: unknown): Json {
  // Follows one local $ref of a parameter or response (components/...).
  if (v && typeof v === 'object' && typeof (v as Json).$ref === 'string') {
    const parts = ((v as Json).$ref as string).replace(/^#\//, '').split('/');
    let cur: unknown = doc;
    for (const p of parts) cur = cur && typeof cur === 'object' ? (cur as Json)[p] : undefined;
    return (cur as Json) ?? {};
  }
  return (v as Json) ?? {};
}

function contentSchema(doc: Json, body: unknown): string {
  const b = resolve(doc, body);
  const content = b.content as Json | undefined;
  if (!content) return '';
  const first = Object.entries(content)[0];
  if (!first) return '';
  const [type, media] = first;
  return schemaLabel((media as Json).schema) || type;
}

/** buildReference turns an OpenAPI document into groups of operations, groups and operations sorted. */
export function buildReference(doc: unknown): RefGroup[] {
  if (!doc || typeof doc !== 'object') return [];
  const d = doc as Json;
  const paths = (d.paths ?? {}) as Record<string, Json>;
  const groups = new Map<string, RefOperation[]>();
  for (const [path, item] of Object.entries(paths)) {
    const shared = Array.isArray(item.parameters) ? (item.parameters as unknown[]) : [];
    for (const m of methods) {
      const op = item[m] as Json | undefined;
      if (!op) continue;
      const own = Array.isArray(op.parameters) ? (op.parameters as unknown[]) : [];
      const params = [...shared, ...own].map((p) => {
        const r = resolve(d, p);
        return {
          name: String(r.name ?? ''),
          in: String(r.in ?? ''),
          required: r.required === true,
          type: schemaLabel(r.schema),
          description: typeof r.description === 'string' ? r.description : undefined,
        };
      });
      const responses = Object.entries((op.responses ?? {}) as Json).map(([status, r]) => {
        const res = resolve(d, r);
        return { status, schema: contentSchema(d, res) || String(res.description ?? '') };
      });
      const o: RefOperation = {
        id: String(op.operationId ?? `${m} ${path}`),
        method: m.toUpperCase(),
        path,
        summary: String(op.summary ?? ''),
        description: String(op.description ?? ''),
        group: groupOf(path, op.tags),
        params,
        request: op.requestBody ? contentSchema(d, op.requestBody) || 'body' : undefined,
        responses,
        public: Array.isArray(op.security) && op.security.length === 0,
      };
      const list = groups.get(o.group) ?? [];
      list.push(o);
      groups.set(o.group, list);
    }
  }
  const order = methods.map((m) => m.toUpperCase());
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, operations]) => ({
      name,
      operations: operations.sort((a, b) => a.path.localeCompare(b.path) || order.indexOf(a.method) - order.indexOf(b.method)),
    }));
}

/**
 * filterReference keeps the operations whose method, path, summary,
 * operation id or schema names contain every word of the query
 * (case-insensitive); groups left empty are dropped.
 */
export function filterReference(groups: RefGroup[], query: string): RefGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return groups;
  const matches = (o: RefOperation) => {
    const hay = [o.method, o.path, o.summary, o.id, o.group, o.request ?? '', ...o.responses.map((r) => r.schema), ...o.params.map((p) => p.name)]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  };
  return groups.map((g) => ({ ...g, operations: g.operations.filter(matches) })).filter((g) => g.operations.length > 0);
}
