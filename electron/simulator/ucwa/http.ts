/**
 * HTTP helpers of the UCWA simulator: UCWA error bodies, content types, and parsing of
 * UCWA input documents (JSON object or `<input xmlns="...ucwa">` XML) with case-insensitive
 * property names.
 */
import type { ServerResponse } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { sendJson } from '../server.js';
import type { SimFailure } from './types.js';

export const UCWA_NS = 'http://schemas.microsoft.com/rtc/2012/03/ucwa';

export function sendFailure(res: ServerResponse, f: SimFailure): void {
  const body: Record<string, unknown> = { code: f.code };
  if (f.subcode) body.subcode = f.subcode;
  body.message = f.message ?? `${f.code}${f.subcode ? `/${f.subcode}` : ''}`;
  sendJson(res, f.status, body);
}

/** The common failures, in the shapes of ErrorsAndInformationalMessages / GenericSynchronousErrors. */
export const FAIL = {
  applicationNotFound: (): SimFailure => ({
    status: 404,
    code: 'NotFound',
    subcode: 'ApplicationNotFound',
    message: 'The application resource does not exist.',
  }),
  inactiveExpired: (): SimFailure => ({
    status: 410,
    code: 'Gone',
    subcode: 'InactiveApplicationExpired',
    message: 'An inactive application expired.',
  }),
  resourceNotFound: (what: string): SimFailure => ({
    status: 404,
    code: 'NotFound',
    subcode: 'ResourceNotFound',
    message: `The resource does not exist: ${what}`,
  }),
  pgetReplaced: (): SimFailure => ({
    status: 409,
    code: 'Conflict',
    subcode: 'PGetReplaced',
    message: 'The existing P-GET was replaced with a new P-GET from the client application.',
  }),
  methodNotAllowed: (method: string): SimFailure => ({
    status: 405,
    code: 'MethodNotAllowed',
    message: `The requested HTTP method ${method} is not supported for this resource.`,
  }),
  badParameter: (message: string): SimFailure => ({
    status: 400,
    code: 'BadRequest',
    subcode: 'ParameterValidationFailure',
    message,
  }),
  deserialization: (message: string): SimFailure => ({
    status: 400,
    code: 'BadRequest',
    subcode: 'DeserializationFailure',
    message,
  }),
  unsupportedMedia: (ct: string): SimFailure => ({
    status: 415,
    code: 'UnsupportedMediaType',
    subcode: 'UnsupportedMediaType',
    message: `The content-type is not supported: ${ct || '(none)'}`,
  }),
  server: (status: 500 | 502 | 503 | 504): SimFailure => {
    const code = { 500: 'ServiceFailure', 502: 'ServiceFailure', 503: 'ServiceUnavailable', 504: 'Timeout' }[status];
    return { status, code, message: `simulated ${status}` };
  },
};

/** Lower-cased media type without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | string[] | undefined): string {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  return (ct ?? '').split(';')[0]!.trim().toLowerCase();
}

export type InputFormat = 'json' | 'xml' | 'none' | 'other';

export function inputFormat(contentType: string | string[] | undefined, body: string): InputFormat {
  const mt = mediaType(contentType);
  if (mt === 'application/json' || mt === 'application/vnd.microsoft.com.ucwa+json') return 'json';
  if (mt === 'application/xml' || mt === 'text/xml' || mt === 'application/vnd.microsoft.com.ucwa+xml') return 'xml';
  if (body.trim() === '') return 'none';
  return 'other';
}

/** Input properties keyed by lower-cased name (UCWA matches them case-insensitively). */
export type InputProps = Map<string, unknown>;

export type ParsedInput =
  { ok: true; format: InputFormat; props: InputProps } | { ok: false; format: InputFormat; failure: SimFailure };

/** Parses a UCWA input document. An empty body is an empty input whatever the content type. */
export function parseInput(contentType: string | string[] | undefined, body: string): ParsedInput {
  const format = inputFormat(contentType, body);
  const props: InputProps = new Map();
  if (body.trim() === '') return { ok: true, format: format === 'other' ? 'none' : format, props };
  if (format === 'other' || format === 'none')
    return { ok: false, format, failure: FAIL.unsupportedMedia(mediaType(contentType)) };
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      return {
        ok: false,
        format,
        failure: FAIL.deserialization(`The request body is not valid JSON: ${(err as Error).message}`),
      };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, format, failure: FAIL.deserialization('The request body must be a JSON object.') };
    }
    for (const [k, v] of Object.entries(value)) if (k !== '_links' && k !== '_embedded') props.set(k.toLowerCase(), v);
    return { ok: true, format, props };
  }
  return parseXmlInput(body, props);
}

const LIST_TAGS = /(^|:)(property|propertyList|item)$/;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => LIST_TAGS.test(name),
});

/** `<input xmlns="ucwa">` or `<u:input xmlns:u="ucwa">`; property names are read case-insensitively. */
function parseXmlInput(body: string, props: InputProps): ParsedInput {
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    return {
      ok: false,
      format: 'xml',
      failure: FAIL.deserialization(`The request body is not well-formed XML: ${valid.err.msg}`),
    };
  const doc = xml.parse(body) as Record<string, unknown>;
  const rootName = Object.keys(doc).find((k) => k === 'input' || k.endsWith(':input'));
  const input = rootName ? (doc[rootName] as Record<string, unknown> | string) : undefined;
  if (!rootName || typeof input !== 'object')
    return { ok: false, format: 'xml', failure: FAIL.deserialization('The XML body must be an <input> element.') };
  const prefix = rootName.includes(':') ? `${rootName.split(':')[0]}:` : '';
  const ns = input[prefix ? `@_xmlns:${prefix.slice(0, -1)}` : '@_xmlns'];
  if (ns !== UCWA_NS)
    return {
      ok: false,
      format: 'xml',
      failure: FAIL.deserialization(`The <input> element must be in the namespace ${UCWA_NS}.`),
    };
  for (const p of (input[`${prefix}property`] as Array<Record<string, unknown>> | undefined) ?? []) {
    const name = p['@_name'];
    if (typeof name !== 'string') continue;
    const text = p['#text'];
    props.set(name.toLowerCase(), text === undefined ? '' : String(text));
  }
  for (const p of (input[`${prefix}propertyList`] as Array<Record<string, unknown>> | undefined) ?? []) {
    const name = p['@_name'];
    if (typeof name !== 'string') continue;
    props.set(
      name.toLowerCase(),
      ((p[`${prefix}item`] as unknown[] | undefined) ?? []).map((i) => String(i)),
    );
  }
  return { ok: true, format: 'xml', props };
}
