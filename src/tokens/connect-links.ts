import type { ConnectTokens } from '../connect/connect-tokens.js';
import { ApiError } from '../errors/errors.js';
import type { Catalog, Publisher } from '../publishers/catalog.js';
import { scopesToRequest } from '../publishers/scopes.js';
import type { SerenUser } from '../seren/identity.js';

/**
 * The three "connect" errors of SPEC §3, each with a fresh one-time link asking for the scopes
 * already granted plus those still needed, and a message a user can act on.
 */
export class ConnectLinks {
  constructor(
    private readonly connectTokens: ConnectTokens,
    private readonly catalog: Catalog,
  ) {}

  async notConnected(user: SerenUser, publisher: Publisher | undefined): Promise<ApiError> {
    const url = await this.link(user, publisher, []);
    return new ApiError('google_not_connected', `Google account not connected. Authorize at: ${url}`, { authorization_url: url });
  }

  async reauthorizationRequired(user: SerenUser, publisher: Publisher | undefined, granted: readonly string[]): Promise<ApiError> {
    const url = await this.link(user, publisher, granted);
    return new ApiError(
      'google_reauthorization_required',
      `Google access was revoked or has expired; reconnect your Google account. Authorize at: ${url}`,
      { authorization_url: url },
    );
  }

  async insufficientScope(user: SerenUser, publisher: Publisher, granted: readonly string[], missing: readonly string[]): Promise<ApiError> {
    const url = await this.link(user, publisher, granted);
    return new ApiError(
      'google_insufficient_scope',
      `Your Google connection lacks permissions that ${publisher.name} needs. Authorize at: ${url}`,
      { authorization_url: url, missing_scopes: [...missing] },
    );
  }

  private async link(user: SerenUser, publisher: Publisher | undefined, granted: readonly string[]): Promise<string> {
    const scopes = scopesToRequest(this.catalog, publisher, granted);
    return (await this.connectTokens.issue(user.id, scopes, { name: user.name, email: user.email })).url;
  }
}
