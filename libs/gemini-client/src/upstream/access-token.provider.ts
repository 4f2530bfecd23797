import { Injectable } from '@nestjs/common';
import { GoogleAuth } from 'google-auth-library';

/** OAuth access tokens for Vertex AI from application default credentials. */
@Injectable()
export class AccessTokenProvider {
  private auth?: GoogleAuth;

  async token(): Promise<string> {
    this.auth ??= new GoogleAuth({
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    const token = await this.auth.getAccessToken();
    if (!token)
      throw new Error(
        'Application default credentials returned no access token',
      );
    return token;
  }
}
