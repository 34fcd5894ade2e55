import { toProblem } from '../../api/problem';

/**
 * problemOn is the API's explanation when its problem is about one of
 * fields, or a member of one ("to", "audience.numbers[3]", "messages[2].to"),
 * so the page shows it on that field; undefined otherwise.
 */
export function problemOn(error: unknown, ...fields: string[]): string | undefined {
  if (!error) return undefined;
  const p = toProblem(error);
  const hit = (f?: string) => !!f && fields.some((x) => f === x || f.startsWith(`${x}[`) || f.startsWith(`${x}.`));
  if (hit(p.field)) return p.detail || p.title;
  return p.errors?.find((e) => hit(e.field))?.detail;
}
