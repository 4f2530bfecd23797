/** One XML element. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** The `<Connect><Stream>` of a TwiML document, if any. */
export interface TwimlStream {
  url: string;
  parameters: Record<string, string>;
  /** Verbs after `</Connect>`, which Twilio runs when the stream's socket closes. */
  verbsAfter: string[];
}

export interface ParsedTwiml {
  root: XmlElement;
  /** Top-level verb names in order, e.g. ['Say', 'Hangup']. */
  verbs: string[];
  stream?: TwimlStream;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const hex = entity[1] === 'x' || entity[1] === 'X';
      return String.fromCodePoint(
        parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10),
      );
    }
    return ENTITIES[entity] ?? whole;
  });
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A small non-validating XML parser: elements, attributes, text, CDATA; comments and PIs skipped. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = {
    name: '#document',
    attributes: {},
    children: [],
    text: '',
  };
  const stack: XmlElement[] = [root];
  for (const match of xml.matchAll(TOKEN)) {
    const [, cdata, closing, name, attrs, selfClosing, text] = match;
    const top = stack[stack.length - 1];
    if (text !== undefined || cdata !== undefined) {
      top.text += cdata ?? decodeEntities(text);
    } else if (name && closing) {
      if (top.name !== name)
        throw new Error(`Malformed XML: </${name}> closes <${top.name}>`);
      stack.pop();
    } else if (name) {
      const attributes: Record<string, string> = {};
      for (const [, key, dq, sq] of (attrs ?? '').matchAll(ATTRIBUTE)) {
        attributes[key] = decodeEntities(dq ?? sq);
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1)
    throw new Error(
      `Malformed XML: <${stack[stack.length - 1].name}> not closed`,
    );
  return root;
}

/** Parses a TwiML response and finds its bidirectional stream. */
export function parseTwiml(twiml: string): ParsedTwiml {
  const document = parseXml(twiml);
  const response = document.children.find((e) => e.name === 'Response');
  if (!response) throw new Error('TwiML has no <Response> element');
  const verbs = response.children.map((e) => e.name);
  const connectIndex = response.children.findIndex((e) => e.name === 'Connect');
  const streamElement = response.children[connectIndex]?.children.find(
    (e) => e.name === 'Stream',
  );
  if (!streamElement) return { root: response, verbs };
  const parameters: Record<string, string> = {};
  for (const child of streamElement.children) {
    if (child.name === 'Parameter' && child.attributes.name !== undefined) {
      parameters[child.attributes.name] = child.attributes.value ?? '';
    }
  }
  return {
    root: response,
    verbs,
    stream: {
      url: streamElement.attributes.url ?? '',
      parameters,
      verbsAfter: verbs.slice(connectIndex + 1),
    },
  };
}
