/**
 * Where an agent profile may send a caller with `transfer_call`: a name the model chooses from, and
 * the E.164 number or SIP URI Twilio dials for it (`<Dial><Number>` / `<Dial><Sip>`, PROTOCOLS.md
 * "Twilio call control"). In a profile (AGENT_PROFILES_FILE):
 *
 *   "transferTargets": { "sales": "+14155550123", "support": "sip:desk@pbx.example.com" }
 */
export type TransferTargets = Record<string, string>;

/** A target's name: what the model passes as `target` (letters, digits, `_`, `-`; 1–32). */
export const TRANSFER_TARGET_NAME = /^[A-Za-z0-9_-]{1,32}$/;
/** E.164: `+`, country code, up to 15 digits. */
const E164 = /^\+[1-9]\d{1,14}$/;
/** A SIP URI (`sip:` or `sips:`, user@host, optional params); no spaces or markup. */
const SIP_URI = /^sips?:[^\s<>"]+@[^\s<>"]+$/i;

/** True when `to` is dialled with `<Sip>` rather than `<Number>`. */
export function isSipUri(to: string): boolean {
  return SIP_URI.test(to);
}

/**
 * Everything wrong with a profile's `transferTargets` (empty when usable or unset), each problem
 * prefixed with its field, e.g. `transferTargets.sales: must be an E.164 number or a SIP URI`.
 */
export function transferTargetProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['transferTargets: must be an object of name → number or SIP URI'];
  const problems: string[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) problems.push('transferTargets: names no target');
  for (const [name, to] of entries) {
    if (name === '__proto__')
      problems.push(`transferTargets.${name}: reserved name, choose another`);
    else if (!TRANSFER_TARGET_NAME.test(name))
      problems.push(
        `transferTargets.${name}: names are letters, digits, _ or - (at most 32)`,
      );
    if (typeof to !== 'string' || !(E164.test(to) || SIP_URI.test(to)))
      problems.push(
        `transferTargets.${name}: must be an E.164 number such as +14155550123 or a SIP URI such as sip:desk@pbx.example.com`,
      );
  }
  return problems;
}
