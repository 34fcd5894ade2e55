// Problem is the API's error body (RFC 9457 problem JSON, api/problem.go).
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request field at fault, when there is one. */
  field?: string;
  /** Per-field errors of a form, when the API reports several. */
  errors?: { field: string; detail: string }[];
  [extra: string]: unknown;
}

/** ProblemError carries a problem JSON answer to the code that asked. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** toProblem turns whatever an openapi-fetch call failed with into a Problem. */
export function toProblem(error: unknown, response?: Response): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (error && typeof error === 'object' && 'title' in error && 'status' in error) {
    return error as Problem;
  }
  const status = response?.status ?? 0;
  if (error instanceof Error) {
    return { type: 'network', title: 'The gateway could not be reached', status, detail: error.message };
  }
  return { type: 'unknown', title: response?.statusText || 'Request failed', status };
}

/**
 * unwrap returns an openapi-fetch answer's data or throws a ProblemError,
 * so a query or mutation fails with the API's own explanation.
 */
export function unwrap<T>(res: { data?: T; error?: unknown; response: Response }): T {
  if (res.error !== undefined || !res.response.ok) {
    throw new ProblemError(toProblem(res.error, res.response));
  }
  return res.data as T;
}
