-- API tokens can be given an expiry (RFC 3339, UTC); NULL never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
