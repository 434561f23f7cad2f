/**
 * @module api/errors
 * The API's error catalogue: every error response has a stable `code`, an HTTP status, a message
 * that names the field path and the value, and a remedy (README "API errors" lists them). Client
 * faults are 4xx; a stack trace never leaves the process.
 */
import type { Issue } from '../model/index.js';

export interface CatalogueEntry {
  readonly status: number;
  /** What to do about it; shown in the README table. */
  readonly remedy: string;
}

/** Every error code the API can return. */
export const ERRORS = {
  MG_UNAUTHORIZED: { status: 401, remedy: 'Send `Authorization: Bearer <token>` with a token from METRICGATE_API_TOKENS.' },
  MG_BAD_JSON: { status: 400, remedy: 'Send a syntactically valid JSON body with `Content-Type: application/json`.' },
  MG_VALIDATION: { status: 422, remedy: 'Fix the fields listed in `issues` (each has a path and what would be valid); `metricgate lint` reports the same problems.' },
  MG_BAD_REQUEST: { status: 400, remedy: 'Check the query parameters and path named in the message.' },
  MG_NOT_FOUND: { status: 404, remedy: 'Check the id or name; runs expire after their TTL.' },
  MG_PAYLOAD_TOO_LARGE: { status: 413, remedy: 'Send a smaller body (limit: METRICGATE_BODY_LIMIT bytes).' },
  MG_UNSUPPORTED_MEDIA_TYPE: { status: 415, remedy: 'Use `Content-Type: application/json` (templates also accept `application/yaml`).' },
  MG_METHOD_NOT_ALLOWED: { status: 405, remedy: 'See the OpenAPI document at /api/v1/openapi.json for the methods each path accepts.' },
  MG_RATE_LIMITED: { status: 429, remedy: 'Slow down; retry after the `retry-after` header.' },
  MG_UNAVAILABLE: { status: 503, remedy: 'A dependency (Redis) is unreachable; retry, and check /readyz.' },
  MG_INTERNAL: { status: 500, remedy: 'A bug: report it with the request id from the logs.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** An error the API turns into a catalogue response. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues?: readonly Issue[];

  constructor(code: ErrorCode, message: string, issues?: readonly Issue[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.issues = issues;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    /** Field-level problems: path, code, message. */
    readonly issues?: readonly { path: string; code: string; message: string }[];
  };
}

/** Renders an ApiError as the response body. */
export function errorBody(err: ApiError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.issues ? { issues: err.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })) } : {}),
    },
  };
}
