import twilio from 'twilio';

type RequestOptions<TData> = Parameters<
  typeof twilio.RequestClient.prototype.request<TData>
>[0];

/**
 * twilio-node's HTTP client with every request sent to `baseUrl` instead of Twilio's own origins
 * (`https://api.twilio.com/2010-04-01/…` becomes `<baseUrl>/2010-04-01/…`): TWILIO_API_BASE_URL, for a
 * fake Twilio API in tests and simulators. Requests, auth headers and errors are otherwise twilio-node's.
 */
export class RebasedRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  /** `options`: twilio-node's RequestClient options (e.g. `timeout`, ms). */
  constructor(
    baseUrl: string,
    options?: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(options);
    this.base = new URL(baseUrl);
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: this.rebase(opts.uri) });
  }

  private rebase(uri: string): string {
    const url = new URL(uri);
    const prefix = this.base.pathname.replace(/\/$/, '');
    return `${this.base.origin}${prefix}${url.pathname}${url.search}`;
  }
}
