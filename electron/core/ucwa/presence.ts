/**
 * Do Not Disturb mirrored into the user's presence [SetMyPresenceInformation.md,
 * ResetMyPresenceInformation.md]: on → `POST <me.presence> {"availability":"DoNotDisturb"}`;
 * off → `POST <me.presence>` with an empty body, which lets the server pick presence from
 * activity and calendar again. 204 is success. Never throws.
 */
import type { CapabilityResult } from '../provider.js';
import {
  asCapability,
  failureOf,
  inputBody,
  notConnected,
  postAction,
  type FeatureContext,
  type FeatureLinkCache,
} from './capabilities.js';

export async function setPresenceDnd(
  ctx: FeatureContext,
  links: FeatureLinkCache,
  on: boolean,
): Promise<CapabilityResult> {
  const what = on ? 'Presence was not set to Do Not Disturb' : 'Presence was not reset';
  let href: string | null;
  try {
    href = (await links.get('presence'))?.presence ?? null;
  } catch (err) {
    return { ok: false, error: failureOf(err, what) };
  }
  if (!ctx.appSelf()) return { ok: false, error: notConnected(what) };
  if (!href)
    return {
      ok: false,
      error: {
        status: null,
        code: 'NoPresenceLink',
        subcode: null,
        message: `${what}: the server offers no presence link.`,
      },
    };
  const body = on
    ? inputBody(ctx.payloadFormat, { availability: 'DoNotDisturb' })
    : { body: '', contentType: ctx.payloadFormat === 'xml' ? 'application/xml' : 'application/json' };
  const result = await postAction(ctx, href, what, body);
  ctx.log.info(on ? 'presence set to DoNotDisturb' : 'presence reset', { ok: result.ok });
  return asCapability(result);
}
